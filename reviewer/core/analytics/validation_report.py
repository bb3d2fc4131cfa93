"""The validation report of a prioritized review: DOCX (python-docx) or PDF (PyMuPDF), with its JSON beside
it. Made only from what the case records, so running it again gives the same report."""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from reviewer.core.analytics.intervals import Interval
from reviewer.core.analytics.validation import CONFIDENCE, METHOD, ValidationResult
from reviewer.core.errors import ReviewerError

FORMATS = (".docx", ".pdf")


def write_report(result: ValidationResult, out: Path, case_name: str) -> Path:
    """Write the report to `out` (.docx or .pdf) and its figures to `out` with .json; the JSON's path.
    Refused while any document of the sample is undecided."""
    suffix = out.suffix.lower()
    if suffix not in FORMATS:
        given = out.suffix or "a file without one"
        raise ReviewerError(f"The report is written as .docx or .pdf, not {given}.")
    if result.status != "complete":
        raise ReviewerError(f'Validation sample {result.number} of "{result.tag}" is {result.status}: '
                            + (f"{result.undecided:,} of its {result.sample:,} documents are undecided."
                               if result.undecided and result.status != "abandoned" else "it has no result."))
    out.parent.mkdir(parents=True, exist_ok=True)
    title = f'Validation of the prioritized review of "{result.tag}"'
    summary = _summary(result, case_name)
    documents = [(d.control, d.family, d.decision, d.decided_by, _when(d.decided_at))
                 for d in result.documents]
    if suffix == ".docx":
        _docx(out, title, summary, documents, result.drawn)
    else:
        _pdf(out, title, summary, documents)
    figures = out.with_suffix(".json")
    figures.write_text(json.dumps(result.as_json(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return figures


def _percent(value: float | None) -> str:
    return "not defined" if value is None else f"{value:.1%}"


def _range(interval: Interval) -> str:
    return (f"{_percent(interval.estimate)} ({CONFIDENCE:.0%} interval {_percent(interval.low)} to "
            f"{_percent(interval.high)})")


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else ""


def _summary(result: ValidationResult, case_name: str) -> list[tuple[str, str]]:
    size = (f"from {result.confidence:.0%} confidence and a ±{result.margin:.0%} margin"
            if result.confidence is not None and result.margin is not None else "as requested")
    return [
        ("Case", case_name),
        ("Review question (tag)", result.tag),
        ("Validation sample", f"number {result.number}, drawn {_when(result.drawn)} by {result.drawn_by}"),
        ("Estimated recall", _range(result.recall)),
        ("Elusion", _range(result.elusion)),
        ("Documents under review", f"{result.population:,}"),
        ("Reviewed when the sample was drawn", f"{result.reviewed:,}"),
        ("Found relevant by the review", f"{result.found:,}"),
        ("Discard pile (unreviewed)",
         f"{result.discard:,} documents in {result.discard_families:,} families"),
        ("Sample", f"{result.sample:,} documents in {result.families:,} families drawn at random ({size}), "
                   f"seed {result.seed}"),
        ("Relevant in the sample", f"{result.sample_relevant:,}"),
        ("Model version when drawn", str(result.model_version) if result.model_version else "no model yet"),
        ("Sample decided",
         f"by {', '.join(result.sample_reviewers)}; last decision {_when(result.completed)}"),
    ]


HEADINGS = ("Document", "Family", "Decision", "Decided by", "Decided at")


def _docx(out: Path, title: str, summary: Sequence[tuple[str, str]],
          documents: Sequence[tuple[str, ...]], drawn: datetime) -> None:
    import docx

    document = docx.Document()
    document.core_properties.title = title
    document.core_properties.created = drawn  # the report's date is the sample's: the same file every time
    document.core_properties.modified = drawn
    document.add_heading(title, level=1)
    table = document.add_table(rows=0, cols=2)
    table.style = "Light List"
    for label, value in summary:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = label, value
    document.add_heading("Method", level=2)
    document.add_paragraph(METHOD)
    document.add_heading("The sample and its decisions", level=2)
    sample = document.add_table(rows=1, cols=len(HEADINGS))
    sample.style = "Light List"
    for cell, heading in zip(sample.rows[0].cells, HEADINGS, strict=True):
        cell.text = heading
    for row in documents:
        for cell, value in zip(sample.add_row().cells, row, strict=True):
            cell.text = value
    document.save(str(out))


def _pdf(out: Path, title: str, summary: Sequence[tuple[str, str]],
         documents: Sequence[tuple[str, ...]]) -> None:
    import pymupdf

    def rows(cells: Sequence[Sequence[str]], header: bool = False) -> str:
        tag = "th" if header else "td"
        return "".join("<tr>" + "".join(f"<{tag}>{html.escape(c)}</{tag}>" for c in row) + "</tr>"
                       for row in cells)

    body = (f"<h1>{html.escape(title)}</h1><table>{rows(summary)}</table><h2>Method</h2>"
            f"<p>{html.escape(METHOD)}</p><h2>The sample and its decisions</h2>"
            f"<table>{rows([HEADINGS], header=True)}{rows(documents)}</table>")
    css = ("body {font-family: sans-serif; font-size: 9pt;} h1 {font-size: 14pt;} h2 {font-size: 11pt;} "
           "td, th {padding: 2px 6px; text-align: left; vertical-align: top;}")
    story = pymupdf.Story(html=body, user_css=css)
    writer = pymupdf.DocumentWriter(str(out))
    page = pymupdf.paper_rect("a4")
    area = page + (50, 50, -50, -50)
    more = True
    while more:
        device = writer.begin_page(page)
        more, _filled = story.place(area)
        story.draw(device)
        writer.end_page()
    writer.close()
