"""QC: a random sample of one reviewer's completed decisions, confirmed or overturned by a second reviewer.

**The pool** is every document that is reviewed (see reviewer.core.team.batches) in a batch `reviewer`
checked in: a completed batch assigned to them. Documents already sampled in an earlier QC batch of the
same reviewer are left out, so successive samples never check one decision twice. The pool is taken in
document order and the sample drawn with `random.Random(seed).sample`: the same seed over the same pool
always draws the same documents. The seed (chosen at random and kept when not given), what was asked for
(n documents or p %) and the pool's size are kept with the QC batch, so a draw can be repeated and shown
to be random.

Each sampled document keeps the reviewer's coding as drawn (tags and privilege entry): the decision under
review. The QC reviewer **confirms** it (the document is still coded that way) or **overturns** it: its
coding is changed through the one write path in the same action that records the overturn, with the coding
before (as drawn) and after. Undo takes back a confirm, or an overturn with the coding it changed, and the
document is undecided again. A QC draw itself is on the audit trail but never undone.
"""

from __future__ import annotations

import json
import math
import random
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from reviewer.core.audit import Action, n_documents, recording, row_snapshot
from reviewer.core.case import Case
from reviewer.core.errors import ReviewerError
from reviewer.core.models import Batch, BatchDocument, Document, QcBatch, QcDocument
from reviewer.core.review import CodedAs, change_privilege, change_tag, coded_as
from reviewer.core.team.access import require_role
from reviewer.core.team.batch_sets import COMPLETED
from reviewer.core.team.batches import reviewed_condition

CONFIRMED = "confirmed"
OVERTURNED = "overturned"
MAX_SEED = 2**31 - 1  # kept in an INTEGER column on SQLite and PostgreSQL alike
_NAME = re.compile(r"[A-Z0-9][A-Z0-9_-]{0,31}")
_CHUNK = 5_000


@dataclass(frozen=True)
class QcBatchInfo:
    id: int
    name: str
    reviewer: str  # whose decisions are checked
    seed: int
    asked: str  # "50" (documents) or "10%"
    pool: int  # documents the sample was drawn from
    documents: int
    confirmed: int
    overturned: int
    created: datetime
    user: str

    @property
    def undecided(self) -> int:
        return self.documents - self.confirmed - self.overturned


@dataclass(frozen=True)
class QcDocumentInfo:
    position: int
    document_id: int
    control: str
    batch: str  # the batch the decision was made in ("" when its set was deleted)
    coding: CodedAs  # the reviewer's coding, as drawn
    decision: str  # "" | confirmed | overturned
    decided_by: str
    decided_at: datetime | None
    coding_after: CodedAs | None  # the coding QC left, when overturned


@dataclass(frozen=True)
class PrivilegeChange:
    """A new privilege entry for an overturn: a basis (None clears it) and its description."""

    basis: str | None
    description: str = ""


def coding_text(coding: CodedAs) -> str:
    """How a decision reads: "Responsive, Hot; privilege Attorney-Client: advice", "no tags"."""
    text = ", ".join(coding.tags) or "no tags"
    return f"{text}; privilege {coding.privilege}" if coding.privilege else text


def _to_json(coding: CodedAs) -> str:
    return json.dumps({"tags": list(coding.tags), "privilege": coding.privilege}, ensure_ascii=False)


def _from_json(text: str) -> CodedAs:
    values = json.loads(text)
    return CodedAs(tuple(values["tags"]), values["privilege"])


# --- drawing a sample -------------------------------------------------------------------------------------

def create_qc_batch(case: Case, reviewer: str, count: int | None = None, percent: float | None = None,
                    seed: int | None = None, name: str | None = None) -> QcBatchInfo:
    """Draw `count` documents (or `percent` % of the pool, rounded up) at random from `reviewer`'s
    completed decisions into a new QC batch, named `name` or QC-001, QC-002, …"""
    require_role(case, "qc", "draw QC samples")
    reviewer = " ".join(reviewer.split())
    if (count is None) == (percent is None):
        raise ReviewerError("Ask for a number of documents or a percentage of them, not both.")
    if count is not None and count < 1:
        raise ReviewerError("A QC sample needs at least 1 document.")
    if percent is not None and not 0 < percent <= 100:
        raise ReviewerError(f"{percent:g} % is not a share of the pool; give more than 0 and at most 100.")
    if seed is None:
        seed = secrets.randbelow(MAX_SEED + 1)
    elif not 0 <= seed <= MAX_SEED:
        raise ReviewerError(f"A seed is a whole number from 0 to {MAX_SEED:,}.")
    with recording(case, undoable=False) as change:
        session = change.session
        pool = qc_pool(session, reviewer)
        if not pool:
            raise ReviewerError(f"{reviewer} has no reviewed documents in completed batches that were not "
                                "sampled already.")
        wanted = count if count is not None else math.ceil(len(pool) * (percent or 0) / 100)
        drawn = sorted(random.Random(seed).sample(range(len(pool)), min(wanted, len(pool))))
        sample = [pool[index] for index in drawn]
        name = _qc_name(session, name)
        asked = str(count) if count is not None else f"{percent:g}%"
        qc_id = session.execute(insert(QcBatch).values(
            name=name, reviewer=reviewer, seed=seed, asked=asked, pool=len(pool), created=change.at,
            user=change.user,
        ).returning(QcBatch.id)).scalar_one()
        coding = _coded_as(session, [doc_id for doc_id, _batch in sample])
        session.execute(insert(QcDocument), [
            {"qc_batch_id": qc_id, "document_id": doc_id, "batch_id": batch_id, "position": position,
             "coding": _to_json(coding[doc_id]), "decision": "", "decided_by": "", "coding_after": ""}
            for position, (doc_id, batch_id) in enumerate(sample, 1)
        ])
        summary = (f"{n_documents(len(sample))} of {len(pool):,} reviewed by {reviewer} "
                   f"(asked {asked}), seed {seed}")
        change.event(Action.CREATE_QC_BATCH, subject=name, subject_id=qc_id, after=summary)
        change.describe(f"drawing the QC batch {name}: {summary}")
    return find_qc_batch(case, name)


def qc_pool(session: Session, reviewer: str) -> list[tuple[int, int]]:
    """(document, batch) for every document `reviewer` decided in a completed batch and that no QC batch
    of theirs holds yet, in document order (a document in two of their batches: the first batch)."""
    sampled = (select(QcDocument.document_id).join(QcBatch, QcBatch.id == QcDocument.qc_batch_id)
               .where(QcBatch.reviewer == reviewer))
    rows = session.execute(
        select(BatchDocument.document_id, func.min(BatchDocument.batch_id))
        .join(Batch, Batch.id == BatchDocument.batch_id)
        .where(Batch.status == COMPLETED, Batch.assignee == reviewer, reviewed_condition(),
               BatchDocument.document_id.not_in(sampled))
        .group_by(BatchDocument.document_id).order_by(BatchDocument.document_id))
    return [(int(doc_id), int(batch_id)) for doc_id, batch_id in rows]


def _qc_name(session: Session, given: str | None) -> str:
    taken = set(session.scalars(select(QcBatch.name)))
    if given is not None:
        name = given.strip().upper()
        if not _NAME.fullmatch(name):
            raise ReviewerError(f'"{given}" cannot name a QC batch; use up to 32 letters, digits, - and _.')
        if name in taken:
            raise ReviewerError(f"There is already a QC batch named {name}.")
        return name
    number = len(taken) + 1
    while f"QC-{number:03d}" in taken:
        number += 1
    return f"QC-{number:03d}"


# --- deciding ---------------------------------------------------------------------------------------------

def confirm(case: Case, name: str, doc_ids: Iterable[int]) -> int:
    """Confirm the reviewer's decision on documents of a QC batch: each must still be coded as drawn.
    How many were newly confirmed (those confirmed already are left alone)."""
    require_role(case, "qc", "confirm QC decisions")
    wanted = list(dict.fromkeys(doc_ids))
    with recording(case) as change:
        session = change.session
        qc_batch = _find(session, name)
        rows = _qc_rows(session, qc_batch, wanted)
        current = _coded_as(session, wanted)
        confirmed: list[str] = []
        for row, control in rows:
            if row.decision == CONFIRMED:
                continue
            if row.decision == OVERTURNED:
                raise ReviewerError(f"{control} is overturned already; undo the overturn to confirm it.")
            drawn = _from_json(row.coding)
            if current[row.document_id] != drawn:
                raise ReviewerError(
                    f"{control} is coded {coding_text(current[row.document_id])} now, not "
                    f"{coding_text(drawn)} as {qc_batch.reviewer} coded it; record an overturn instead.")
            before, snapshot = row.decision, row_snapshot(row)
            session.execute(update(QcDocument).where(QcDocument.id == row.id).values(
                decision=CONFIRMED, decided_by=change.user, decided_at=change.at, coding_after=""))
            change.event(Action.QC_CONFIRM, document_id=row.document_id, subject=qc_batch.name,
                         subject_id=row.id, before=before, after=CONFIRMED, detail=snapshot)
            confirmed.append(control)
        if confirmed:
            subject = confirmed[0] if len(confirmed) == 1 else n_documents(len(confirmed))
            change.describe(f"confirming {subject} in {qc_batch.name}")
        return len(confirmed)


def overturn(case: Case, name: str, doc_id: int, add: Sequence[str] = (), remove: Sequence[str] = (),
             privilege: PrivilegeChange | None = None) -> QcDocumentInfo:
    """Overturn the reviewer's decision on one document of a QC batch: add and remove tags and change the
    privilege entry as QC decided, and record the overturn with the coding before (as drawn) and after,
    all as one action. The document's coding must end up different from the reviewer's."""
    require_role(case, "qc", "overturn QC decisions")
    both = {t.strip().casefold() for t in add} & {t.strip().casefold() for t in remove}
    if both:
        raise ReviewerError(f'A tag cannot be both added and removed ("{sorted(both)[0]}").')
    with recording(case) as change:
        session = change.session
        qc_batch = _find(session, name)
        [(row, control)] = _qc_rows(session, qc_batch, [doc_id])
        snapshot = row_snapshot(row)
        for tag_name in add:
            change_tag(change, [doc_id], tag_name, add=True)
        for tag_name in remove:
            change_tag(change, [doc_id], tag_name, add=False)
        if privilege is not None:
            change_privilege(change, [doc_id], privilege.basis, privilege.description)
        drawn, after = _from_json(row.coding), _coded_as(session, [doc_id])[doc_id]
        if after == drawn:
            raise ReviewerError(f"{control} would stay coded {coding_text(drawn)}, as {qc_batch.reviewer} "
                                "coded it; confirm it instead, or change its coding.")
        session.execute(update(QcDocument).where(QcDocument.id == row.id).values(
            decision=OVERTURNED, decided_by=change.user, decided_at=change.at, coding_after=_to_json(after)))
        # The QC row as it was before, in the event's detail: undo puts it back (audit.ROW_CHANGED).
        change.event(Action.QC_OVERTURN, document_id=doc_id, subject=qc_batch.name, subject_id=row.id,
                     before=coding_text(drawn), after=coding_text(after), detail=snapshot)
        change.describe(f"overturning {control} in {qc_batch.name}")
    return next(d for d in qc_documents(case, name) if d.document_id == doc_id)


def _qc_rows(session: Session, qc_batch: QcBatch, doc_ids: list[int]) -> list[tuple[QcDocument, str]]:
    rows = [(row, control) for row, control in session.execute(
        select(QcDocument, Document.control).join(Document, Document.id == QcDocument.document_id)
        .where(QcDocument.qc_batch_id == qc_batch.id, QcDocument.document_id.in_(doc_ids))
        .order_by(QcDocument.position)).all()]
    if len(rows) < len(doc_ids):
        found = {row.document_id for row, _control in rows}
        missing = session.scalar(select(Document.control).where(
            Document.id.in_([d for d in doc_ids if d not in found])).limit(1))
        raise ReviewerError(f"{missing or 'That document'} is not in the QC batch {qc_batch.name}.")
    return rows


def _coded_as(session: Session, doc_ids: list[int]) -> dict[int, CodedAs]:
    found: dict[int, CodedAs] = {}
    for start in range(0, len(doc_ids), _CHUNK):
        found.update(coded_as(session, doc_ids[start:start + _CHUNK]))
    return found


# --- reading ----------------------------------------------------------------------------------------------

def qc_batches(case: Case, reviewer: str | None = None) -> list[QcBatchInfo]:
    """QC batches, oldest first (only those checking `reviewer`, when given)."""
    with case.db.reader() as session:
        query = select(QcBatch).order_by(QcBatch.id)
        if reviewer is not None:
            query = query.where(QcBatch.reviewer == reviewer)
        return _infos(session, list(session.scalars(query)))


def find_qc_batch(case: Case, name: str) -> QcBatchInfo:
    with case.db.reader() as session:
        return _infos(session, [_find(session, name)])[0]


def qc_documents(case: Case, name: str) -> list[QcDocumentInfo]:
    """A QC batch's documents in order, each with the reviewer's coding as drawn and the QC decision."""
    with case.db.reader() as session:
        qc_batch = _find(session, name)
        rows = session.execute(
            select(QcDocument, Document.control, Batch.name)
            .join(Document, Document.id == QcDocument.document_id)
            .outerjoin(Batch, Batch.id == QcDocument.batch_id)
            .where(QcDocument.qc_batch_id == qc_batch.id).order_by(QcDocument.position)).all()
        return [
            QcDocumentInfo(row.position, row.document_id, control, batch or "", _from_json(row.coding),
                           row.decision, row.decided_by, row.decided_at,
                           _from_json(row.coding_after) if row.coding_after else None)
            for row, control, batch in rows
        ]


def _find(session: Session, name: str) -> QcBatch:
    wanted = name.strip().upper()
    found = session.scalar(select(QcBatch).where(QcBatch.name == wanted))
    if found is None:
        raise ReviewerError(f"There is no QC batch {wanted} in this case.")
    return found


def _infos(session: Session, qc_batches: list[QcBatch]) -> list[QcBatchInfo]:
    ids = [q.id for q in qc_batches]
    counts: dict[tuple[int, str], int] = {
        (qc_id, decision): count for qc_id, decision, count in session.execute(
            select(QcDocument.qc_batch_id, QcDocument.decision, func.count())
            .where(QcDocument.qc_batch_id.in_(ids)).group_by(QcDocument.qc_batch_id, QcDocument.decision))
    }
    return [
        QcBatchInfo(id=q.id, name=q.name, reviewer=q.reviewer, seed=q.seed, asked=q.asked, pool=q.pool,
                    documents=sum(n for (qc_id, _), n in counts.items() if qc_id == q.id),
                    confirmed=counts.get((q.id, CONFIRMED), 0), overturned=counts.get((q.id, OVERTURNED), 0),
                    created=q.created, user=q.user)
        for q in qc_batches
    ]
