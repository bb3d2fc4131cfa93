"""The threads as trees, and their first links: from headers, after JWZ (https://www.jwz.org/doc/threading.html).

Every message becomes a node, except a duplicate, which joins the node of the message it repeats: the same
Message-ID and text (one copy may carry a disclaimer a mail gateway appended), or else the same text,
attachments, subject, recipients (one copy may lack the Bcc) and time to the second. When two messages share
a Message-ID but differ, the first (by document id) keeps the id and the other is a message of its own.
References and In-Reply-To then link each message under the one it answers; a message referenced but not in
the case becomes a placeholder, so two replies to a missing message still share one thread.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from reviewer.core.analytics.messages import Message, Seg
from reviewer.core.analytics.segments import same_person, same_time

REFERENCED, QUOTED = "referenced", "quoted"
_SAME_SEND = 5  # seconds


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


def walk(root: Node) -> Iterable[Node]:
    """`root` and every node below it."""
    stack = [root]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(node.children)


def is_below(candidate: Node, root: Node) -> bool:
    """Whether `candidate` is `root` or one of its descendants (linking would make a loop)."""
    step: Node | None = candidate
    while step is not None:
        if step is root:
            return True
        step = step.parent
    return False


def attach(child: Node, parent: Node) -> None:
    if child.parent is not None:
        child.parent.children.remove(child)
    child.parent = parent
    parent.children.append(child)


class Forest:
    """Every node of the case's threads, with the indexes linking needs."""

    def __init__(self, messages: Iterable[Message]) -> None:
        self.nodes: list[Node] = []
        self.by_id: dict[str, Node] = {}
        self.by_content: dict[tuple[frozenset[str], frozenset[str]], list[Node]] = defaultdict(list)
        self.by_key: dict[str, list[Node]] = defaultdict(list)
        # Messages with no text of their own (a bare forward or reply), by the keys of what they quote.
        self.textless: dict[frozenset[str], list[Node]] = defaultdict(list)
        self.placeholders_by_key: dict[str, Node] = {}
        for message in messages:
            self._add(message)

    def roots(self) -> list[Node]:
        return [node for node in self.nodes if node.parent is None and (node.message or node.children)]

    # -- nodes and duplicates
    def _add(self, message: Message) -> None:
        content = (message.keys, message.attachments)
        if message.message_id and message.message_id in self.by_id:
            existing = self.by_id[message.message_id]
            if existing.message is not None and _same_content(existing.message, message, same_id=True):
                existing.duplicates.append(message)
                return
            message.message_id = ""  # the first keeps the id
        elif message.keys:
            for candidate in self.by_content.get(content, ()):
                original = candidate.message
                if original is not None and _same_content(original, message, same_id=False):
                    candidate.duplicates.append(message)
                    return
        node = Node(message, key=message.own.key)
        self.nodes.append(node)
        if message.message_id:
            self.by_id[message.message_id] = node
        if content[0]:
            self.by_content[content].append(node)
        if node.key:
            self.by_key[node.key].append(node)
        elif content[0]:
            self.textless[content[0]].append(node)

    # -- headers (JWZ)
    def link_by_headers(self) -> None:
        for node in list(self.nodes):
            if node.message is not None and node.message.references:
                self._link_references(node)

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
            if child.parent is None and parent is not child and not is_below(parent, child):
                attach(child, parent)
        if chain and chain[-1] is not node and not is_below(chain[-1], node):
            attach(node, chain[-1])


def _same_content(first: Message, second: Message, same_id: bool) -> bool:
    if first.attachments != second.attachments:
        return False
    if same_id:
        if not (first.holds(second.keys) or second.holds(first.keys)):
            return False
    elif first.keys != second.keys or first.has_headers and second.has_headers and not _same_envelope(
        first, second
    ):
        return False
    if first.sent is None or second.sent is None:
        return first.sent is None and second.sent is None or same_person(first.sender, second.sender)
    if first.has_headers and second.has_headers:
        # Copies of one message carry its one Date; the same text sent again a minute later is a message
        # of its own. Copies under one Message-ID (EML beside MSG) may differ by the clock they read.
        return abs((first.sent - second.sent).total_seconds()) <= (120 if same_id else _SAME_SEND)
    local = second if not second.has_headers else first
    other = first if local is second else second
    return same_time(local.sent, local.sent_utc, other.sent)


def _same_envelope(first: Message, second: Message) -> bool:
    """The same subject (prefixes included: a forward is not its reply) and recipients, one copy's
    possibly lacking the other's Bcc."""
    if " ".join(first.subject.split()).casefold() != " ".join(second.subject.split()).casefold():
        return False
    return first.recipients <= second.recipients or second.recipients <= first.recipients
