"""Threads from the text, for messages their headers left without a parent (MSG exports, printed emails,
forwarded chains): a message whose first quoted message is, word for word, another message's own text is
that message's reply; a quoted message not in the case becomes a placeholder, and the messages it quotes in
turn are its ancestors. A short quote (under MIN_QUOTE_WORDS words) links only when its quoted author or date
agrees with the message it names. A quoted message with no words of its own (a bare forward or reply) is
the message in the case whose author and time agree and which quotes the same messages below it. Subjects
never join messages; they only choose between messages with the same words.
"""

from __future__ import annotations

from reviewer.core.analytics.messages import MIN_QUOTE_WORDS, Message, Seg
from reviewer.core.analytics.segments import normal_subject, same_person, same_time
from reviewer.core.analytics.tree import QUOTED, Forest, Node, attach, is_below


def link_by_text(forest: Forest) -> None:
    """Place every message without a parent from its headers under the message its quotes name."""
    _key_header_placeholders(forest)
    _fill_placeholders(forest)
    for node in list(forest.nodes):
        if node.parent is None and node.message is not None:
            _link(forest, node)


def _key_header_placeholders(forest: Forest) -> None:
    """A placeholder from headers learns the missing message's words from a child that quotes it."""
    for node in forest.nodes:
        if node.message is not None or node.key:
            continue
        for child in node.children:
            if child.message is not None and len(child.message.segments) > 1:
                quote = child.message.segments[1]
                if quote.key:
                    node.key, node.quoted = quote.key, quote
                    node.label = f"{_describe(quote)} ({node.label})"
                    forest.placeholders_by_key.setdefault(quote.key, node)
                    break


def _fill_placeholders(forest: Forest) -> None:
    """A message without a Message-ID (a printed email) whose text is a referenced missing message's
    takes that placeholder's place."""
    for key, placeholder in list(forest.placeholders_by_key.items()):
        for candidate in forest.by_key.get(key, ()):
            message = candidate.message
            if (
                message is not None
                and not message.message_id
                and candidate.parent is None
                and placeholder.quoted is not None
                and _agrees(placeholder.quoted, candidate)
                and not is_below(placeholder, candidate)
            ):
                for child in list(placeholder.children):
                    attach(child, candidate)
                if placeholder.parent is not None:
                    attach(candidate, placeholder.parent)
                    placeholder.parent.children.remove(placeholder)
                forest.nodes.remove(placeholder)
                del forest.placeholders_by_key[key]
                break


def _link(forest: Forest, node: Node) -> None:
    assert node.message is not None
    child = node
    segments = node.message.segments
    last = segments[-1]
    for number, quote in enumerate(segments[1:], start=1):
        if not quote.key:
            bare = _textless_message(forest, quote, segments[number + 1 :], child)
            if bare is not None:
                attach(child, bare)
                return
            continue
        tail = node.message.tail_keys if quote is last else frozenset()
        parent = _quoted_message(forest, quote, child, tail)
        if parent is None:
            parent = Node(None, key=quote.key, how=QUOTED, label=_describe(quote), quoted=quote)
            forest.nodes.append(parent)
            forest.placeholders_by_key[quote.key] = parent
            attach(child, parent)
            child = parent
            continue
        attach(child, parent)
        if parent.message is not None or parent.parent is not None:
            return  # a message in the case (its own quotes place it) or a placeholder already placed
        child = parent


def _quoted_message(forest: Forest, quote: Seg, child: Node, tail: frozenset[str]) -> Node | None:
    """The message (or placeholder) `quote` holds. The last quote of a body may be a shorter message with
    a gateway's disclaimer below it (its `tail` keys): that message is taken only where the quote's author
    or date names it."""
    candidates = [
        c
        for c in forest.by_key.get(quote.key, ())
        if not is_below(c, child) and (quote.words >= MIN_QUOTE_WORDS or _agrees(quote, c))
    ]
    if not candidates:
        candidates = [
            c
            for key in tail
            for c in forest.by_key.get(key, ())
            if not is_below(c, child) and _agrees(quote, c)
        ]
    if candidates:
        return max(candidates, key=lambda c: (_agrees(quote, c), _subject_agrees(quote, c), -c.date()[2]))
    placeholder = forest.placeholders_by_key.get(quote.key)
    if placeholder is not None and not is_below(placeholder, child):
        return placeholder
    return None


def _textless_message(forest: Forest, quote: Seg, below: list[Seg], child: Node) -> Node | None:
    """The message with no text of its own that an empty quote stands for: its author and time agree and
    it quotes exactly what `below` holds."""
    keys = frozenset(s.key for s in below if s.key)
    for candidate in forest.textless.get(keys, ()):
        message = candidate.message
        if (
            message is not None
            and not is_below(candidate, child)
            and same_person(quote.author, message.sender)
            and _agrees_in_time(quote, message)
        ):
            return candidate
    return None


def _agrees_in_time(quote: Seg, message: Message) -> bool:
    if not quote.date or not message.sent:
        return False
    if message.has_headers:
        return same_time(quote.date, quote.utc, message.sent)
    return abs((quote.date - message.sent).total_seconds()) <= 120


def _agrees(quote: Seg, node: Node) -> bool:
    """Whether a quote's author or date names the message (or placeholder) `node`."""
    message = node.message
    if message is None:
        return node.quoted is not None and (
            same_person(quote.author, node.quoted.author)
            or quote.date is not None
            and quote.date == node.quoted.date
        )
    if quote.author and same_person(quote.author, message.sender):
        return True
    return _agrees_in_time(quote, message)


def _subject_agrees(quote: Seg, node: Node) -> bool:
    return (
        node.message is not None
        and bool(quote.subject)
        and normal_subject(quote.subject) == normal_subject(node.message.subject)
    )


def _describe(quote: Seg) -> str:
    """What a quote tells of the message it holds: the label of a placeholder."""
    parts = [quote.author or "unknown sender"]
    if quote.date:
        parts.append(quote.date.strftime("%Y-%m-%d %H:%M"))
    if quote.subject:
        parts.append(f'"{quote.subject}"')
    return " · ".join(parts)
