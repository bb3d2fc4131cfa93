"""Who belongs with whom, as stored by the analytics: a document's thread and near-duplicate group, a set of
documents widened to whole threads or groups, the inclusive-only view, a conversation as a tree, and the
figures `reviewer status` shows. Read-only and cheap; other parts of Reviewer (coding scopes, batches,
prioritised review) build on `thread_members` and `expand_to_threads`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from reviewer.core.case import Case
from reviewer.core.models import Document, EmailThread, NearDuplicate

_CHUNK = 900
_DATE = func.coalesce(Document.sent, Document.modified, Document.created)


def _chunks(ids: Iterable[int]) -> Iterable[list[int]]:
    wanted = list(dict.fromkeys(ids))
    for start in range(0, len(wanted), _CHUNK):
        yield wanted[start : start + _CHUNK]


# --- threads ---------------------------------------------------------------------------------------------


def thread_members(case: Case, doc_id: int) -> list[int]:
    """Every document of `doc_id`'s email thread (messages, duplicates and attachments) in thread order;
    just [doc_id] when it is in no thread."""
    with case.db.reader() as session:
        group = session.scalar(select(EmailThread.thread_group).where(EmailThread.document_id == doc_id))
        if group is None:
            return [doc_id]
        return list(
            session.scalars(
                select(EmailThread.document_id)
                .where(EmailThread.thread_group == group)
                .order_by(EmailThread.thread_sort)
            )
        )


def expand_to_threads(case: Case, doc_ids: Iterable[int]) -> set[int]:
    """The documents given and every document of their threads."""
    return _expand(case, doc_ids, EmailThread.document_id, EmailThread.thread_group)


def near_dup_members(case: Case, doc_id: int) -> list[int]:
    """Every document of `doc_id`'s near-duplicate group, principal first then by similarity; [doc_id] when
    it has none."""
    with case.db.reader() as session:
        group = session.scalar(
            select(NearDuplicate.near_dup_group).where(NearDuplicate.document_id == doc_id)
        )
        if group is None:
            return [doc_id]
        return list(
            session.scalars(
                select(NearDuplicate.document_id)
                .where(NearDuplicate.near_dup_group == group)
                .order_by(NearDuplicate.similarity.desc(), NearDuplicate.document_id)
            )
        )


def expand_to_near_dups(case: Case, doc_ids: Iterable[int]) -> set[int]:
    return _expand(case, doc_ids, NearDuplicate.document_id, NearDuplicate.near_dup_group)


def expand(case: Case, doc_ids: Iterable[int], threads: bool = False, near_dups: bool = False) -> list[int]:
    """`doc_ids` widened to whole threads and/or near-duplicate groups, in document order."""
    chosen = set(doc_ids)
    if threads:
        chosen = expand_to_threads(case, chosen)
    if near_dups:
        chosen = expand_to_near_dups(case, chosen)
    return sorted(chosen)


def _expand(case: Case, doc_ids: Iterable[int], member: Any, group: Any) -> set[int]:
    found = set(doc_ids)
    groups: set[int] = set()
    with case.db.reader() as session:
        for chunk in _chunks(found):
            groups.update(g for g in session.scalars(select(group).where(member.in_(chunk))) if g is not None)
        for chunk in _chunks(groups):
            found.update(session.scalars(select(member).where(group.in_(chunk))))
    return found


def thread_order(case: Case, ordered: list[int]) -> list[int]:
    """Hits widened to whole threads, as `--families` widens to families: each hit's thread in thread
    order where the hit first comes, documents in no thread where they are."""
    with case.db.reader() as session:
        group_of: dict[int, int] = {}
        for chunk in _chunks(ordered):
            group_of.update(
                session.execute(
                    select(EmailThread.document_id, EmailThread.thread_group).where(
                        EmailThread.document_id.in_(chunk)
                    )
                ).all()
            )
        members: dict[int, list[int]] = {}
        for chunk in _chunks(set(group_of.values())):
            for doc_id, group in session.execute(
                select(EmailThread.document_id, EmailThread.thread_group)
                .where(EmailThread.thread_group.in_(chunk))
                .order_by(EmailThread.thread_sort)
            ):
                members.setdefault(group, []).append(doc_id)
    result: list[int] = []
    placed: set[int] = set()
    for doc_id in ordered:
        found = group_of.get(doc_id)
        for member in members[found] if found is not None else [doc_id]:
            if member not in placed:
                placed.add(member)
                result.append(member)
    return result


def hidden_when_inclusive_only(case: Case) -> set[int]:
    """What "inclusive emails only" hides: emails another email of their thread contains, duplicates, and
    their attachments."""
    email = aliased(EmailThread)
    with case.db.reader() as session:
        skipped = set(
            session.scalars(select(EmailThread.document_id).where(EmailThread.inclusive.is_(False)))
        )
        attachments = session.scalars(
            select(Document.id)
            .join(email, email.document_id == Document.family_id)
            .where(email.inclusive.is_(False), Document.id != Document.family_id)
        )
        return skipped | set(attachments)


@dataclass(frozen=True)
class ThreadEntry:
    """One line of a conversation tree: a message, a duplicate, an attachment, or a missing message."""

    document_id: int | None  # None for a message not in the case
    control: str
    indent: int
    kind: str  # message | duplicate | attachment | missing
    action: str
    inclusive: bool | None
    reason: str
    date: datetime | None
    sender: str
    subject: str
    path: str


def conversation(case: Case, doc_id: int) -> list[ThreadEntry]:
    """`doc_id`'s thread as a tree in reading order (empty when it is in no thread). Messages referenced or
    quoted but not in the case are placeholders (kind "missing") where they stand in the tree."""
    with case.db.reader() as session:
        group = session.scalar(select(EmailThread.thread_group).where(EmailThread.document_id == doc_id))
        if group is None:
            return []
        rows = session.execute(
            select(
                EmailThread,
                Document.control,
                _DATE,
                Document.email_from,
                Document.author,
                Document.subject,
                Document.title,
                Document.file_name,
            )
            .join(Document, Document.id == EmailThread.document_id)
            .where(EmailThread.thread_group == group)
            .order_by(EmailThread.thread_sort)
        ).all()
    entries: list[ThreadEntry] = []
    shown: set[str] = set()
    labels = {row[0].thread_path.rsplit(".", 1)[0]: row[0].missing_label for row in rows if row[0].missing}
    for thread, control, date, sender, author, subject, title, file_name in rows:
        kind = (
            "duplicate"
            if thread.duplicate_of is not None
            else "attachment"
            if thread.inclusive is None
            else "message"
        )
        if kind == "message":
            parts = thread.thread_path.split(".")
            for depth in range(1, len(parts)):
                prefix = ".".join(parts[:depth])
                if prefix not in shown:
                    shown.add(prefix)
                    entries.append(
                        ThreadEntry(
                            None,
                            "",
                            depth - 1,
                            "missing",
                            "",
                            None,
                            "",
                            None,
                            "",
                            labels.get(prefix, "a message not in the case"),
                            prefix,
                        )
                    )
            shown.add(thread.thread_path)
        entries.append(
            ThreadEntry(
                thread.document_id,
                control,
                thread.thread_indent + (1 if kind == "duplicate" else 0),
                kind,
                thread.email_action,
                thread.inclusive,
                thread.inclusive_reason,
                date,
                sender or author,
                subject or title or file_name,
                thread.thread_path,
            )
        )
    return entries


# --- near-duplicates -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupMember:
    document_id: int
    control: str
    principal: bool
    similarity: float  # 0–100 to the principal
    title: str


@dataclass(frozen=True)
class GroupInfo:
    group: int
    principal: str  # control number
    members: int
    lowest_similarity: float
    title: str


def near_dup_group(case: Case, doc_id: int) -> list[GroupMember]:
    """`doc_id`'s near-duplicate group, principal first, then by similarity (empty when it has none)."""
    with case.db.reader() as session:
        group = session.scalar(
            select(NearDuplicate.near_dup_group).where(NearDuplicate.document_id == doc_id)
        )
        if group is None:
            return []
        return _members(session, group)


def _members(session: Session, group: int) -> list[GroupMember]:
    rows = session.execute(
        select(
            NearDuplicate.document_id,
            Document.control,
            NearDuplicate.principal_id,
            NearDuplicate.similarity,
            func.coalesce(
                func.nullif(Document.subject, ""), func.nullif(Document.title, ""), Document.file_name
            ),
        )
        .join(Document, Document.id == NearDuplicate.document_id)
        .where(NearDuplicate.near_dup_group == group)
    ).all()
    members = [
        GroupMember(doc_id, control, principal == doc_id, similarity or 0.0, title or "")
        for doc_id, control, principal, similarity, title in rows
    ]
    return sorted(members, key=lambda m: (not m.principal, -m.similarity, m.control))


def near_dup_groups(case: Case) -> list[GroupInfo]:
    """Every near-duplicate group, largest first."""
    principal = aliased(Document)
    with case.db.reader() as session:
        rows = session.execute(
            select(
                NearDuplicate.near_dup_group,
                principal.control,
                func.count(),
                func.min(NearDuplicate.similarity),
                func.coalesce(
                    func.nullif(principal.subject, ""), func.nullif(principal.title, ""), principal.file_name
                ),
            )
            .join(principal, principal.id == NearDuplicate.principal_id)
            .where(NearDuplicate.near_dup_group.is_not(None))
            .group_by(
                NearDuplicate.near_dup_group,
                principal.control,
                principal.subject,
                principal.title,
                principal.file_name,
            )
        ).all()
    groups = [
        GroupInfo(group, control, count, lowest or 0.0, title or "")
        for group, control, count, lowest, title in rows
    ]
    return sorted(groups, key=lambda g: (-g.members, g.group))


# --- what other views show -------------------------------------------------------------------------------


def reduction(case: Case) -> dict[str, Any]:
    """What threading and near-duplicates save a reviewer: the figures `reviewer status` shows."""
    with case.db.reader() as session:
        emails = session.scalar(select(func.count()).where(EmailThread.inclusive.is_not(None))) or 0
        inclusive = session.scalar(select(func.count()).where(EmailThread.inclusive.is_(True))) or 0
        threads = session.scalar(select(func.count(func.distinct(EmailThread.thread_group)))) or 0
        groups = session.scalar(select(func.count(func.distinct(NearDuplicate.near_dup_group)))) or 0
        grouped = session.scalar(select(func.count()).where(NearDuplicate.near_dup_group.is_not(None))) or 0
    return {
        "emails": emails,
        "thread_groups": threads,
        "inclusive_emails": inclusive,
        "skippable_share": round(1 - inclusive / emails, 4) if emails else 0.0,
        "near_dup_groups": groups,
        "near_dup_documents": grouped,
    }


def document_fields(session: Session) -> dict[int, dict[str, Any]]:
    """The analytics' fields of every document that has any, as `reviewer docs` prints them."""
    principal = aliased(Document)
    fields: dict[int, dict[str, Any]] = {}
    for row in session.execute(select(EmailThread)).scalars():
        fields[row.document_id] = {
            "thread_group": row.thread_group,
            "thread_path": row.thread_path,
            "thread_indent": row.thread_indent,
            "email_action": row.email_action,
            "inclusive": row.inclusive,
            "inclusive_reason": row.inclusive_reason,
            "thread_missing": row.missing,
        }
    for doc_id, group, control, similarity in session.execute(
        select(
            NearDuplicate.document_id,
            NearDuplicate.near_dup_group,
            principal.control,
            NearDuplicate.similarity,
        ).join(principal, principal.id == NearDuplicate.principal_id)
    ):
        fields.setdefault(doc_id, {}).update(
            near_dup_group=group, near_dup_principal=control, near_dup_similarity=round(similarity or 0.0, 1)
        )
    return fields


EMPTY_FIELDS: dict[str, Any] = {
    "thread_group": None,
    "thread_path": "",
    "thread_indent": None,
    "email_action": "",
    "inclusive": None,
    "inclusive_reason": "",
    "thread_missing": "",
    "near_dup_group": None,
    "near_dup_principal": None,
    "near_dup_similarity": None,
}


def list_values(
    session: Session, ids: list[int]
) -> dict[int, tuple[int | None, str, bool | None, int | None, float | None]]:
    """(thread group, thread path, inclusive, near-dup group, similarity) of a page of the document list."""
    values: dict[int, tuple[int | None, str, bool | None, int | None, float | None]] = {}
    threads = {
        d: (g, p, i)
        for d, g, p, i in session.execute(
            select(
                EmailThread.document_id,
                EmailThread.thread_group,
                EmailThread.thread_path,
                EmailThread.inclusive,
            ).where(EmailThread.document_id.in_(ids))
        )
    }
    near = {
        d: (g, s)
        for d, g, s in session.execute(
            select(NearDuplicate.document_id, NearDuplicate.near_dup_group, NearDuplicate.similarity).where(
                NearDuplicate.document_id.in_(ids), NearDuplicate.near_dup_group.is_not(None)
            )
        )
    }
    for doc_id in set(threads) | set(near):
        group, path, inclusive = threads.get(doc_id, (None, "", None))
        near_group, score = near.get(doc_id, (None, None))
        values[doc_id] = (group, path, inclusive, near_group, score)
    return values
