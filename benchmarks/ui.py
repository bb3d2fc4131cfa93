"""Desktop latency on a large case: open and show the first rows, next document (Alt+Down) until it is fully
drawn, tagging 10,000 selected rows, and peak memory. Prints one JSON object.

The case is generated quickly rather than ingested: Document rows (with custodians) are inserted through
SQLAlchemy core, a short text per document goes to the text store, a few real PDFs to the evidence store,
and the search index is built with reviewer.core.search.repair.rebuild. The measuring runs in a process of
its own (offscreen Qt), so its peak RSS is the desktop's alone.

    .venv/bin/python benchmarks/ui.py --docs 100000
    .venv/bin/python benchmarks/ui.py --docs 20000 --keep /tmp/ui-bench-20k   # reuse with --case
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
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.percentiles import percentile  # noqa: E402

WORDS = ("deadline warrant motion dismiss privileged counsel investigator grudge filing hearing docket "
         "exhibit affidavit custody evidence witness statement deposition subpoena discovery schedule "
         "meeting report draft review agreement invoice payment transfer budget call please thanks").split()
KINDS = ("eml", "pdf", "docx")  # by id: emails and PDFs alternate with office files between them
CUSTODIANS = [f"custodian-{n:02d}" for n in range(20)]


def generate(root: Path, count: int, pdfs: int, seed: int = 11) -> dict[str, float]:
    import pymupdf
    from sqlalchemy import insert

    from reviewer.core import review
    from reviewer.core.case import Case, now
    from reviewer.core.models import Document, DocumentCustodian
    from reviewer.core.search.repair import rebuild

    rng = random.Random(seed)
    started = time.perf_counter()
    case = Case.create(root, name=f"UI benchmark ({count:,} documents)")
    natives = []
    for number in range(pdfs):
        pdf = pymupdf.open()
        for page in range(3):
            text = f"Exhibit {number} page {page + 1}. " + " ".join(rng.choices(WORDS, k=380))
            pdf.new_page().insert_textbox(pymupdf.Rect(60, 60, 550, 780), text, fontsize=10)
        hashes, _path = case.natives.add_bytes(pdf.tobytes())
        pdf.close()
        natives.append(hashes)
    start_date, added = datetime(2019, 1, 1), now()
    batch: list[dict[str, object]] = []
    custodian_rows: list[dict[str, object]] = []
    with case.db.session() as session:
        for doc_id in range(1, count + 1):
            kind = KINDS[doc_id % len(KINDS)]
            control = f"DOC-{doc_id:07d}"
            text = " ".join(rng.choices(WORDS, k=rng.randint(40, 160)))
            case.texts.write(control, doc_id, text)
            native = natives[doc_id % len(natives)] if kind == "pdf" else None
            custodian = CUSTODIANS[doc_id % len(CUSTODIANS)]
            when = start_date + timedelta(hours=7 * doc_id)
            email = kind == "eml"
            sender, recipient = (f"{custodian}@firm.example", "counsel@firm.example") if email else ("", "")
            batch.append({
                "id": doc_id, "control": control, "md5": native.md5 if native else "0" * 32,
                "sha1": native.sha1 if native else "0" * 40,
                "sha256": native.sha256 if native else f"{doc_id:064x}", "dedup_key": f"{doc_id:064x}",
                "size": native.size if native else len(text), "custodian": custodian,
                "source_path": f"/evidence/{custodian}/{control}.{kind}", "file_name": f"{control}.{kind}",
                "ext": f".{kind}", "mime": "", "kind": kind, "pages": 3 if kind == "pdf" else None,
                "text_chars": len(text), "flags": "", "author": "" if email else rng.choice(CUSTODIANS),
                "title": "" if email else f"Report {doc_id}", "created": None,
                "modified": None if email else when, "email_from": sender, "email_to": recipient,
                "email_cc": "", "email_bcc": "",
                "subject": " ".join(rng.choices(WORDS, k=5)) if email else "",
                "sent": when if email else None, "message_id": f"<{doc_id}@mail.example>" if email else "",
                "in_reply_to": "", "references": "",
                "indexed": False, "added": added, "family_id": doc_id,
            })
            custodian_rows.append({"document_id": doc_id, "custodian": custodian})
            if len(batch) == 5000:
                session.execute(insert(Document), batch)
                session.execute(insert(DocumentCustodian), custodian_rows)
                batch, custodian_rows = [], []
        if batch:
            session.execute(insert(Document), batch)
            session.execute(insert(DocumentCustodian), custodian_rows)
    inserted = time.perf_counter()
    with case.writing():
        rebuild(case)
    review.ensure_default_tags(case)
    case.close()
    indexed = time.perf_counter() - inserted
    return {"insert_seconds": round(inserted - started, 1), "index_seconds": round(indexed, 1)}


def measure(root: Path, steps: int) -> dict[str, object]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QEventLoop, QItemSelection, QItemSelectionModel, QSettings, Qt, QTimer
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from reviewer.ui.app import open_main_window

    app = QApplication([])
    app.setOrganizationName("ReviewerBenchmark")
    # Settings of its own, thrown away: the user's (advance after coding, say) must not change the figures.
    settings_dir = tempfile.mkdtemp(prefix="ui-bench-settings-")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, settings_dir)

    def spin(until, timeout: float = 60.0) -> None:
        loop = QEventLoop()
        timer = QTimer()
        timer.setInterval(1)
        deadline = time.perf_counter() + timeout
        timer.timeout.connect(lambda: loop.quit() if until() or time.perf_counter() > deadline else None)
        timer.start()
        if not until():
            loop.exec()
        timer.stop()
        if not until():
            raise SystemExit("benchmark step timed out")

    started = time.perf_counter()
    window = open_main_window(root, remember=False)
    table = window.document_list.table
    spin(lambda: window.model.rowCount() > 0)
    table.viewport().grab()  # paint the first screen of rows, reading them from the case
    first_rows = time.perf_counter() - started
    listed = window.model.rowCount()
    spin(window.is_idle)
    window.activateWindow()
    table.setFocus()

    timings: dict[str, list[float]] = {"page": [], "email": [], "text": []}
    for _ in range(steps):
        target_row = table.currentIndex().row() + 1
        begin = time.perf_counter()
        QTest.keyClick(table, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
        expected = window.model.id_at(target_row)
        spin(lambda expected=expected: window.viewer.document_id == expected and window.viewer.is_drawn)
        timings[window.viewer.display].append((time.perf_counter() - begin) * 1000)
        spin(window.is_idle)

    model = window.model
    chosen = min(10_000, model.rowCount())
    selection = QItemSelection(model.index(0, 0), model.index(chosen - 1, model.columnCount() - 1))
    table.selectionModel().select(selection, QItemSelectionModel.SelectionFlag.ClearAndSelect
                                  | QItemSelectionModel.SelectionFlag.Rows)
    spin(lambda: window.is_idle() and len(window.coding.targets) == chosen)
    coded: list[int] = []
    window.coding.coded.connect(lambda ids, _advance: coded.append(len(ids)))
    begin = time.perf_counter()
    QTest.keyClick(table, Qt.Key.Key_1)
    spin(lambda: bool(coded))
    tag_written = time.perf_counter() - begin
    spin(window.is_idle)
    tag_settled = time.perf_counter() - begin
    window.close()
    shutil.rmtree(settings_dir, ignore_errors=True)

    def summary(values: list[float]) -> dict[str, float]:
        return {"n": len(values), "p50_ms": round(percentile(values, 0.5), 1),
                "p95_ms": round(percentile(values, 0.95), 1), "max_ms": round(max(values), 1)}

    return {
        "docs": listed,
        "open_to_first_rows_s": round(first_rows, 3),
        "next_document": {kind: summary(values) for kind, values in timings.items() if values},
        "tag_selected_rows": {"rows": coded[0] if coded else 0, "written_s": round(tag_written, 3),
                              "counts_refreshed_s": round(tag_settled, 3)},
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--pdfs", type=int, default=30, help="distinct PDF originals the PDF documents share")
    parser.add_argument("--steps", type=int, default=60, help="Alt+Down presses to time")
    parser.add_argument("--case", type=Path, help="measure this existing benchmark case, do not generate")
    parser.add_argument("--keep", type=Path, help="generate the case here and keep it")
    parser.add_argument("--measure-only", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure_only:
        print(json.dumps(measure(args.measure_only, args.steps)))
        return 0
    report: dict[str, object] = {}
    scratch = None
    if args.case:
        root = args.case
    else:
        root = args.keep or Path(tempfile.mkdtemp(prefix="ui-bench-")) / "case"
        scratch = None if args.keep else root.parent
        report["generate"] = generate(root, args.docs, args.pdfs)
    try:
        command = [sys.executable, __file__, "--measure-only", str(root), "--steps", str(args.steps)]
        done = subprocess.run(command, capture_output=True, text=True)
        lines = done.stdout.strip().splitlines()
        if not lines:
            raise SystemExit(f"the measuring process failed:\n{done.stderr}")
        report.update(json.loads(lines[-1]))
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
