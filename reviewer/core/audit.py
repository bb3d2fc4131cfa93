"""The audit trail of coding: who changed what, when, before → after, and undo of the newest action.

Every reviewer action is one AuditGroup (a keypress, a batch over 10,000 documents, a command) holding one
AuditEvent per document or tag it changed. Undo reverses the newest group not yet undone, whoever made it,
and records the reversal as a group of its own. Strict newest-first order is what makes "undo restores
exactly the previous state" hold with several windows open: each reversal meets exactly the state its
action left behind.

A recording starts by inserting its group row, so the transaction holds SQLite's write lock before it
reads anything: no other writer can change what the action reads before it commits.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    ColumnElement,
    DateTime,
    Delete,
    Integer,
    Select,
    SQLColumnExpression,
    String,
    and_,
    case,
    delete,
    exists,
    insert,
    literal,
    select,
    update,
)
from sqlalchemy.orm import Session, aliased

from reviewer.core.case import Case, current_user, now
from reviewer.core.models import AuditEvent, AuditGroup, Document, DocumentTag, Note, PrivilegeEntry, Tag


class Action(StrEnum):
    """What an audit event did; stored as text in the case."""

    TAG = "tag"
    UNTAG = "untag"
    NOTE = "note"
    DELETE_NOTE = "delete note"
    PRIVILEGE = "privilege"
    CREATE_TAG = "create tag"
    RENAME_TAG = "rename tag"
    RECOLOR_TAG = "recolor tag"
    REGROUP_TAG = "regroup tag"
    REKEY_TAG = "rekey tag"
    MOVE_TAG = "move tag"
    DELETE_TAG = "delete tag"


# The tag column each tag-editing action changes. Deleting a tag records each of them going to "" as
# well, so that undo can bring the tag back exactly as it was.
TAG_FIELDS = {
    Action.RENAME_TAG: "name",
    Action.RECOLOR_TAG: "color",
    Action.REGROUP_TAG: "group",
    Action.REKEY_TAG: "hotkey",
    Action.MOVE_TAG: "position",
}
# How a reversal is recorded; actions not listed reverse into themselves (before and after swapped).
INVERSE = {
    Action.TAG: Action.UNTAG,
    Action.UNTAG: Action.TAG,
    Action.NOTE: Action.DELETE_NOTE,
    Action.CREATE_TAG: Action.DELETE_TAG,
    Action.DELETE_TAG: Action.CREATE_TAG,
}


@dataclass(frozen=True)
class AuditEventInfo:
    id: int
    at: datetime
    user: str
    document_id: int | None
    control: str
    action: str
    before: str
    after: str
    group_id: int
    undo: bool  # this event is part of an undo
    undone: bool  # a later undo reversed this event


def n_documents(count: int) -> str:
    return "1 document" if count == 1 else f"{count:,} documents"


def privilege_text(basis: str, description: str) -> str:
    """How a privilege entry reads in the trail; undo parses it back (no basis contains ': ')."""
    return f"{basis}: {description}" if description else basis


def privilege_text_sql() -> ColumnElement[str]:
    """privilege_text() of the PrivilegeEntry row in scope, in SQL, for set-based comparisons."""
    return case(
        (PrivilegeEntry.description == "", PrivilegeEntry.basis),
        else_=PrivilegeEntry.basis + ": " + PrivilegeEntry.description,
    )


def parse_privilege_text(text: str) -> tuple[str, str]:
    basis, _, description = text.partition(": ")
    return basis, description


class Recording:
    """One action group being written: the open session, the group's id, and who acts when."""

    def __init__(self, session: Session, group_id: int, at: datetime, user: str) -> None:
        self.session = session
        self.group_id = group_id
        self.at = at
        self.user = user
        self.summary = ""

    def describe(self, summary: str) -> None:
        """Say what the action did, as undo will name it ("tagging 3 documents "Hot""). Only an action
        that describes itself is kept; one that changed nothing leaves no trace."""
        self.summary = summary

    def event(self, action: Action, document_id: int | None = None, tag_id: int | None = None,
              note_id: int | None = None, before: str = "", after: str = "") -> None:
        self.session.execute(insert(AuditEvent).values(
            at=self.at, user=self.user, document_id=document_id, action=action.value, tag_id=tag_id,
            note_id=note_id, before=before, after=after, group_id=self.group_id,
        ))

    def document_events(self, changes: Select[int, str, str], action: Action,
                        tag_id: int | None = None) -> int:
        """One event per row of `changes` (document id, before, after), in one statement; how many."""
        rows = changes.subquery()
        result = self.session.execute(insert(AuditEvent).from_select(
            ["at", "user", "document_id", "action", "tag_id", "before", "after", "group_id"],
            select(*self.stamp(), rows.c[0], literal(action.value), literal(tag_id, Integer()), rows.c[1],
                   rows.c[2], literal(self.group_id)),
        ))
        return int(result.rowcount)  # type: ignore[attr-defined]  # DML gives a CursorResult

    def changed_documents(self, action: Action, tag_id: int | None = None,
                          *columns: ColumnElement[Any]) -> Select[Any]:
        """The documents this group recorded `action` for (and `columns` beside each): the coding
        writes follow from the events, so the two always agree."""
        query = select(AuditEvent.document_id, *columns).where(
            AuditEvent.group_id == self.group_id, AuditEvent.action == action.value
        )
        return query if tag_id is None else query.where(AuditEvent.tag_id == tag_id)

    def stamp(self) -> tuple[ColumnElement[datetime], ColumnElement[str]]:
        """When and by whom, as SQL values for an INSERT … SELECT of coding rows."""
        return literal(self.at, DateTime()), literal(self.user, String())

    def subject(self, action: Action, count: int) -> str:
        """'DOC-000004' for one document, '3 documents' for more: undo messages name what they reverse."""
        if count != 1:
            return n_documents(count)
        control = self.session.scalar(
            select(Document.control).join(AuditEvent, AuditEvent.document_id == Document.id).where(
                AuditEvent.group_id == self.group_id, AuditEvent.action == action.value
            )
        )
        return control or "1 document"


@contextmanager
def recording(case: Case) -> Iterator[Recording]:
    """An action group in one transaction; rolled back with everything else if the block raises."""
    at, user = now(), current_user()
    with case.db.session() as session:
        group_id = session.execute(
            insert(AuditGroup).values(at=at, user=user, summary="").returning(AuditGroup.id)
        ).scalar_one()
        change = Recording(session, group_id, at, user)
        yield change
        if change.summary:
            session.execute(update(AuditGroup).where(AuditGroup.id == group_id)
                            .values(summary=change.summary))
        else:
            session.execute(delete(AuditGroup).where(AuditGroup.id == group_id))


def history(case: Case, doc_id: int) -> list[AuditEventInfo]:
    """Every change to a document, oldest first, including undos and whether each was undone."""
    reversal = aliased(AuditGroup)
    with case.db.reader() as session:
        rows = session.execute(
            select(AuditEvent, Document.control, AuditGroup.undo_of, reversal.id)
            .join(AuditGroup, AuditGroup.id == AuditEvent.group_id)
            .outerjoin(reversal, reversal.undo_of == AuditEvent.group_id)
            .outerjoin(Document, Document.id == AuditEvent.document_id)
            .where(AuditEvent.document_id == doc_id)
            .order_by(AuditEvent.id)
        ).all()
        return [
            AuditEventInfo(
                id=event.id, at=event.at, user=event.user, document_id=event.document_id,
                control=control or "", action=event.action, before=event.before, after=event.after,
                group_id=event.group_id,
                undo=undo_of is not None, undone=reversed_by is not None,
            )
            for event, control, undo_of, reversed_by in rows
        ]


def _undoable_group(session: Session, older_than: int | None = None) -> AuditGroup | None:
    """The newest action that is neither an undo nor undone already."""
    reversal = aliased(AuditGroup)
    query = select(AuditGroup).where(
        AuditGroup.undo_of.is_(None), ~exists().where(reversal.undo_of == AuditGroup.id)
    )
    if older_than is not None:
        query = query.where(AuditGroup.id < older_than)
    return session.scalar(query.order_by(AuditGroup.id.desc()).limit(1))


def next_undo(case: Case) -> str | None:
    """What undo would reverse ("tagging 3 documents "Hot""), for an Undo menu item; None if nothing."""
    with case.db.reader() as session:
        group = _undoable_group(session)
        return group.summary if group else None


def undo(case: Case) -> str | None:
    """Reverse the newest action group and record the reversal; a sentence saying what was undone."""
    with recording(case) as change:
        session = change.session
        target = _undoable_group(session, older_than=change.group_id)
        if target is None:
            return None
        actions = session.scalars(
            select(AuditEvent.action).where(AuditEvent.group_id == target.id).distinct()
        ).all()
        session.execute(update(AuditGroup).where(AuditGroup.id == change.group_id).values(undo_of=target.id))
        _record_reversal(change, target.id)
        _apply_reversal(change, {INVERSE.get(Action(a), Action(a)) for a in actions})
        change.describe(f"undoing {target.summary}")
        return f"Undid {target.summary}."


def _record_reversal(change: Recording, target_id: int) -> None:
    """Copy the target's events into the undo group in one statement, inverted and before ↔ after."""
    inverse = case({old.value: new.value for old, new in INVERSE.items()},
                   value=AuditEvent.action, else_=AuditEvent.action)
    rows = select(
        *change.stamp(), AuditEvent.document_id, inverse, AuditEvent.tag_id, AuditEvent.note_id,
        AuditEvent.after, AuditEvent.before, literal(change.group_id),
    ).where(AuditEvent.group_id == target_id).order_by(AuditEvent.id)
    change.session.execute(insert(AuditEvent).from_select(
        ["at", "user", "document_id", "action", "tag_id", "note_id", "before", "after", "group_id"], rows,
    ))


def _apply_reversal(change: Recording, actions: set[Action]) -> None:
    """Make the coding what the undo group's events say it now is, one statement per kind of change.
    A tag comes back before its properties and its documents; it goes only after they are gone."""
    session = change.session

    def events(kind: Action, *columns: SQLColumnExpression[Any]) -> Select[*tuple[Any, ...]]:
        return select(*columns).where(AuditEvent.group_id == change.group_id,
                                      AuditEvent.action == kind.value)

    if Action.CREATE_TAG in actions:
        session.execute(insert(Tag).from_select(
            ["id", "name", "group", "color", "hotkey", "position"],
            events(Action.CREATE_TAG, AuditEvent.tag_id, AuditEvent.after, literal(""), literal(""),
                   literal(""), literal(0)),
        ))
    for kind, field in TAG_FIELDS.items():
        if kind in actions:
            for tag_id, after in session.execute(events(kind, AuditEvent.tag_id, AuditEvent.after)):
                value = int(after) if field == "position" else after
                session.execute(update(Tag).where(Tag.id == tag_id).values({field: value}))
    if Action.UNTAG in actions:
        untagged = events(Action.UNTAG, AuditEvent.document_id, AuditEvent.tag_id).subquery()
        session.execute(bulk(delete(DocumentTag).where(DocumentTag.id.in_(
            select(DocumentTag.id).join(untagged, and_(untagged.c.document_id == DocumentTag.document_id,
                                                       untagged.c.tag_id == DocumentTag.tag_id))
        ))))
    if Action.TAG in actions:
        session.execute(insert(DocumentTag).from_select(
            ["document_id", "tag_id", "added", "user"],
            events(Action.TAG, AuditEvent.document_id, AuditEvent.tag_id, *change.stamp()),
        ))
    if Action.DELETE_NOTE in actions:
        session.execute(bulk(delete(Note).where(Note.id.in_(events(Action.DELETE_NOTE, AuditEvent.note_id)))))
    if Action.PRIVILEGE in actions:
        session.execute(bulk(delete(PrivilegeEntry).where(
            PrivilegeEntry.document_id.in_(events(Action.PRIVILEGE, AuditEvent.document_id))
        )))
        restored = [
            {"document_id": doc_id, "basis": basis, "description": description, "added": change.at,
             "user": change.user}
            for doc_id, after in session.execute(
                events(Action.PRIVILEGE, AuditEvent.document_id, AuditEvent.after)
                .where(AuditEvent.after != "")
            )
            for basis, description in [parse_privilege_text(after)]
        ]
        if restored:
            session.execute(insert(PrivilegeEntry), restored)
    if Action.DELETE_TAG in actions:
        session.execute(bulk(delete(Tag).where(Tag.id.in_(events(Action.DELETE_TAG, AuditEvent.tag_id)))))


def bulk(statement: Delete) -> Delete:
    """A set-based DELETE through the session, without the ORM fetching every row it removes."""
    return statement.execution_options(synchronize_session=False)
