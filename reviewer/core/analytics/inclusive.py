"""Which emails a reviewer must read: an email is inclusive when no other email of its thread contains all
of its text (every message it holds) and all of its attachments; of two that contain each other the earlier
is inclusive, so every thread has one. Its reason: "message" (its text is found nowhere else, or it is the
earliest of emails holding the same), "attachment" (another email holds its text but not its attachments)
or "both" (its text is unique and it carries an attachment no other email has).

An email holds another's text when it holds each of its messages whole, or (the last of them) followed by
what a mail gateway appended (analytics.segments).
"""

from __future__ import annotations

from collections import Counter, defaultdict

from reviewer.core.analytics.messages import MIN_QUOTE_WORDS, Message
from reviewer.core.analytics.segments import same_person, same_time


def _contains(outer: Message, inner: Message) -> bool:
    """Whether `outer` holds all of `inner`'s text and attachments. A short own text counts as held only
    where the quote that holds it names inner's sender or time."""
    if not outer.holds(inner.keys) or not inner.attachments <= outer.attachments:
        return False
    own = inner.own
    if not own.key or own.words >= MIN_QUOTE_WORDS or outer.own.key == own.key:
        return True
    last = outer.segments[-1]
    for quote in outer.segments[1:]:
        held = quote.key == own.key or quote is last and own.key in outer.tail_keys
        if held and (same_person(quote.author, inner.sender) or same_time(quote.date, quote.utc, inner.sent)):
            return True
    return False


def inclusive(thread: list[Message]) -> dict[int, tuple[bool, str]]:
    """Each message of one thread (by document id): whether it is inclusive, and why."""
    by_key: dict[str, list[Message]] = defaultdict(list)
    for message in thread:
        for key in message.held:
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
        text_elsewhere = [m for m in others if m.holds(message.keys)] if message.keys else others
        if covered:
            result[message.doc_id] = (False, "")
        elif not text_elsewhere:
            unique = any(attachments_elsewhere[a] == 1 for a in message.attachments)
            result[message.doc_id] = (True, "both" if unique else "message")
        elif all(message.attachments <= m.attachments for m in text_elsewhere):
            result[message.doc_id] = (True, "message")  # the earliest of emails holding the same
        else:
            result[message.doc_id] = (True, "attachment")
    return result
