"""Email threading and near-duplicates over a large generated case (and the public corpus): time, peak
memory, and the precision and recall of near-duplicate pairs against a brute-force computation on a sample.
Prints one JSON object.

The case is generated quickly rather than ingested (Document rows through SQLAlchemy core, a text file
each): 60 % emails in threads of one to eight messages that quote each other in Gmail and Outlook forms
(some first messages missing, some replies without reply headers, so the text has to thread them), 40 %
memos, a third of them in families of variants with known edits (1 %, 5 %, 10 %, 20 % of the words
changed, scattered; one with 3 % more words at the end). `reviewer analyze` then runs in a child process
with two worker processes; the peak is the largest process of its tree.

Precision and recall: a sample of about 5,000 memos (whole variant families plus unrelated memos) is
compared pair by pair with the exact similarity (similarity.py, through rapidfuzz's all-pairs routine),
and the pairs at or above the threshold are compared with the pairs the LSH candidates plus verification
find on the same sample.

On the corpus (`--corpus`, alone or beside `--docs`): the whole corpus ingested as the corpus tests do,
then analyzed from scratch in a child process, against reading and splitting every text once (baseline);
threads, inclusive emails and the share a reviewer can skip (all mail, and the Enron maildir alone),
near-duplicate groups, time and peak memory.

    .venv/bin/python benchmarks/analytics.py --docs 100000
    .venv/bin/python benchmarks/analytics.py --corpus ../shared/corpus
"""

from __future__ import annotations

import argparse
import bisect
import json
import math
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SYLLABLES = ["ka", "lo", "mi", "nu", "pe", "ra", "si", "to", "ve", "za", "bri", "dan", "fel", "gor", "hum"]
VOCABULARY = sorted({a + b + c for a in SYLLABLES for b in SYLLABLES for c in ("", "n", "s", "r")})
PEOPLE = [f"Person {n} <p{n}@firm{n % 7}.example>" for n in range(400)]
EDITS = (0.01, 0.05, 0.10, 0.20)


def _words(rng: random.Random, count: int) -> list[str]:
    # A rough Zipf: low ranks far more often, as in real text.
    return [
        VOCABULARY[min(int(rng.paretovariate(1.1)) - 1, len(VOCABULARY) - 1)]
        if rng.random() < 0.5
        else rng.choice(VOCABULARY)
        for _ in range(count)
    ]


def _lines(words: list[str]) -> str:
    return "\n".join(" ".join(words[i : i + 12]) for i in range(0, len(words), 12))


def _edited(rng: random.Random, words: list[str], share: float, tag: int) -> list[str]:
    result = list(words)
    for n, position in enumerate(rng.sample(range(len(words)), round(share * len(words)))):
        result[position] = f"ed{tag}x{n}"
    return result


def generate(root: Path, count: int, seed: int = 7) -> dict[str, object]:
    from sqlalchemy import insert

    from reviewer.core.case import Case, now
    from reviewer.core.models import Document

    rng = random.Random(seed)
    started = time.perf_counter()
    case = Case.create(root, name=f"Analytics benchmark ({count:,} documents)")
    rows: list[dict[str, object]] = []
    families: list[list[int]] = []
    loose: list[int] = []
    added, start = now(), datetime(2020, 1, 1)
    doc_id = 0

    def add(kind: str, text: str, **fields: object) -> int:
        nonlocal doc_id
        doc_id += 1
        control = f"DOC-{doc_id:07d}"
        # Straight to the text store's file (its own writes are fsync'd one by one, for real ingests).
        path = case.texts.path_for(control, doc_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        row = {
            "id": doc_id,
            "control": control,
            "md5": "0" * 32,
            "sha1": "0" * 40,
            "sha256": f"{doc_id:064x}",
            "dedup_key": f"{doc_id:064x}",
            "size": len(text),
            "custodian": "bench",
            "source_path": f"/bench/{control}.{kind}",
            "file_name": f"{control}.{kind}",
            "ext": f".{kind}",
            "mime": "",
            "kind": kind,
            "pages": None,
            "text_chars": len(text),
            "flags": "",
            "author": "",
            "title": "",
            "created": None,
            "modified": None,
            "email_from": "",
            "email_to": "",
            "email_cc": "",
            "email_bcc": "",
            "subject": "",
            "sent": None,
            "message_id": "",
            "in_reply_to": "",
            "references": "",
            "indexed": False,
            "added": added,
            "family_id": None,
        }
        row.update(fields)
        rows.append(row)
        return doc_id

    emails_wanted = int(count * 0.6)
    thread_number = 0
    while doc_id < emails_wanted:
        thread_number += 1
        length = rng.randint(1, 8)
        subject = " ".join(rng.sample(VOCABULARY, 3))
        base_time = start + timedelta(minutes=37 * thread_number)
        history = ""
        ids: list[str] = []
        previous_sender = previous_recipient = previous_subject = ""
        previous_sent = base_time
        drop_first = rng.random() < 0.15
        for position in range(length):
            sender, recipient = rng.sample(PEOPLE, 2)
            sent = base_time + timedelta(hours=position)
            own = _lines(_words(rng, rng.randint(20, 120)))
            if history:
                if rng.random() < 0.5:
                    quoted = "\n".join("> " + line for line in history.splitlines())
                    said = f"On {previous_sent:%a, %b %d, %Y at %I:%M %p}, {previous_sender} wrote:"
                    body = f"{own}\n\n{said}\n{quoted}"
                else:
                    name = previous_sender.split(" <")[0]
                    body = (
                        f"{own}\n\n-----Original Message-----\nFrom: {name}\n"
                        f"Sent: {previous_sent:%A, %B %d, %Y %I:%M %p}\nTo: {previous_recipient}\n"
                        f"Subject: {previous_subject}\n\n{history}"
                    )
            else:
                body = own
            message_id = f"t{thread_number}.{position}@bench.example"
            this_subject = subject if position == 0 else f"RE: {subject}"
            headers_lost = position and rng.random() < 0.1
            if not (position == 0 and drop_first) and doc_id < emails_wanted:
                text = (
                    f"From: {sender}\nTo: {recipient}\nDate: {sent:%a, %d %b %Y %H:%M:%S} +0000\n"
                    f"Subject: {this_subject}\n\n{body}"
                )
                add(
                    "eml",
                    text,
                    email_from=sender,
                    email_to=recipient,
                    subject=this_subject,
                    sent=sent,
                    message_id=f"<{message_id}>",
                    in_reply_to="" if headers_lost or not ids else f"<{ids[-1]}>",
                    references="" if headers_lost else " ".join(f"<{i}>" for i in ids),
                )
            ids.append(message_id)
            history, previous_sender, previous_recipient = body, sender, recipient
            previous_sent, previous_subject = sent, this_subject
    emails = doc_id
    while doc_id < count:
        words = _words(rng, rng.randint(150, 1200))
        if rng.random() < 0.33:
            family = [add("docx", _lines(words))]
            for share in EDITS:
                if doc_id < count and rng.random() < 0.8:
                    family.append(add("docx", _lines(_edited(rng, words, share, doc_id))))
            if doc_id < count and rng.random() < 0.5:
                family.append(add("docx", _lines(words + _words(rng, max(1, len(words) // 33)))))
            families.append(family)
        else:
            loose.append(add("docx", _lines(words)))
    with case.db.session() as session:
        for begin in range(0, len(rows), 5000):
            session.execute(insert(Document), rows[begin : begin + 5000])
    case.close()
    return {
        "generate_seconds": round(time.perf_counter() - started, 1),
        "emails": emails,
        "memos": count - emails,
        "variant_families": len(families),
        "families": families,
        "loose": loose,
    }


def analyze_in_child(root: Path, threshold: int, jobs: int) -> dict[str, Any]:
    from tests.process_tree import TreePeak

    command = [
        sys.executable,
        "-m",
        "reviewer",
        "analyze",
        str(root),
        "--threshold",
        str(threshold),
        "--jobs",
        str(jobs),
        "--json",
    ]
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    tree = TreePeak(process.pid)
    output = process.stdout.read() if process.stdout else ""
    process.wait()
    seconds = time.perf_counter() - started
    peak_kb = tree.stop()
    if process.returncode != 0:
        raise SystemExit("reviewer analyze failed")
    result = json.loads(output)
    result["wall_seconds"] = round(seconds, 1)
    result["peak_rss_mb"] = round(peak_kb / 1024, 1)
    return result


def pair_quality(root: Path, sample_ids: list[int], threshold: int) -> dict[str, object]:
    """Pairs at or above the threshold: brute force against LSH candidates verified."""
    import numpy as np
    from rapidfuzz.distance import LCSseq
    from rapidfuzz.process import cdist
    from sqlalchemy import select

    from reviewer.core.analytics.fingerprints import NUM_PERM
    from reviewer.core.analytics.neardups import Bands
    from reviewer.core.analytics.similarity import document_words, similarity
    from reviewer.core.case import Case
    from reviewer.core.models import Document, TextFingerprint

    with Case.open(root) as case, case.db.reader() as session:
        rows = session.execute(
            select(Document.id, Document.control, TextFingerprint.signature)
            .join(TextFingerprint, TextFingerprint.document_id == Document.id)
            .where(Document.id.in_(sample_ids), TextFingerprint.signature.is_not(None))
            .order_by(Document.id)
        ).all()
        words = [document_words(case.texts.read(control, doc_id)) for doc_id, control, _ in rows]
    ids = [row[0] for row in rows]
    started = time.perf_counter()
    # Each distinct word as one character, so rapidfuzz compares word sequences as strings.
    alphabet: dict[str, str] = {}
    encoded = ["".join(alphabet.setdefault(w, chr(0x4E00 + len(alphabet))) for w in doc) for doc in words]
    # Pairs whose lengths differ by more than the threshold allows cannot be similar (exact bound): each
    # document is compared with every longer one within that ratio, all of them, exactly.
    by_length = sorted(range(len(words)), key=lambda n: len(words[n]))
    lengths = [len(words[n]) for n in by_length]
    brute = set()
    share = threshold / 100
    for rank, i in enumerate(by_length):
        last = bisect.bisect_right(lengths, lengths[rank] / share if share else len(words), lo=rank + 1)
        block = by_length[rank + 1 : last]
        if not block:
            continue
        common = cdist(
            [encoded[i]], [encoded[j] for j in block], scorer=LCSseq.similarity, dtype=np.int32, workers=2
        )[0]
        for j, shared in zip(block, common, strict=True):
            if shared >= math.ceil(share * max(len(words[i]), len(words[j])) - 1e-9):
                brute.add((min(i, j), max(i, j)))
    brute_seconds = time.perf_counter() - started
    started = time.perf_counter()
    signatures = np.frombuffer(b"".join(row[2] for row in rows), dtype=np.uint32).reshape(len(rows), NUM_PERM)
    bands = Bands(signatures, threshold)
    found = set()
    for i in range(len(rows)):
        for j in bands.candidates(i):
            if i < j and similarity(words[i], words[j], threshold / 100):
                found.add((i, int(j)))
    lsh_seconds = time.perf_counter() - started
    both = len(brute & found)
    return {
        "sample_documents": len(rows),
        "brute_force_pairs": len(brute),
        "lsh_pairs": len(found),
        "pair_recall": round(both / len(brute), 4) if brute else 1.0,
        "pair_precision": round(both / len(found), 4) if found else 1.0,
        "brute_force_seconds": round(brute_seconds, 1),
        "lsh_seconds": round(lsh_seconds, 1),
        "sample_ids_checked": len(ids),
    }


def corpus_run(corpus: Path, threshold: int, jobs: int) -> dict[str, object]:
    """The public corpus ingested as the corpus tests do, then analyzed from scratch (every text read again:
    the analytics' own rows are cleared first), against a baseline in the same run: reading every text and
    splitting it into words, the least any analysis must do."""
    from sqlalchemy import delete, func, select

    from reviewer.core.analytics.similarity import document_words
    from reviewer.core.case import Case
    from reviewer.core.models import Document, EmailThread, TextFingerprint
    from tests.corpus.shared import ingest_corpus

    folder = Path(tempfile.mkdtemp(prefix="analytics-corpus-"))
    try:
        started = time.perf_counter()
        with Case.create(folder / "case") as case:
            ingest_corpus(case, corpus, jobs)
            ingest_seconds = time.perf_counter() - started
            with case.db.session() as session:
                session.execute(delete(TextFingerprint))
            started = time.perf_counter()
            with case.db.reader() as session:
                documents = session.execute(select(Document.id, Document.control)).all()
            words = sum(len(document_words(case.texts.read(control, i))) for i, control in documents)
            baseline = time.perf_counter() - started
        result = analyze_in_child(folder / "case", threshold, jobs)
        with Case.open(folder / "case") as case, case.db.reader() as session:
            enron = (
                select(
                    func.count(),
                    func.count(func.distinct(EmailThread.thread_group)),
                    func.count().filter(EmailThread.inclusive.is_(True)),
                )
                .select_from(EmailThread)
                .join(Document, Document.id == EmailThread.document_id)
                .where(EmailThread.inclusive.is_not(None), Document.source_path.contains("/enron/maildir/"))
            )
            enron_emails, enron_threads, enron_inclusive = session.execute(enron).one()
        emails, inclusive = result["emails"], result["inclusive_emails"]
        analyze_seconds = result["wall_seconds"]
        return {
            "documents": len(documents),
            "words": words,
            "ingest_seconds": round(ingest_seconds, 1),
            **{
                k: result[k]
                for k in ("texts_read", "emails", "thread_groups", "inclusive_emails")
            },
            "inclusive_share": round(inclusive / emails, 4) if emails else None,
            "skippable_share": round(1 - inclusive / emails, 4) if emails else None,
            "enron": {
                "emails": enron_emails,
                "thread_groups": enron_threads,
                "inclusive_emails": enron_inclusive,
                "skippable_share": round(1 - enron_inclusive / enron_emails, 4) if enron_emails else None,
            },
            **{k: result[k] for k in ("near_dup_groups", "near_dup_documents", "compared")},
            "analyze_wall_seconds": analyze_seconds,
            "analyze_peak_rss_mb": result["peak_rss_mb"],
            "baseline_read_words_seconds": round(baseline, 2),
            "analyze_to_baseline": round(analyze_seconds / baseline, 1) if baseline else None,
        }
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--docs", type=int, help="generated documents (default 20,000; none when only --corpus is given)"
    )
    parser.add_argument("--threshold", type=int, default=90)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--sample", type=int, default=5000)
    parser.add_argument(
        "--corpus", type=Path, help="also run on the public corpus (Enron mail, filings, PDFs)"
    )
    parser.add_argument("--keep", type=Path, help="build the case here and keep it")
    args = parser.parse_args()
    if args.corpus and args.docs is None:
        print(json.dumps({"threshold": args.threshold, "jobs": args.jobs, "cpus": os.cpu_count(),
                          "corpus": corpus_run(args.corpus, args.threshold, args.jobs)}, indent=2))
        return 0
    args.docs = args.docs or 20_000
    folder = args.keep or Path(tempfile.mkdtemp(prefix="analytics-bench-"))
    root = folder / "case"
    try:
        generated = generate(root, args.docs)
        families, loose = generated.pop("families"), generated.pop("loose")
        analysis = analyze_in_child(root, args.threshold, args.jobs)
        rng = random.Random(3)
        sample: list[int] = []
        for family in rng.sample(families, len(families)):
            if len(sample) + len(family) > args.sample * 0.6:
                break
            sample.extend(family)
        sample.extend(rng.sample(loose, min(len(loose), args.sample - len(sample))))
        quality = pair_quality(root, sample, args.threshold)
        result: dict[str, object] = {
            "documents": args.docs,
            "threshold": args.threshold,
            "jobs": args.jobs,
            "cpus": os.cpu_count(),
            **generated,
            "analyze": analysis,
            "pairs": quality,
        }
        if args.corpus:
            result["corpus"] = corpus_run(args.corpus, args.threshold, args.jobs)
        print(json.dumps(result, indent=2))
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
