"""RFC 822 messages (.eml, Apple Mail .emlx): headers, readable body text and attachments.

Real mail breaks every rule: 8-bit bytes in headers, unknown or wrong charsets, broken MIME trees.
The message is parsed with the modern email policy; anything it trips over is retried with the
lenient compat32 policy, and every header and body is decoded by hand with fallbacks, so a bad message
still yields its text rather than an exception. The public helpers are shared with msg.py and
mailbox.py so that every email-like document shows the same header block.
"""

from __future__ import annotations

import codecs
import mimetypes
import re
from datetime import datetime
from email import policy
from email.generator import BytesGenerator
from email.header import decode_header
from email.message import Message
from email.parser import BytesParser, HeaderParser
from email.utils import collapse_rfc2231_value, getaddresses, parsedate_to_datetime
from io import BytesIO
from pathlib import Path, PurePosixPath

from striprtf.striprtf import rtf_to_text

from reviewer.core.ingest.extracted import (
    Child,
    EmailHeaders,
    ExtractContext,
    Extraction,
    ExtractionFailed,
    Flag,
    Reason,
)
from reviewer.core.ingest.formats.html import decode_html, html_to_text
from reviewer.core.ingest.formats.plain import (
    MetadataReader,
    check_not_empty,
    decode_text,
    naive_utc,
    text_codec,
)

_MESSAGE_MIME = "message/rfc822"
_ADDRESS_FIELDS = ("from", "to", "cc", "bcc", "reply-to")
_FOLDED = re.compile(r"\r?\n(?=[ \t])")
_UNSAFE_NAME_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")
_RTF_CODEPAGE = re.compile(rb"\\ansicpg(\d+)")
# Mailers label UTF-8 text as one of these when they do not know better; valid multi-byte UTF-8 in a
# real Latin-1 text is vanishingly rare, so such bytes are read as UTF-8.
_WEAK_CHARSETS = frozenset({"ascii", "us-ascii", "latin-1", "latin1", "iso-8859-1", "cp1252", "windows-1252"})
# Mail declares the base charset while the text uses its Microsoft superset (GBK in "gb2312" mail, cp932
# in "shift_jis" mail); decoding with the superset reads both.
_SUPERSETS = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "big5": "cp950",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "x-sjis": "cp932",
    "euc-kr": "cp949",
    "ks_c_5601-1987": "cp949",
    "iso-8859-8-i": "iso-8859-8",
    "iso-8859-6-i": "iso-8859-6",
}
_REPORT_TYPES = ("message/delivery-status", "text/rfc822-headers")
# Encrypted bodies: S/MIME enveloped data and PGP/MIME. Their ciphertext is kept in the original only.
_SMIME_TYPES = ("application/pkcs7-mime", "application/x-pkcs7-mime")
_PGP_ENCRYPTED = "multipart/encrypted"
_PGP_ARMOR = "-----BEGIN PGP MESSAGE-----"
# Headers that make a message/rfc822 wrapper a message of its own rather than an envelope to look through.
_OWN_HEADERS = ("from", "to", "cc", "subject", "message-id")
_ATTACHED_DAMAGED = "The attached message is damaged and could not be extracted."
_NOT_AN_EMAIL = "The file is named as an email but does not contain an email message."


# ---- Decoding and formatting ------------------------------------------------------------------------


def _decode_charset(data: bytes, charset: str | None, flags: list[Flag]) -> str:
    """Text of a MIME part: its declared charset when that is known and fits, else a detected one.

    A charset no codec knows (`x-unknown`, `rot13`) adds CHARSET_GUESSED to `flags`.
    """
    label = (charset or "").strip().strip('"').lower()
    if label and label not in _WEAK_CHARSETS:
        codec = text_codec(_SUPERSETS.get(label, label))
        if codec is None:
            _flag(flags, Flag.CHARSET_GUESSED)
        else:
            try:
                return data.decode(codec)
            except UnicodeDecodeError:
                pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    # A declared Latin-1 is almost always really Windows-1252 (curly quotes, dashes), as browsers assume.
    return data.decode("cp1252", errors="replace") if label in _WEAK_CHARSETS else decode_text(data)


def _flag(flags: list[Flag], flag: Flag) -> None:
    if flag not in flags:
        flags.append(flag)


def rtf_body_text(data: bytes) -> str:
    """Plain text of an RTF message body (Outlook stores some bodies only as RTF)."""
    match = _RTF_CODEPAGE.search(data[:4096])
    encoding = f"cp{int(match.group(1))}" if match else "cp1252"
    try:
        codecs.lookup(encoding)
    except LookupError:
        encoding = "cp1252"
    try:
        return rtf_to_text(data.decode("latin-1"), encoding=encoding, errors="replace")
    except Exception:  # striprtf raises arbitrary errors on malformed RTF; the body is then just absent
        return ""


def _decode_short(data: bytes, *encodings: str | None) -> str:
    # Statistical detection misreads strings as short as a name, so headers try likely labels in order
    # and end with Windows-1252, which accepts any byte.
    for encoding in encodings:
        if encoding:
            try:
                return data.decode(_SUPERSETS.get(encoding.lower(), encoding))
            except (LookupError, UnicodeDecodeError):
                continue
    return data.decode("cp1252", errors="replace")


def _decode_header_text(raw: str, fallback: str | None = None) -> str:
    """A header value as a reader sees it: unfolded, RFC 2047 words decoded, stray 8-bit bytes guessed.

    Raw 8-bit header bytes are mostly UTF-8; otherwise they are in the charset of the message's text,
    as mail programs assume (`fallback`), or in the sender's Windows code page.
    """
    text = _FOLDED.sub("", raw).strip()
    if any("\udc80" <= character <= "\udcff" for character in text):
        # The parser keeps raw 8-bit header bytes as surrogates.
        text = _decode_short(text.encode("ascii", "surrogateescape"), "utf-8", fallback)
    if "=?" not in text:
        return text
    try:
        chunks = decode_header(text)
    except Exception:  # malformed encoded words: show the header as it stands
        return text
    decoded = []
    for chunk, charset in chunks:
        if isinstance(chunk, str):
            decoded.append(chunk)
        elif charset is None:
            # decode_header hands back the text between encoded words in this encoding
            decoded.append(chunk.decode("raw-unicode-escape"))
        else:
            decoded.append(_decode_short(chunk, charset, "utf-8", fallback))
    return "".join(decoded)


def _format_addresses(raw_values: list[str], fallback: str | None = None) -> str:
    """Addresses of one or more header values as "Name <address>", joined with "; "."""
    formatted = []
    # Split before decoding: a decoded display name may contain the comma that separates addresses.
    for name, address in getaddresses([_FOLDED.sub("", value) for value in raw_values]):
        name = _decode_header_text(name, fallback)
        address = _decode_header_text(address, fallback)
        if name and address and name != address:
            formatted.append(f"{name} <{address}>")
        elif name or address:
            formatted.append(name or address)
    if not formatted:
        return "; ".join(filter(None, (_decode_header_text(value, fallback) for value in raw_values)))
    return "; ".join(formatted)


def _parse_date(value: str) -> datetime | None:
    """A Date header as naive UTC, or None when no date can be read from it."""
    try:
        return naive_utc(parsedate_to_datetime(value))
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def _header_block(headers: EmailHeaders, date_text: str) -> str:
    """The header lines a reviewer expects above the body, so that searches find names and subjects."""
    lines = [
        ("From", headers.sender),
        ("To", headers.to),
        ("Cc", headers.cc),
        ("Bcc", headers.bcc),
        ("Date", date_text),
        ("Subject", headers.subject),
    ]
    return "\n".join(f"{label}: {value}" for label, value in lines if value)


def email_text(headers: EmailHeaders, date_text: str, body: str) -> str:
    block = _header_block(headers, date_text)
    body = body.replace("\r\n", "\n").strip()
    return f"{block}\n\n{body}" if block and body else block or body


def safe_attachment_name(name: str, fallback: str) -> str:
    """Only the last component of a sender-chosen name: attachment names are not paths."""
    name = _UNSAFE_NAME_CHARACTERS.sub("", name.replace("\\", "/")).strip()
    name = PurePosixPath(name).name.strip(" .") if name else ""
    return name or fallback


# ---- Parsing ----------------------------------------------------------------------------------------


class _Reader:
    """Headers, body and attachments of one parsed message."""

    def __init__(self, message: Message) -> None:
        self.message = _unwrapped(message)
        self.header_charset = _text_charset(self.message)
        self.bodies: list[str] = []
        self.children: list[Child] = []
        self.metadata = MetadataReader()
        self.flags = self.metadata.flags  # one list: a damaged Date and an unknown charset flag alike

    def header_values(self, name: str) -> list[str]:
        # raw_items never parses, so a malformed header cannot raise here; decoding is done by hand.
        return [str(value) for key, value in self.message.raw_items() if key.lower() == name]

    def header(self, name: str) -> str:
        values = self.header_values(name)
        return _decode_header_text(values[0], self.header_charset) if values else ""

    def headers(self) -> EmailHeaders:
        addresses = {
            field: _format_addresses(self.header_values(field), self.header_charset)
            for field in _ADDRESS_FIELDS
        }
        return EmailHeaders(
            sender=addresses["from"],
            to=addresses["to"],
            cc=addresses["cc"],
            bcc=addresses["bcc"],
            reply_to=addresses["reply-to"],
            subject=self.header("subject"),
            sent=self.metadata.date(self.header("date"), _parse_date),
            message_id=self.header("message-id"),
            in_reply_to=self.header("in-reply-to"),
            references=" ".join(self.header("references").split()),
        )

    def read(self) -> None:
        self._visit(self.message)

    def _visit(self, part: Message) -> None:
        content_type = part.get_content_type()
        if content_type == _MESSAGE_MIME:
            # At the root only when the wrapper has headers of its own (a journal envelope, say); a bare
            # wrapper was looked through in __init__.
            self._attach_message(part)
        elif _is_encrypted(part):
            # Only the recipient's key opens it: the message is kept with its headers, flagged, and its
            # ciphertext (already in the original) is not split out as unreadable attachments.
            _flag(self.flags, Flag.ENCRYPTED_CONTENT)
        elif content_type in _REPORT_TYPES:
            # A bounce's delivery report says which address failed and why; reviewers search for that.
            self.bodies.append(_part_text(part, self.flags))
        elif part.is_multipart():
            self._visit_multipart(part)
        elif _is_attachment(part):
            self._attach(part)
        elif content_type in ("text/plain", "text/html"):
            text = _part_text(part, self.flags)
            if _PGP_ARMOR in text:
                _flag(self.flags, Flag.ENCRYPTED_CONTENT)
            self.bodies.append(text)
        elif part.get_payload(decode=True):
            self._attach(part)

    def _visit_multipart(self, part: Message) -> None:
        subparts = [sub for sub in part.get_payload() if isinstance(sub, Message)]
        if part.get_content_subtype() == "alternative":
            # One version of the body is enough; plain text is what the sender wrote most faithfully.
            # The other versions' own attachments (inline images of the HTML version) still count.
            chosen = _preferred_alternative(subparts, self.flags)
            for sub in subparts:
                if sub is chosen:
                    self._visit(sub)
                elif sub.is_multipart():
                    self._collect_attachments(sub)
            return
        for sub in subparts:
            self._visit(sub)

    def _collect_attachments(self, part: Message) -> None:
        for sub in part.get_payload():
            if not isinstance(sub, Message):
                continue
            if sub.get_content_type() == _MESSAGE_MIME:
                self._attach_message(sub)
            elif sub.is_multipart():
                self._collect_attachments(sub)
            elif _is_attachment(sub) or not sub.get_content_type().startswith("text/"):
                self._attach(sub)

    def _attach(self, part: Message) -> None:
        data = part.get_payload(decode=True)
        if not isinstance(data, bytes):
            return
        fallback = f"attachment-{len(self.children) + 1}"
        extension = mimetypes.guess_extension(part.get_content_type()) or ".bin"
        name = safe_attachment_name(_filename(part), fallback + extension)
        self.children.append(Child(name=name, data=data))

    def _attach_message(self, part: Message) -> None:
        payload = part.get_payload()
        inner = payload[0] if isinstance(payload, list) and payload else None
        subject = _Reader(inner).header("subject") if isinstance(inner, Message) else ""
        # A subject is not a path: its slashes ("text/plain test") must not cut it short.
        fallback = re.sub(r"[/\\]", "_", subject or "attached message") + ".eml"
        name = safe_attachment_name(_filename(part), safe_attachment_name(fallback, "attached message.eml"))
        if not name.lower().endswith(".eml"):
            name += ".eml"
        if isinstance(inner, Message):
            try:
                data = _message_bytes(inner)
            except Exception:  # the stdlib cannot write some damaged messages back out
                self.children.append(Child(name, failure=ExtractionFailed(Reason.DAMAGED, _ATTACHED_DAMAGED)))
                return
        else:
            # A message/rfc822 part the parser could not open (e.g. base64-encoded): keep its bytes.
            raw = part.get_payload(decode=True)
            data = raw if isinstance(raw, bytes) else b""
        if data:
            self.children.append(Child(name=name, data=data))


def _unwrapped(message: Message) -> Message:
    """The message inside a bare message/rfc822 wrapper (one with no headers of its own), else itself."""
    while message.get_content_type() == _MESSAGE_MIME:
        payload = message.get_payload()
        inner = payload[0] if isinstance(payload, list) and payload else None
        own = any(message.get(name) for name in _OWN_HEADERS)
        if not isinstance(inner, Message) or own:
            break
        message = inner
    return message


def _is_encrypted(part: Message) -> bool:
    content_type = part.get_content_type()
    if content_type == _PGP_ENCRYPTED:
        return True
    # S/MIME signed-only messages use the same type with smime-type=signed-data.
    return content_type in _SMIME_TYPES and str(part.get_param("smime-type") or "").lower() != "signed-data"


def _text_charset(message: Message) -> str | None:
    for part in message.walk():
        charset = part.get_content_charset() if part.get_content_maintype() == "text" else None
        if charset and charset not in _WEAK_CHARSETS:
            return charset
    return None


def _filename(part: Message) -> str:
    name = part.get_filename() or collapse_rfc2231_value(part.get_param("name") or "")
    return _decode_header_text(str(name))


def _is_attachment(part: Message) -> bool:
    return part.get_content_disposition() == "attachment" or bool(_filename(part))


def _preferred_alternative(subparts: list[Message], flags: list[Flag]) -> Message | None:
    for wanted in ("text/plain", "multipart/related", "multipart/mixed", "text/html"):
        for sub in subparts:
            if sub.get_content_type() == wanted and not _is_attachment(sub):
                if wanted != "text/plain" or _part_text(sub, flags).strip():
                    return sub
    return subparts[-1] if subparts else None


def _part_text(part: Message, flags: list[Flag]) -> str:
    if part.is_multipart():
        # delivery-status reports parse as a list of header blocks
        return "\n".join(str(block) for block in part.get_payload() if isinstance(block, Message))
    data = part.get_payload(decode=True)
    if not isinstance(data, bytes):
        return ""
    if part.get_content_type() == "text/html":
        charset = part.get_content_charset()
        markup = _decode_charset(data, charset, flags) if charset else decode_html(data, flags)
        return html_to_text(markup)[0]
    return _decode_charset(data, part.get_content_charset(), flags)


def _message_bytes(message: Message) -> bytes:
    # Regenerate without refolding or ">From" quoting so the attached message stays as it was sent.
    generator_policy = message.policy.clone(max_line_length=None)
    if hasattr(generator_policy, "refold_source"):
        generator_policy = generator_policy.clone(refold_source="none")  # type: ignore[call-arg]  # EmailPolicy's, checked by hasattr
    buffer = BytesIO()
    try:
        BytesGenerator(buffer, mangle_from_=False, policy=generator_policy).flatten(message)
        return buffer.getvalue()
    except UnicodeEncodeError:
        # BytesGenerator writes ASCII only and fails on parts it had to decode with replacement
        # characters; the text generator keeps them, at the cost of re-encoding those parts.
        return message.as_string(policy=generator_policy).encode("utf-8", "surrogateescape")


def _is_draft(reader: _Reader) -> bool:
    """How mail programs mark a message they saved unsent: Outlook (and Reviewer's PST reader) write
    X-Unsent: 1, Thunderbird keeps X-Mozilla-Draft-Info, Apple Mail tags its drafts' type."""
    return (
        reader.header("x-unsent").strip() == "1"
        or bool(reader.header_values("x-mozilla-draft-info"))
        or reader.header("x-uniform-type-identifier").strip().lower() == "com.apple.mail-draft"
    )


def _read(
    data: bytes, parse_policy: policy.Policy
) -> tuple[EmailHeaders, str, str, list[Child], list[Flag]]:
    reader = _Reader(BytesParser(policy=parse_policy).parsebytes(data))
    headers = reader.headers()
    if _is_draft(reader):
        _flag(reader.flags, Flag.UNSENT)
    reader.read()
    body = "\n\n".join(text.strip() for text in reader.bodies if text.strip())
    return headers, reader.header("date"), body, reader.children, reader.flags


def _extraction_from_bytes(data: bytes, mime: str = _MESSAGE_MIME) -> Extraction:
    """An RFC 822 message held in memory."""
    if not data.strip():
        raise ExtractionFailed(Reason.EMPTY, "The email file is empty.")
    try:
        headers, date_text, body, children, flags = _read(data, policy.default)
    except Exception:  # the modern policy's header classes raise on some malformed headers
        try:
            headers, date_text, body, children, flags = _read(data, policy.compat32)
        except Exception as error:
            raise ExtractionFailed(Reason.DAMAGED, "The email is damaged and could not be read.") from error
    if not any((headers.sender, headers.to, headers.subject, headers.sent, headers.message_id)):
        # Without a single header, binary content means this is some other file under an email's name;
        # text is still worth showing.
        sample = data[:4096]
        if sum(byte < 0x20 and byte not in b"\t\n\r\f\x1b" for byte in sample) > len(sample) // 20:
            raise ExtractionFailed(Reason.DAMAGED, _NOT_AN_EMAIL)
    return Extraction(
        text=email_text(headers, date_text, body),
        mime=mime,
        title=headers.subject,
        email=headers,
        flags=flags,
        children=children,
    )


def parse_header_block(text: str) -> tuple[EmailHeaders, str]:
    """Header fields and the Date text of a bare header block, such as Outlook's transport headers."""
    reader = _Reader(HeaderParser(policy=policy.compat32).parsestr(text, headersonly=True))
    return reader.headers(), reader.header("date")


# ---- Extractors ---------------------------------------------------------------------------------------


def extract_eml(path: Path, context: ExtractContext) -> Extraction:
    check_not_empty(path)
    return _extraction_from_bytes(path.read_bytes())


def extract_emlx(path: Path, context: ExtractContext) -> Extraction:
    """Apple Mail: a line with the message's byte count, the message, then an XML property list."""
    check_not_empty(path)
    data = path.read_bytes()
    first_line, _, rest = data.partition(b"\n")
    try:
        length = int(first_line.strip())
    except ValueError as error:
        raise ExtractionFailed(
            Reason.DAMAGED, "The Apple Mail message is damaged and could not be read."
        ) from error
    message = rest[:length] if 0 < length <= len(rest) else rest.split(b"<?xml", 1)[0]
    return _extraction_from_bytes(message, mime="message/x-emlx")
