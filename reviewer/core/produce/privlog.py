"""The privilege log: one row per document withheld or redacted in a production, with the fields
FRCP 26(b)(5)(A) asks for (what kind of document, when, between whom, on what basis) and nothing that
would reveal what the privileged document says.

A description recorded in the coding pane is used as it is. Where there is none, one is made from the
document's type, date, author and recipients and the privilege basis, never from its subject, file name
or text.
"""

from __future__ import annotations

import csv
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from reviewer.core.case import Case
from reviewer.core.errors import ReviewerError
from reviewer.core.produce import attorneys
from reviewer.core.produce.facts import DocumentFacts, load_facts
from reviewer.core.produce.plan import REDACTED, WITHHELD
from reviewer.core.produce.records import ProducedAs, production_documents

COLUMNS = ("Log No.", "Bates", "Family", "Date", "Document Type", "Author / From", "To", "Cc", "Bcc",
           "Privilege Basis", "Description", "Treatment")
_TYPES = {
    "eml": "Email", "emlx": "Email", "msg": "Email", "pdf": "PDF document", "docx": "Word document",
    "rtf": "Word processing document", "xlsx": "Spreadsheet", "csv": "Spreadsheet", "pptx": "Presentation",
    "text": "Text file", "html": "Web page", "image": "Image", "zip": "Archive",
}
_LEGACY_TYPES = {"msword": "Word document", "ms-excel": "Spreadsheet", "ms-powerpoint": "Presentation",
                 "wordperfect": "Word processing document"}
_BASIS_PHRASES = {
    "Attorney-Client": "reflecting a confidential communication made for the purpose of obtaining or "
                       "providing legal advice",
    "Work Product": "prepared in anticipation of litigation by or at the direction of counsel",
    "Common Interest": "reflecting a confidential communication among parties sharing a common legal "
                       "interest, made for the purpose of legal advice",
}
FAMILY_BASIS = "Family member of a withheld privileged document"


def privilege_log(case: Case, production: str | None = None) -> list[dict[str, str]]:
    """The log's rows (one production's, or every production's in order), keyed by COLUMNS."""
    produced = [p for p in production_documents(case, production) if p.treatment in (WITHHELD, REDACTED)]
    facts = load_facts(case, {p.document_id for p in produced})
    flagger = attorneys.AttorneyFlagger(attorneys.attorneys(case))
    return [_row(number, entry, facts[entry.document_id], flagger)
            for number, entry in enumerate(produced, start=1)]


def _row(number: int, entry: ProducedAs, facts: DocumentFacts,
         flagger: attorneys.AttorneyFlagger) -> dict[str, str]:
    basis = _basis(entry, facts)
    return {
        "Log No.": str(number),
        "Bates": _span(entry.beg_bates, entry.end_bates),
        "Family": _span(entry.beg_attach, entry.end_attach),
        "Date": facts.date.strftime("%Y-%m-%d") if facts.date else "",
        "Document Type": document_type(facts),
        "Author / From": flagger.flag(facts.email_from or facts.author),
        "To": flagger.flag(facts.email_to),
        "Cc": flagger.flag(facts.email_cc),
        "Bcc": flagger.flag(facts.email_bcc),
        "Privilege Basis": basis,
        "Description": facts.privilege_description or _described(facts, entry, basis),
        "Treatment": "Withheld" if entry.treatment == WITHHELD else "Redacted",
    }


def _span(first: str, last: str) -> str:
    return first if first == last else f"{first} \u2013 {last}"


def _basis(entry: ProducedAs, facts: DocumentFacts) -> str:
    if facts.privilege_basis:
        return facts.privilege_basis
    if entry.treatment == REDACTED:
        return "; ".join(dict.fromkeys(mark.reason for mark in facts.marks))
    return FAMILY_BASIS


def document_type(facts: DocumentFacts) -> str:
    kind = _TYPES.get(facts.kind) or next(
        (name for key, name in _LEGACY_TYPES.items() if key in facts.mime), "Electronic file")
    return f"{kind} (attachment)" if facts.parent_id is not None else kind


def _described(facts: DocumentFacts, entry: ProducedAs, basis: str) -> str:
    """A description from what the log shows anyway, so it says nothing more than the log does."""
    kind = document_type(facts)
    if facts.privileged:  # "Confidential email", but "Confidential PDF document"
        kind = "Confidential " + (kind if kind[:2].isupper() else kind[0].lower() + kind[1:])
    parts = [kind]
    if facts.date:
        parts.append(f"dated {facts.date:%B} {facts.date.day}, {facts.date.year}")
    author = facts.email_from or facts.author
    if author:
        parts.append(f"from {author}")
    if facts.email_to:
        parts.append(f"to {facts.email_to}")
    if basis in _BASIS_PHRASES:
        parts.append(_BASIS_PHRASES[basis])
    elif basis == FAMILY_BASIS:
        parts.append(f"withheld with its family ({_span(entry.beg_attach, entry.end_attach)})")
    elif entry.treatment == REDACTED:
        parts.append(f"produced with redactions ({basis})")
    else:
        parts.append("withheld as privileged")
    text = " ".join(parts)
    return text[0].upper() + text[1:] + "."


def write_log(path: Path, rows: list[dict[str, str]]) -> None:
    """CSV (UTF-8 with BOM, for Excel) or XLSX, by the file's extension."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        with path.open("w", encoding="utf-8-sig", newline="") as out:
            writer = csv.DictWriter(out, fieldnames=list(COLUMNS))
            writer.writeheader()
            writer.writerows(rows)
    elif suffix == ".xlsx":
        _write_xlsx(path, rows)
    else:
        raise ReviewerError(f"Write the privilege log as .csv or .xlsx, not {path.suffix or 'no extension'}.")


def _write_xlsx(path: Path, rows: list[dict[str, str]]) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Privilege log"
    sheet.append(list(COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([row[column] for column in COLUMNS])
    widths = {"Description": 60, "To": 36, "Cc": 30, "Bcc": 24, "Author / From": 32, "Bates": 28,
              "Family": 28}
    for index, column in enumerate(COLUMNS, start=1):
        letter = sheet.cell(row=1, column=index).column_letter
        sheet.column_dimensions[letter].width = widths.get(column, 16)
        for cell in sheet[letter][1:]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    notes = workbook.create_sheet("Notes")
    notes.append([f"{attorneys.FLAG} marks an attorney."])
    workbook.save(path)
