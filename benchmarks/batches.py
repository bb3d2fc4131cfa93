"""Batches and QC at scale: making a batch set, checking out, progress, check-in, a QC draw and its report
on N documents in a fresh case.

The documents are written straight into the database in families of four (ingest would measure ingest).
The baseline is tagging all N documents in one action (one set-based audited write over N documents),
in the same run: making the batch set is reported as a ratio to it, and so is the part of it done before
its write transaction (cutting the set: reading families, ordering, grouping), which holds up no one.
Check-out and progress are timed over repeated calls (p50/p95, milliseconds). Prints one JSON object.

    .venv/bin/python benchmarks/batches.py --documents 100000 --size 500
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.percentiles import percentile  # noqa: E402
from benchmarks.review import add_documents  # noqa: E402
from reviewer.core import review  # noqa: E402
from reviewer.core.case import Case  # noqa: E402
from reviewer.core.search.filters import filter_ids  # noqa: E402
from reviewer.core.search.query import Match  # noqa: E402
from reviewer.core.team import batches, qc, qc_report  # noqa: E402
from reviewer.core.team.batch_sets import IN_PROGRESS, create_batch_set, review_units  # noqa: E402


def timed(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def percentiles(samples: list[float]) -> dict[str, float]:
    return {"p50_ms": round(percentile(samples, 0.5) * 1000, 1),
            "p95_ms": round(percentile(samples, 0.95) * 1000, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--size", type=int, default=500, help="documents per batch")
    parser.add_argument("--checkouts", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder, Case.create(Path(folder) / "case") as case:
        ids = add_documents(case, args.documents)
        baseline = timed(lambda: review.tag_documents(case, ids, "Hot"))
        cut = timed(lambda: review_units(case, set(ids), "families", "control"))  # the part outside the write
        create = timed(lambda: create_batch_set(case, "Bench", ids, args.size, families=True, prefix="B",
                                                review_tags=["Responsive"]))
        made = batches.batches(case)
        checkouts = [timed(lambda n=n: batches.check_out_next(case, user=f"reviewer{n}"))
                     for n in range(min(args.checkouts, len(made)))]
        done = [b.name for b in batches.batches(case) if b.status == IN_PROGRESS]
        coded = [doc_id for name in done for doc_id in batches.batch_document_ids(case, name)]
        tag_batches = timed(lambda: review.tag_documents(case, coded, "Responsive"))
        progress = [timed(lambda: batches.progress(case)) for _ in range(10)]
        check_ins = [timed(lambda name=name: batches.check_in(case, name)) for name in done]
        with case.db.reader() as session:
            first = Match("batch", made[0].name)
            batch_field = [timed(lambda: filter_ids(session, first)) for _ in range(10)]
        draw = timed(lambda: qc.create_qc_batch(case, "reviewer0", percent=10, seed=1))
        report = timed(lambda: qc_report.qc_report(case))
        overall = batches.progress(case).overall
    print(json.dumps({
        "documents": args.documents, "batch_size": args.size, "batches": len(made),
        "baseline_tag_all_s": round(baseline, 3),
        "create_batch_set_s": round(create, 3), "create_ratio_to_baseline": round(create / baseline, 2),
        "of_which_cut_before_writing_s": round(cut, 3),
        "check_out": percentiles(checkouts), "progress": percentiles(progress),
        "check_in": percentiles(check_ins), "batch_field": percentiles(batch_field),
        "tag_checked_out_batches_s": round(tag_batches, 3), "qc_draw_10_percent_s": round(draw, 3),
        "qc_report_s": round(report, 3),
        "after": {"completed": overall.completed, "reviewed": overall.reviewed},
    }, indent=2))


if __name__ == "__main__":
    main()
