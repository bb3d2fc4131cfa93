"""The messages threading works on, read from the case: each email (or message given as text, such as a
printed email) with its Message-ID and the ids it references, its sender, recipients and date, the messages
its body holds (its segments, as analytics.fingerprints stored them) and its attachments' hashes.

A date some mail systems write when a message has none (Lotus Notes' drafts in the Enron mail are dated
31 Dec 1979 16:00 PST, i.e. the DOS epoch) counts as no date: it would otherwise put the message before
everything else in its thread.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

from sqlalchemy import select
from sqlalchemy.orm import Session

from reviewer.core.ingest.extracted import Flag
from reviewer.core.models import Document, TextFingerprint

# A quoted message this short is too common ("Thanks!") to name its message by its words alone.
MIN_QUOTE_WORDS = 8
_MESSAGE_ID = re.compile(r"<([^<>\s]+)>")
_ADDRESS = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
# The Unix, DOS and Windows (FILETIME) epochs, in UTC: what a message with no date gets written as.
_NO_DATE = frozenset({datetime(1970, 1, 1), datetime(1980, 1, 1), datetime(1601, 1, 1)})


@dataclass(frozen=True)
class Seg:
    """One message inside a body (see analytics.segments.Segment)."""

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
    # Keys of the words of its last segment up to its last paragraph breaks: a message it quotes may end
    # there, with a mail gateway's disclaimer appended below (analytics.segments).
    tail_keys: frozenset[str] = field(default_factory=frozenset)
    unsent: bool = False  # saved unsent, as its mail program marked it (a draft)

    @property
    def own(self) -> Seg:
        return self.segments[0]

    @cached_property
    def keys(self) -> frozenset[str]:
        return frozenset(s.key for s in self.segments if s.key)

    @cached_property
    def held(self) -> frozenset[str]:
        """The keys of every text this message holds whole: its segments' and its tail's."""
        return self.keys | self.tail_keys

    def holds(self, keys: frozenset[str]) -> bool:
        return keys <= self.held

    @property
    def order(self) -> tuple[bool, datetime, int]:
        return self.sent is None, self.sent or datetime.max, self.doc_id


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
            Document.flags,
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
        flags,
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
            if sent in _NO_DATE:
                sent = None
        refs = message_ids(references)
        refs += [r for r in message_ids(in_reply_to)[:1] if r not in refs]
        own_id = message_ids(message_id)
        messages.append(
            Message(
                doc_id,
                control,
                own_id[0] if own_id else "",
                refs,
                sent,
                sent_utc,
                sender,
                people(to, cc, bcc),
                subject,
                segments,
                frozenset(hashes.get(doc_id, ())),
                has_headers,
                frozenset(data.get("t", ())),
                Flag.UNSENT.value in flags,
            )
        )
    return messages, family


def message_ids(value: str) -> list[str]:
    """Message-IDs in a header, in order, without their angle brackets."""
    found = _MESSAGE_ID.findall(value)
    if not found and value.strip() and " " not in value.strip():
        found = [value.strip()]
    return list(dict.fromkeys(found))


def people(*fields: str) -> frozenset[str]:
    """Who a message went to (or came from): lowercased addresses, or names where there is no address."""
    found = set()
    for field_value in fields:
        for part in field_value.replace(",", ";").split(";"):
            address = _ADDRESS.search(part)
            name = part.strip().strip('"').lower()
            if address or name:
                found.add(address.group(0).lower() if address else name)
    return frozenset(found)
