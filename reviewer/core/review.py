"""Coding documents: tags with groups, colours and hotkeys; tagging selections and whole families; notes;
privilege; what a document is coded as; and the document list with its coding, for export.

Every write is one action group in the audit trail (reviewer.core.audit): recorded with who, when and
before → after for each document, and undoable as one step however many documents it touched.

Writes never take the case's writer lock. Ingest holds that lock for its whole run and reviewers must be
able to code while documents are still arriving; each coding write is one short transaction, which the
case's write lock (db.py) interleaves with ingest's own short commits.

Batches are set-based: the selection travels as one JSON parameter (sql.given_ids), the changed documents are
written as audit events with INSERT … SELECT, and the coding rows follow from those events, so tagging
10,000 documents is a handful of statements.

Functions take ids and names and return plain dataclasses, never ORM objects: the UI calls them from
worker threads.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, delete, exists, func, insert, literal, or_, select
from sqlalchemy.orm import Session

from reviewer.core import inventory
from reviewer.core.analytics.decisions import record_tagging
from reviewer.core.audit import (
    TAG_FIELDS,
    Action,
    Recording,
    bulk,
    n_documents,
    privilege_text,
    privilege_text_sql,
    recording,
)
from reviewer.core.case import Case, now
from reviewer.core.choices import PRIVILEGE_BASES
from reviewer.core.conflicts import refuse_conflicts, version
from reviewer.core.errors import ReviewerError
from reviewer.core.models import Document, DocumentTag, Note, PrivilegeEntry, Setting, Tag
from reviewer.core.sql import given_ids, given_texts
from reviewer.core.team.access import require_role

# Recording a privilege basis also applies this tag: a basis is a decision that the document is privileged.
PRIVILEGED_TAG = "Privileged"
# (name, group, colour, hotkey) in display order: the coding set our users asked for.
DEFAULT_TAGS = (
    ("Bias-related", "Issues", "#9467bd", "1"),
    (PRIVILEGED_TAG, "Privilege", "#d62728", "2"),
    ("Relevant to motion to dismiss", "Issues", "#1f77b4", "3"),
    ("Responsive", "Responsiveness", "#2ca02c", "4"),
    ("Not responsive", "Responsiveness", "#7f7f7f", "5"),
    ("Hot", "Review", "#ff7f0e", "6"),
    ("Needs redaction", "Review", "#8c564b", "7"),
)
# New tags created without a colour take the first of these no other tag uses.
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
           "#bcbd22", "#17becf")
SEEDED_SETTING = "default_tags_seeded"


@dataclass(frozen=True)
class TagInfo:
    id: int
    name: str
    group: str
    color: str
    hotkey: str
    position: int
    count: int  # documents carrying the tag


@dataclass(frozen=True)
class NoteInfo:
    id: int
    document_id: int
    text: str
    user: str
    added: datetime


@dataclass(frozen=True)
class DocumentCoding:
    document_id: int
    control: str
    tags: list[str]  # in the tags' display order
    privilege_basis: str  # "" when none is recorded
    privilege_description: str
    notes: list[NoteInfo]
    version: int = 0  # the coding version this was read at: pass it back as `seen` (core.conflicts)


@dataclass(frozen=True)
class CodedAs:
    """A document's coding as a decision: its tags in display order, and its privilege entry written as
    the audit trail writes it ("Attorney-Client: advice on the plea"; "" for none)."""

    tags: tuple[str, ...]
    privilege: str


# --- the tag set ---------------------------------------------------------------------------------------

def ensure_default_tags(case: Case) -> None:
    """Give a case the default coding set once: when it is created, or on the first open of a case made
    before tags existed. A case whose reviewers deleted every tag does not get them back."""
    if case.setting(SEEDED_SETTING):
        return
    with case.db.session() as session:
        # Writes run one at a time, so a second window opening the case at the same moment finds the
        # marker this one leaves and does nothing.
        if session.get(Setting, SEEDED_SETTING) is not None:
            return
        session.add(Setting(key=SEEDED_SETTING, value=now().isoformat(timespec="seconds")))
        if session.scalar(select(func.count()).select_from(Tag)):
            return
        session.add_all(
            Tag(name=name, group=group, color=color, hotkey=hotkey, position=position)
            for position, (name, group, color, hotkey) in enumerate(DEFAULT_TAGS, start=1)
        )


def list_tags(case: Case) -> list[TagInfo]:
    """Every tag in display order, with how many documents carry it."""
    with case.db.reader() as session:
        rows = session.execute(
            select(Tag.id, Tag.name, Tag.group, Tag.color, Tag.hotkey, Tag.position,
                   func.count(DocumentTag.id))
            .outerjoin(DocumentTag, DocumentTag.tag_id == Tag.id)
            .group_by(Tag.id)
            .order_by(Tag.position, Tag.id)
        ).all()
        return [TagInfo(*row) for row in rows]


def create_tag(case: Case, name: str, group: str = "", color: str | None = None, hotkey: str = "") -> TagInfo:
    """A new tag at the end of the list; without a colour it takes the first palette colour not in use."""
    require_role(case, "admin", "create tags")
    name, group, hotkey = _clean_name(name), _clean_group(group), _clean_hotkey(hotkey)
    with recording(case) as change:
        session = change.session
        tags = session.scalars(select(Tag)).all()
        _check_name_free(tags, name)
        _check_hotkey_free(tags, hotkey)
        if color is None:
            used = {t.color for t in tags}
            color = next((c for c in PALETTE if c not in used), PALETTE[len(tags) % len(PALETTE)])
        tag = Tag(name=name, group=group, hotkey=hotkey, color=clean_color(color),
                  position=max((t.position for t in tags), default=0) + 1)
        session.add(tag)
        session.flush()
        change.event(Action.CREATE_TAG, tag_id=tag.id, after=name)
        change.describe(f'creating the tag "{name}"')
        return TagInfo(tag.id, tag.name, tag.group, tag.color, tag.hotkey, tag.position, 0)


def rename_tag(case: Case, name: str, new_name: str) -> None:
    _edit_tag(case, name, Action.RENAME_TAG, _clean_name(new_name))


def recolor_tag(case: Case, name: str, color: str) -> None:
    _edit_tag(case, name, Action.RECOLOR_TAG, clean_color(color))


def set_tag_group(case: Case, name: str, group: str) -> None:
    _edit_tag(case, name, Action.REGROUP_TAG, _clean_group(group))


def set_tag_hotkey(case: Case, name: str, hotkey: str) -> None:
    """Give a tag a one-character hotkey ("" removes it); a key another tag uses is refused."""
    _edit_tag(case, name, Action.REKEY_TAG, _clean_hotkey(hotkey))


def _edit_tag(case: Case, name: str, action: Action, value: str) -> None:
    require_role(case, "admin", "change tags")
    field = TAG_FIELDS[action]
    with recording(case) as change:
        tags = change.session.scalars(select(Tag)).all()
        tag = find_tag(tags, name)
        before = getattr(tag, field)
        if before == value:
            return
        others = [t for t in tags if t.id != tag.id]
        if action is Action.RENAME_TAG:
            _check_name_free(others, value)
        elif action is Action.REKEY_TAG:
            _check_hotkey_free(others, value)
        setattr(tag, field, value)
        change.event(action, tag_id=tag.id, before=before, after=value)
        change.describe({
            Action.RENAME_TAG: f'renaming the tag "{before}" to "{value}"',
            Action.RECOLOR_TAG: f'changing the colour of "{tag.name}" from {before} to {value}',
            Action.REGROUP_TAG: f'moving "{tag.name}" to the group "{value}"',
            Action.REKEY_TAG: f'setting the hotkey of "{tag.name}" to "{value}"',
        }[action])


def delete_tag(case: Case, name: str) -> int:
    """Delete a tag and take it off every document; the number of documents that carried it.
    Undo brings it back with its colour, group, hotkey, place and documents."""
    require_role(case, "admin", "delete tags")
    with recording(case) as change:
        session = change.session
        tag = find_tag(session.scalars(select(Tag)).all(), name)
        tag_id, name = tag.id, tag.name
        # An untag event per document, so each document's history shows what it lost.
        count = change.document_events(
            select(DocumentTag.document_id, literal(name), literal("")).where(DocumentTag.tag_id == tag_id),
            Action.UNTAG, tag_id=tag_id,
        )
        for action, field in TAG_FIELDS.items():
            if action is not Action.RENAME_TAG:
                change.event(action, tag_id=tag_id, before=str(getattr(tag, field)))
        change.event(Action.DELETE_TAG, tag_id=tag_id, before=name)
        session.delete(tag)  # its document_tag rows go with it: ON DELETE CASCADE
        change.describe(f'deleting the tag "{name}" from {n_documents(count)}')
        return count


def _tag_named(tags: Iterable[Tag], name: str) -> Tag | None:
    # Case-insensitive, like every lookup by name: "hot" and "Hot" are one tag to a reviewer.
    wanted = name.strip().casefold()
    return next((tag for tag in tags if tag.name.casefold() == wanted), None)


def find_tag(tags: Iterable[Tag], name: str) -> Tag:
    tag = _tag_named(tags, name)
    if tag is None:
        raise ReviewerError(f'There is no tag named "{name.strip()}" in this case.')
    return tag


def _clean_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise ReviewerError("A tag needs a name.")
    if len(name) > 128:
        raise ReviewerError("A tag name can be at most 128 characters long.")
    return name


def _clean_group(group: str) -> str:
    group = group.strip()
    if len(group) > 128:
        raise ReviewerError("A tag group's name can be at most 128 characters long.")
    return group


def clean_color(color: str) -> str:
    """A colour as #rrggbb, or a ReviewerError saying how to write one."""
    if not re.fullmatch(r"#[0-9a-fA-F]{6}", color.strip()):
        raise ReviewerError(f'"{color}" is not a colour; give one as #RRGGBB, for example #d62728.')
    return color.strip().lower()


def _clean_hotkey(hotkey: str) -> str:
    key = hotkey.strip().upper()
    if key and not (len(key) == 1 and key.isascii() and key.isalnum()):
        raise ReviewerError(f'"{hotkey}" cannot be a hotkey; use a single digit or letter.')
    return key


def _check_name_free(tags: Iterable[Tag], name: str) -> None:
    if _tag_named(tags, name) is not None:
        raise ReviewerError(f'There is already a tag named "{name}".')


def _check_hotkey_free(tags: Iterable[Tag], hotkey: str) -> None:
    holder = next((t for t in tags if hotkey and t.hotkey == hotkey), None)
    if holder is not None:
        raise ReviewerError(f'Hotkey {hotkey} is already used by "{holder.name}".')


# --- coding documents ----------------------------------------------------------------------------------

def tag_documents(case: Case, doc_ids: Iterable[int], tag_name: str, add: bool = True,
                  families: bool = False, seen: int | None = None) -> int:
    """Apply (or remove) a tag on documents, or on their whole families; how many documents changed.
    Documents that already were as asked are left alone, so undo leaves them as they were too. With
    `seen` (the coding version the reviewer looked at), a document whose tag another reviewer changed
    since is a ConflictError and nothing is written (reviewer.core.conflicts)."""
    with recording(case, seen=seen) as change:
        tag = find_tag(change.session.scalars(select(Tag)).all(), tag_name)
        count = apply_tag(change, tag, _selection(doc_ids, families), add)
        if count:
            change.describe(_tagging_summary(change, tag.name, add, count))
        return count


def toggle_tag(case: Case, doc_ids: Iterable[int], tag_name: str, families: bool = False,
               seen: int | None = None) -> bool:
    """The hotkey's behaviour: apply the tag to every selected document unless all already carry it, in
    which case take it off all of them. True if the tag is now on all of them. With `seen`, as
    tag_documents: a toggle decided on what another reviewer changed since is refused."""
    with recording(case, seen=seen) as change:
        tag = find_tag(change.session.scalars(select(Tag)).all(), tag_name)
        selection = _selection(doc_ids, families)
        lacking = exists().where(Document.id.in_(selection), ~_has_tag(tag.id))
        add = bool(change.session.scalar(select(lacking)))
        count = apply_tag(change, tag, selection, add)
        if count:
            change.describe(_tagging_summary(change, tag.name, add, count))
        return add


def change_tag(change: Recording, doc_ids: Iterable[int], tag_name: str, add: bool) -> int:
    """tag_documents inside an action already being recorded (a QC overturn is one): how many changed."""
    tag = find_tag(change.session.scalars(select(Tag)).all(), tag_name)
    return apply_tag(change, tag, _selection(doc_ids, False), add)


def add_note(case: Case, doc_id: int, text: str) -> NoteInfo:
    text = text.strip()
    if not text:
        raise ReviewerError("A note needs some text.")
    with recording(case) as change:
        control = _control_of(change.session, doc_id)
        note_id = change.session.execute(
            insert(Note).values(document_id=doc_id, text=text, added=change.at, user=change.user)
            .returning(Note.id)
        ).scalar_one()
        change.event(Action.NOTE, document_id=doc_id, note_id=note_id, after=text)
        change.describe(f"adding a note to {control}")
        return NoteInfo(note_id, doc_id, text, change.user, change.at)


def notes(case: Case, doc_id: int) -> list[NoteInfo]:
    """A document's notes, oldest first."""
    with case.db.reader() as session:
        return _notes(session, [doc_id]).get(doc_id, [])


def set_privilege(case: Case, doc_ids: Iterable[int], basis: str | None, description: str = "",
                  families: bool = False, seen: int | None = None) -> int:
    """Record why documents are privileged, for the privilege log (basis None clears it); how many
    documents changed. A basis also applies the "Privileged" tag, when the case has one. With `seen`,
    a privilege entry (or "Privileged" tag) another reviewer changed since is a ConflictError."""
    with recording(case, seen=seen) as change:
        count, tagged = change_privilege(change, doc_ids, basis, description, families)
        if count:
            subject = change.subject(Action.PRIVILEGE, count)
            change.describe(f"marking {subject} privileged ({privilege_basis(basis)})" if basis
                            else f"clearing the privilege basis of {subject}")
        elif tagged:
            change.describe(_tagging_summary(change, PRIVILEGED_TAG, True, tagged))
        return count


def change_privilege(change: Recording, doc_ids: Iterable[int], basis: str | None, description: str = "",
                     families: bool = False) -> tuple[int, int]:
    """set_privilege inside an action already being recorded (a QC overturn is one): how many documents'
    basis changed, and how many were newly tagged "Privileged"."""
    basis = privilege_basis(basis) if basis is not None else None
    description = description.strip() if basis else ""
    value = privilege_text(basis, description) if basis else ""
    session = change.session
    selection = _selection(doc_ids, families)
    entry = select(privilege_text_sql()).where(PrivilegeEntry.document_id == Document.id)
    current = func.coalesce(entry.scalar_subquery(), "")
    refuse_conflicts(change, select(Document.id).where(Document.id.in_(selection), current != value),
                     (Action.PRIVILEGE.value,))
    count = change.document_events(
        select(Document.id, current, literal(value)).where(Document.id.in_(selection), current != value),
        Action.PRIVILEGE,
    )
    if count:
        session.execute(bulk(delete(PrivilegeEntry).where(
            PrivilegeEntry.document_id.in_(change.changed_documents(Action.PRIVILEGE))
        )))
    if count and basis:
        session.execute(insert(PrivilegeEntry).from_select(
            ["document_id", "basis", "description", "added", "user"],
            change.changed_documents(Action.PRIVILEGE, None, literal(basis), literal(description),
                                     *change.stamp()),
        ))
    privileged = _tag_named(session.scalars(select(Tag)).all(), PRIVILEGED_TAG)
    tagged = apply_tag(change, privileged, selection, add=True) if basis and privileged is not None else 0
    return count, tagged


def privilege_basis(basis: str) -> str:
    """The canonical spelling of a privilege basis, matched without regard to case."""
    for known in PRIVILEGE_BASES:
        if basis.strip().casefold() == known.casefold():
            return known
    raise ReviewerError(f'"{basis}" is not a privilege basis; use one of {", ".join(PRIVILEGE_BASES)}.')


def _selection(doc_ids: Iterable[int], families: bool) -> Select[int]:
    """The documents an action covers: the ids given (one JSON parameter, however many) and, with
    families, every member of their families."""
    chosen = select(Document.id).where(Document.id.in_(given_ids(doc_ids)))
    if not families:
        return chosen
    family_ids = select(Document.family_id).where(Document.id.in_(chosen), Document.family_id.is_not(None))
    return select(Document.id).where(or_(Document.id.in_(chosen), Document.family_id.in_(family_ids)))


def _has_tag(tag_id: int) -> Any:
    return exists().where(DocumentTag.document_id == Document.id, DocumentTag.tag_id == tag_id)


def apply_tag(change: Recording, tag: Tag, selection: Select[Any], add: bool) -> int:
    """Tag or untag the selected documents that need it: their events first, then the coding rows
    follow from the events, so the two always agree. When the tag is a prioritized-review question, each
    document changed is decided for it in the same action (relevant when tagged, not relevant when not)."""
    needs = ~_has_tag(tag.id) if add else _has_tag(tag.id)
    refuse_conflicts(change, select(Document.id).where(Document.id.in_(selection), needs),
                     (Action.TAG.value, Action.UNTAG.value), tag.id)
    before, after = ("", tag.name) if add else (tag.name, "")
    count = change.document_events(
        select(Document.id, literal(before), literal(after)).where(Document.id.in_(selection), needs),
        Action.TAG if add else Action.UNTAG, tag_id=tag.id,
    )
    if not count:
        return 0
    if add:
        change.session.execute(insert(DocumentTag).from_select(
            ["document_id", "tag_id", "added", "user"],
            change.changed_documents(Action.TAG, tag.id, literal(tag.id), *change.stamp()),
        ))
    else:
        change.session.execute(bulk(delete(DocumentTag).where(
            DocumentTag.tag_id == tag.id,
            DocumentTag.document_id.in_(change.changed_documents(Action.UNTAG, tag.id)),
        )))
    record_tagging(change, tag.id, add)
    return count


def _tagging_summary(change: Recording, name: str, add: bool, count: int) -> str:
    subject = change.subject(Action.TAG if add else Action.UNTAG, count)
    return f'tagging {subject} "{name}"' if add else f'removing "{name}" from {subject}'


# --- reading coding ------------------------------------------------------------------------------------

def coding(case: Case, doc_id: int) -> DocumentCoding:
    """How a document is coded: its tags, privilege basis and description, and notes; and the coding
    version, read first, so that a change committed meanwhile counts as unseen (a refusal, never a
    silent overwrite)."""
    with case.db.reader() as session:
        seen = version(session)
        control = _control_of(session, doc_id)
        tags = _tag_names(session, [doc_id]).get(doc_id, [])
        entry = select(PrivilegeEntry.basis, PrivilegeEntry.description).where(
            PrivilegeEntry.document_id == doc_id
        )
        basis, description = session.execute(entry).first() or ("", "")
        return DocumentCoding(document_id=doc_id, control=control, tags=tags, privilege_basis=basis,
                              privilege_description=description,
                              notes=_notes(session, [doc_id]).get(doc_id, []), version=seen)


def coded_as(session: Session, doc_ids: Sequence[int]) -> dict[int, CodedAs]:
    """How each document is coded right now, inside `session` (a write session sees its own changes)."""
    tags = _tag_names(session, list(doc_ids))
    privilege = dict(session.execute(
        select(PrivilegeEntry.document_id, privilege_text_sql())
        .where(PrivilegeEntry.document_id.in_(doc_ids))
    ).all())
    return {doc_id: CodedAs(tuple(tags.get(doc_id, ())), privilege.get(doc_id, "")) for doc_id in doc_ids}


def resolve_controls(case: Case, controls: Iterable[str]) -> list[int]:
    """Document ids for control numbers, in the order given, each once; an unknown number is an error."""
    wanted = list(dict.fromkeys(c.strip().upper() for c in controls if c.strip()))
    with case.db.reader() as session:
        found = dict(session.execute(
            select(Document.control, Document.id).where(Document.control.in_(given_texts(wanted)))
        ).all())
    missing = [c for c in wanted if c not in found]
    if missing:
        more = f" and {len(missing) - 3:,} more" if len(missing) > 3 else ""
        raise ReviewerError(f"No document {', '.join(missing[:3])}{more} in this case.")
    return [found[c] for c in wanted]


def export_rows(case: Case, doc_ids: Sequence[int] | None = None) -> list[dict[str, Any]]:
    """inventory.document_rows (all documents, or those given) with each one's coding added:
    tags, privilege_basis, privilege_description and notes (one per line)."""
    rows = inventory.document_rows(case)
    with case.db.reader() as session:
        ids = dict(session.execute(select(Document.control, Document.id)).all())
        if doc_ids is not None:
            keep = set(doc_ids)
            rows = [row for row in rows if ids[row["control"]] in keep]
        tags = _tag_names(session)
        privilege = {
            doc_id: (basis, description)
            for doc_id, basis, description in session.execute(
                select(PrivilegeEntry.document_id, PrivilegeEntry.basis, PrivilegeEntry.description)
            )
        }
        all_notes = _notes(session)
    for row in rows:
        doc_id = ids[row["control"]]
        basis, description = privilege.get(doc_id, ("", ""))
        row.update(tags=tags.get(doc_id, []), privilege_basis=basis, privilege_description=description,
                   notes="\n".join(note.text for note in all_notes.get(doc_id, [])))
    return rows


def _control_of(session: Session, doc_id: int) -> str:
    control = session.scalar(select(Document.control).where(Document.id == doc_id))
    if control is None:
        raise ReviewerError(f"There is no document with id {doc_id} in this case.")
    return control


def _tag_names(session: Session, doc_ids: list[int] | None = None) -> dict[int, list[str]]:
    query = select(DocumentTag.document_id, Tag.name).join(Tag).order_by(Tag.position, Tag.id)
    if doc_ids is not None:
        query = query.where(DocumentTag.document_id.in_(doc_ids))
    names: dict[int, list[str]] = defaultdict(list)
    for doc_id, name in session.execute(query):
        names[doc_id].append(name)
    return names


def _notes(session: Session, doc_ids: list[int] | None = None) -> dict[int, list[NoteInfo]]:
    query = select(Note).order_by(Note.id)
    if doc_ids is not None:
        query = query.where(Note.document_id.in_(doc_ids))
    found: dict[int, list[NoteInfo]] = defaultdict(list)
    for note in session.scalars(query):
        found[note.document_id].append(NoteInfo(note.id, note.document_id, note.text, note.user, note.added))
    return found
