"""What the case remembers of its productions: each production, and each document's production history."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func, select

from reviewer.core.case import Case
from reviewer.core.errors import ReviewerError
from reviewer.core.models import Document, Production, ProductionDocument
from reviewer.core.produce.bates import Numbering
from reviewer.core.produce.plan import TREATMENTS


@dataclass(frozen=True)
class ProductionInfo:
    name: str
    volume: str
    prefix: str
    first_bates: str
    last_bates: str
    documents: int
    pages: int
    counts: dict[str, int]  # documents per treatment
    image_format: str
    endorsement: str
    query: str
    options: dict[str, object]
    out_dir: str
    created: datetime
    user: str


@dataclass(frozen=True)
class ProducedAs:
    """One document in one production."""

    production: str
    volume: str
    created: datetime
    document_id: int
    control: str
    treatment: str
    beg_bates: str
    end_bates: str
    beg_attach: str
    end_attach: str
    pages: int


def productions(case: Case) -> list[ProductionInfo]:
    """Every production of the case, oldest first."""
    with case.db.reader() as session:
        counts: dict[int, dict[str, int]] = {}
        for production_id, treatment, count in session.execute(
            select(ProductionDocument.production_id, ProductionDocument.treatment, func.count())
            .group_by(ProductionDocument.production_id, ProductionDocument.treatment)
        ):
            counts.setdefault(production_id, dict.fromkeys(TREATMENTS, 0))[treatment] = count
        found = []
        for p in session.scalars(select(Production).order_by(Production.id)):
            numbering = Numbering(p.prefix, p.digits)
            per_treatment = counts.get(p.id, dict.fromkeys(TREATMENTS, 0))
            found.append(ProductionInfo(
                name=p.name, volume=p.volume, prefix=p.prefix, first_bates=numbering.label(p.first_number),
                last_bates=numbering.label(p.last_number), documents=sum(per_treatment.values()),
                pages=p.last_number - p.first_number + 1, counts=per_treatment, image_format=p.image_format,
                endorsement=p.endorsement, query=p.query, options=json.loads(p.options or "{}"),
                out_dir=p.out_dir, created=p.created, user=p.user,
            ))
        return found


def document_history(case: Case, doc_id: int) -> list[ProducedAs]:
    """How a document went out, production by production (oldest first); empty if it never did."""
    return _produced(case, ProductionDocument.document_id == doc_id)


def production_documents(case: Case, name: str | None = None) -> list[ProducedAs]:
    """The documents of one production in Bates order, or of every production (oldest first)."""
    if name is None:
        return _produced(case, None)
    with case.db.reader() as session:
        production_id = session.scalar(
            select(Production.id).where(func.lower(Production.name) == name.lower())
        )
    if production_id is None:
        raise ReviewerError(f'There is no production named "{name}" in this case.')
    return _produced(case, ProductionDocument.production_id == production_id)


def _produced(case: Case, condition: ColumnElement[bool] | None) -> list[ProducedAs]:
    query = (
        select(ProductionDocument, Production.name, Production.volume, Production.created, Document.control)
        .join(Production, Production.id == ProductionDocument.production_id)
        .join(Document, Document.id == ProductionDocument.document_id)
        .order_by(Production.id, ProductionDocument.position)
    )
    if condition is not None:
        query = query.where(condition)
    with case.db.reader() as session:
        return [
            ProducedAs(
                production=name, volume=volume, created=created, document_id=row.document_id, control=control,
                treatment=row.treatment, beg_bates=row.beg_bates, end_bates=row.end_bates,
                beg_attach=row.beg_attach, end_attach=row.end_attach,
                pages=row.last_number - row.first_number + 1,
            )
            for row, name, volume, created, control in session.execute(query)
        ]
