"""Email threading: every message's conversation, its place in it, what it did (send, reply, reply-all,
forward, draft) and whether a reviewer must read it (inclusive).

Threads come from headers first, after JWZ (https://www.jwz.org/doc/threading.html): Message-ID,
References and In-Reply-To link messages; a message referenced but not in the case becomes a placeholder,
so two replies to a missing message still share one thread. When two messages share a Message-ID, the first
(by document id) keeps it; the other is the same node if its content is the same (a duplicate), else a
message of its own. Then from the text, for messages with no parent from their headers (MSG exports,
printed emails, forwarded chains): a message whose first quoted message is, word for word, another
message's own text is that message's reply; a quoted message not in the case becomes a placeholder, and the
messages it quotes in turn are its ancestors. A short quote (under MIN_QUOTE_WORDS words) links only when
its quoted author or date agrees with the message it names. Subjects never join messages.

Inclusive: an email is inclusive when no other email of its thread contains all of its text (every message
it holds) and all of its attachments; of two that contain each other the earlier is inclusive, so every
thread has one. Its reason: "message" (its text is found nowhere else), "attachment" (its text is, its
attachments are not) or "both" (its text is unique and it carries an attachment no other email has).

Group ids are kept from run to run: a thread keeps the id most of its messages had, so ids do not move when
unrelated documents arrive; a new thread takes the next free number.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from reviewer.core.analytics.segments import (
    FORWARD,
    REPLY,
    is_forward_subject,
    is_reply_subject,
    normal_subject,
    same_person,
    same_time,
)
from reviewer.core.models import Document, EmailThread, TextFingerprint

MIN_QUOTE_WORDS = 8
_MESSAGE_ID = re.compile(r"<([^<>\s]+)>")
_ADDRESS = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
PATH_WIDTH = 4
SEND, REPLY_ACTION, REPLY_ALL, FORWARD_ACTION, DRAFT = "send", "reply", "reply-all", "forward", "draft"
REFERENCED, QUOTED = "referenced", "quoted"


@dataclass(frozen=True)
class Seg:
    key: str
    words: int
    author: str
    date: datetime | None
    utc: bool
    subject: str
    kind: str


@dataclass
class Message:
    doc_id: int
    control: str
    message_id: str
    references: list[str]
    sent: datetime | None
    sent_utc: bool
    sender: str
    recipients: frozenset[str]
    subject: str
    segments: list[Seg]
    attachments: frozenset[str]
    has_headers: bool

    @property
    def own(self) -> Seg:
        return self.segments[0]

    @property
    def keys(self) -> frozenset[str]:
        return frozenset(s.key for s in self.segments if s.key)

    @property
    def order(self) -> tuple[bool, datetime, int]:
        return self.sent is None, self.sent or datetime.max, self.doc_id


@dataclass(eq=False)
class Node:
    message: Message | None  # None: a placeholder for a message not in the case
    duplicates: list[Message] = field(default_factory=list)
    parent: Node | None = None
    children: list[Node] = field(default_factory=list)
    key: str = ""  # the words key of its own text, when known
    how: str = ""  # placeholder: REFERENCED or QUOTED
    label: str = ""  # placeholder: what is known of the missing message
    quoted: Seg | None = None  # placeholder: the quote it was made from

    def date(self) -> tuple[bool, datetime, int]:
        if self.message is not None:
            return self.message.order
        dates = [m.order for m in self.real_below()]
        return min(dates) if dates else (True, datetime.max, 0)

    def real_below(self) -> Iterable[Message]:
        stack = list(self.children)
        while stack:
            node = stack.pop()
            if node.message is not None:
                yield node.message
            stack.extend(node.children)


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


# --- reading ------------------------------------------------------------------------------------------


def load_messages(session: Session) -> tuple[list[Message], dict[int, list[int]]]:
    """Every message of the case, and each message's family members (its attachments, nested included)."""
    rows = session.execute(
        select(
            Document.id,
            Document.control,
            Document.message_id,
            Document.in_reply_to,
            Document.references,
            Document.sent,
            Document.email_from,
            Document.email_to,
            Document.email_cc,
            Document.email_bcc,
            Document.subject,
            TextFingerprint.segments,
        )
        .join(TextFingerprint, TextFingerprint.document_id == Document.id)
        .where(TextFingerprint.message.is_(True))
        .order_by(Document.id)
    ).all()
    ids = {row[0] for row in rows}
    family: dict[int, list[int]] = defaultdict(list)
    hashes: dict[int, set[str]] = defaultdict(set)
    for doc_id, root, sha256 in session.execute(
        select(Document.id, Document.family_id, Document.sha256).where(
            Document.family_id.is_not(None), Document.family_id != Document.id
        )
    ):
        if root in ids:
            family[root].append(doc_id)
            hashes[root].add(sha256)
    messages = []
    for (
        doc_id,
        control,
        message_id,
        in_reply_to,
        references,
        sent,
        sender,
        to,
        cc,
        bcc,
        subject,
        stored,
    ) in rows:
        data = json.loads(stored)
        segments = [
            Seg(s[0], s[1], s[2], datetime.fromisoformat(s[3]) if s[3] else None, s[4], s[5], s[6])
            for s in data["s"]
        ]
        header = data.get("h")
        has_headers = header is None
        if not has_headers:
            sender, to, subject = header["from"], header["to"], header["subject"]
            sent, sent_utc = segments[0].date, segments[0].utc
        else:
            sent_utc = True
        refs = _ids(references)
        refs += [r for r in _ids(in_reply_to)[:1] if r not in refs]
        own_id = _ids(message_id)
        messages.append(
            Message(
                doc_id,
                control,
                own_id[0] if own_id else "",
                refs,
                sent,
                sent_utc,
                sender,
                _people(to, cc, bcc),
                subject,
                segments,
                frozenset(hashes.get(doc_id, ())),
                has_headers,
            )
        )
    return messages, family


def _ids(value: str) -> list[str]:
    """Message-IDs in a header, in order, without their angle brackets."""
    found = _MESSAGE_ID.findall(value)
    if not found and value.strip() and " " not in value.strip():
        found = [value.strip()]
    return list(dict.fromkeys(found))


def _people(*fields: str) -> frozenset[str]:
    """Who a message went to (or came from): lowercased addresses, or names where there is no address."""
    people = set()
    for field_value in fields:
        for part in field_value.replace(",", ";").split(";"):
            address = _ADDRESS.search(part)
            name = part.strip().strip('"').lower()
            if address or name:
                people.add(address.group(0).lower() if address else name)
    return frozenset(people)


# --- building the trees -------------------------------------------------------------------------------


class _Builder:
    def __init__(self, messages: list[Message]) -> None:
        self.nodes: list[Node] = []
        self.by_id: dict[str, Node] = {}
        self.by_content: dict[tuple[frozenset[str], frozenset[str]], list[Node]] = defaultdict(list)
        self.by_key: dict[str, list[Node]] = defaultdict(list)
        self.placeholders_by_key: dict[str, Node] = {}
        self.messages = messages

    def build(self) -> list[Node]:
        for message in self.messages:
            self._add(message)
        for node in list(self.nodes):
            if node.message is not None and node.message.references:
                self._link_references(node)
        self._key_header_placeholders()
        self._fill_placeholders()
        for node in list(self.nodes):
            if node.parent is None and node.message is not None:
                self._link_by_text(node)
        return [node for node in self.nodes if node.parent is None and (node.message or node.children)]

    # -- nodes and duplicates
    def _add(self, message: Message) -> None:
        content = (message.keys, message.attachments)
        if message.message_id and message.message_id in self.by_id:
            existing = self.by_id[message.message_id]
            if existing.message is not None and self._same_content(existing.message, message):
                existing.duplicates.append(message)
                return
            if existing.message is None:  # a placeholder made for it by an earlier message's references
                existing.message, existing.key = message, message.own.key
                self._index(existing, content)
                return
            message.message_id = ""  # the first keeps the id
        elif message.keys:
            for candidate in self.by_content.get(content, ()):
                original = candidate.message
                if original is not None and self._same_content(original, message):
                    candidate.duplicates.append(message)
                    return
        node = Node(message, key=message.own.key)
        self.nodes.append(node)
        if message.message_id:
            self.by_id[message.message_id] = node
        self._index(node, content)

    def _index(self, node: Node, content: tuple[frozenset[str], frozenset[str]]) -> None:
        assert node.message is not None
        if content[0]:
            self.by_content[content].append(node)
        if node.key:
            self.by_key[node.key].append(node)

    @staticmethod
    def _same_content(first: Message, second: Message) -> bool:
        if first.keys != second.keys or first.attachments != second.attachments:
            return False
        if first.sent is None or second.sent is None:
            return first.sent is None and second.sent is None or same_person(first.sender, second.sender)
        if first.has_headers and second.has_headers:
            return abs((first.sent - second.sent).total_seconds()) <= 120
        local = second if not second.has_headers else first
        other = first if local is second else second
        return same_time(local.sent, local.sent_utc, other.sent)

    # -- headers (JWZ)
    def _container(self, message_id: str) -> Node:
        node = self.by_id.get(message_id)
        if node is None:
            node = Node(None, how=REFERENCED, label=f"Message-ID <{message_id}>")
            self.by_id[message_id] = node
            self.nodes.append(node)
        return node

    def _link_references(self, node: Node) -> None:
        assert node.message is not None
        chain = [self._container(ref) for ref in node.message.references if ref != node.message.message_id]
        for parent, child in zip(chain, chain[1:], strict=False):
            if child.parent is None and parent is not child and not self._is_below(parent, child):
                self._attach(child, parent)
        if chain and chain[-1] is not node and not self._is_below(chain[-1], node):
            self._attach(node, chain[-1])

    @staticmethod
    def _is_below(candidate: Node, root: Node) -> bool:
        """Whether `candidate` is `root` or one of its descendants (linking would make a loop)."""
        walk: Node | None = candidate
        while walk is not None:
            if walk is root:
                return True
            walk = walk.parent
        return False

    @staticmethod
    def _attach(child: Node, parent: Node) -> None:
        if child.parent is not None:
            child.parent.children.remove(child)
        child.parent = parent
        parent.children.append(child)

    # -- text
    def _key_header_placeholders(self) -> None:
        """A placeholder from headers learns the missing message's words from a child that quotes it."""
        for node in self.nodes:
            if node.message is not None or node.key:
                continue
            for child in node.children:
                if child.message is not None and len(child.message.segments) > 1:
                    quote = child.message.segments[1]
                    if quote.key:
                        node.key, node.quoted = quote.key, quote
                        node.label = f"{_describe(quote)} ({node.label})"
                        self.placeholders_by_key.setdefault(quote.key, node)
                        break

    def _fill_placeholders(self) -> None:
        """A message without a Message-ID (a printed email) whose text is a referenced missing message's
        takes that placeholder's place."""
        for key, placeholder in list(self.placeholders_by_key.items()):
            for candidate in self.by_key.get(key, ()):
                message = candidate.message
                if (
                    message is not None
                    and not message.message_id
                    and candidate.parent is None
                    and placeholder.quoted is not None
                    and self._agrees(placeholder.quoted, candidate)
                    and not self._is_below(placeholder, candidate)
                ):
                    for child in list(placeholder.children):
                        self._attach(child, candidate)
                    if placeholder.parent is not None:
                        self._attach(candidate, placeholder.parent)
                        placeholder.parent.children.remove(placeholder)
                    self.nodes.remove(placeholder)
                    del self.placeholders_by_key[key]
                    break

    def _link_by_text(self, node: Node) -> None:
        assert node.message is not None
        child = node
        for quote in node.message.segments[1:]:
            if not quote.key:
                continue
            parent = self._quoted_message(quote, child)
            if parent is None:
                parent = Node(None, key=quote.key, how=QUOTED, label=_describe(quote), quoted=quote)
                self.nodes.append(parent)
                self.placeholders_by_key[quote.key] = parent
                self._attach(child, parent)
                child = parent
                continue
            self._attach(child, parent)
            if parent.message is not None or parent.parent is not None:
                return  # a message in the case (its own quotes place it) or a placeholder already placed
            child = parent

    def _quoted_message(self, quote: Seg, child: Node) -> Node | None:
        candidates = [
            c
            for c in self.by_key.get(quote.key, ())
            if not self._is_below(c, child) and (quote.words >= MIN_QUOTE_WORDS or self._agrees(quote, c))
        ]
        if candidates:
            return max(
                candidates, key=lambda c: (self._agrees(quote, c), _subject_agrees(quote, c), -c.date()[2])
            )
        placeholder = self.placeholders_by_key.get(quote.key)
        if placeholder is not None and not self._is_below(placeholder, child):
            return placeholder
        return None

    @staticmethod
    def _agrees(quote: Seg, node: Node) -> bool:
        message = node.message
        if message is None:
            return node.quoted is not None and (
                same_person(quote.author, node.quoted.author)
                or quote.date is not None
                and quote.date == node.quoted.date
            )
        if quote.author and same_person(quote.author, message.sender):
            return True
        if not quote.date or not message.sent:
            return False
        if message.has_headers:
            return same_time(quote.date, quote.utc, message.sent)
        return abs((quote.date - message.sent).total_seconds()) <= 120


def _subject_agrees(quote: Seg, node: Node) -> bool:
    return (
        node.message is not None
        and bool(quote.subject)
        and normal_subject(quote.subject) == normal_subject(node.message.subject)
    )


def _describe(quote: Seg) -> str:
    parts = [quote.author or "unknown sender"]
    if quote.date:
        parts.append(quote.date.strftime("%Y-%m-%d %H:%M"))
    if quote.subject:
        parts.append(f'"{quote.subject}"')
    return " · ".join(parts)


# --- what each message is ------------------------------------------------------------------------------


def _action(node: Node) -> str:
    message = node.message
    assert message is not None
    if message.has_headers and (message.sent is None or not message.recipients):
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
    others = message.recipients - _people(message.sender)
    parent = node.parent.message if node.parent is not None else None
    if parent is None:
        return REPLY_ALL if len(others) >= 2 else REPLY_ACTION
    audience = parent.recipients - _people(message.sender)
    return REPLY_ALL if len(others) >= 2 and others & audience else REPLY_ACTION


def _contains(outer: Message, inner: Message) -> bool:
    """Whether `outer` holds all of `inner`'s text and attachments. A short own text counts as held only
    where the quote that holds it names inner's sender or time."""
    if not inner.keys <= outer.keys or not inner.attachments <= outer.attachments:
        return False
    own = inner.own
    if not own.key or own.words >= MIN_QUOTE_WORDS or outer.own.key == own.key:
        return True
    for quote in outer.segments[1:]:
        if quote.key == own.key and (
            same_person(quote.author, inner.sender) or same_time(quote.date, quote.utc, inner.sent)
        ):
            return True
    return False


def _inclusive(thread: list[Message]) -> dict[int, tuple[bool, str]]:
    by_key: dict[str, list[Message]] = defaultdict(list)
    for message in thread:
        for key in message.keys:
            by_key[key].append(message)
    attachments_elsewhere: Counter[str] = Counter()
    for message in thread:
        attachments_elsewhere.update(message.attachments)
    result = {}
    for message in thread:
        if message.keys:
            rarest = min(message.keys, key=lambda key: len(by_key[key]))
            others = [m for m in by_key[rarest] if m is not message]
        else:
            others = [m for m in thread if m is not message]
        holders = [m for m in others if _contains(m, message)]
        covered = any(not _contains(message, m) or m.order < message.order for m in holders)
        text_found = any(message.keys <= m.keys for m in others) or (not message.keys and len(thread) > 1)
        if covered:
            result[message.doc_id] = (False, "")
        elif not text_found:
            unique = any(attachments_elsewhere[a] == 1 for a in message.attachments)
            result[message.doc_id] = (True, "both" if unique else "message")
        else:
            result[message.doc_id] = (True, "attachment")
    return result


# --- laying out -------------------------------------------------------------------------------------------


def thread_rows(
    messages: list[Message], family: dict[int, list[int]], old_groups: dict[int, int]
) -> list[ThreadRow]:
    """Every message's and attachment's row, with group ids kept from `old_groups` where they can be."""
    roots = _Builder(messages).build()
    groups = _group_ids(roots, old_groups)
    rows: list[ThreadRow] = []
    for root, group in zip(roots, groups, strict=True):
        width = max(PATH_WIDTH, len(str(max((len(n.children) for n in _walk(root)), default=1))))
        thread = [m for n in _walk(root) if n.message is not None for m in (n.message,)]
        inclusive = _inclusive(thread)
        _lay_out(root, group, f"{1:0{width}d}", 0, width, inclusive, family, rows)
    return rows


def _walk(root: Node) -> Iterable[Node]:
    stack = [root]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(node.children)


def _group_ids(roots: list[Node], old_groups: dict[int, int]) -> list[int]:
    members = [
        [m.doc_id for n in _walk(root) if n.message is not None for m in (n.message, *n.duplicates)]
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
    inclusive: dict[int, tuple[bool, str]],
    family: dict[int, list[int]],
    rows: list[ThreadRow],
) -> None:
    sort = f"{group:09d}.{path}"
    message = node.message
    if message is not None:
        missing = label = ""
        if node.parent is not None and node.parent.message is None:
            missing, label = node.parent.how, node.parent.label
        included, reason = inclusive[message.doc_id]
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
        _lay_out(child, group, f"{path}.{number:0{width}d}", indent + 1, width, inclusive, family, rows)


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
    inclusive = session.scalar(select(func.count()).where(EmailThread.inclusive.is_(True))) or 0
    return ThreadSummary(emails, threads, inclusive)
