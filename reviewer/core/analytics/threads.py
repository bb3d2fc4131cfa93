"""Email threading: every message's conversation, its place in it, what it did (send, reply, reply-all,
forward, draft) and whether a reviewer must read it (inclusive).

The steps, one module each: analytics.messages reads the case's messages; analytics.tree makes a node of
each (duplicates join the node they repeat) and links them by their headers (JWZ); analytics.text_links links
those their headers left without a parent by the messages they quote; analytics.inclusive says which emails
hold text or attachments no other email of their thread holds. This module lays the trees out as rows
(group, path, indent, action) and writes them.

Group ids are kept from run to run: a thread keeps the id most of its messages had, so ids do not move when
unrelated documents arrive; a new thread takes the next free number.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from reviewer.core.analytics.inclusive import inclusive
from reviewer.core.analytics.messages import Message, load_messages, people
from reviewer.core.analytics.segments import FORWARD, REPLY, is_forward_subject, is_reply_subject
from reviewer.core.analytics.text_links import link_by_text
from reviewer.core.analytics.tree import Forest, Node, walk
from reviewer.core.models import EmailThread

PATH_WIDTH = 4
SEND, REPLY_ACTION, REPLY_ALL, FORWARD_ACTION, DRAFT = "send", "reply", "reply-all", "forward", "draft"


@dataclass(frozen=True)
class ThreadRow:
    document_id: int
    thread_group: int
    thread_path: str
    thread_sort: str
    thread_indent: int
    email_action: str
    inclusive: bool | None
    inclusive_reason: str
    missing: str
    missing_label: str
    duplicate_of: int | None


def build_trees(messages: list[Message]) -> list[Node]:
    """The case's threads: one tree per conversation (its root may be a placeholder)."""
    forest = Forest(messages)
    forest.link_by_headers()
    link_by_text(forest)
    return forest.roots()


# --- what each message is ------------------------------------------------------------------------------


def _action(node: Node) -> str:
    message = node.message
    assert message is not None
    # Marked unsent by its mail program, or never dated (a received message may have no recipients: it
    # went to a list or to Bcc).
    if message.unsent or message.has_headers and message.sent is None:
        return DRAFT
    first_quote = next((s.kind for s in message.segments[1:] if s.kind), "")
    if is_forward_subject(message.subject) or (
        first_quote == FORWARD and not is_reply_subject(message.subject)
    ):
        return FORWARD_ACTION
    replied = (
        is_reply_subject(message.subject)
        or message.references
        or first_quote == REPLY
        or node.parent is not None
    )
    if not replied:
        return SEND
    others = message.recipients - people(message.sender)
    parent = node.parent.message if node.parent is not None else None
    if parent is None:
        return REPLY_ALL if len(others) >= 2 else REPLY_ACTION
    audience = parent.recipients - people(message.sender)
    return REPLY_ALL if len(others) >= 2 and others & audience else REPLY_ACTION


# --- laying out -------------------------------------------------------------------------------------------


def thread_rows(
    messages: list[Message], family: dict[int, list[int]], old_groups: dict[int, int]
) -> list[ThreadRow]:
    """Every message's and attachment's row, with group ids kept from `old_groups` where they can be."""
    roots = build_trees(messages)
    groups = _group_ids(roots, old_groups)
    rows: list[ThreadRow] = []
    for root, group in zip(roots, groups, strict=True):
        width = max(PATH_WIDTH, len(str(max((len(n.children) for n in walk(root)), default=1))))
        thread = [m for n in walk(root) if n.message is not None for m in (n.message,)]
        _lay_out(root, group, f"{1:0{width}d}", 0, width, inclusive(thread), family, rows)
    return rows


def _group_ids(roots: list[Node], old_groups: dict[int, int]) -> list[int]:
    members = [
        [m.doc_id for n in walk(root) if n.message is not None for m in (n.message, *n.duplicates)]
        for root in roots
    ]
    order = sorted(range(len(roots)), key=lambda i: -len(members[i]))
    taken: set[int] = set()
    assigned = [0] * len(roots)
    next_id = max(old_groups.values(), default=0) + 1
    for i in order:
        votes = Counter(old_groups[d] for d in members[i] if d in old_groups)
        choice = next(
            (
                group
                for group, _ in sorted(votes.items(), key=lambda kv: (-kv[1], kv[0]))
                if group not in taken
            ),
            None,
        )
        if choice is None:
            choice, next_id = next_id, next_id + 1
        taken.add(choice)
        assigned[i] = choice
    return assigned


def _lay_out(
    node: Node,
    group: int,
    path: str,
    indent: int,
    width: int,
    included_by_id: dict[int, tuple[bool, str]],
    family: dict[int, list[int]],
    rows: list[ThreadRow],
) -> None:
    sort = f"{group:09d}.{path}"
    message = node.message
    if message is not None:
        missing = label = ""
        if node.parent is not None and node.parent.message is None:
            missing, label = node.parent.how, node.parent.label
        included, reason = included_by_id[message.doc_id]
        action = _action(node)
        rows.append(
            ThreadRow(
                message.doc_id, group, path, sort, indent, action, included, reason, missing, label, None
            )
        )
        for duplicate in node.duplicates:
            rows.append(
                ThreadRow(
                    duplicate.doc_id,
                    group,
                    path,
                    f"{sort}.{0:0{width}d}.d{duplicate.doc_id:010d}",
                    indent,
                    action,
                    False,
                    "",
                    missing,
                    label,
                    message.doc_id,
                )
            )
        for member in (message, *node.duplicates):
            for attachment in sorted(family.get(member.doc_id, ())):
                rows.append(
                    ThreadRow(
                        attachment,
                        group,
                        path,
                        f"{sort}.{0:0{width}d}.a{attachment:010d}",
                        indent + 1,
                        "",
                        None,
                        "",
                        "",
                        "",
                        None,
                    )
                )
    for number, child in enumerate(sorted(node.children, key=Node.date), start=1):
        _lay_out(child, group, f"{path}.{number:0{width}d}", indent + 1, width, included_by_id, family, rows)


# --- the case ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ThreadSummary:
    emails: int
    threads: int
    inclusive: int


@dataclass(frozen=True)
class ThreadPlan:
    rows: dict[int, ThreadRow]
    old: dict[int, tuple[Any, ...]]


def plan(session: Session) -> ThreadPlan:
    """Thread every message of the case (read only)."""
    messages, family = load_messages(session)
    old = {
        row[0]: tuple(row[1:])
        for row in session.execute(
            select(
                EmailThread.document_id,
                EmailThread.thread_group,
                EmailThread.thread_path,
                EmailThread.thread_sort,
                EmailThread.thread_indent,
                EmailThread.email_action,
                EmailThread.inclusive,
                EmailThread.inclusive_reason,
                EmailThread.missing,
                EmailThread.missing_label,
                EmailThread.duplicate_of,
            )
        )
    }
    old_groups = {doc_id: values[0] for doc_id, values in old.items() if values[5] is not None}
    rows = thread_rows(messages, family, old_groups)
    return ThreadPlan({row.document_id: row for row in rows}, old)


def store(session: Session, found: ThreadPlan) -> None:
    """Write what changed (in a write transaction)."""
    new, old = found.rows, found.old
    gone = [doc_id for doc_id in old if doc_id not in new]
    if gone:
        session.execute(delete(EmailThread).where(EmailThread.document_id.in_(gone)))
    fresh = [_values(row) for doc_id, row in new.items() if doc_id not in old]
    if fresh:
        session.execute(insert(EmailThread), fresh)
    changed = [_values(row) for doc_id, row in new.items() if doc_id in old and old[doc_id] != _tuple(row)]
    if changed:
        session.execute(update(EmailThread), changed)


def _values(row: ThreadRow) -> dict[str, Any]:
    return {name: getattr(row, name) for name in ThreadRow.__dataclass_fields__}


def _tuple(row: ThreadRow) -> tuple[Any, ...]:
    return (
        row.thread_group,
        row.thread_path,
        row.thread_sort,
        row.thread_indent,
        row.email_action,
        row.inclusive,
        row.inclusive_reason,
        row.missing,
        row.missing_label,
        row.duplicate_of,
    )


def summary(session: Session) -> ThreadSummary:
    emails = session.scalar(select(func.count()).where(EmailThread.inclusive.is_not(None))) or 0
    threads = session.scalar(select(func.count(func.distinct(EmailThread.thread_group)))) or 0
    read = session.scalar(select(func.count()).where(EmailThread.inclusive.is_(True))) or 0
    return ThreadSummary(emails, threads, read)
