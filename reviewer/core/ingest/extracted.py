"""What an extractor hands back, and how it says a file cannot be read.

Extractors are plain functions `extract(path, context) -> Extraction`, one module per format family in
`reviewer/core/ingest/formats/`. They run in worker processes, read the stored original at `path`, never
write anywhere but `context.scratch`, and never touch the database or the index.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path

# Between the pages of a document's text (PDF pages, imported page texts), so hits can be placed on pages.
PAGE_BREAK = "\f"


class Flag(StrEnum):
    """Review flags a document can carry; shown to the reviewer and searchable."""

    NEEDS_OCR = "needs OCR"
    NO_TEXT = "no text extracted"
    ENCRYPTED_OPENED = "decrypted with a supplied password"
    PARTIAL = "partly damaged; text may be incomplete"
    CONTAINER = "mailbox or archive container"
    # Documents store their flags joined with "; ", so a flag's own text never holds one.
    METADATA_DAMAGED = "metadata damaged (an unreadable date, author or title was left out)"
    CHARSET_GUESSED = "unknown character set (text decoded with a guessed one)"
    ENCRYPTED_CONTENT = "encrypted (the content needs the recipient's key)"
    OCR_DOWNSCALED = "image too large for OCR (read at reduced resolution)"
    TEXT_CUT = "text cut at the size limit"
    # Email threading reads it (analytics.threads: the "draft" action).
    UNSENT = "unsent email (a draft)"


class Reason(StrEnum):
    """Exception kinds on the ledger; the sentence shown to a paralegal is in ExtractionFailed.detail."""

    ENCRYPTED = "encrypted"
    DAMAGED = "damaged"
    EMPTY = "empty"
    UNSUPPORTED = "unsupported"
    TOO_LARGE = "too large"
    UNSAFE = "unsafe path"
    TOO_DEEP = "nested too deeply"
    NOT_A_FILE = "not a regular file"
    LINK_NOT_FOLLOWED = "link not followed"
    UNREADABLE = "unreadable"
    TOO_SLOW = "too slow"


class ExtractionFailed(Exception):
    """This file cannot become a document; `str()` is one sentence a paralegal understands."""

    def __init__(self, reason: Reason, detail: str) -> None:
        super().__init__(f"{reason.value}: {detail}")
        self.reason = reason
        self.detail = detail


@dataclass
class Child:
    """An attachment or container member: its name inside the parent and its bytes.

    A child may instead carry `failure` when the container could list it but not hand over its bytes
    (an unsafe ZIP path, a member over the size limit); it then becomes an exception on the ledger.
    A large member comes `spooled` to a file in the scratch folder instead of as bytes in memory; the
    pipeline deletes that file once the member is stored.
    """

    name: str
    data: bytes = b""
    failure: ExtractionFailed | None = None
    spooled: Path | None = None


@dataclass
class EmailHeaders:
    sender: str = ""
    to: str = ""
    cc: str = ""
    bcc: str = ""
    reply_to: str = ""
    subject: str = ""
    sent: datetime | None = None
    message_id: str = ""
    in_reply_to: str = ""
    references: str = ""


@dataclass
class DocumentFacts:
    """Text and metadata of one document, as extracted; what the database records of it."""

    text: str = ""
    mime: str = ""
    pages: int | None = None
    author: str = ""
    title: str = ""
    created: datetime | None = None
    modified: datetime | None = None
    email: EmailHeaders | None = None
    flags: list[Flag] = field(default_factory=list)


@dataclass
class Extraction(DocumentFacts):
    """An extractor's answer: the document's facts plus the children it contains."""

    # Attachments (a family) or container members; produced lazily so large mailboxes stream.
    children: Iterator[Child] | list[Child] = field(default_factory=list)
    # True for mailboxes (MBOX, PST): each message is a family of its own, not an attachment.
    children_are_top_level: bool = False


@dataclass(frozen=True)
class Limits:
    """Safety limits for untrusted input; configurable per ingest."""

    max_file_bytes: int = 2 * 1024**3
    max_member_bytes: int = 512 * 1024**2
    max_total_expanded_bytes: int = 4 * 1024**3
    max_compression_ratio: int = 200
    max_depth: int = 8
    max_members: int = 100_000
    # Text kept per document (about 8,000 pages): more would take gigabytes to send on and index.
    max_text_chars: int = 16 * 1024**2


@dataclass
class ExtractContext:
    """What every extractor may consult."""

    scratch: Path
    passwords: list[str] = field(default_factory=list)
    limits: Limits = field(default_factory=Limits)
    ocr: bool = True
    file_name: str = ""
