"""A small fictional matter for the chronology tests: a two-page PDF memo (a phrase broken over a line), an
email to a reporter with a date, and a plain-text note with runs of spaces, ingested into a real case."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pymupdf
from sqlalchemy import select

from reviewer.core.case import Case
from reviewer.core.ingest.pipeline import IngestOptions, ingest
from reviewer.core.models import Document
from tests.helpers import make_email

MEMO_LINES = [
    (100, "Detective Marlow told the Gazette reporter about the"),
    (114, "sealed indictment before the grand jury returned it."),
    (160, "The prosecutor had a long-running feud with the defendant."),
]
MEMO_PAGE_TWO = [(100, "Page two: the leak was discussed at the office party.")]
SENT = datetime(2021, 6, 14, 16, 5, tzinfo=UTC)


def make_memo(path: Path) -> Path:
    pdf = pymupdf.open()
    for lines in (MEMO_LINES, MEMO_PAGE_TWO):
        page = pdf.new_page(width=612, height=792)
        for y, text in lines:
            page.insert_text((72, y), text, fontsize=11)
    path.parent.mkdir(parents=True, exist_ok=True)
    pdf.save(path)
    pdf.close()
    return path


def make_matter(case: Case, folder: Path) -> dict[str, int]:
    """Ingest the matter; document ids by file name (memo.pdf, tip.eml, note.txt)."""
    make_memo(folder / "memo.pdf")
    make_email(folder / "tip.eml", "Off the record", "Between us: the indictment is sealed until Friday.\n"
               "Please hold the story.", sender="Det. Marlow <marlow@westmarch-pd.example>",
               to="Reporter <desk@gazette.example>", sent=SENT)
    (folder / "note.txt").write_text("Call log.\nThe  detective   spoke\nto the Gazette twice that week.\n",
                                     encoding="utf-8")
    ingest(case, [folder], IngestOptions(jobs=1, custodian="Okafor"))
    with case.db.reader() as session:
        return {name: doc_id for doc_id, name in session.execute(select(Document.id, Document.file_name))}


def control_of(case: Case, doc_id: int) -> str:
    with case.db.reader() as session:
        control = session.scalar(select(Document.control).where(Document.id == doc_id))
    assert control is not None
    return control
