"""Batch coding speed: tag, untag, undo, family tagging and privilege on N documents in a fresh case.

The documents are written straight into the database (ingesting 10,000 files would measure ingest), in
families of four; one in a hundred already carries the tag. Each figure is the wall time of one core call,
audit events included. Prints one JSON object.

    .venv/bin/python benchmarks/review.py --documents 10000
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import insert

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from reviewer.core import audit, review  # noqa: E402
from reviewer.core.case import Case, now  # noqa: E402
from reviewer.core.models import Document  # noqa: E402

FAMILY_SIZE = 4


def add_documents(case: Case, count: int) -> list[int]:
    ids = list(range(1, count + 1))
    rows = [
        {"id": i, "control": f"DOC-{i:06d}", "family_id": i - (i - 1) % FAMILY_SIZE,
         "parent_id": None if (i - 1) % FAMILY_SIZE == 0 else i - (i - 1) % FAMILY_SIZE, "md5": "0" * 32,
         "sha1": "0" * 40, "sha256": f"{i:064d}", "dedup_key": str(i), "size": 10, "source_path": f"/in/{i}",
         "added": now()}
        for i in ids
    ]
    with case.db.session() as session:
        session.execute(insert(Document), rows)
    return ids


def timed(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return round(time.perf_counter() - started, 3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder, Case.create(Path(folder) / "case") as case:
        ids = add_documents(case, args.documents)
        review.tag_documents(case, ids[::100], "Responsive")
        every_other_family = ids[::2 * FAMILY_SIZE]  # one document of every other family
        seconds = {
            "tag": timed(lambda: review.tag_documents(case, ids, "Responsive")),
            "undo_tag": timed(lambda: audit.undo(case)),
            "toggle_on": timed(lambda: review.toggle_tag(case, ids, "Hot")),
            "toggle_off": timed(lambda: review.toggle_tag(case, ids, "Hot")),
            "tag_families": timed(lambda: review.tag_documents(case, every_other_family, "Bias-related",
                                                               families=True)),
            "privilege": timed(lambda: review.set_privilege(case, ids, "Work Product", "Drafted by counsel")),
            "undo_privilege": timed(lambda: audit.undo(case)),
            "delete_tag": timed(lambda: review.delete_tag(case, "Bias-related")),
            "undo_delete_tag": timed(lambda: audit.undo(case)),
        }
        counts = {tag.name: tag.count for tag in review.list_tags(case)}
    print(json.dumps({"documents": args.documents, "seconds": seconds,
                      "after": {"Responsive": counts["Responsive"], "Bias-related": counts["Bias-related"]}},
                     indent=2))


if __name__ == "__main__":
    main()
