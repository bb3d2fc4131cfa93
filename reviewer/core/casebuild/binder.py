"""The exhibit binder: one PDF holding an index of the exhibits, then every exhibit's pages, each page
stamped "Exhibit N" (bottom left) and with the number it is cited by (bottom right: its Bates number, or
control number and page). The index lists where each exhibit starts and links there; the PDF's bookmarks
name every exhibit.

Pages come from the production module (produce.pages.prepare): the document as it would be produced, its
redactions burned in, hidden content removed. The binder names the case and the date made and nothing
else changes between runs: the same exhibits on the same date give the same file.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pymupdf

from reviewer.core.case import Case
from reviewer.core.casebuild import citations
from reviewer.core.casebuild.exhibits import Exhibit, heading
from reviewer.core.casebuild.office_files import PRODUCER, Heading, replacing
from reviewer.core.produce import imaging, lettering
from reviewer.core.produce.facts import DocumentFacts, load_facts
from reviewer.core.produce.pages import PreparedDocument, prepare, slip_sheet
from reviewer.core.produce.stamping import stamped_page
from reviewer.core.progress import CancelToken, Progress, ProgressUpdate, no_progress

_PAGE = imaging.LETTER
_MARGIN = 54.0
_ROW = 14.0
_TOP = 150.0  # where the index table starts on every index page
# Exhibit, Bates / control, date, from / author, description, page: left edges in points.
_COLUMNS = (("Exhibit", 54.0), ("Bates / control", 104.0), ("Date", 254.0), ("From / author", 314.0),
            ("Description", 414.0), ("Page", 528.0))
_TEXT_SIZE = 8.0


@dataclass(frozen=True)
class Binder:
    path: Path
    pages: int
    index_pages: int
    exhibits: int


def rows_per_index_page() -> int:
    return int((_PAGE.height - _MARGIN - _TOP - _ROW) // _ROW)


def make_binder(case: Case, exhibits: list[Exhibit], out: Path, made: date | None = None,
                progress: Progress = no_progress, cancel: CancelToken | None = None) -> Binder:
    """Write the binder of `exhibits` to `out` (written beside it and renamed into place when complete)."""
    title = heading(case, exhibits, made)
    index_pages = max(1, math.ceil(len(exhibits) / rows_per_index_page()))
    doc_ids = [e.document_id for e in exhibits]
    facts = load_facts(case, doc_ids)
    with case.db.reader() as session:
        numbers = citations.numbers(session, doc_ids)
    binder = pymupdf.open()
    try:
        for _ in range(index_pages):
            binder.new_page(width=_PAGE.width, height=_PAGE.height)
        starts: list[int] = []
        for done, exhibit in enumerate(exhibits):
            if cancel is not None:
                cancel.raise_if_cancelled()
            starts.append(binder.page_count)
            _add_exhibit(case, binder, exhibit, facts[exhibit.document_id], numbers[exhibit.document_id])
            progress(ProgressUpdate("binder", done + 1, len(exhibits), {"pages": binder.page_count}))
        _write_index(binder, title, exhibits, starts, index_pages)
        binder.set_toc([[1, "Index", 1]] + [[1, f"Exhibit {e.number}: {e.description or e.control}", s + 1]
                                            for e, s in zip(exhibits, starts, strict=True)])
        binder.subset_fonts()
        stamp = f"D:{title.made:%Y%m%d}000000Z"
        binder.set_metadata({"title": f"Exhibit binder — {case.name}", "subject": case.name,
                             "author": PRODUCER, "creator": PRODUCER, "producer": PRODUCER,
                             "creationDate": stamp, "modDate": stamp})
        pages = binder.page_count
        with replacing(out) as target:
            binder.save(target, garbage=3, deflate=True, no_new_id=True)
    finally:
        binder.close()
    return Binder(out, pages, index_pages, len(exhibits))


def _add_exhibit(case: Case, binder: pymupdf.Document, exhibit: Exhibit, facts: DocumentFacts,
                 numbers: citations.DocumentNumbers) -> None:
    """Append the exhibit's pages as they would be produced (its redactions burned in), each stamped."""
    prepared: PreparedDocument
    try:
        prepared = prepare(case, facts, redacted=bool(facts.marks))
    except imaging.ImagingError as error:
        prepared = slip_sheet([f"Exhibit {exhibit.number}", exhibit.control,
                               f"This document could not be made into pages: {error}."])
    try:
        for number, page in enumerate(prepared.pages, start=1):
            stamped_page(binder, page, numbers.cite(number), f"Exhibit {exhibit.number}")
    finally:
        prepared.close()


def _write_index(binder: pymupdf.Document, title: Heading, exhibits: list[Exhibit], starts: list[int],
                 index_pages: int) -> None:
    """Fill the index pages reserved at the front, each row linking to its exhibit's first page."""
    per_page = rows_per_index_page()
    for number in range(index_pages):
        page = binder[number]
        notes = "  ·  ".join((title.made_text, *title.notes))
        if index_pages > 1:
            notes += f"  ·  index page {number + 1} of {index_pages}"
        pieces = [((_MARGIN, 80.0), "Exhibit binder", 18.0), ((_MARGIN, 102.0), title.case_name, 11.0),
                  ((_MARGIN, 120.0), notes, 9.0)]
        pieces += [((left, _TOP), name, _TEXT_SIZE) for name, left in _COLUMNS]
        page.draw_line((_MARGIN, _TOP + 4), (_PAGE.width - _MARGIN, _TOP + 4), width=0.5)
        chunk = range(number * per_page, min(len(exhibits), (number + 1) * per_page))
        for row, index in enumerate(chunk, start=1):
            exhibit, first = exhibits[index], starts[index]
            baseline = _TOP + row * _ROW
            values = (str(exhibit.number), exhibit.range, exhibit.date, exhibit.author, exhibit.description,
                      str(first + 1))
            pieces += [((left, baseline), _fitted(value, right - left - 4), _TEXT_SIZE)
                       for value, (left, right) in zip(values, _column_edges(), strict=True)]
            area = pymupdf.Rect(_MARGIN, baseline - _ROW + 3, _PAGE.width - _MARGIN, baseline + 3)
            page.insert_link({"kind": pymupdf.LINK_GOTO, "from": area, "page": first,
                              "to": pymupdf.Point(0, 0)})
        lettering.write_all(page, pieces)


def _column_edges() -> list[tuple[float, float]]:
    lefts = [left for _name, left in _COLUMNS]
    return list(zip(lefts, [*lefts[1:], _PAGE.width - _MARGIN], strict=True))


def _fitted(text: str, width: float) -> str:
    """The text on one line, cut with an ellipsis to fit `width` points at the index's type size."""
    text = " ".join(text.split())
    if lettering.width(text, _TEXT_SIZE) <= width:
        return text
    low, high = 0, len(text)  # the longest cut that fits lies in [low, high)
    while high - low > 1:
        middle = (low + high) // 2
        if lettering.width(text[:middle] + "…", _TEXT_SIZE) <= width:
            low = middle
        else:
            high = middle
    return text[:low].rstrip() + "…"
