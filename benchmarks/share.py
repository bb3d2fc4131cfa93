"""Sharing a case and working on it: `reviewer share` against a plain copy of the case folder, and one
reviewer's coding and searching on the shared case against the same on the case folder.

A case of N generated text documents is ingested, a tenth of them tagged; then
- share: the whole `share` (files copied and read back, rows copied, every table fingerprinted on both
  sides) against the baseline of copying the case folder with shutil.copytree;
- coding: one document tagged or untagged (toggle_tag), one action at a time, p50/p95 in ms;
- searching: a one-word query counted, p50/p95 in ms.
A throwaway PostgreSQL server is started for the run (tests/postgres_server.py) unless --server gives
one (postgresql://ADMIN@HOST:PORT/postgres). Prints one JSON object.

    .venv/bin/python benchmarks/share.py --documents 2000
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.percentiles import percentile  # noqa: E402
from reviewer.core import review  # noqa: E402
from reviewer.core.case import Case  # noqa: E402
from reviewer.core.ingest.pipeline import IngestOptions, ingest  # noqa: E402
from reviewer.core.search.service import SearchService  # noqa: E402
from reviewer.core.team.casefile import parse_address  # noqa: E402
from reviewer.core.team.share import share  # noqa: E402
from tests import postgres_server  # noqa: E402
from tests.databases import PostgresServer  # noqa: E402

WORDS = ("warrant deadline motion dismiss treasurer grudge hospital merger report picnic ledger witness "
         "affidavit subpoena custody search seizure counsel privilege memo").split()


def make_documents(folder: Path, count: int, rng: random.Random) -> None:
    folder.mkdir(parents=True)
    for n in range(count):
        words = rng.choices(WORDS, k=rng.randint(40, 400))
        (folder / f"doc{n:06d}.txt").write_text(" ".join(words) + "\n", encoding="utf-8")


def timings(action: Callable[[int], object], times: int) -> dict[str, float]:
    spent = []
    for n in range(times):
        started = time.perf_counter()
        action(n)
        spent.append((time.perf_counter() - started) * 1000)
    return {"p50_ms": round(percentile(spent, 0.5), 2), "p95_ms": round(percentile(spent, 0.95), 2)}


def work(case: Case, documents: int, times: int) -> dict[str, dict[str, float]]:
    rng = random.Random(7)
    with SearchService.open(case) as search:
        return {
            "coding": timings(lambda _n: review.toggle_tag(case, [rng.randint(1, documents)], "Hot"), times),
            "search": timings(lambda n: search.count(WORDS[n % len(WORDS)]), times),
        }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=2000)
    parser.add_argument("--actions", type=int, default=100, help="coding actions and searches timed on each")
    parser.add_argument("--server", help="a PostgreSQL server to use (its administrator's URL)")
    args = parser.parse_args()

    work_dir = Path(tempfile.mkdtemp(prefix="reviewer-share-bench-"))
    folder, url = (None, args.server) if args.server else postgres_server.start()
    target = ""
    os.environ.setdefault("PGUSER", parse_address(url).user or "")
    try:
        make_documents(work_dir / "files", args.documents, random.Random(1))
        local = work_dir / "case"
        with Case.create(local, name="Share benchmark") as case:
            ingest(case, [work_dir / "files"], IngestOptions(custodian="bench", jobs=2))
            review.tag_documents(case, range(1, args.documents + 1, 10), "Responsive")

        started = time.perf_counter()
        shutil.copytree(local, work_dir / "plain-copy")
        baseline = time.perf_counter() - started

        base = parse_address(url)
        target = f"postgresql://{base.user}@{base.server.host}:{base.server.port}/bench_{uuid.uuid4().hex[:8]}"
        started = time.perf_counter()
        report = share(local, parse_address(target), work_dir / "store", work_dir / "bench.reviewer")
        shared_seconds = time.perf_counter() - started

        with Case.open(local) as case:
            on_folder = work(case, args.documents, args.actions)
        with Case.open(work_dir / "bench.reviewer") as case:
            on_server = work(case, args.documents, args.actions)
        print(json.dumps({
            "documents": args.documents,
            "share": {"seconds": round(shared_seconds, 2), "rows": report.total_rows, "files": report.files,
                      "megabytes": round(report.bytes / 1e6, 1),
                      "rows_per_second": round(report.total_rows / shared_seconds),
                      "baseline_copytree_seconds": round(baseline, 2),
                      "ratio": round(shared_seconds / baseline, 1)},
            "case_folder": on_folder,
            "shared_case": on_server,
            "coding_p95_ratio": round(on_server["coding"]["p95_ms"] / on_folder["coding"]["p95_ms"], 2),
        }, indent=2))
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)
        if folder is not None:
            postgres_server.stop(folder)
        elif target:
            PostgresServer(url).drop_databases([parse_address(target).server.database])
    return 0


if __name__ == "__main__":
    sys.exit(main())
