"""Batch sets: an admin divides the documents a query finds into numbered batches for reviewers to take.

A set is cut once, when it is made: the documents (with `families`, every member of each hit's family;
with `threads`, every document of each hit's email thread as well) are put in review order (by control
number, date or custodian), grouped into units that a batch never splits (a document, a whole family
parent first, or a whole thread in thread order), and the units packed into batches of at most `size`
documents, named PREFIX-001, PREFIX-002, … A unit larger than `size` is a batch of its own, larger than
the rest: splitting it would send one email's attachments (or one conversation) to another reviewer.
Mailbox files (MBOX, PST) are left out; their messages are the documents to review.

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

from reviewer.core.analytics.groups import expand_to_threads
from reviewer.core.audit import Action, n_documents, recording
from reviewer.core.case import Case
from reviewer.core.choices import BATCH_ORDERS, BatchOrder
from reviewer.core.errors import ReviewerError
from reviewer.core.models import Batch, BatchDocument, BatchSet, BatchSetTag, Document, EmailThread, Tag
from reviewer.core.team.access import require_role

NOT_STARTED = "not started"
IN_PROGRESS = "in progress"
COMPLETED = "completed"

# What a batch never splits (see review_units).
KeepTogether = Literal["documents", "families", "threads"]

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
    threads: bool
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
                     prefix: str | None = None, families: bool = False, threads: bool = False,
                     order: BatchOrder = "control", review_tags: Sequence[str] = ()) -> BatchSetInfo:
    """Divide `doc_ids` (the documents `query` found) into batches of at most `size` documents, as the
    set `name`; with `families`, whole families, never split; with `threads`, whole email threads with
    their families. Admins only."""
    require_role(case, "admin", "make batch sets")
    name = " ".join(name.split())
    if not name or len(name) > 256:
        raise ReviewerError("A batch set needs a name of 1 to 256 characters.")
    prefix = _clean_prefix(prefix, name)
    if not 1 <= size <= MAX_BATCH_SIZE:
        raise ReviewerError(f"A batch holds 1 to {MAX_BATCH_SIZE:,} documents; {size:,} is not possible.")
    if order not in BATCH_ORDERS:
        raise ReviewerError(f'"{order}" is not a batch order; use one of {", ".join(BATCH_ORDERS)}.')
    keep_together: KeepTogether = "threads" if threads else "families" if families else "documents"
    # Cut before the write transaction, so that reviewers' coding is not held up meanwhile: what the cut
    # reads (families, dates, custodians) is fixed when documents are added.
    units = review_units(case, set(doc_ids), keep_together, order)
    if not units:
        raise ReviewerError("The query finds no documents to batch (mailbox files are never batched).")
    packed = pack(units, size)
    with recording(case, undoable=False) as change:
        session = change.session
        _check_free(session, name, prefix)
        tag_ids = _tag_ids(session, review_tags)
        set_id = session.execute(insert(BatchSet).values(
            name=name, prefix=prefix, query=query, size=size, families=families or threads, threads=threads,
            ordering=order,
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
                   f"{_kept_together(keep_together)}, in {order} order")
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

def review_units(case: Case, doc_ids: set[int], keep_together: KeepTogether,
                 order: BatchOrder) -> list[list[int]]:
    """The groups a batch never splits, in review order. This is the one place the grouping rule lives.

    "documents": each document alone. "families": every member of each document's family is added, and a
    family is one group, parent first, then its attachments as they were found. "threads": every document
    of each document's email thread is added too (threads come from `reviewer analyze`, run after every
    ingest and import), and a thread with the families of its messages is one group, in thread order; a
    family holding messages of several threads (a ZIP of emails) joins them into one group."""
    if keep_together == "threads":
        doc_ids = expand_to_threads(case, doc_ids)
    with case.db.reader() as session:
        facts = _facts(session, Document.id, doc_ids)
        if keep_together != "documents":
            found = {fact.id for fact in facts}
            members = _facts(session, Document.family_id, {fact.root for fact in facts})
            facts.extend(fact for fact in members if fact.id not in found)
        threads = _threads(session, {fact.id for fact in facts}) if keep_together == "threads" else {}
    together = _Together()
    for fact in facts:
        together.add(fact.id)
        if keep_together != "documents":
            together.join(fact.id, fact.root)
        if fact.id in threads:
            together.join(fact.id, -1 - threads[fact.id][0])  # a thread's own node, apart from documents
    groups: dict[int, list[_Facts]] = {}
    for fact in sorted(facts, key=lambda f: (threads.get(f.id, (0, ""))[1], f.root != f.id, f.id)):
        groups.setdefault(together.find(fact.id), []).append(fact)
    ordered = sorted(groups.values(), key=lambda group: _order_key(group[0], order))
    return [[fact.id for fact in group] for group in ordered]


class _Together:
    """Which documents must stay together: union-find over documents, family roots and threads."""

    def __init__(self) -> None:
        self._parent: dict[int, int] = {}

    def add(self, node: int) -> None:
        self._parent.setdefault(node, node)

    def find(self, node: int) -> int:
        self.add(node)
        root = node
        while self._parent[root] != root:
            root = self._parent[root]
        while self._parent[node] != root:  # flatten the path for the next look-up
            self._parent[node], node = root, self._parent[node]
        return root

    def join(self, one: int, other: int) -> None:
        self._parent[self.find(one)] = self.find(other)


def _threads(session: Session, doc_ids: set[int]) -> dict[int, tuple[int, str]]:
    """Each threaded document's thread group and place in its thread."""
    found: dict[int, tuple[int, str]] = {}
    for chunk in _chunks(doc_ids):
        for doc_id, group, place in session.execute(
                select(EmailThread.document_id, EmailThread.thread_group, EmailThread.thread_sort)
                .where(EmailThread.document_id.in_(chunk))):
            found[doc_id] = (group, place)
    return found


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


def _kept_together(keep_together: KeepTogether) -> str:
    return {"documents": "", "families": ", families kept together",
            "threads": ", email threads and families kept together"}[keep_together]


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
                     threads=s.threads,
                     order=s.ordering, review_tags=tags.get(s.id, []), created=s.created, user=s.user,
                     batches=batches.get(s.id, 0), documents=documents.get(s.id, 0))
        for s in sets
    ]
