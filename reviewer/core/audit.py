"""The one write path: every change a user can see, its audit trail (who, when, before → after), and undo.

Every reviewer action is one AuditGroup (a keypress, a batch over 10,000 documents, a command) holding one
AuditEvent per thing it changed: a document's tags, notes or privilege, a tag, a redaction, a saved
search, an attorney, a case setting. The module that makes the change writes it inside `recording()`,
which records the events in the same transaction, so the change and its trail commit together or not at
all. Events about a redaction, saved search or attorney keep that whole row (subject_id and detail), so
that undo puts a removed one back exactly as it was, under the same id.

Undo reverses the newest action of the reviewer who asks that is not undone yet, and records the reversal
as a group of its own; it never undoes an undo. Each reviewer's own actions are undone strictly newest
first, and an action is not undone once someone else has changed what it changed (the same document's same
tag, note or privilege entry, the same tag, the same redaction, saved search, attorney or setting) since:
that undo is refused naming them. Together these make "undo restores exactly the previous state" hold
with several windows and several reviewers: each reversal meets exactly the state its action left behind.

Long jobs (an ingest batch, an import, a production) are on record too, one group per run written by
`record_job()` inside the job's own transaction, but they are not reviewer actions and are never undone:
undo passes over them to the newest reviewer action. None of them changes what a reviewer action changes
(coding, redactions, saved searches, attorneys, settings), so passing over them keeps the order strict for
everything undo touches. The same holds for the batch workflow and QC draws (reviewer.core.team): reviewer
actions recorded as not undoable, because they change who reviews what, never the coding.

Each write runs in Database.session(), which takes the case's write lock first (db.py): no other writer
can change what the action reads before it commits, and writers wait their turn.
"""

from __future__ import annotations

import json
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
    func,
    insert,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.orm import DeclarativeBase, Session, aliased

from reviewer.core.case import Case, now
from reviewer.core.errors import ConflictError
from reviewer.core.models import (
    Attorney,
    AuditEvent,
    AuditGroup,
    Document,
    DocumentTag,
    Fact,
    FactIssue,
    FactPerson,
    FactSource,
    Highlight,
    HighlightIssue,
    Issue,
    Note,
    PrivilegeEntry,
    QcDocument,
    Redaction,
    ReviewDecision,
    ReviewQuestion,
    SavedSearch,
    Setting,
    Tag,
)
from reviewer.core.team.access import Access, Role, access_in, refuse_unassigned, refuse_unless, require_role


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
    ADD_REDACTION = "add redaction"
    DELETE_REDACTION = "delete redaction"
    SAVE_SEARCH = "save search"
    EDIT_SEARCH = "edit saved search"
    DELETE_SEARCH = "delete saved search"
    ADD_ATTORNEY = "add attorney"
    REMOVE_ATTORNEY = "remove attorney"
    SETTING = "setting"
    # Highlights, issues and facts (the chronology). A link is a row of a link table (a highlight's or
    # fact's issue, a fact's person or source); its event's subject names the table.
    ADD_ISSUE = "add issue"
    EDIT_ISSUE = "edit issue"
    DELETE_ISSUE = "delete issue"
    ADD_HIGHLIGHT = "add highlight"
    EDIT_HIGHLIGHT = "edit highlight"
    DELETE_HIGHLIGHT = "delete highlight"
    ADD_FACT = "add fact"
    EDIT_FACT = "edit fact"
    DELETE_FACT = "delete fact"
    EDIT_SOURCE = "edit fact source"
    LINK = "link"
    UNLINK = "unlink"
    # People and communications (casebuild/people_edits.py): each event sets one thing from before to
    # after, so an undo applies its own swapped events the same way.
    PERSON = "person"  # a person's name, hand grouping or merge, as JSON
    PERSON_ADDRESS = "person address"  # an address or name moved from one person to another
    PERSON_FLAG = "person flag"
    DOMAIN_LABEL = "domain label"
    DOMAIN_FLAG = "domain flag"
    PEOPLE_BUILD = "people build"  # a long job: people built again by hand (reviewer people-rebuild)
    # Long jobs: on record, never undone (see record_job).
    INGEST = "ingest"
    IMPORT = "import"
    PRODUCTION = "production"
    # Email threading and near-duplicates: a run of `reviewer analyze` (a long job).
    ANALYZE = "analyze"
    # Batches and QC (reviewer.core.team). The batch workflow is on record but never undone: several
    # reviewers act on batches at once, and each step has its own reverse (release, reassign, reopen,
    # delete). A QC draw is never undone either: a sample redrawn until it pleases is no sample. A QC
    # decision is undone like coding, an overturn together with the coding it changed.
    CREATE_BATCH_SET = "create batch set"
    DELETE_BATCH_SET = "delete batch set"
    CHECK_OUT_BATCH = "check out batch"
    ASSIGN_BATCH = "assign batch"
    RELEASE_BATCH = "release batch"
    CHECK_IN_BATCH = "check in batch"
    REOPEN_BATCH = "reopen batch"
    CREATE_QC_BATCH = "create qc batch"
    QC_CONFIRM = "qc confirm"
    QC_OVERTURN = "qc overturn"
    # Prioritized review: a question set up (or its choices changed) or removed, a decision on a document.
    SET_UP_REVIEW = "set up prioritized review"
    REMOVE_REVIEW = "remove prioritized review"
    DECIDE = "decide"
    # Validation of a prioritized review: on record like long jobs, never undone (a sample once drawn stays).
    DRAW_SAMPLE = "draw validation sample"
    ABANDON_SAMPLE = "abandon validation sample"
    # Users and roles of a shared case (reviewer.core.team.users): on record, never undone (a login's
    # rights live in the database server too, and an admin changes them back by adding the user again).
    ADD_USER = "add user"
    REMOVE_USER = "remove user"


JOBS = frozenset({Action.INGEST, Action.IMPORT, Action.PRODUCTION, Action.ANALYZE, Action.DRAW_SAMPLE,
                  Action.ABANDON_SAMPLE, Action.PEOPLE_BUILD})
# Users and roles (reviewer.core.team.access): the role an action needs, when it is not "reviewer". The
# one write path checks every action it records against the actor's role before it commits.
ACTION_ROLES: dict[Action, Role] = {
    **dict.fromkeys([Action.CREATE_TAG, Action.RENAME_TAG, Action.RECOLOR_TAG, Action.REGROUP_TAG,
                     Action.REKEY_TAG, Action.MOVE_TAG, Action.DELETE_TAG, Action.ADD_ATTORNEY,
                     Action.REMOVE_ATTORNEY, Action.SETTING, Action.CREATE_BATCH_SET, Action.DELETE_BATCH_SET,
                     Action.ASSIGN_BATCH, Action.REOPEN_BATCH, Action.SET_UP_REVIEW, Action.REMOVE_REVIEW,
                     Action.ADD_USER, Action.REMOVE_USER, *JOBS], "admin"),
    **dict.fromkeys([Action.CREATE_QC_BATCH, Action.QC_CONFIRM, Action.QC_OVERTURN], "qc"),
}
# How a decide event reads (its before and after); "" is undecided.
RELEVANT = "relevant"
NOT_RELEVANT = "not relevant"


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
    Action.ADD_REDACTION: Action.DELETE_REDACTION,
    Action.DELETE_REDACTION: Action.ADD_REDACTION,
    Action.SAVE_SEARCH: Action.DELETE_SEARCH,
    Action.DELETE_SEARCH: Action.SAVE_SEARCH,
    Action.ADD_ATTORNEY: Action.REMOVE_ATTORNEY,
    Action.REMOVE_ATTORNEY: Action.ADD_ATTORNEY,
    Action.SET_UP_REVIEW: Action.REMOVE_REVIEW,
    Action.REMOVE_REVIEW: Action.SET_UP_REVIEW,
    Action.ADD_ISSUE: Action.DELETE_ISSUE,
    Action.DELETE_ISSUE: Action.ADD_ISSUE,
    Action.ADD_HIGHLIGHT: Action.DELETE_HIGHLIGHT,
    Action.DELETE_HIGHLIGHT: Action.ADD_HIGHLIGHT,
    Action.ADD_FACT: Action.DELETE_FACT,
    Action.DELETE_FACT: Action.ADD_FACT,
    Action.LINK: Action.UNLINK,
    Action.UNLINK: Action.LINK,
}
# Actions that put a whole row back from the event's detail, and those that take one away by subject_id.
ROW_ADDED: dict[Action, type[DeclarativeBase]] = {
    Action.ADD_REDACTION: Redaction, Action.SAVE_SEARCH: SavedSearch, Action.ADD_ATTORNEY: Attorney,
    Action.SET_UP_REVIEW: ReviewQuestion,
    Action.ADD_ISSUE: Issue, Action.ADD_HIGHLIGHT: Highlight, Action.ADD_FACT: Fact,
}
ROW_REMOVED: dict[Action, type[DeclarativeBase]] = {
    Action.DELETE_REDACTION: Redaction, Action.DELETE_SEARCH: SavedSearch, Action.REMOVE_ATTORNEY: Attorney,
    Action.REMOVE_REVIEW: ReviewQuestion,
    Action.DELETE_ISSUE: Issue, Action.DELETE_HIGHLIGHT: Highlight, Action.DELETE_FACT: Fact,
}
# The tables Action.LINK and Action.UNLINK add rows to and remove rows from, by the event's subject.
LINK_TABLES: dict[str, type[DeclarativeBase]] = {
    model.__tablename__: model for model in (HighlightIssue, FactIssue, FactPerson, FactSource)
}
# Actions that change a row in place, keeping the row as it was before in the event's detail: undo puts
# those values back.
ROW_CHANGED: dict[Action, type[DeclarativeBase]] = {
    Action.QC_CONFIRM: QcDocument, Action.QC_OVERTURN: QcDocument,
    Action.EDIT_ISSUE: Issue, Action.EDIT_HIGHLIGHT: Highlight, Action.EDIT_FACT: Fact,
    Action.EDIT_SOURCE: FactSource,
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
    subject: str = ""  # a setting's key, a saved search's name, an attorney, a volume


@dataclass(frozen=True)
class AuditGroupInfo:
    """One entry of the case-wide trail: an action (or a long job's run) and what became of it."""

    id: int
    at: datetime
    user: str
    summary: str
    events: int
    undoable: bool  # False for ingest batches, imports and productions
    undo_of: int | None  # the action this entry undid
    undone_by: int | None  # the undo that reversed this entry


def counted(number: int, noun: str) -> str:
    """A number and its noun: 3 highlights, 1 fact."""
    return f"{number:,} {noun}{'s' if number != 1 else ''}"


def n_documents(count: int) -> str:
    return counted(count, "document")


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

    def __init__(self, session: Session, group_id: int, at: datetime, user: str,
                 seen: int | None = None) -> None:
        self.session = session
        self.group_id = group_id
        self.at = at
        self.user = user
        self.summary = ""
        # The coding version the reviewer acted on (reviewer.core.conflicts); None: the case as it is.
        self.seen = seen

    def describe(self, summary: str) -> None:
        """Say what the action did, as undo will name it ("tagging 3 documents "Hot""). Only an action
        that describes itself is kept; one that changed nothing leaves no trace."""
        self.summary = summary

    def event(self, action: Action, document_id: int | None = None, tag_id: int | None = None,
              note_id: int | None = None, before: str = "", after: str = "", subject: str = "",
              subject_id: int | None = None, detail: str = "") -> None:
        self.session.execute(insert(AuditEvent).values(
            at=self.at, user=self.user, document_id=document_id, action=action.value, tag_id=tag_id,
            note_id=note_id, before=before, after=after, group_id=self.group_id, subject=subject,
            subject_id=subject_id, detail=detail,
        ))

    def row_events(self, action: Action, rows: list[tuple[Any, str, str]], document: bool = False) -> None:
        """One event per (row, subject, text) for the redactions, saved searches or attorneys this action
        adds or removes, keeping each whole row so that undo can put it back. `subject` says what the row
        is about (a name, an identity); `text` how it reads, the event's after for an added row and its
        before for a removed one. With `document`, the event is also about the row's document_id."""
        if not rows:
            return
        adds = action in ROW_ADDED
        self.session.execute(insert(AuditEvent), [
            {"at": self.at, "user": self.user, "action": action.value, "group_id": self.group_id,
             "document_id": row.document_id if document else None, "subject": subject,
             "subject_id": row.id, "detail": row_snapshot(row),
             "before": "" if adds else text, "after": text if adds else ""}
            for row, subject, text in rows
        ])

    def document_events(self, changes: Select[int, str, str], action: Action,
                        tag_id: int | None = None) -> int:
        """One event per row of `changes` (document id, before, after), in one statement; how many."""
        rows = changes.subquery()
        result = self.session.execute(insert(AuditEvent).from_select(
            ["at", "user", "document_id", "action", "tag_id", "before", "after", "group_id"],
            select(*self.stamp(), rows.c[0], literal(action.value), literal(tag_id, Integer()), rows.c[1],
                   rows.c[2], literal(self.group_id)),
        ).execution_options(preserve_rowcount=True))  # psycopg counts an INSERT's rows only when asked
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


def row_snapshot(row: DeclarativeBase) -> str:
    """Every column of a row as JSON (datetimes as ISO text): what restore_rows needs to rebuild it."""
    values = {}
    for column in row.__table__.columns:
        value = getattr(row, column.key)
        values[column.key] = value.isoformat() if isinstance(value, datetime) else value
    return json.dumps(values, ensure_ascii=False)


def restore_rows(session: Session, model: type[DeclarativeBase], snapshots: list[str]) -> None:
    """Insert rows exactly as row_snapshot kept them, ids included."""
    rows = [_snapshot_values(model, snapshot) for snapshot in snapshots]
    if rows:
        session.execute(insert(model), rows)


def restore_row_values(session: Session, model: type[DeclarativeBase], snapshots: list[str]) -> None:
    """Give rows that still exist back the values row_snapshot kept (a row since deleted stays deleted)."""
    for snapshot in snapshots:
        values = _snapshot_values(model, snapshot)
        session.execute(update(model).where(model.__table__.c.id == values.pop("id")).values(values))


def _snapshot_values(model: type[DeclarativeBase], snapshot: str) -> dict[str, Any]:
    dates = {c.key for c in model.__table__.columns if isinstance(c.type, DateTime)}
    values = json.loads(snapshot)
    for key in dates & values.keys():
        if values[key] is not None:
            values[key] = datetime.fromisoformat(values[key])
    return dict(values)


@contextmanager
def recording(case: Case, undoable: bool = True, seen: int | None = None) -> Iterator[Recording]:
    """A reviewer action in one write transaction; rolled back with everything else if the block raises.
    The block makes its change, records an event for each thing it changed and describes itself; an
    action that changed nothing (and so never described itself) leaves no trace. An action recorded as
    not `undoable` (the batch workflow, a QC draw) is on the trail, and undo passes over it. `seen` is
    the coding version the reviewer acted on: coding another reviewer changed since is refused
    (reviewer.core.conflicts)."""
    at, user = now(), case.user
    with case.db.session() as session:
        group_id = session.execute(
            insert(AuditGroup).values(at=at, user=user, summary="", undoable=undoable)
            .returning(AuditGroup.id)
        ).scalar_one()
        change = Recording(session, group_id, at, user, seen)
        yield change
        if case.shared:
            _check_allowed(session, access_in(session, user), group_id)
        if change.summary:
            session.execute(update(AuditGroup).where(AuditGroup.id == group_id)
                            .values(summary=change.summary))
        else:
            session.execute(delete(AuditEvent).where(AuditEvent.group_id == group_id))
            session.execute(delete(AuditGroup).where(AuditGroup.id == group_id))


def record_job(session: Session, action: Action, summary: str, subject: str = "") -> Recording:
    """Put one run of a long job on the case's trail, inside the job's own transaction (`session`, which
    must be a write session: case.db.session()), so that the run and its record commit together. The run
    is recorded as the session's user (the case's user, db.Database).

    `action` is Action.INGEST, Action.IMPORT or Action.PRODUCTION; `summary` is how the trail names the
    run, e.g. "ingest batch 3: 120 documents", "production VOL001 DEF000001–DEF000120", "import of
    VOL002: 80 documents"; `subject` what it is about ("VOL001"). The run is recorded as one group with one
    event, marked not undoable: undo passes over it. The Recording returned lets the job add an event per
    document as well (Recording.document_events), which then shows in each document's history.
    """
    if action not in JOBS:
        raise ValueError(f"{action} is a reviewer action, not a long job; record it with recording().")
    at, user = now(), session.info["user"]
    group_id = session.execute(
        insert(AuditGroup).values(at=at, user=user, summary=summary, undoable=False).returning(AuditGroup.id)
    ).scalar_one()
    change = Recording(session, group_id, at, user)
    change.summary = summary
    change.event(action, after=summary, subject=subject)
    if session.get_bind().dialect.name == "postgresql":  # a shared case, whose members have roles
        refuse_unless(access_in(session, user), ACTION_ROLES[action], f"record {summary}")
    return change


def _check_allowed(session: Session, who: Access, group_id: int) -> None:
    """Refuse (rolling the whole action back) an action the actor's role does not allow, or a change to a
    document an assigned-only reviewer has not been given."""
    if who.role == "admin":
        return
    in_group = AuditEvent.group_id == group_id
    for action in session.scalars(select(AuditEvent.action).where(in_group).distinct()):
        refuse_unless(who, ACTION_ROLES.get(Action(action), "reviewer"), f'record "{action}"')
    refuse_unassigned(session, who, select(AuditEvent.document_id).where(in_group))


def change_setting(case: Case, key: str, value: str) -> None:
    """Change a case setting as a reviewer action, undoable; "" removes it (it reads as its default)."""
    require_role(case, "admin", "change the case's settings")
    with recording(case) as change:
        row = change.session.get(Setting, key)
        before = row.value if row is not None else ""
        if before == value:
            return
        _write_setting(change.session, key, value)
        change.event(Action.SETTING, subject=key, before=before, after=value)
        change.describe(f'changing the setting "{key}" from "{before}" to "{value}"' if before and value
                        else f'setting "{key}" to "{value}"' if value else f'clearing the setting "{key}"')


def _write_setting(session: Session, key: str, value: str) -> None:
    row = session.get(Setting, key)
    if value and row is not None:
        row.value = value
    elif value:
        session.add(Setting(key=key, value=value))
    elif row is not None:
        session.delete(row)
    session.flush()


def _event_infos(session: Session, where: ColumnElement[bool]) -> list[AuditEventInfo]:
    reversal = aliased(AuditGroup)
    rows = session.execute(
        select(AuditEvent, Document.control, AuditGroup.undo_of, reversal.id)
        .join(AuditGroup, AuditGroup.id == AuditEvent.group_id)
        .outerjoin(reversal, reversal.undo_of == AuditEvent.group_id)
        .outerjoin(Document, Document.id == AuditEvent.document_id)
        .where(where)
        .order_by(AuditEvent.id)
    ).all()
    return [
        AuditEventInfo(
            id=event.id, at=event.at, user=event.user, document_id=event.document_id,
            control=control or "", action=event.action, before=event.before, after=event.after,
            group_id=event.group_id, undo=undo_of is not None, undone=reversed_by is not None,
            subject=event.subject,
        )
        for event, control, undo_of, reversed_by in rows
    ]


def history(case: Case, doc_id: int) -> list[AuditEventInfo]:
    """Every change to a document (coding, notes, privilege, redactions), oldest first, including undos
    and whether each was undone."""
    with case.db.reader() as session:
        return _event_infos(session, AuditEvent.document_id == doc_id)


def group_events(case: Case, group_id: int) -> list[AuditEventInfo]:
    """Every event of one entry of the trail, in the order recorded."""
    with case.db.reader() as session:
        return _event_infos(session, AuditEvent.group_id == group_id)


def trail(case: Case, limit: int | None = None) -> list[AuditGroupInfo]:
    """The case-wide trail, newest first: every reviewer action, undo and long job's run."""
    reversal = aliased(AuditGroup)
    events = (select(func.count(AuditEvent.id)).where(AuditEvent.group_id == AuditGroup.id)
              .correlate(AuditGroup).scalar_subquery())
    query = (select(AuditGroup, events, reversal.id)
             .outerjoin(reversal, reversal.undo_of == AuditGroup.id)
             .order_by(AuditGroup.id.desc()).limit(limit))
    with case.db.reader() as session:
        return [
            AuditGroupInfo(id=group.id, at=group.at, user=group.user, summary=group.summary, events=count,
                           undoable=group.undoable, undo_of=group.undo_of, undone_by=undone_by)
            for group, count, undone_by in session.execute(query)
        ]


def _undoable_group(session: Session, user: str, older_than: int | None = None) -> AuditGroup | None:
    """`user`'s newest action that is neither an undo nor undone already (long jobs are passed over)."""
    reversal = aliased(AuditGroup)
    query = select(AuditGroup).where(
        AuditGroup.user == user, AuditGroup.undoable.is_(True), AuditGroup.undo_of.is_(None),
        ~exists().where(reversal.undo_of == AuditGroup.id),
    )
    if older_than is not None:
        query = query.where(AuditGroup.id < older_than)
    return session.scalar(query.order_by(AuditGroup.id.desc()).limit(1))


def next_undo(case: Case) -> str | None:
    """What undo would reverse ("tagging 3 documents "Hot""), for an Undo menu item; None if nothing."""
    with case.db.reader() as session:
        group = _undoable_group(session, case.user)
        return group.summary if group else None


def undo(case: Case) -> str | None:
    """Reverse the reviewer's own newest action and record the reversal; a sentence saying what was undone
    ("Undid tagging 3 documents "Hot"."), or None when there is nothing to undo. Ingest batches, imports
    and productions are passed over: they are on record but cannot be undone. Raises ConflictError, and
    changes nothing, when another reviewer has changed what the action changed since."""
    with recording(case) as change:
        session = change.session
        target = _undoable_group(session, case.user, older_than=change.group_id)
        if target is None:
            return None
        _refuse_if_changed_since(session, target, change.group_id)
        actions = session.scalars(
            select(AuditEvent.action).where(AuditEvent.group_id == target.id).distinct()
        ).all()
        session.execute(update(AuditGroup).where(AuditGroup.id == change.group_id).values(undo_of=target.id))
        _record_reversal(change, target.id)
        _apply_reversal(change, {INVERSE.get(Action(a), Action(a)) for a in actions})
        change.describe(f"undoing {target.summary}")
        return f"Undid {target.summary}."


def _refuse_if_changed_since(session: Session, target: AuditGroup, undo_group_id: int) -> None:
    """Refuse to undo `target` when someone else's later action changed a row it changed: the reversal
    would overwrite their change."""
    mine, theirs = aliased(AuditEvent), aliased(AuditEvent)
    same_row = or_(
        and_(mine.document_id.is_not(None), theirs.document_id == mine.document_id,
             theirs.tag_id.is_not_distinct_from(mine.tag_id),
             theirs.note_id.is_not_distinct_from(mine.note_id)),
        and_(mine.document_id.is_(None), mine.tag_id.is_not(None), theirs.tag_id == mine.tag_id),
        and_(mine.subject_id.is_not(None), theirs.subject == mine.subject,
             theirs.subject_id == mine.subject_id),
    )
    later = session.execute(
        select(AuditGroup.user, AuditGroup.at, AuditGroup.summary)
        .join(theirs, theirs.group_id == AuditGroup.id)
        .join(mine, and_(mine.group_id == target.id, same_row))
        .where(AuditGroup.id > target.id, AuditGroup.id != undo_group_id, AuditGroup.user != target.user)
        .order_by(AuditGroup.id).limit(1)
    ).first()
    if later is not None:
        raise ConflictError(
            f"Not undone: {later.user} changed the same coding after you ({later.summary}, "
            f"{later.at:%Y-%m-%d %H:%M} UTC). Undoing {target.summary} now would overwrite it; change what "
            "you need by hand instead.", [later])


def _record_reversal(change: Recording, target_id: int) -> None:
    """Copy the target's events into the undo group in one statement, inverted and before ↔ after."""
    inverse = case({old.value: new.value for old, new in INVERSE.items()},
                   value=AuditEvent.action, else_=AuditEvent.action)
    rows = select(
        *change.stamp(), AuditEvent.document_id, inverse, AuditEvent.tag_id, AuditEvent.note_id,
        AuditEvent.after, AuditEvent.before, literal(change.group_id), AuditEvent.subject,
        AuditEvent.subject_id, AuditEvent.detail,
    ).where(AuditEvent.group_id == target_id).order_by(AuditEvent.id)
    change.session.execute(insert(AuditEvent).from_select(
        ["at", "user", "document_id", "action", "tag_id", "note_id", "before", "after", "group_id", "subject",
         "subject_id", "detail"], rows,
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
    # Links go before the rows they point to, and come back after them.
    if Action.UNLINK in actions:
        for table, model in LINK_TABLES.items():
            ids = events(Action.UNLINK, AuditEvent.subject_id).where(AuditEvent.subject == table)
            session.execute(bulk(delete(model).where(model.__table__.c.id.in_(ids))))
    for kind, model in ROW_REMOVED.items():
        if kind in actions:
            ids = events(kind, AuditEvent.subject_id)
            session.execute(bulk(delete(model).where(model.__table__.c.id.in_(ids))))
    for kind, model in ROW_ADDED.items():
        if kind in actions:
            # In the order recorded: a parent's row before its children's.
            restore_rows(session, model, list(session.scalars(events(kind, AuditEvent.detail)
                                                              .order_by(AuditEvent.id))))
    for kind, model in ROW_CHANGED.items():
        if kind in actions:
            restore_row_values(session, model, list(session.scalars(events(kind, AuditEvent.detail))))
    if Action.LINK in actions:
        for table, model in LINK_TABLES.items():
            restore_rows(session, model, list(session.scalars(
                events(Action.LINK, AuditEvent.detail).where(AuditEvent.subject == table)
                .order_by(AuditEvent.id))))
    if Action.EDIT_SEARCH in actions:
        for search_id, query in session.execute(events(Action.EDIT_SEARCH, AuditEvent.subject_id,
                                                       AuditEvent.after)):
            session.execute(update(SavedSearch).where(SavedSearch.id == search_id).values(query=query))
    if Action.SETTING in actions:
        for key, value in session.execute(events(Action.SETTING, AuditEvent.subject, AuditEvent.after)):
            _write_setting(session, key, value)
    # Imported here because casebuild.people_edits builds on this module.
    from reviewer.core.casebuild.people_edits import apply_people_events

    apply_people_events(change, actions)
    if Action.DECIDE in actions:
        write_decisions(change, events(Action.DECIDE, AuditEvent.document_id, AuditEvent.tag_id,
                                       AuditEvent.after))


def write_decisions(change: Recording, decided: Select[*tuple[Any, ...]]) -> None:
    """Make the prioritized-review decisions what the decide events `decided` (document id, tag id, after)
    say they now are: the rows follow from the events, forward and on undo alike."""
    session, rows = change.session, decided.subquery()
    session.execute(bulk(delete(ReviewDecision).where(ReviewDecision.id.in_(
        select(ReviewDecision.id).join(rows, and_(rows.c.document_id == ReviewDecision.document_id,
                                                  rows.c.tag_id == ReviewDecision.tag_id))
    ))))
    session.execute(insert(ReviewDecision).from_select(
        ["document_id", "tag_id", "relevant", "at", "user"],
        select(rows.c.document_id, rows.c.tag_id, rows.c.after == RELEVANT, *change.stamp())
        .where(rows.c.after != "").distinct(),
    ))


def bulk(statement: Delete) -> Delete:
    """A set-based DELETE through the session, without the ORM fetching every row it removes."""
    return statement.execution_options(synchronize_session=False)
