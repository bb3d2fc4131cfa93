"""Exhibit lists: the documents a search finds, numbered as exhibits from a starting number, each with its
Bates (or control) range, date, author or sender, description (subject, else title, else file name) and the
issues it is filed under — as a Word table, an Excel sheet, or a PDF binder (binder.py).

Exhibits are numbered in date order (undated last; control number breaks ties), or in control-number order;
the numbers are not stored: the same search on the same case gives the same list. A privileged document is
left out of every exhibit list and binder with a sentence naming it, unless it carries redactions (a binder
burns them in) or the caller explicitly includes privileged documents.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from reviewer.core.case import Case
from reviewer.core.casebuild import citations
from reviewer.core.casebuild import issues as issue_tree
from reviewer.core.casebuild.office_files import (
    Column,
    ExportError,
    Heading,
    Table,
    output_format,
    write_docx,
    write_xlsx,
)
from reviewer.core.models import FactIssue, FactSource, Highlight, HighlightIssue
from reviewer.core.produce.facts import load_facts

FORMATS = ("docx", "xlsx", "pdf")
TITLE = "Exhibit list"
Order = Literal["date", "control"]
ORDERS: tuple[Order, ...] = ("date", "control")
_CHUNK = 5_000


@dataclass(frozen=True)
class Exhibit:
    number: int
    document_id: int
    control: str
    range: str  # Bates range, or control number
    date: str  # YYYY-MM-DD, "" when undated
    author: str  # sender, else author
    description: str  # subject, else title, else file name
    issues: tuple[str, ...]
    redacted: bool  # its redactions are burned into a binder's pages


def number_exhibits(case: Case, doc_ids: Iterable[int], start: int = 1, order: Order = "date",
                    include_privileged: bool = False) -> list[Exhibit]:
    """The documents as numbered exhibits; refuses privileged documents without redactions unless they are
    explicitly included."""
    if start < 1:
        raise ExportError("Exhibit numbers start at 1 or above.")
    facts = load_facts(case, doc_ids)
    if not facts:
        raise ExportError("The search found no documents to list as exhibits.")
    privileged = sorted(f.control for f in facts.values()
                        if (f.privileged or f.privilege_basis) and not f.marks)
    if privileged and not include_privileged:
        more = f" and {len(privileged) - 5:,} more" if len(privileged) > 5 else ""
        verb = "is" if len(privileged) == 1 else "are"
        raise ExportError(f"{', '.join(privileged[:5])}{more} {verb} privileged and not redacted; narrow the "
                          "search, redact them, or include privileged documents on purpose "
                          "(--include-privileged).")

    def key(doc_id: int) -> tuple[object, ...]:
        fact = facts[doc_id]
        if order == "control":
            return (fact.control,)
        return (fact.date is None, fact.date or date.min, fact.control)

    ordered = sorted(facts, key=key)
    with case.db.reader() as session:
        numbers = citations.numbers(session, ordered)
        issues = document_issues(session, ordered)
    found = []
    for number, doc_id in enumerate(ordered, start=start):
        fact = facts[doc_id]
        found.append(Exhibit(
            number=number, document_id=doc_id, control=fact.control, range=numbers[doc_id].range(),
            date=fact.date.date().isoformat() if fact.date else "",
            author=fact.email_from or fact.author,
            description=fact.subject or fact.title or fact.file_name,
            issues=issues.get(doc_id, ()), redacted=bool(fact.marks),
        ))
    return found


def document_issues(session: Session, doc_ids: Sequence[int]) -> dict[int, tuple[str, ...]]:
    """The issues each document is filed under through its highlights and the facts citing it, in tree
    order."""
    order = {issue.id: (index, issue.name) for index, issue in enumerate(issue_tree.tree(session))}
    found: dict[int, set[int]] = defaultdict(set)
    for start in range(0, len(doc_ids), _CHUNK):
        chunk = list(doc_ids[start:start + _CHUNK])
        highlighted = (select(Highlight.document_id, HighlightIssue.issue_id)
                       .join(HighlightIssue, HighlightIssue.highlight_id == Highlight.id)
                       .where(Highlight.document_id.in_(chunk)))
        cited = (select(FactSource.document_id, FactIssue.issue_id)
                 .join(FactIssue, FactIssue.fact_id == FactSource.fact_id)
                 .where(FactSource.document_id.in_(chunk)))
        for query in (highlighted, cited):
            for doc_id, issue_id in session.execute(query):
                found[doc_id].add(issue_id)
    return {doc_id: tuple(order[i][1] for i in sorted(ids, key=lambda i: order[i][0]))
            for doc_id, ids in found.items()}


def heading(case: Case, exhibits: list[Exhibit], made: date | None) -> Heading:
    first, last = exhibits[0].number, exhibits[-1].number
    numbers = f"Exhibit {first}" if first == last else f"Exhibits {first}–{last}"
    return Heading(TITLE, case.name, made or date.today(), (numbers,))


def export_exhibit_list(case: Case, exhibits: list[Exhibit], out: Path, made: date | None = None) -> str:
    """Write the exhibit list as .docx or .xlsx (a binder is binder.make_binder); the format written."""
    kind = output_format(out, ("docx", "xlsx"))
    columns = [Column("Exhibit No.", 0.8, 10), Column("Bates / control", 1.8, 28), Column("Date", 0.9, 12),
               Column("From / author", 1.7, 30), Column("Description", 2.8, 50), Column("Issues", 1.6, 30)]
    rows: list[list[object]] = [[e.number, e.range, e.date, e.author, e.description, "; ".join(e.issues)]
                                for e in exhibits]
    if kind == "docx":
        write_docx(out, heading(case, exhibits, made), Table(columns, rows))
    else:
        write_xlsx(out, heading(case, exhibits, made), "Exhibits", Table(columns, rows))
    return kind
