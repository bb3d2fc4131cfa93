"""The exports an attorney files. The chronology: Date | Fact | Source (cites) | Issues | Status, in date
order, as a Word table, an Excel sheet or CSV. Exhibits: a list (Word, Excel) or a binder (PDF) of chosen
documents (exhibits.py, binder.py).

Cites are computed as the file is made, so the export made after a production cites its Bates numbers.
Dates read as entered. In Excel, the Date column holds a real date — the first day of the period a partial
date means — shown in the form entered (2019-04 shows as 2019-04, ~2019-04-02 with its ~), so the sheet
sorts and filters by date; "As entered" beside it keeps ranges and wording exactly. Excel and CSV add the
Key flag and the people each fact is about.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

from reviewer.core.audit import counted
from reviewer.core.case import Case
from reviewer.core.casebuild import binder, exhibits
from reviewer.core.casebuild import facts as fact_book
from reviewer.core.casebuild import issues as issue_tree
from reviewer.core.casebuild.fuzzy_dates import DAY, MONTH, YEAR
from reviewer.core.casebuild.office_files import (
    Column,
    Formatted,
    Heading,
    Table,
    output_format,
    write_csv,
    write_docx,
    write_xlsx,
)
from reviewer.core.progress import CancelToken, Progress, no_progress

FORMATS = ("docx", "xlsx", "csv")
TITLE = "Chronology"
_DATE_FORMATS = {YEAR: "yyyy", MONTH: "yyyy-mm", DAY: "yyyy-mm-dd"}


@dataclass(frozen=True)
class ChronologyExport:
    path: Path
    facts: int
    format: str


def export_chronology(case: Case, out: Path, issue: str | None = None, key_only: bool = False,
                      made: date | None = None) -> ChronologyExport:
    """Write the chronology (or the facts under an issue, or the key facts) to `out`; its ending (.docx,
    .xlsx, .csv) chooses the format. `made` is the date the file says it was made (default: today)."""
    kind = output_format(out, FORMATS)
    chosen = fact_book.list_facts(case, issue=issue, key_only=key_only)
    notes = []
    if issue is not None:
        with case.db.reader() as session:
            notes.append(f"Issue {issue_tree.resolve(session, [issue])[0].label}")
    if key_only:
        notes.append("Key facts only")
    notes.append(counted(len(chosen), "fact"))
    heading = Heading(TITLE, case.name, made or date.today(), tuple(notes))
    bold = {index for index, fact in enumerate(chosen) if fact.key}
    rows: list[list[object]]
    if kind == "docx":
        columns = [Column("Date", 1.3, 14), Column("Fact", 4.4, 60), Column("Source (cites)", 1.7, 28),
                   Column("Issues", 1.3, 28), Column("Status", 0.9, 16)]
        rows = [[f.date, f.text, f.cites, "; ".join(f.issues), f.status_label] for f in chosen]
        write_docx(out, heading, Table(columns, rows, bold))
    elif kind == "xlsx":
        columns = [Column("Date", 0, 14), Column("As entered", 0, 22), Column("Fact", 0, 70),
                   Column("Source (cites)", 0, 30), Column("Issues", 0, 30), Column("Status", 0, 24),
                   Column("Key", 0, 6), Column("People", 0, 24)]
        rows = [[_excel_date(f), f.date, f.text, f.cites, "; ".join(f.issues), f.status_label, f.key,
                 "; ".join(f.people_names)] for f in chosen]
        write_xlsx(out, heading, TITLE, Table(columns, rows, bold))
    else:
        columns = [Column(name, 0, 0) for name in
                   ("Date", "Fact", "Source (cites)", "Issues", "Status", "Key", "People")]
        rows = [[f.date, f.text, f.cites, "; ".join(f.issues), f.status_label, f.key,
                 "; ".join(f.people_names)] for f in chosen]
        write_csv(out, heading, Table(columns, rows, bold))
    return ChronologyExport(out, len(chosen), kind)


def _excel_date(fact: fact_book.FactInfo) -> Formatted | None:
    """The first day of the fact's period as a date cell, shown in the precision entered."""
    if fact.start is None:
        return None
    shown = _DATE_FORMATS[fact.precision]
    if fact.approximate:
        shown = '"~"' + shown
    if fact.time:
        hours, minutes = map(int, fact.time.split(":"))
        return Formatted(datetime.combine(fact.start, time(hours, minutes)), shown + " hh:mm")
    return Formatted(fact.start, shown)


@dataclass(frozen=True)
class ExhibitsExport:
    path: Path
    format: str
    first: int  # exhibit numbers first…last
    last: int
    pages: int  # of a binder; 0 for a list
    index_pages: int

    @property
    def numbers(self) -> str:
        return f"Exhibit {self.first}" if self.first == self.last else f"Exhibits {self.first}–{self.last}"


def export_exhibits(case: Case, doc_ids: list[int], out: Path, start: int = 1,
                    order: exhibits.Order = "date", include_privileged: bool = False,
                    made: date | None = None, progress: Progress = no_progress,
                    cancel: CancelToken | None = None) -> ExhibitsExport:
    """Number the documents as exhibits and write their list (.docx, .xlsx) or binder (.pdf) to `out`."""
    kind = output_format(out, exhibits.FORMATS)
    numbered = exhibits.number_exhibits(case, doc_ids, start, order, include_privileged)
    first, last = numbered[0].number, numbered[-1].number
    if kind == "pdf":
        made_binder = binder.make_binder(case, numbered, out, made, progress, cancel)
        return ExhibitsExport(out, kind, first, last, made_binder.pages, made_binder.index_pages)
    exhibits.export_exhibit_list(case, numbered, out, made)
    return ExhibitsExport(out, kind, first, last, 0, 0)
