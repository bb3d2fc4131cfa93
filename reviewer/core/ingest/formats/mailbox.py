"""Mailboxes: Unix mbox files and Outlook .pst/.ost data files.

Each message leaves the mailbox as an RFC 822 message of its own (a top-level family) that the pipeline
then reads with the .eml extractor. Both readers stream: an mbox is split line by line without loading
it (nor a list of its messages), and a PST is walked one item at a time, so multi-gigabyte mailboxes
stay within memory; the pipeline records their messages as they come.
"""

from __future__ import annotations

import hashlib
import mimetypes
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from email import policy
from email.header import Header
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from pathlib import Path
from typing import NamedTuple

import pypff

from reviewer.core.ingest.extracted import (
    Child,
    ExtractContext,
    Extraction,
    ExtractionFailed,
    Flag,
    Reason,
)
from reviewer.core.ingest.formats.email_message import rtf_body_text, safe_attachment_name
from reviewer.core.ingest.formats.html import decode_html
from reviewer.core.ingest.formats.plain import check_not_empty

_TOO_LARGE = "The message is larger than the size limit for one item and was not extracted."

# ---- mbox ---------------------------------------------------------------------------------------------

_HEADER_LINE = re.compile(rb"^[!-9;-~]+:")
# "From sender Mon Jun  1 10:00:00 2009": an envelope line has a sender and then a time of day.
_ENVELOPE = re.compile(rb"^From \S+ .*\d\d?:\d\d")


class _FromLine(NamedTuple):
    start: int
    end: int
    after_blank: bool
    text: bytes


def _message_spans(path: Path) -> Iterator[tuple[int, int]]:
    """Byte ranges of the messages, each without its "From " separator line, as the file is read.

    Writers do not always quote "From " at the start of a body line, nor leave a blank line before a
    separator, so a "From " line separates messages only when a header line follows it, or, for a
    message without headers, when blank lines surround it and it carries an envelope time.
    """
    start: int | None = None
    pending: _FromLine | None = None
    previous_blank = True
    offset = 0
    with path.open("rb") as handle:
        for line in handle:
            line_start, offset = offset, offset + len(line)
            content = line.rstrip(b"\r\n")
            blank = not content.strip()
            if pending is not None:
                headerless = blank and pending.after_blank and _ENVELOPE.match(pending.text)
                if start is not None and (_HEADER_LINE.match(content) or headerless):
                    yield start, pending.start
                    start = pending.end
                pending = None
            if content.startswith(b"From "):
                if start is None:
                    start = offset
                else:
                    pending = _FromLine(line_start, offset, previous_blank, content)
            elif start is None and not blank:
                start = line_start  # text before the first separator is kept as a message, not lost
            previous_blank = blank
    if start is not None:
        yield start, offset


def _mbox_messages(path: Path, count: int, context: ExtractContext) -> Iterator[Child]:
    width = max(4, len(str(count)))
    with path.open("rb") as handle:
        for number, (start, end) in enumerate(_message_spans(path), start=1):
            name = f"message-{number:0{width}d}.eml"
            if end - start > context.limits.max_member_bytes:
                yield Child(name=name, failure=ExtractionFailed(Reason.TOO_LARGE, _TOO_LARGE))
                continue
            handle.seek(start)
            data = handle.read(end - start)
            # The blank line before the next separator belongs to the mbox format, not to the message.
            if data.endswith(b"\r\n\r\n"):
                data = data[:-2]
            elif data.endswith(b"\n\n"):
                data = data[:-1]
            yield Child(name=name, data=data)


def extract_mbox(path: Path, context: ExtractContext) -> Extraction:
    check_not_empty(path)
    try:
        # Counted in a first pass (the names are numbered to the count's width), read in a second, so
        # memory stays flat whatever the mailbox's size.
        count = sum(1 for _ in _message_spans(path))
    except OSError as error:
        raise ExtractionFailed(Reason.DAMAGED, "The mailbox file could not be read.") from error
    if not count:
        raise ExtractionFailed(Reason.EMPTY, "The mailbox contains no messages.")
    return Extraction(
        text=f"Mailbox with {count} message{'s' if count != 1 else ''}",
        mime="application/mbox",
        flags=[Flag.CONTAINER],
        children=_mbox_messages(path, count, context),
        children_are_top_level=True,
    )


# ---- PST / OST ----------------------------------------------------------------------------------------

_PST_DAMAGED = "The Outlook data file is damaged and could not be read."
_ITEM_DAMAGED = "This item in the Outlook data file is damaged and could not be read."
_EMBEDDED_ITEM = (
    "This attachment is an Outlook item stored inside another message; Reviewer cannot read it from a PST."
)
_UNSAFE_NAME_CHARACTERS = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]')
_CONTENT_HEADER = re.compile(r"^(content-[!-9;-~]*|mime-version)\s*:", re.IGNORECASE)
_MIME_TYPE = re.compile(r"^[a-z0-9!#$&^_.+-]+/[a-z0-9!#$&^_.+-]+$")

# MAPI property tags (MS-OXPROPS).
_SENDER_NAME = 0x0C1A
_SENDER_ADDRESS = 0x0C1F
_SENDER_SMTP = 0x5D01
_REPRESENTING_NAME = 0x0042
_REPRESENTING_ADDRESS = 0x0065
_REPRESENTING_SMTP = 0x5D02
_SUBMIT_TIME = 0x0039
_DELIVERY_TIME = 0x0E06
_MESSAGE_ID = 0x1035
_IN_REPLY_TO = 0x1042
_REFERENCES = 0x1039
_MESSAGE_FLAGS = 0x0E07
_MSGFLAG_UNSENT = 0x8
_INTERNET_CODEPAGE = 0x3FDE
_RECIPIENT_TYPE = 0x0C15
_DISPLAY_NAME = 0x3001
_EMAIL_ADDRESS = 0x3003
_SMTP_ADDRESS = 0x39FE
_ATTACH_LONG_NAME = 0x3707
_ATTACH_SHORT_NAME = 0x3704
_ATTACH_MIME = 0x370E
_ATTACH_METHOD = 0x3705
_ATTACH_EMBEDDED_ITEM = 5
_RECIPIENT_HEADERS = {1: "To", 2: "Cc", 3: "Bcc"}
_STRING_TYPES = (0x001E, 0x001F)
# Windows code pages whose Python codec is not simply "cp<number>".
_CODECS = {
    65001: "utf-8",
    20127: "ascii",
    28591: "cp1252",
    1200: "utf-16-le",
    936: "gb18030",
    50220: "iso2022_jp",
}

Properties = dict[int, pypff.record_entry]


def _properties(item: pypff.item | pypff.recipients, index: int = 0) -> Properties:
    if item.number_of_record_sets <= index:
        return {}
    return {entry.entry_type: entry for entry in item.get_record_set(index).entries}


def _text(properties: Properties, tag: int) -> str:
    entry = properties.get(tag)
    if entry is None or entry.value_type not in _STRING_TYPES:
        return ""
    try:
        return (entry.get_data_as_string() or "").replace("\x00", "").strip()
    except OSError:
        return ""


def _integer(properties: Properties, tag: int) -> int | None:
    entry = properties.get(tag)
    try:
        return entry.get_data_as_integer() if entry is not None else None
    except OSError:
        return None


def _time(properties: Properties, tag: int) -> datetime | None:
    entry = properties.get(tag)
    try:
        return entry.get_data_as_datetime() if entry is not None else None
    except (OSError, ValueError, OverflowError):
        return None


def _header_value(value: str) -> str:
    value = " ".join(value.split())
    return value if value.isascii() else Header(value, "utf-8").encode(linesep="\r\n")


def _address(name: str, *candidates: str) -> str:
    # Exchange-internal addresses ("/O=EXCHANGELABS/...") mean nothing outside the server; only SMTP ones.
    # A bare name is written as "Name <>" so that readers do not take its words for addresses.
    address = next((candidate for candidate in candidates if "@" in candidate), "")
    return formataddr((" ".join(name.split()), address), charset="utf-8") if name or address else ""


def _built_headers(message: pypff.message, properties: Properties) -> list[str]:
    """Header lines rebuilt from Outlook's fields, for items that kept no internet headers (sent mail)."""
    sender = _address(
        _text(properties, _SENDER_NAME) or _text(properties, _REPRESENTING_NAME),
        _text(properties, _SENDER_SMTP),
        _text(properties, _SENDER_ADDRESS),
        _text(properties, _REPRESENTING_SMTP),
        _text(properties, _REPRESENTING_ADDRESS),
    )
    lines = [f"From: {sender}"] if sender else []
    recipients: dict[str, list[str]] = {}
    table = message.recipients
    for index in range(table.number_of_record_sets if table is not None else 0):
        entry = _properties(table, index)
        field = _RECIPIENT_HEADERS.get(_integer(entry, _RECIPIENT_TYPE) or 1, "To")
        formatted = _address(
            _text(entry, _DISPLAY_NAME), _text(entry, _SMTP_ADDRESS), _text(entry, _EMAIL_ADDRESS)
        )
        if formatted:
            recipients.setdefault(field, []).append(formatted)
    lines += [f"{field}: {', '.join(values)}" for field, values in recipients.items()]
    if message.subject:
        lines.append(f"Subject: {_header_value(message.subject)}")
    sent = _time(properties, _SUBMIT_TIME) or _time(properties, _DELIVERY_TIME)
    if sent is not None:
        lines.append(f"Date: {format_datetime(sent.replace(tzinfo=UTC))}")
    if (_integer(properties, _MESSAGE_FLAGS) or 0) & _MSGFLAG_UNSENT:
        lines.append("X-Unsent: 1")  # a draft, written as Outlook writes one to .eml
    for field, tag in (
        ("Message-ID", _MESSAGE_ID),
        ("In-Reply-To", _IN_REPLY_TO),
        ("References", _REFERENCES),
    ):
        value = _text(properties, tag)
        if value:
            lines.append(f"{field}: {_header_value(value)}")
    return lines


def _transport_headers(transport: str) -> list[str]:
    """The headers the message arrived with, minus those describing the MIME body that is rebuilt here."""
    lines: list[str] = []
    skipping = False
    for line in transport.replace("\r\n", "\n").split("\n"):
        if not line.strip():
            break  # some stores keep the blank line that ended the header block, and text after it
        if line[0] in " \t":
            if lines and not skipping:
                lines[-1] += "\r\n" + line
            continue
        skipping = bool(_CONTENT_HEADER.match(line))
        if not skipping:
            lines.append(line)
    return lines


def _decode_html(data: bytes, codepage: int | None) -> str:
    if codepage:
        try:
            return data.decode(_CODECS.get(codepage, f"cp{codepage}"))
        except (LookupError, UnicodeDecodeError):
            pass
    return decode_html(data)


def _body(message: pypff.message, properties: Properties) -> EmailMessage:
    body = EmailMessage(policy=policy.SMTP)
    plain = message.plain_text_body or b""
    html = message.html_body or b""
    # libpff hands over the plain body as UTF-8 whatever code page the item was stored in.
    plain_text = plain.decode("utf-8", errors="replace") if plain.strip() else ""
    if not html.strip():
        rtf = message.rtf_body or b""
        body.set_content(plain_text or (rtf_body_text(rtf) if rtf.strip() else ""))
        return body
    markup = _decode_html(html, _integer(properties, _INTERNET_CODEPAGE))
    if plain_text:
        body.set_content(plain_text)
        body.add_alternative(markup, subtype="html")
    else:
        body.set_content(markup, subtype="html")
    return body


def _add_attachments(
    message: pypff.message, body: EmailMessage, item_name: str, context: ExtractContext
) -> list[Child]:
    """Attach what can be attached; the rest comes back as failures for the exception ledger."""
    failures = []
    for index in range(message.number_of_attachments):
        attachment = message.get_attachment(index)
        properties = _properties(attachment)
        raw_name = (
            _text(properties, _ATTACH_LONG_NAME)
            or _text(properties, _ATTACH_SHORT_NAME)
            or _text(properties, _DISPLAY_NAME)
        )
        name = safe_attachment_name(raw_name, f"attachment-{index + 1}")
        size = attachment.size or 0
        if _integer(properties, _ATTACH_METHOD) == _ATTACH_EMBEDDED_ITEM:
            # libpff exposes an attached Outlook item only as raw internal storage, not as a message.
            failures.append(
                Child(f"{item_name}/{name}", failure=ExtractionFailed(Reason.UNSUPPORTED, _EMBEDDED_ITEM))
            )
            continue
        if size > context.limits.max_member_bytes:
            failures.append(
                Child(f"{item_name}/{name}", failure=ExtractionFailed(Reason.TOO_LARGE, _TOO_LARGE))
            )
            continue
        mime = _text(properties, _ATTACH_MIME).split(";")[0].strip().lower() or mimetypes.guess_type(name)[0]
        # The email package takes raw bytes only as a leaf part; the pipeline identifies the bytes anyway.
        if not mime or not _MIME_TYPE.match(mime) or mime.startswith(("multipart/", "message/")):
            mime = "application/octet-stream"
        maintype, subtype = mime.split("/", 1)
        data = attachment.read_buffer(size) if size else b""
        body.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return failures


def _rfc822(message: pypff.message, item_name: str, context: ExtractContext) -> tuple[bytes, list[Child]]:
    """The item as an RFC 822 message, and failures for the attachments that could not go into it."""
    properties = _properties(message)
    headers = _transport_headers(message.transport_headers or "") or _built_headers(message, properties)
    body = _body(message, properties)
    failures = _add_attachments(message, body, item_name, context)
    # Fixed boundaries (the email package draws random ones), so that the same item always gives the same
    # bytes: its hash then survives a second ingest, and a run resumed inside the PST matches a whole one.
    stem = hashlib.sha256(item_name.encode("utf-8", "replace")).hexdigest()[:24]
    for number, part in enumerate(body.walk()):
        if part.is_multipart():
            part.set_boundary(f"=_reviewer_{stem}_{number}")
    header_block = "".join(f"{line}\r\n" for line in headers).encode("utf-8", errors="replace")
    return header_block + body.as_bytes(), failures


def _folder_name(name: str | None) -> str:
    return _UNSAFE_NAME_CHARACTERS.sub("_", name or "").strip() or "(unnamed folder)"


def _folders(folder: pypff.folder, path: tuple[str, ...] = ()) -> Iterator[tuple[str, pypff.folder]]:
    yield "/".join(path), folder
    for index in range(folder.number_of_sub_folders):
        sub = folder.get_sub_folder(index)
        yield from _folders(sub, (*path, _folder_name(sub.name)))


def _pst_items(
    pst: pypff.file, folders: list[tuple[str, pypff.folder, int]], context: ExtractContext
) -> Iterator[Child]:
    try:
        for prefix, folder, count in folders:
            for index in range(count):
                number = f"{index + 1:04d}"
                try:
                    message = folder.get_sub_message(index)
                    subject = _UNSAFE_NAME_CHARACTERS.sub("_", " ".join((message.subject or "").split()))
                    stem = f"{number}-{subject[:80].strip()}" if subject else number
                    item_name = f"{prefix}/{stem}" if prefix else stem
                    data, failures = _rfc822(message, item_name, context)
                except Exception:  # one unreadable item (pypff OSError, odd property) must not end the walk
                    name = f"{prefix}/{number}.eml" if prefix else f"{number}.eml"
                    yield Child(name, failure=ExtractionFailed(Reason.DAMAGED, _ITEM_DAMAGED))
                    continue
                if len(data) > context.limits.max_member_bytes:
                    yield Child(f"{item_name}.eml", failure=ExtractionFailed(Reason.TOO_LARGE, _TOO_LARGE))
                else:
                    yield Child(f"{item_name}.eml", data=data)
                yield from failures
    finally:
        pst.close()


def extract_pst(path: Path, context: ExtractContext) -> Extraction:
    check_not_empty(path)
    pst = pypff.file()
    try:
        pst.open(str(path))
    except OSError as error:
        raise ExtractionFailed(Reason.DAMAGED, _PST_DAMAGED) from error
    try:
        root = pst.get_root_folder()
        folders = [(name, folder, folder.number_of_sub_messages) for name, folder in _folders(root)]
    except OSError as error:
        pst.close()
        raise ExtractionFailed(Reason.DAMAGED, _PST_DAMAGED) from error
    total = sum(count for _, _, count in folders)
    listing = "\n".join(f"{name} ({count})" for name, _, count in folders if name and count)
    return Extraction(
        text=f"Outlook data file with {total} item{'s' if total != 1 else ''}\n\n{listing}".strip(),
        mime="application/vnd.ms-outlook-pst",
        flags=[Flag.CONTAINER],
        # The file stays open while the pipeline pulls the items; the generator closes it when done.
        children=_pst_items(pst, folders, context),
        children_are_top_level=True,
    )
