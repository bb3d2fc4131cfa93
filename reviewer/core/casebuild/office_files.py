"""The files an attorney files or works in: a titled Word table (python-docx), a titled Excel sheet
(openpyxl) and CSV, each naming the case and the date it was made.

The same content always gives the same bytes: the only date in a file is the date made, which the caller
chooses (by default today); the timestamps Word and Excel files keep in their document properties and in
every member of their ZIP package are set to it. Files are written beside their target and renamed into
place, so a failed export never leaves half a file under the name asked for.
"""

from __future__ import annotations

import csv
import os
import re
import tempfile
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import docx
import openpyxl
from docx.enum.section import WD_ORIENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Inches, Pt
from docx.table import _Cell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from reviewer.core.errors import ReviewerError

PRODUCER = "Reviewer"
_CORE_DATES = re.compile(rb"(<dcterms:(created|modified)\b[^>]*>)[^<]*(</dcterms:\2>)")


class ExportError(ReviewerError):
    """An export that cannot be written as asked."""


@dataclass(frozen=True)
class Heading:
    """What names an export: its title, the case, the date made, and lines saying what it holds."""

    title: str
    case_name: str
    made: date
    notes: tuple[str, ...] = ()

    @property
    def made_text(self) -> str:
        return f"Made {self.made:%B} {self.made.day}, {self.made.year}"


@dataclass(frozen=True)
class Column:
    name: str
    inches: float  # width in a Word table
    characters: int  # width in an Excel sheet


@dataclass(frozen=True)
class Formatted:
    """A spreadsheet value with the number format it is shown in (a date shown as entered)."""

    value: Any
    number_format: str


@dataclass
class Table:
    columns: Sequence[Column]
    rows: list[list[Any]] = field(default_factory=list)
    bold_rows: set[int] = field(default_factory=set)  # indexes into rows


def output_format(path: Path, allowed: Sequence[str]) -> str:
    """The format an export is written in, from its file name's ending."""
    suffix = path.suffix.lower().lstrip(".")
    if suffix not in allowed:
        raise ExportError(f"{path.name}: give a file name ending in " + ", ".join(f".{a}" for a in allowed)
                          + "; the ending says which kind of file to write.")
    return suffix


# --- Word ----------------------------------------------------------------------------------------------
def write_docx(path: Path, heading: Heading, table: Table) -> None:
    document = docx.Document()
    normal = document.styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(10)
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Inches(11), Inches(8.5)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Inches(0.7))
    document.add_heading(heading.title, level=1)
    name = document.add_paragraph()
    name.add_run(heading.case_name).bold = True
    document.add_paragraph("  ·  ".join((heading.made_text, *heading.notes)))
    # All rows at once, filled through their XML: python-docx finds a row's cells by walking the whole
    # table, which would make a 5,000-row chronology take minutes.
    grid = document.add_table(rows=1 + len(table.rows), cols=len(table.columns))
    grid.style = document.styles["Table Grid"]
    grid.autofit = False
    for grid_column, column in zip(grid.columns, table.columns, strict=True):
        grid_column.width = Inches(column.inches)
    rows = grid._tbl.tr_lst
    _repeat_as_header(rows[0])
    for index, (tr, values) in enumerate(zip(rows, [[c.name for c in table.columns], *table.rows],
                                             strict=True)):
        bold = index == 0 or index - 1 in table.bold_rows
        for tc, column, value in zip(tr.tc_lst, table.columns, values, strict=True):
            cell = _Cell(tc, grid)
            cell.width = Inches(column.inches)
            cell.paragraphs[0].add_run(_as_text(value)).bold = bold or None
    _footer(section, f"{heading.case_name} — {heading.title} — page ")
    properties = document.core_properties
    properties.title, properties.subject = heading.title, heading.case_name
    properties.author = properties.last_modified_by = PRODUCER
    properties.revision = 1
    with replacing(path) as target:
        document.save(str(target))
        _pin_package(target, heading.made)


def _repeat_as_header(tr: Any) -> None:
    """Word repeats the row at the top of every page the table runs onto."""
    marker = OxmlElement("w:tblHeader")
    marker.set(qn("w:val"), "true")
    tr.get_or_add_trPr().append(marker)


def _footer(section: Any, text: str) -> None:
    paragraph = section.footer.paragraphs[0]
    paragraph.add_run(text)
    field_code = OxmlElement("w:fldSimple")
    field_code.set(qn("w:instr"), "PAGE")
    paragraph._p.append(field_code)


# --- Excel ---------------------------------------------------------------------------------------------
def write_xlsx(path: Path, heading: Heading, sheet: str, table: Table) -> None:
    workbook = openpyxl.Workbook()
    worksheet = workbook.active
    worksheet.title = sheet
    worksheet["A1"] = heading.title
    worksheet["A1"].font = Font(bold=True, size=14)
    worksheet["A2"] = heading.case_name
    worksheet["A2"].font = Font(bold=True)
    worksheet["A3"] = "  ·  ".join((heading.made_text, *heading.notes))
    first = 5
    for number, column in enumerate(table.columns, start=1):
        cell = worksheet.cell(first, number, column.name)
        cell.font = Font(bold=True)
        worksheet.column_dimensions[get_column_letter(number)].width = column.characters
    wrap = Alignment(wrap_text=True, vertical="top")
    bold = Font(bold=True)
    for index, values in enumerate(table.rows):
        for number, value in enumerate(values, start=1):
            cell = worksheet.cell(first + 1 + index, number)
            if isinstance(value, Formatted):
                cell.value, cell.number_format = value.value, value.number_format
            else:
                cell.value = value
            cell.alignment = wrap
            if index in table.bold_rows:
                cell.font = bold
    worksheet.freeze_panes = worksheet.cell(first + 1, 1)
    last = get_column_letter(len(table.columns))
    worksheet.auto_filter.ref = f"A{first}:{last}{first + max(len(table.rows), 1)}"
    properties = workbook.properties
    properties.title, properties.subject = heading.title, heading.case_name
    properties.creator = properties.lastModifiedBy = PRODUCER
    made = datetime.combine(heading.made, datetime.min.time())
    properties.created = properties.modified = made
    with replacing(path) as target:
        workbook.save(target)
        _pin_package(target, heading.made)


# --- CSV -----------------------------------------------------------------------------------------------
def write_csv(path: Path, heading: Heading, table: Table) -> None:
    """UTF-8 with a byte-order mark (so Excel reads it right): a line naming the export, the case and the
    date made, then the header and the rows."""
    with replacing(path) as target, target.open("w", newline="", encoding="utf-8-sig") as stream:
        writer = csv.writer(stream)
        writer.writerow([heading.title, heading.case_name, heading.made_text, *heading.notes])
        writer.writerow([column.name for column in table.columns])
        for values in table.rows:
            writer.writerow([_as_text(value) for value in values])


# --- writing reproducibly ------------------------------------------------------------------------------
def _as_text(value: Any) -> str:
    if isinstance(value, Formatted):
        value = value.value
    if isinstance(value, bool):
        return "Yes" if value else ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return "" if value is None else str(value)


def _pin_package(path: Path, made: date) -> None:
    """Set every timestamp inside an Office (ZIP) package to the date made: the members' times, and the
    created and modified dates of its document properties."""
    stamp = f"{made.isoformat()}T00:00:00Z".encode()
    with zipfile.ZipFile(path) as package:
        members = [(info.filename, package.read(info)) for info in package.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in members:
            if name == "docProps/core.xml":
                data = _CORE_DATES.sub(rb"\g<1>" + stamp + rb"\g<3>", data)
            info = zipfile.ZipInfo(name, date_time=(made.year, made.month, made.day, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            package.writestr(info, data)


@contextmanager
def replacing(path: Path) -> Iterator[Path]:
    """A temporary file beside `path` for the block to write; renamed onto `path` when the block succeeds,
    removed when it fails."""
    path = path.absolute()
    if not path.parent.is_dir():
        raise ExportError(f"There is no folder {path.parent} to write {path.name} in.")
    handle, name = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=path.suffix, dir=path.parent)
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


