"""Outlook .msg items: mail, and also appointments, contacts, tasks and notes saved from Outlook."""

from __future__ import annotations

import codecs
import logging
from collections.abc import Callable
from dataclasses import fields
from pathlib import Path
from typing import Any, TypeVar

import extract_msg
from extract_msg.attachments import EmbeddedMsgAttachment
from extract_msg.encoding import lookupCodePage
from extract_msg.enums import ErrorBehavior, RecipientType
from extract_msg.msg_classes import MessageBase, MSGFile

from reviewer.core.ingest.extracted import (
    Child,
    EmailHeaders,
    ExtractContext,
    Extraction,
    ExtractionFailed,
    Flag,
    Reason,
)
from reviewer.core.ingest.formats.email_message import (
    email_text,
    parse_header_block,
    rtf_body_text,
    safe_attachment_name,
)
from reviewer.core.ingest.formats.html import decode_html, html_to_text
from reviewer.core.ingest.formats.plain import MetadataReader, check_not_empty

_MSG_MIME = "application/vnd.ms-outlook"
_TRANSPORT_HEADERS = "__substg1.0_007D"
_REFERENCES = "__substg1.0_1039"
# PR_REPLY_RECIPIENT_NAMES: the Reply-To names when the item kept no internet headers.
_REPLY_RECIPIENT_NAMES = "__substg1.0_0050"
_MESSAGE_CODEPAGE = "3FFD0003"
_INTERNET_CODEPAGE = "3FDE0003"
_DAMAGED = "The Outlook message is damaged and could not be read."
_NOT_STORED = (
    "This attachment is only a link or an Outlook object whose contents are not stored in the message."
)

# The library logs every deviation from the standard as a warning; real files deviate all the time and
# none of it is something a user could act on.
logging.getLogger("extract_msg").setLevel(logging.ERROR)

_T = TypeVar("_T")


def _safe(read: Callable[[], _T]) -> _T | None:
    # Each property of a damaged item is decoded on access and may raise; one bad field must not cost
    # the rest of the item.
    try:
        return read()
    except Exception:
        return None


def _open(path: Path, encoding: str | None = None) -> MSGFile:
    try:
        return extract_msg.openMsg(
            path, strict=False, overrideEncoding=encoding, errorBehavior=ErrorBehavior.SUPPRESS_ALL
        )
    except Exception as error:  # the library raises many unrelated types on damaged files
        raise ExtractionFailed(Reason.DAMAGED, _DAMAGED) from error


def _open_in_right_encoding(path: Path) -> MSGFile:
    msg = _open(path)
    # Older Outlook wrote 8-bit strings in the sender's code page. When the item does not name it, the
    # library assumes Latin-9 and garbles Chinese or Cyrillic mail; the body's code page is the best hint.
    if msg.areStringsUnicode or _MESSAGE_CODEPAGE in msg.props:
        return msg
    codepage = _safe(lambda: msg.getPropertyVal(_INTERNET_CODEPAGE))
    encoding = (
        _safe(lambda: codecs.lookup(lookupCodePage(codepage)).name) if isinstance(codepage, int) else None
    )
    if encoding is None:
        return msg
    msg.close()
    return _open(path, encoding)


def _clean(value: object) -> str:
    return str(value).replace("\x00", "").strip() if value else ""


def _recipients(msg: MSGFile, kind: RecipientType) -> str:
    if not isinstance(msg, MessageBase):
        return ""
    found = []
    for recipient in msg.recipients:
        # Meeting items use their own enum with the same numbers (required attendee = To, optional = Cc).
        if int(recipient.type) != int(kind):
            continue
        name, address = _clean(recipient.name), _clean(recipient.email)
        found.append(f"{name} <{address}>" if name and address and name != address else name or address)
    return "; ".join(filter(None, found))


def _headers(msg: Any, metadata: MetadataReader) -> tuple[EmailHeaders, str]:  # Any: fields vary by item type
    """The internet headers the message arrived with, completed from Outlook's own fields."""
    from_outlook = EmailHeaders(
        sender=_clean(_safe(lambda: msg.sender)),
        to=_safe(lambda: _recipients(msg, RecipientType.TO)) or "",
        cc=_safe(lambda: _recipients(msg, RecipientType.CC)) or "",
        bcc=_safe(lambda: _recipients(msg, RecipientType.BCC)) or "",
        reply_to=_clean(_safe(lambda: msg.getStringStream(_REPLY_RECIPIENT_NAMES))),
        subject=_clean(_safe(lambda: msg.subject)),
        sent=metadata.date(_safe(lambda: msg.date), lambda value: value),
        message_id=_clean(_safe(lambda: msg.messageId)),
        in_reply_to=_clean(_safe(lambda: msg.inReplyTo)),
        references=" ".join(_clean(_safe(lambda: msg.getStringStream(_REFERENCES))).split()),
    )
    transport = _clean(_safe(lambda: msg.getStringStream(_TRANSPORT_HEADERS)))
    from_internet, date_text = parse_header_block(transport) if transport else (EmailHeaders(), "")
    # Outlook's subject is already Unicode; the header version may carry a mislabelled charset.
    merged = {field.name: getattr(from_internet, field.name) for field in fields(EmailHeaders)}
    merged["subject"] = from_outlook.subject or from_internet.subject
    for name, value in merged.items():
        if not value:
            merged[name] = getattr(from_outlook, name)
    headers = EmailHeaders(**merged)
    if not date_text and headers.sent is not None:
        date_text = headers.sent.strftime("%a, %d %b %Y %H:%M:%S +0000")
    return headers, date_text


def _body(msg: Any) -> str:  # Any: only mail-like items have bodies; _safe reads the rest as None
    plain = _clean(_safe(lambda: msg.body))
    if plain:
        return plain
    html = _safe(lambda: msg.htmlBody)
    if isinstance(html, bytes) and html.strip():
        return html_to_text(decode_html(html))[0]
    rtf = _safe(lambda: msg.rtfBody)
    return rtf_body_text(rtf) if isinstance(rtf, bytes) else ""


def _attachments(msg: MSGFile) -> list[Child]:
    children = []
    for number, attachment in enumerate(_safe(lambda: msg.attachments) or [], start=1):
        name = _clean(_safe(lambda a=attachment: a.getFilename())) or f"attachment-{number}"  # type: ignore[misc]  # mypy cannot infer a lambda with a default
        if isinstance(attachment, EmbeddedMsgAttachment):
            # The attached item is handed over as a .msg of its own, which the pipeline extracts in turn.
            embedded = _safe(lambda a=attachment: a.data)  # type: ignore[misc]  # mypy cannot infer a lambda with a default
            data = None
            if isinstance(embedded, MSGFile):
                # The library's repair mode copes with embedded items that break the .msg standard.
                data = _safe(lambda e=embedded: e.exportBytes()) or _safe(  # type: ignore[misc]  # mypy cannot infer a lambda with a default
                    lambda e=embedded: e.exportBytes(allowBadEmbed=True)  # type: ignore[misc]  # mypy cannot infer a lambda with a default
                )
            name = name if name.lower().endswith(".msg") else f"{name}.msg"
        else:
            data = _safe(lambda a=attachment: a.data)  # type: ignore[misc]  # mypy cannot infer a lambda with a default
        name = safe_attachment_name(name, f"attachment-{number}")
        if isinstance(data, bytes):
            children.append(Child(name=name, data=data))
        else:
            children.append(Child(name=name, failure=ExtractionFailed(Reason.UNSUPPORTED, _NOT_STORED)))
    return children


def _is_encrypted(msg: MSGFile) -> bool:
    # Outlook keeps S/MIME mail as class IPM.Note.SMIME with the enveloped data as its one attachment;
    # signed-only mail is IPM.Note.SMIME.MultipartSigned and readable.
    item_class = str(_safe(lambda: msg.classType) or "").lower()
    return item_class.startswith("ipm.note.smime") and not item_class.endswith("multipartsigned")


def extract(path: Path, context: ExtractContext) -> Extraction:
    check_not_empty(path)
    msg = _open_in_right_encoding(path)
    metadata = MetadataReader()
    try:
        headers, date_text = _headers(msg, metadata)
        encrypted = _is_encrypted(msg)
        # Outlook's message flags say whether it was ever sent; only mail items have them.
        unsent = _safe(lambda: getattr(msg, "isSent", True)) is False
        item_flags = [Flag.ENCRYPTED_CONTENT] if encrypted else []
        item_flags += [Flag.UNSENT] if unsent else []
        body = "" if encrypted else _body(msg)
        # The ciphertext stays in the original; as a child it would only be an unreadable exception.
        children = [] if encrypted else _attachments(msg)
    except Exception as error:  # a structure the library cannot walk, beyond the per-field guards
        raise ExtractionFailed(Reason.DAMAGED, _DAMAGED) from error
    finally:
        msg.close()
    return Extraction(
        text=email_text(headers, date_text, body),
        mime=_MSG_MIME,
        title=headers.subject,
        email=headers,
        flags=metadata.flags + item_flags,
        children=children,
    )
