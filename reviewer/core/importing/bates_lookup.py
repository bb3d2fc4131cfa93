"""Find pages by the Bates number stamped on them: which document holds DEF00000125, and on which page;
which documents hold any page of DEF00000100 to DEF00000200. Answered from the page_bates table."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from reviewer.core.case import Case
from reviewer.core.errors import ReviewerError
from reviewer.core.models import Document, PageBates


@dataclass(frozen=True)
class BatesPage:
    document_id: int
    control: str
    page: int  # 1-based
    bates: str


def find_page(case: Case, label: str) -> BatesPage:
    """The page stamped `label` (any letter case); ReviewerError when no page carries it."""
    label = label.strip()
    with case.db.reader() as session:
        row = session.execute(
            select(PageBates.document_id, Document.control, PageBates.page_number, PageBates.bates)
            .join(Document, Document.id == PageBates.document_id)
            .where(func.upper(PageBates.bates) == label.upper()).limit(1)
        ).first()
    if row is None:
        raise ReviewerError(f"No page in this case is stamped {label}.")
    return BatesPage(*row)


def documents_in_range(first: str, last: str | None = None) -> Select[int]:
    """Ids of documents with a page stamped `first` (or anything from `first` to `last`).

    Bates labels of one series share a prefix and a width, so within a series text order is number order;
    a range is kept to labels as long as its ends, so DEF1000 never falls between DEF00000100 and DEF00000200.
    """
    first, last = first.strip().upper(), (last or first).strip().upper()
    bates = func.upper(PageBates.bates)
    if first == last:
        return select(PageBates.document_id).where(bates == first).distinct()
    if len(first) != len(last):
        raise ReviewerError(f"{first} and {last} are not of one Bates series; give both ends with the same "
                            "prefix and number of digits.")
    return select(PageBates.document_id).where(bates >= first, bates <= last,
                                               func.length(PageBates.bates) == len(first)).distinct()


def document_ids_in_range(session: Session, first: str, last: str | None = None) -> set[int]:
    return set(session.scalars(documents_in_range(first, last)))


def page_labels(case: Case, doc_id: int) -> list[str]:
    """Each page's Bates number in page order; empty for documents that did not come in a production."""
    with case.db.reader() as session:
        return list(session.scalars(select(PageBates.bates).where(PageBates.document_id == doc_id)
                                    .order_by(PageBates.page_number)))
