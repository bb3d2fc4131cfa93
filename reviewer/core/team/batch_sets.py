"""Batch sets: an admin divides the documents a query finds into numbered batches for reviewers to take.

A set is cut once, when it is made: the documents (with `families`, every member of each hit's family)
are put in review order (by control number, date or custodian), grouped into units that a batch never
splits (a document, or a whole family, parent first), and the units packed into batches of at most `size`
documents, named PREFIX-001, PREFIX-002, … A family larger than `size` is a batch of its own, larger than
the rest: splitting it would send one email's attachments to another reviewer. Mailbox files (MBOX, PST)
are left out; their messages are the documents to review.

Within a set a document is in one batch only; sets are independent (first-level review and a privilege
pass may batch the same documents). A set's review tags say when a document counts as reviewed (see
reviewer.core.team.batches). Making or deleting a set is on the audit trail but is not undone by undo:
reviewers may already be working its batches, and deleting the set is the way back.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, cast

from sqlalchemy import Table, func, insert, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from reviewer.core.audit import Action, n_documents, recording
from reviewer.core.case import Case
from reviewer.core.choices import BATCH_ORDERS, BatchOrder
from reviewer.core.errors import ReviewerError
from reviewer.core.models import Batch, BatchDocument, BatchSet, BatchSetTag, Document, Tag
from reviewer.core.team.access import require_role

NOT_STARTED = "not started"
IN_PROGRESS = "in progress"
COMPLETED = "completed"

# What a batch never splits. "threads" (whole email threads) joins when threading lands: see review_units.
KeepTogether = Literal["documents", "families"]

MAX_BATCH_SIZE = 100_000
_MAILBOX_KINDS = ("mbox", "pst")
_CHUNK = 5_000  # ids per IN (…) list: well under SQLite's and PostgreSQL's parameter limits
_PREFIX = re.compile(r"[A-Z0-9][A-Z0-9_-]{0,31}")


@dataclass(frozen=True)
class BatchSetInfo:
    id: int
    name: str
    prefix: str
    query: str
    size: int
    families: bool
    order: str
    review_tags: list[str]  # [] means any tag marks a document reviewed
    created: datetime
    user: str
    batches: int
    documents: int


@dataclass(frozen=True)
class _Facts:
    """What ordering and grouping need to know of one document."""

    id: int
    root: int  # its family's root document (itself when it has no family)
    control: str
    date: datetime | None
    custodian: str


def create_batch_set(case: Case, name: str, doc_ids: Iterable[int], size: int, *, query: str = "",
                     prefix: str | None = None, families: bool = False, order: BatchOrder = "control",
                     review_tags: Sequence[str] = ()) -> BatchSetInfo:
    """Divide `doc_ids` (the documents `query` found) into batches of at most `size` documents, as the
    set `name`; with `families`, whole families, never split. Admins only."""
    require_role(case, "admin", "make batch sets")
    name = " ".join(name.split())
    if not name or len(name) > 256:
        raise ReviewerError("A batch set needs a name of 1 to 256 characters.")
    prefix = _clean_prefix(prefix, name)
    if not 1 <= size <= MAX_BATCH_SIZE:
        raise ReviewerError(f"A batch holds 1 to {MAX_BATCH_SIZE:,} documents; {size:,} is not possible.")
    if order not in BATCH_ORDERS:
        raise ReviewerError(f'"{order}" is not a batch order; use one of {", ".join(BATCH_ORDERS)}.')
    keep_together: KeepTogether = "families" if families else "documents"
    # Cut before the write transaction, so that reviewers' coding is not held up meanwhile: what the cut
    # reads (families, dates, custodians) is fixed when documents are added.
    with case.db.reader() as reading:
        units = review_units(reading, set(doc_ids), keep_together, order)
    if not units:
        raise ReviewerError("The query finds no documents to batch (mailbox files are never batched).")
    packed = pack(units, size)
    with recording(case, undoable=False) as change:
        session = change.session
        _check_free(session, name, prefix)
        tag_ids = _tag_ids(session, review_tags)
        set_id = session.execute(insert(BatchSet).values(
            name=name, prefix=prefix, query=query, size=size, families=families, ordering=order,
            created=change.at, user=change.user,
        ).returning(BatchSet.id)).scalar_one()
        if tag_ids:
            session.execute(insert(BatchSetTag), [{"batch_set_id": set_id, "tag_id": t} for t in tag_ids])
        names = batch_names(prefix, len(packed))
        session.execute(insert(cast(Table, Batch.__table__)), [
            {"batch_set_id": set_id, "number": number, "name": batch_name, "status": NOT_STARTED,
             "assignee": ""}
            for number, batch_name in enumerate(names, 1)
        ])
        batch_ids = dict(session.execute(
            select(Batch.number, Batch.id).where(Batch.batch_set_id == set_id)).all())
        session.execute(insert(cast(Table, BatchDocument.__table__)), [  # Core: no ORM work per row
            {"batch_set_id": set_id, "batch_id": batch_ids[number], "document_id": doc_id,
             "position": position}
            for number, batch in enumerate(packed, 1)
            for position, doc_id in enumerate(batch, 1)
        ])
        documents = sum(len(batch) for batch in packed)
        span = names[0] if len(names) == 1 else f"{names[0]} to {names[-1]}"
        summary = (f"{n_batches(len(packed))} ({span}) of up to {size:,}, {n_documents(documents)}"
                   f"{', families kept together' if families else ''}, in {order} order")
        change.event(Action.CREATE_BATCH_SET, subject=name, subject_id=set_id,
                     after=f"{summary}; query: {query}" if query else summary)
        change.describe(f'making the batch set "{name}": {summary}')
    return find_batch_set(case, name)


def delete_batch_set(case: Case, name: str) -> int:
    """Delete a batch set and its batches (the documents and their coding stay; QC samples drawn from it
    stay too); how many batches went. Admins only."""
    require_role(case, "admin", "delete batch sets")
    with recording(case, undoable=False) as change:
        session = change.session
        batch_set = set_named(session, name)
        count = session.scalar(select(func.count()).where(Batch.batch_set_id == batch_set.id)) or 0
        change.event(Action.DELETE_BATCH_SET, subject=batch_set.name, subject_id=batch_set.id,
                     before=f"{n_batches(count)} ({batch_set.prefix}-…), query: {batch_set.query}")
        session.delete(batch_set)  # its batches, their documents and its review tags go with it: CASCADE
        change.describe(f'deleting the batch set "{batch_set.name}" ({n_batches(count)})')
        return count


# --- grouping, order and packing -------------------------------------------------------------------------

def review_units(session: Session, doc_ids: set[int], keep_together: KeepTogether,
                 order: BatchOrder) -> list[list[int]]:
    """The groups a batch never splits, in review order, each group's members in family order (parent
    first, then attachments as they were found). With "families", every member of each document's family
    is added. This is the one place the grouping rule lives: threads join as keep_together "threads",
    expanding `doc_ids` to whole threads (with their families) and grouping by thread."""
    facts = _facts(session, Document.id, doc_ids)
    if keep_together == "families":
        found = {fact.id for fact in facts}
        members = _facts(session, Document.family_id, {fact.root for fact in facts})
        facts.extend(fact for fact in members if fact.id not in found)
    groups: dict[int, list[_Facts]] = {}
    for fact in sorted(facts, key=lambda f: (f.root != f.id, f.id)):
        groups.setdefault(fact.root if keep_together == "families" else fact.id, []).append(fact)
    ordered = sorted(groups.values(), key=lambda group: _order_key(group[0], order))
    return [[fact.id for fact in group] for group in ordered]


def pack(units: list[list[int]], size: int) -> list[list[int]]:
    """Units into batches of at most `size` documents, in order; a unit larger than `size` alone."""
    batches: list[list[int]] = []
    current: list[int] = []
    for unit in units:
        if current and len(current) + len(unit) > size:
            batches.append(current)
            current = []
        current.extend(unit)
    if current:
        batches.append(current)
    return batches


def n_batches(count: int) -> str:
    return "1 batch" if count == 1 else f"{count:,} batches"


def batch_names(prefix: str, count: int) -> list[str]:
    """PREFIX-001 … with at least three digits, more when the set needs them, so names sort in order."""
    digits = max(3, len(str(count)))
    return [f"{prefix}-{number:0{digits}d}" for number in range(1, count + 1)]


def _order_key(lead: _Facts, order: BatchOrder) -> tuple[Any, ...]:
    """A group goes where its lead document (the family's parent) goes; undated documents go last."""
    undated = (lead.date is None, lead.date or datetime.min)
    if order == "date":
        return (*undated, lead.control)
    if order == "custodian":
        return (lead.custodian.casefold(), *undated, lead.control)
    return (lead.control,)


def _facts(session: Session, key: InstrumentedAttribute[Any], values: set[int]) -> list[_Facts]:
    """What ordering and grouping need of the documents whose `key` is one of `values`, mailboxes left out."""
    root = func.coalesce(Document.family_id, Document.id)
    date = func.coalesce(Document.sent, Document.modified, Document.created)
    facts: list[_Facts] = []
    for chunk in _chunks(values):
        facts.extend(_Facts(*row) for row in session.execute(
            select(Document.id, root, Document.control, date, Document.custodian)
            .where(key.in_(chunk), Document.kind.not_in(_MAILBOX_KINDS))
        ))
    return facts


def _chunks(ids: Iterable[int]) -> Iterable[list[int]]:
    ordered = sorted(ids)
    for start in range(0, len(ordered), _CHUNK):
        yield ordered[start:start + _CHUNK]


# --- names and lookups ------------------------------------------------------------------------------------

def _clean_prefix(given: str | None, name: str) -> str:
    """The prefix given (upper-cased), or one made from the set's name ("Privilege review" gives
    PRIVILEGE-REVIEW)."""
    if given is None:
        prefix = re.sub(r"[^A-Z0-9_]+", "-", name.upper()).strip("-_")[:20].strip("-_")
    else:
        prefix = given.strip().upper()
    if not _PREFIX.fullmatch(prefix):
        raise ReviewerError(f'"{given if given is not None else name}" cannot name batches; give a prefix of '
                            "up to 32 letters, digits, - and _, such as PRIV.")
    return prefix


def _check_free(session: Session, name: str, prefix: str) -> None:
    for other_name, other_prefix in session.execute(select(BatchSet.name, BatchSet.prefix)):
        if other_name.casefold() == name.casefold():
            raise ReviewerError(f'There is already a batch set named "{other_name}".')
        if other_prefix == prefix:
            raise ReviewerError(f'The batch set "{other_name}" already names its batches {prefix}-001, …; '
                                "choose another prefix.")


def _tag_ids(session: Session, names: Sequence[str]) -> list[int]:
    tags = {tag.name.casefold(): tag.id for tag in session.scalars(select(Tag))}
    missing = [name for name in names if name.strip().casefold() not in tags]
    if missing:
        raise ReviewerError(f'There is no tag named "{missing[0].strip()}" in this case.')
    return list(dict.fromkeys(tags[name.strip().casefold()] for name in names))


def set_named(session: Session, name: str) -> BatchSet:
    """The batch set of that name, matched without regard to case or spacing."""
    wanted = " ".join(name.split()).casefold()
    found = next((s for s in session.scalars(select(BatchSet)) if s.name.casefold() == wanted), None)
    if found is None:
        raise ReviewerError(f'There is no batch set named "{name.strip()}" in this case.')
    return found


def find_batch_set(case: Case, name: str) -> BatchSetInfo:
    with case.db.reader() as session:
        found = set_named(session, name)
        return _infos(session, [found])[0]


def batch_sets(case: Case) -> list[BatchSetInfo]:
    """Every batch set, oldest first."""
    with case.db.reader() as session:
        return _infos(session, list(session.scalars(select(BatchSet).order_by(BatchSet.id))))


def _infos(session: Session, sets: list[BatchSet]) -> list[BatchSetInfo]:
    ids = [s.id for s in sets]
    batches = dict(session.execute(select(Batch.batch_set_id, func.count()).where(Batch.batch_set_id.in_(ids))
                                   .group_by(Batch.batch_set_id)).all())
    documents = dict(session.execute(
        select(BatchDocument.batch_set_id, func.count()).where(BatchDocument.batch_set_id.in_(ids))
        .group_by(BatchDocument.batch_set_id)).all())
    tags: dict[int, list[str]] = {}
    for set_id, tag_name in session.execute(
            select(BatchSetTag.batch_set_id, Tag.name).join(Tag, Tag.id == BatchSetTag.tag_id)
            .where(BatchSetTag.batch_set_id.in_(ids)).order_by(Tag.position, Tag.id)):
        tags.setdefault(set_id, []).append(tag_name)
    return [
        BatchSetInfo(id=s.id, name=s.name, prefix=s.prefix, query=s.query, size=s.size, families=s.families,
                     order=s.ordering, review_tags=tags.get(s.id, []), created=s.created, user=s.user,
                     batches=batches.get(s.id, 0), documents=documents.get(s.id, 0))
        for s in sets
    ]
