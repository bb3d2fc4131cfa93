"""Citations as an attorney writes them, computed whenever they are shown or exported (never stored), so
that a production made later changes them everywhere.

A page is cited by the Bates number it carries: the number stamped on it in an incoming production
(page_bates), else the number our own first production gave it. A document neither produced nor received
in a production is cited by its control number and page: "DOC-000123 at 4". Ranges drop the digits their
two ends share, as briefs do: GOV0000456–58, DOC-000123 at 4–5. A document withheld as privileged was
never seen by the other side, so it is cited by control number; one produced natively carries a single
number for the whole file.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from reviewer.core.models import Document, PageBates, Production, ProductionDocument
from reviewer.core.produce.bates import Numbering
from reviewer.core.produce.plan import NATIVE, WITHHELD

DASH = "\u2013"
_CHUNK = 5_000
_LABEL = re.compile(r"^(.*?)(\d+)$")


@dataclass(frozen=True)
class Produced:
    """The first production that sent the document out (not withheld): its numbering and range."""

    numbering: Numbering
    first: int
    last: int
    native: bool

    def label(self, page: int) -> str | None:
        number = self.first + page - 1
        return self.numbering.label(number) if self.first <= number <= self.last else None


@dataclass(frozen=True)
class DocumentNumbers:
    """Everything a document's citations are made from."""

    control: str
    pages: int | None
    stamped: dict[int, str]  # page → Bates stamped on it by the producing party (incoming productions)
    produced: Produced | None

    def cite(self, page: int | None = None, page_end: int | None = None) -> str:
        """The cite of pages page…page_end (1-based), of one page, or of the whole document (no page)."""
        if page is None:
            return self.bates_range(compact=True) or self.control
        last = page_end if page_end is not None and page_end > page else page
        if page in self.stamped and last in self.stamped:
            return compact_range(self.stamped[page], self.stamped[last])
        if self.produced is not None:
            if self.produced.native:
                return f"{self.produced.label(1)} (native) at {_pages(page, last)}"
            first_label, last_label = self.produced.label(page), self.produced.label(last)
            if first_label and last_label:
                return compact_range(first_label, last_label)
        return f"{self.control} at {_pages(page, last)}"

    def bates_range(self, compact: bool = False) -> str:
        """The document's Bates range ("GOV0000456–GOV0000470", or "GOV0000456–70" compact), "" if none."""
        if self.stamped:
            first, last = self.stamped[min(self.stamped)], self.stamped[max(self.stamped)]
        elif self.produced is not None:
            first = self.produced.numbering.label(self.produced.first)
            last = self.produced.numbering.label(self.produced.last)
        else:
            return ""
        if compact:
            return compact_range(first, last)
        return first if first == last else f"{first}{DASH}{last}"

    def range(self) -> str:
        """What an exhibit list shows: the Bates range, or the control number."""
        return self.bates_range() or self.control


def numbers(session: Session, doc_ids: Iterable[int]) -> dict[int, DocumentNumbers]:
    """The numbers of the given documents, by id (a few queries however many documents)."""
    wanted = sorted(set(doc_ids))
    found: dict[int, DocumentNumbers] = {}
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start:start + _CHUNK]
        stamped: dict[int, dict[int, str]] = {doc_id: {} for doc_id in chunk}
        for doc_id, page, label in session.execute(
            select(PageBates.document_id, PageBates.page_number, PageBates.bates)
            .where(PageBates.document_id.in_(chunk))
        ):
            stamped[doc_id][page] = label
        produced: dict[int, Produced] = {}
        for doc_id, prefix, digits, first, last, treatment in session.execute(
            select(ProductionDocument.document_id, Production.prefix, Production.digits,
                   ProductionDocument.first_number, ProductionDocument.last_number,
                   ProductionDocument.treatment)
            .join(Production, Production.id == ProductionDocument.production_id)
            .where(ProductionDocument.document_id.in_(chunk), ProductionDocument.treatment != WITHHELD)
            .order_by(Production.id)
        ):
            produced.setdefault(doc_id, Produced(Numbering(prefix, digits), first, last, treatment == NATIVE))
        for doc_id, control, pages in session.execute(
            select(Document.id, Document.control, Document.pages).where(Document.id.in_(chunk))
        ):
            found[doc_id] = DocumentNumbers(control, pages, stamped[doc_id], produced.get(doc_id))
    return found


def compact_range(first: str, last: str) -> str:
    """first–last with the digits they share left off the end: GOV0000456–58, GOV0000456–512; labels of
    different series are given whole."""
    if first == last:
        return first
    a, b = _LABEL.match(first), _LABEL.match(last)
    if a is None or b is None or a[1] != b[1] or len(a[2]) != len(b[2]):
        return f"{first}{DASH}{last}"
    digits_a, digits_b = a[2], b[2]
    pairs = enumerate(zip(digits_a, digits_b, strict=True))
    shared = next((i for i, (x, y) in pairs if x != y), len(digits_b))
    return f"{first}{DASH}{digits_b[min(shared, len(digits_b) - 2):]}"


def _pages(first: int, last: int) -> str:
    return str(first) if first == last else f"{first}{DASH}{last}"
