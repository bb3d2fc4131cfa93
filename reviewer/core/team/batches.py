"""The batch workflow: a reviewer checks out the next batch (or an admin assigns one), codes it and checks it
in; what each batch holds, who has it, how far it is reviewed; progress per reviewer and overall.

A batch is "not started" (nobody has it), "in progress" (checked out by or assigned to its reviewer) or
"completed" (checked in). A document counts as **reviewed** when it carries at least one of its set's
review tags, or, in a set made without review tags, at least one tag of any kind (recording a privilege
basis tags it Privileged, so it counts; a note alone does not). Counts are worked out live from the
coding, never stored: coding a document in any way (keys, undo, another reviewer) moves them at once.

Every change is one short write transaction that changes a batch only if it is still as it was read
(an UPDATE … WHERE status = … checked by its row count), so two reviewers taking "the next batch" at the
same moment get different batches on SQLite and on PostgreSQL alike. Each is on the audit trail, not
undoable (see reviewer.core.audit): releasing, reassigning and reopening are the ways back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, exists, func, or_, select, update
from sqlalchemy.orm import Session, aliased

from reviewer.core.audit import Action, Recording, n_documents, recording
from reviewer.core.case import Case
from reviewer.core.errors import ReviewerError
from reviewer.core.models import Batch, BatchDocument, BatchSet, BatchSetTag, Document, DocumentTag, Tag
from reviewer.core.team.access import acting_user, require_role
from reviewer.core.team.batch_sets import COMPLETED, IN_PROGRESS, NOT_STARTED, set_named

SHOWN_UNREVIEWED = 5  # documents a refused check-in names


class UnreviewedDocumentsError(ReviewerError):
    """A batch was checked in with documents nobody has coded yet; the caller may ask and try again."""

    def __init__(self, batch: str, controls: list[str]) -> None:
        self.batch = batch
        self.count = len(controls)
        shown = ", ".join(controls[:SHOWN_UNREVIEWED]) + (", …" if self.count > SHOWN_UNREVIEWED else "")
        super().__init__(f"{batch} has {n_documents(self.count)} not reviewed yet ({shown}); code "
                         f"{'it' if self.count == 1 else 'them'}, or check the batch in as it is.")


@dataclass(frozen=True)
class BatchInfo:
    id: int
    name: str
    batch_set: str
    number: int
    status: str  # not started | in progress | completed
    assignee: str  # "" when nobody has it
    checked_out: datetime | None
    completed: datetime | None
    documents: int
    reviewed: int


@dataclass(frozen=True)
class BatchDocumentInfo:
    position: int
    document_id: int
    control: str
    reviewed: bool
    tags: list[str]


@dataclass
class Tally:
    """Batches by status, and documents reviewed of those batched."""

    batches: int = 0
    not_started: int = 0
    in_progress: int = 0
    completed: int = 0
    documents: int = 0
    reviewed: int = 0

    def add(self, batch: BatchInfo) -> None:
        self.batches += 1
        self.not_started += batch.status == NOT_STARTED
        self.in_progress += batch.status == IN_PROGRESS
        self.completed += batch.status == COMPLETED
        self.documents += batch.documents
        self.reviewed += batch.reviewed

    @property
    def percent_reviewed(self) -> float:
        return 100.0 * self.reviewed / self.documents if self.documents else 0.0


@dataclass
class Progress:
    overall: Tally = field(default_factory=Tally)
    by_set: dict[str, Tally] = field(default_factory=dict)  # batch set name -> its tally, oldest set first
    by_reviewer: dict[str, Tally] = field(default_factory=dict)  # the batches each reviewer has or had


# --- the workflow -----------------------------------------------------------------------------------------

def check_out_next(case: Case, user: str | None = None, batch_set: str | None = None) -> BatchInfo:
    """Give `user` (the acting user by default; someone else's name is for admins) the next batch nobody
    has: the lowest-numbered one not started, of the oldest set (or of `batch_set`). A reviewer works one
    batch of a set at a time, so sets where they already have a batch in progress are passed over."""
    me = acting_user(case)
    user = " ".join((user or me).split())
    if user != me:
        require_role(case, "admin", "check batches out for someone else")
    else:
        require_role(case, "reviewer", "check batches out")
    with recording(case, undoable=False) as change:
        session = change.session
        mine = aliased(Batch)
        held = select(mine.batch_set_id).where(mine.status == IN_PROGRESS, mine.assignee == user)
        candidates = (select(Batch.id).join(BatchSet, BatchSet.id == Batch.batch_set_id)
                      .where(Batch.status == NOT_STARTED, Batch.batch_set_id.not_in(held))
                      .order_by(BatchSet.id, Batch.number))
        if batch_set is not None:
            candidates = candidates.where(Batch.batch_set_id == set_named(session, batch_set).id)
        tried: list[int] = []
        while True:
            batch_id = session.scalar(candidates.where(Batch.id.not_in(tried)).limit(1))
            if batch_id is None:
                raise ReviewerError(_nothing_left(session, user, batch_set))
            # Claimed only if still not started: on PostgreSQL another reviewer may have taken it since it
            # was read, and then this UPDATE changes nothing and the next one is tried.
            claimed = session.execute(update(Batch).where(Batch.id == batch_id, Batch.status == NOT_STARTED)
                                      .values(status=IN_PROGRESS, assignee=user, checked_out=change.at))
            if claimed.rowcount:  # type: ignore[attr-defined]  # DML gives a CursorResult
                break
            tried.append(batch_id)
        name = session.scalar(select(Batch.name).where(Batch.id == batch_id))
        change.event(Action.CHECK_OUT_BATCH, subject=name or "", subject_id=batch_id, before=NOT_STARTED,
                     after=_state(IN_PROGRESS, user))
        change.describe(f"checking out {name}" + (f" for {user}" if user != change.user else ""))
    return find_batch(case, name or "")


def assign(case: Case, name: str, user: str) -> BatchInfo:
    """Give a batch that is not started or in progress to `user` (taking it from whoever had it). Admins
    only; a completed batch must be reopened first."""
    require_role(case, "admin", "assign batches")
    user = " ".join(user.split())
    if not user:
        raise ReviewerError("Say who the batch is for.")
    with recording(case, undoable=False) as change:
        batch = _find(change.session, name)
        if batch.status == COMPLETED:
            raise ReviewerError(f"{batch.name} is completed; reopen it before assigning it again.")
        if batch.status == IN_PROGRESS and batch.assignee == user:
            raise ReviewerError(f"{batch.name} is already {user}'s.")
        _move(change, batch, Action.ASSIGN_BATCH, IN_PROGRESS, user, checked_out=change.at)
        change.describe(f"assigning {batch.name} to {user}")
    return find_batch(case, name)


def release(case: Case, name: str) -> BatchInfo:
    """Give a batch in progress back, so the next reviewer can check it out (its coding stays). Its
    reviewer or an admin."""
    with recording(case, undoable=False) as change:
        batch = _find(change.session, name)
        _require_holder_or_admin(case, batch, "release", "released")
        _move(change, batch, Action.RELEASE_BATCH, NOT_STARTED, "", checked_out=None)
        change.describe(f"releasing {batch.name}")
    return find_batch(case, name)


def check_in(case: Case, name: str, allow_unreviewed: bool = False) -> BatchInfo:
    """Mark a batch in progress completed. One with documents not reviewed yet is refused with
    UnreviewedDocumentsError (how many, which), unless `allow_unreviewed`. Its reviewer or an admin."""
    with recording(case, undoable=False) as change:
        session = change.session
        batch = _find(session, name)
        _require_holder_or_admin(case, batch, "check in", "checked in")
        unreviewed = list(session.scalars(
            select(Document.control).join(BatchDocument, BatchDocument.document_id == Document.id)
            .where(BatchDocument.batch_id == batch.id, ~reviewed_condition())
            .order_by(BatchDocument.position)))
        if unreviewed and not allow_unreviewed:
            raise UnreviewedDocumentsError(batch.name, unreviewed)
        _move(change, batch, Action.CHECK_IN_BATCH, COMPLETED, batch.assignee, completed=change.at)
        change.describe(f"checking in {batch.name}"
                        + (f" with {n_documents(len(unreviewed))} not reviewed" if unreviewed else ""))
    return find_batch(case, name)


def reopen(case: Case, name: str) -> BatchInfo:
    """Put a completed batch back in progress with the reviewer who had it. Admins only."""
    require_role(case, "admin", "reopen batches")
    with recording(case, undoable=False) as change:
        batch = _find(change.session, name)
        if batch.status != COMPLETED:
            raise ReviewerError(f"{batch.name} is {batch.status}, not completed.")
        _move(change, batch, Action.REOPEN_BATCH, IN_PROGRESS, batch.assignee, completed=None)
        change.describe(f"reopening {batch.name}")
    return find_batch(case, name)


def _require_holder_or_admin(case: Case, batch: Batch, verb: str, past: str) -> None:
    """A batch in progress may be released or checked in by its reviewer, or by an admin."""
    if batch.status != IN_PROGRESS:
        raise ReviewerError(f"{batch.name} is {batch.status}; only a batch in progress can be {past}.")
    if batch.assignee != acting_user(case):
        require_role(case, "admin", f"{verb} another reviewer's batch")


def _move(change: Recording, batch: Batch, action: Action, status: str, assignee: str,
          **times: datetime | None) -> None:
    """Change a batch only if it is still as it was read, and record the change."""
    before = _state(batch.status, batch.assignee)
    moved = change.session.execute(
        update(Batch).values(status=status, assignee=assignee, **times)
        .where(Batch.id == batch.id, Batch.status == batch.status, Batch.assignee == batch.assignee))
    if not moved.rowcount:  # type: ignore[attr-defined]  # DML gives a CursorResult
        raise ReviewerError(f"{batch.name} was changed by someone else a moment ago; look at it again.")
    change.event(action, subject=batch.name, subject_id=batch.id, before=before,
                 after=_state(status, assignee))


def _state(status: str, assignee: str) -> str:
    return f"{status}: {assignee}" if assignee else status


def _nothing_left(session: Session, user: str, batch_set: str | None) -> str:
    where = f'in "{batch_set.strip()}"' if batch_set else "in this case"
    if session.scalar(select(func.count()).select_from(Batch)) == 0:
        return "There are no batches in this case yet; an admin makes them from a search."
    held = session.scalars(select(Batch.name).where(Batch.status == IN_PROGRESS, Batch.assignee == user)
                           .order_by(Batch.id)).all()
    if held:
        return (f"No other batch is free {where} for {user}, who has {', '.join(held)} in progress; "
                "check that in first.")
    return f"Every batch {where} is checked out or completed."


# --- reading ----------------------------------------------------------------------------------------------

def reviewed_condition() -> ColumnElement[bool]:
    """SQL: the BatchDocument row in scope is reviewed (see the module's docstring)."""
    review_tags = select(BatchSetTag.tag_id).where(BatchSetTag.batch_set_id == BatchDocument.batch_set_id)
    tagged = exists().where(DocumentTag.document_id == BatchDocument.document_id)
    review_tagged = exists().where(DocumentTag.document_id == BatchDocument.document_id,
                                   DocumentTag.tag_id.in_(review_tags))
    return or_(review_tagged, and_(~exists(review_tags), tagged))


def batches(case: Case, batch_set: str | None = None, assignee: str | None = None) -> list[BatchInfo]:
    """Batches in set and number order, with their reviewed counts; only those of `batch_set`, or those
    `assignee` has or had, when given."""
    with case.db.reader() as session:
        query = _batch_query()
        if batch_set is not None:
            query = query.where(Batch.batch_set_id == set_named(session, batch_set).id)
        if assignee is not None:
            query = query.where(Batch.assignee == assignee)
        return [BatchInfo(*row) for row in session.execute(query)]


def find_batch(case: Case, name: str) -> BatchInfo:
    with case.db.reader() as session:
        batch = _find(session, name)
        return BatchInfo(*session.execute(_batch_query().where(Batch.id == batch.id)).one())


def _batch_query() -> Select[Any]:
    """One row per batch, with BatchInfo's fields in order."""
    reviewed = func.coalesce(func.sum(case((reviewed_condition(), 1), else_=0)), 0)
    columns = (Batch.id, Batch.name, BatchSet.name, Batch.number, Batch.status, Batch.assignee,
               Batch.checked_out, Batch.completed)
    return (select(*columns, func.count(BatchDocument.id), reviewed)
            .join(BatchSet, BatchSet.id == Batch.batch_set_id)
            .outerjoin(BatchDocument, BatchDocument.batch_id == Batch.id)
            .group_by(BatchSet.id, *columns).order_by(BatchSet.id, Batch.number))


def batch_document_ids(case: Case, name: str) -> list[int]:
    """A batch's documents in review order."""
    with case.db.reader() as session:
        batch = _find(session, name)
        return list(session.scalars(
            select(BatchDocument.document_id).where(BatchDocument.batch_id == batch.id)
            .order_by(BatchDocument.position)))


def batch_documents(case: Case, name: str) -> list[BatchDocumentInfo]:
    """A batch's documents in review order, each with whether it is reviewed and its tags."""
    with case.db.reader() as session:
        batch = _find(session, name)
        rows = session.execute(
            select(BatchDocument.position, Document.id, Document.control, reviewed_condition())
            .join(Document, Document.id == BatchDocument.document_id)
            .where(BatchDocument.batch_id == batch.id).order_by(BatchDocument.position)).all()
        tags: dict[int, list[str]] = {}
        for doc_id, tag_name in session.execute(
                select(DocumentTag.document_id, Tag.name).join(Tag, Tag.id == DocumentTag.tag_id)
                .join(BatchDocument, BatchDocument.document_id == DocumentTag.document_id)
                .where(BatchDocument.batch_id == batch.id).order_by(Tag.position, Tag.id)):
            tags.setdefault(doc_id, []).append(tag_name)
    return [BatchDocumentInfo(position, doc_id, control, bool(done), tags.get(doc_id, []))
            for position, doc_id, control, done in rows]


def progress(case: Case, batch_set: str | None = None) -> Progress:
    """Batches and reviewed documents overall, per set and per reviewer (the batches each has or had)."""
    found = Progress()
    for batch in batches(case, batch_set):
        found.overall.add(batch)
        found.by_set.setdefault(batch.batch_set, Tally()).add(batch)
        if batch.assignee:
            found.by_reviewer.setdefault(batch.assignee, Tally()).add(batch)
    found.by_reviewer = dict(sorted(found.by_reviewer.items(), key=lambda item: item[0].casefold()))
    return found


def _find(session: Session, name: str) -> Batch:
    wanted = name.strip().upper()
    batch = session.scalar(select(Batch).where(Batch.name == wanted))
    if batch is None:
        raise ReviewerError(f"There is no batch {wanted} in this case.")
    return batch

