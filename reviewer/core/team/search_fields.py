"""The query fields of team review, answered from the case database: batch:PRIV-001 (the documents of a
batch; batch:PRIV-* every batch of that prefix) and qc:QC-001 (the documents of a QC batch). A name that
matches no batch is an error naming the batches there are, never an empty result."""

from __future__ import annotations

from fnmatch import fnmatchcase

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from reviewer.core.models import Batch, BatchDocument, QcBatch, QcDocument
from reviewer.core.search.query import Match, QuerySyntaxError


def batch_documents(session: Session, node: Match) -> Select[int]:
    """batch:NAME"""
    names = _chosen(list(session.scalars(select(Batch.name).order_by(Batch.id))), node, "batch")
    return select(BatchDocument.document_id).join(Batch, Batch.id == BatchDocument.batch_id).where(
        Batch.name.in_(names))


def qc_documents(session: Session, node: Match) -> Select[int]:
    """qc:NAME"""
    names = _chosen(list(session.scalars(select(QcBatch.name).order_by(QcBatch.id))), node, "QC batch")
    return select(QcDocument.document_id).join(QcBatch, QcBatch.id == QcDocument.qc_batch_id).where(
        QcBatch.name.in_(names))


def _chosen(known: list[str], node: Match, noun: str) -> list[str]:
    wanted = node.value.strip().upper()
    if "*" in wanted or "?" in wanted:
        chosen = [name for name in known if fnmatchcase(name, wanted.replace("[", "[[]"))]
    else:
        chosen = [name for name in known if name == wanted]
    if not chosen:
        listing = ", ".join(known[:12]) + (", …" if len(known) > 12 else "") if known else "none yet"
        raise QuerySyntaxError(f"No {noun} named '{node.value}' in this case", node.column,
                               f"the {noun}es are: {listing}")
    return chosen
