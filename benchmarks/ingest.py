"""Ingest speed and memory: the public corpus, a synthetic set of small emails, one large generated
mailbox and one ZIP holding a single huge text member, each against a baseline.

The baseline is extraction + hashing alone — the same worker processes, identifying, hashing, copying
the original into a throwaway store and extracting text and metadata — with no database, no text store
and no index. The full run is `ingest` into a fresh case. Each set carries the targets of issue 15
beside its figures ({aim, pass}): at most 2x the baseline, and under 600 MB in the largest process.
Each phase runs in its own process; its peak RSS is that of the largest process of its tree (the phase
or one of its workers), sampled from /proc on Linux. Prints one JSON object.

    .venv/bin/python benchmarks/ingest.py --corpus ../shared/corpus --emails 50000 --mbox 20000 \
        --zip-member-mb 496 --jobs 2
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

WORDS = ("deadline warrant motion dismiss privileged counsel investigator grudge filing hearing docket "
         "exhibit affidavit custody evidence witness statement deposition subpoena discovery schedule "
         "meeting report draft review agreement contract invoice payment account transfer budget forecast "
         "call tomorrow please thanks regards attached see below update question answer issue").split()


def make_emails(folder: Path, count: int, seed: int = 7) -> None:
    """Small realistic emails: a Zipf-like vocabulary, threads, one in ten with a text attachment."""
    rng = random.Random(seed)
    vocabulary = WORDS + [f"term{n}" for n in range(20000)]
    weights = [1 / (rank + 1) for rank in range(len(vocabulary))]
    people = [f"person{n}@firm{n % 40}.example" for n in range(400)]
    start = datetime(2019, 1, 1, tzinfo=UTC)
    for n in range(count):
        message = EmailMessage()
        message["From"] = rng.choice(people)
        message["To"] = ", ".join(rng.sample(people, 2))
        message["Subject"] = " ".join(rng.choices(vocabulary[:200], k=4))
        message["Date"] = format_datetime(start + timedelta(minutes=37 * n))
        message["Message-ID"] = f"<bench{n}@mail.example>"
        body = " ".join(rng.choices(vocabulary, weights=weights, k=rng.randint(60, 400)))
        message.set_content(body)
        if n % 10 == 0:
            note = " ".join(rng.choices(vocabulary, weights=weights, k=120)).encode()
            message.add_attachment(note, maintype="text", subtype="plain", filename="notes.txt")
        target = folder / f"{n // 1000:03d}" / f"{n:06d}.eml"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(message.as_bytes())


def make_mbox(path: Path, count: int, seed: int = 11) -> None:
    """One mailbox of `count` small messages."""
    rng = random.Random(seed)
    with path.open("wb") as out:
        for n in range(count):
            sender = f"person{rng.randrange(400)}@firm.example"
            body = " ".join(rng.choices(WORDS, k=rng.randint(40, 200)))
            out.write(f"From {sender} Mon Jan  1 10:00:00 2024\nFrom: {sender}\nTo: counsel@firm.example\n"
                      f"Subject: message {n}\nMessage-ID: <box{n}@mail.example>\n\n{body}\n\n".encode())


def make_large_member_zip(path: Path, megabytes: int) -> None:
    """A small ZIP with one text member of `megabytes` MB that compresses about 180:1."""
    rng = random.Random(5)
    lines = [" ".join(rng.choices(WORDS[:16], k=12)).encode() + b"\n" for _ in range(40)]
    block = b"".join(lines) * 700
    remaining = megabytes * 1024 * 1024
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive, \
            archive.open("big.txt", "w", force_zip64=True) as out:
        while remaining > 0:
            piece = block[:remaining]
            out.write(piece)
            remaining -= len(piece)


# The targets of issue 15, judged beside each set's figures.
RATIO_AIM = 2.0
RSS_AIM_MB = 600


def _baseline_phase(source: Path, jobs: int) -> dict[str, float]:
    from reviewer.core.ingest.pool import ExtractionPool, Task
    from reviewer.core.ingest.walk import walk_inputs
    from reviewer.core.ingest.worker import WorkerSettings
    from reviewer.core.progress import CancelToken

    store = Path(tempfile.mkdtemp(prefix="bench-store-"))
    try:
        inputs = walk_inputs([source])
        started = time.perf_counter()
        items = 0
        with ExtractionPool(WorkerSettings(store_root=store), jobs, None, CancelToken()) as pool:
            for chunk in pool.stream(Task(i) for i in inputs):
                items += len(chunk.items)
        return {"seconds": time.perf_counter() - started, "items": items}
    finally:
        shutil.rmtree(store, ignore_errors=True)


def _full_phase(source: Path, jobs: int) -> dict[str, float]:
    from reviewer.core.case import Case
    from reviewer.core.ingest.pipeline import IngestOptions, ingest

    folder = Path(tempfile.mkdtemp(prefix="bench-case-"))
    try:
        with Case.create(folder / "case") as case:
            started = time.perf_counter()
            summary = ingest(case, [source], IngestOptions(jobs=jobs))
            seconds = time.perf_counter() - started
        return {"seconds": seconds, "items": summary.documents + summary.duplicates + summary.exceptions,
                "documents": summary.documents}
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def run_phase(phase: str, source: Path, jobs: int) -> dict[str, float]:
    """Run one phase in a child process and measure the largest process of its tree."""
    from tests.process_tree import TreePeak

    command = [sys.executable, __file__, "--phase", phase, "--source", str(source), "--jobs", str(jobs)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    tree = TreePeak(process.pid)
    output = process.stdout.read() if process.stdout else ""
    _pid, status, usage = os.wait4(process.pid, 0)
    tree_kb = tree.stop()
    if status != 0:
        raise SystemExit(f"{phase} phase failed on {source}")
    result = json.loads(output)
    # Without /proc, the phase's own figure (workers of a fork server are not its children).
    peak_kb = tree_kb or usage.ru_maxrss
    result["peak_rss_mb"] = round(peak_kb / 1024, 1)
    return result


def measure(label: str, source: Path, jobs: int) -> dict[str, object]:
    size_mb = sum(p.stat().st_size for p in source.rglob("*") if p.is_file()) / 1e6
    files = sum(1 for p in source.rglob("*") if p.is_file())
    baseline = run_phase("baseline", source, jobs)
    full = run_phase("full", source, jobs)
    return {
        "set": label,
        "input_files": files,
        "input_mb": round(size_mb, 1),
        "items": full["items"],
        "documents": full.get("documents"),
        "ingest_seconds": round(full["seconds"], 2),
        "ingest_docs_per_second": round(full["items"] / full["seconds"], 1),
        "ingest_mb_per_second": round(size_mb / full["seconds"], 2),
        "ingest_peak_rss_mb": full["peak_rss_mb"],
        "baseline_seconds": round(baseline["seconds"], 2),
        "baseline_docs_per_second": round(baseline["items"] / baseline["seconds"], 1),
        "baseline_peak_rss_mb": baseline["peak_rss_mb"],
        "ratio_ingest_to_baseline": round(full["seconds"] / baseline["seconds"], 2),
        "ratio_target": {"aim": f"<= {RATIO_AIM:g}x the baseline (moonshot 1.5x)",
                         "pass": full["seconds"] / baseline["seconds"] <= RATIO_AIM},
        "peak_rss_target": {"aim": f"< {RSS_AIM_MB} MB", "pass": full["peak_rss_mb"] < RSS_AIM_MB},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=os.environ.get("REVIEWER_CORPUS"),
                        help="also measure this corpus (default $REVIEWER_CORPUS; --corpus '' leaves it out)")
    parser.add_argument("--emails", type=int, default=50000)
    parser.add_argument("--mbox", type=int, default=20000, help="messages in one generated mailbox (0: none)")
    parser.add_argument("--zip-member-mb", type=int, default=496,
                        help="size of the one text member of a generated ZIP (0: none)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--phase", choices=["baseline", "full"], help=argparse.SUPPRESS)
    parser.add_argument("--source", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        phase = _baseline_phase if args.phase == "baseline" else _full_phase
        print(json.dumps(phase(args.source, args.jobs)))
        return
    results: dict[str, object] = {"jobs": args.jobs, "cpus": os.cpu_count(), "sets": []}
    if args.corpus:
        results["sets"].append(measure("corpus", Path(args.corpus), args.jobs))  # type: ignore[union-attr]
    if args.emails:
        folder = Path(tempfile.mkdtemp(prefix="bench-emails-"))
        try:
            started = time.perf_counter()
            make_emails(folder, args.emails)
            results["generate_seconds"] = round(time.perf_counter() - started, 1)
            results["sets"].append(measure(f"synthetic-{args.emails}-emails", folder, args.jobs))  # type: ignore[union-attr]
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    if args.mbox:
        folder = Path(tempfile.mkdtemp(prefix="bench-mbox-"))
        try:
            make_mbox(folder / "mailbox.mbox", args.mbox)
            results["sets"].append(measure(f"mbox-{args.mbox}-messages", folder, args.jobs))  # type: ignore[union-attr]
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    if args.zip_member_mb:
        folder = Path(tempfile.mkdtemp(prefix="bench-zip-"))
        try:
            make_large_member_zip(folder / "archive.zip", args.zip_member_mb)
            label = f"zip-one-{args.zip_member_mb}-mb-member"
            results["sets"].append(measure(label, folder, args.jobs))  # type: ignore[union-attr]
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    results["benchmark_peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    results["all_targets_met"] = all(entry["ratio_target"]["pass"] and entry["peak_rss_target"]["pass"]
                                     for entry in results["sets"])  # type: ignore[union-attr]
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
