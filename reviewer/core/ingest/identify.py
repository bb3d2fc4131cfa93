"""Decide which extractor reads a file: content first, then the original file name's extension.

File names in a production are unreliable (Enron maildir messages are called "1.", attachments are
renamed, extensions are missing), so the bytes decide whenever they can. The returned kind is a key of
`formats.EXTRACTORS`; "unknown" files are kept as originals and reported as unsupported.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import filetype
import olefile

_HEAD_BYTES = 8192

MIME_BY_KIND: dict[str, str] = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "rtf": "application/rtf",
    "text": "text/plain",
    "csv": "text/csv",
    "html": "text/html",
    "eml": "message/rfc822",
    "emlx": "message/x-emlx",
    "mbox": "application/mbox",
    "msg": "application/vnd.ms-outlook",
    "pst": "application/vnd.ms-outlook-pst",
    "zip": "application/zip",
    "unknown": "application/octet-stream",
}

_LEGACY_MIME_BY_EXTENSION = {
    ".doc": "application/msword",
    ".dot": "application/msword",
    ".xls": "application/vnd.ms-excel",
    ".xlt": "application/vnd.ms-excel",
    ".ppt": "application/vnd.ms-powerpoint",
    ".pps": "application/vnd.ms-powerpoint",
    ".pot": "application/vnd.ms-powerpoint",
    ".wpd": "application/vnd.wordperfect",
    ".wp": "application/vnd.wordperfect",
}

_IMAGE_MIME_BY_EXTENSION = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".jpe": "image/jpeg",
    ".tif": "image/tiff",
    ".tiff": "image/tiff",
    ".gif": "image/gif",
    ".bmp": "image/bmp",
}

_KIND_BY_EXTENSION = {
    ".pdf": "pdf",
    ".docx": "docx",
    ".docm": "docx",
    ".dotx": "docx",
    ".dotm": "docx",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".xltx": "xlsx",
    ".xltm": "xlsx",
    ".pptx": "pptx",
    ".pptm": "pptx",
    ".potx": "pptx",
    ".ppsx": "pptx",
    ".rtf": "rtf",
    ".txt": "text",
    ".text": "text",
    ".log": "text",
    ".md": "text",
    ".csv": "csv",
    ".tsv": "csv",
    ".htm": "html",
    ".html": "html",
    ".xhtml": "html",
    ".eml": "eml",
    ".emlx": "emlx",
    ".mbox": "mbox",
    ".mbx": "mbox",
    ".msg": "msg",
    ".pst": "pst",
    ".ost": "pst",
    ".zip": "zip",
}

_IMAGE_MIMES = frozenset(_IMAGE_MIME_BY_EXTENSION.values())

# Header names that only mail and news messages carry; a header block needs one of them to count as a
# message, so "Name: value" notes and property files stay plain text.
_MAIL_HEADERS = frozenset(
    {
        "from",
        "to",
        "cc",
        "bcc",
        "subject",
        "date",
        "message-id",
        "received",
        "return-path",
        "mime-version",
        "content-type",
        "reply-to",
        "sender",
        "delivered-to",
        "in-reply-to",
        "references",
        "dkim-signature",
        "authentication-results",
        "newsgroups",
        "path",
        "x-mailer",
        "x-notes-item",
        "thread-topic",
    }
)
_HEADER_LINE = re.compile(rb"^[!-9;-~]+:")  # RFC 5322 field name: printable ASCII except colon


@dataclass(frozen=True)
class FileType:
    kind: str
    mime: str


def _of_kind(kind: str) -> FileType:
    return FileType(kind, MIME_BY_KIND[kind])


def identify(path: Path, file_name: str) -> FileType:
    """The kind of the file at `path`, whose original name was `file_name`."""
    extension = Path(file_name).suffix.lower()
    try:
        with path.open("rb") as handle:
            head = handle.read(_HEAD_BYTES)
    except OSError:
        return _of_kind("unknown")
    return (
        _by_binary_magic(path, head, extension)
        or _by_text_content(head, extension)
        or _by_extension(extension)
        or (_of_kind("text") if _looks_like_text(head) else _of_kind("unknown"))
    )


def _by_binary_magic(path: Path, head: bytes, extension: str) -> FileType | None:
    if re.search(rb"%PDF-\d", head[:1024]):
        return _of_kind("pdf")
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return _zip_type(path, head, extension)
    if head.startswith(olefile.MAGIC):
        return _ole_type(path, extension)
    if head.startswith(b"!BDN"):
        return _of_kind("pst")
    if head.startswith(b"{\\rtf"):
        return _of_kind("rtf")
    if head.startswith(b"\xffWPC"):
        return FileType("legacy", "application/vnd.wordperfect")
    guess = filetype.guess(head) if head else None
    if guess is None:
        return None
    if guess.mime in _IMAGE_MIMES:
        return FileType("image", guess.mime)
    # filetype's weaker signatures (e.g. "FWS" for Flash, "AC10" for DWG) also match ordinary text.
    if _looks_like_text(head):
        return None
    return FileType("unknown", guess.mime)


def _zip_type(path: Path, head: bytes, extension: str) -> FileType:
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            content_types = _read_member_head(archive, "[Content_Types].xml", 1_000_000)
            mimetype = _read_member_head(archive, "mimetype", 200)
    except (zipfile.BadZipFile, OSError, RuntimeError, ValueError, NotImplementedError, EOFError):
        # A truncated Office file has no central directory; let its extension or its first member
        # names decide, so that the Office extractor reports it as damaged rather than as a bad ZIP.
        kind = _KIND_BY_EXTENSION.get(extension)
        if kind in ("docx", "xlsx", "pptx"):
            return _of_kind(kind)
        return _of_kind(_ooxml_kind_from_raw(head) or "zip")
    if content_types:
        kind = _ooxml_kind_from_content_types(content_types) or _ooxml_kind_from_names(names)
        if kind:
            return _of_kind(kind)
    if mimetype:
        # OpenDocument and EPUB packages are ZIPs only technically; listing their XML parts as
        # members would bury the reviewer in noise, so they are kept as unsupported originals.
        return FileType("unknown", mimetype.decode("ascii", "replace").strip() or MIME_BY_KIND["unknown"])
    return _of_kind("zip")


def _read_member_head(archive: zipfile.ZipFile, name: str, size: int) -> bytes:
    # Capped, because a hostile archive can make even these small parts expand without limit.
    try:
        with archive.open(name) as member:
            return member.read(size)
    except KeyError:
        return b""


_MAIN_PART = re.compile(
    rb"(wordprocessingml|spreadsheetml|presentationml|ms-word|ms-excel|ms-powerpoint)\.[A-Za-z.]+\.main\+xml"
)
_KIND_BY_MAIN_PART = {
    b"wordprocessingml": "docx",
    b"ms-word": "docx",
    b"spreadsheetml": "xlsx",
    b"ms-excel": "xlsx",
    b"presentationml": "pptx",
    b"ms-powerpoint": "pptx",
}
_KIND_BY_PART_FOLDER = (("word/", "docx"), ("xl/", "xlsx"), ("ppt/", "pptx"))


def _ooxml_kind_from_content_types(content_types: bytes) -> str | None:
    # Only the main part counts: a presentation embedding a workbook also lists spreadsheet types.
    match = _MAIN_PART.search(content_types)
    return _KIND_BY_MAIN_PART[match.group(1)] if match else None


def _ooxml_kind_from_names(names: list[str]) -> str | None:
    for folder, kind in _KIND_BY_PART_FOLDER:
        if any(name.startswith(folder) for name in names):
            return kind
    return None


def _ooxml_kind_from_raw(head: bytes) -> str | None:
    for folder, kind in _KIND_BY_PART_FOLDER:
        if folder.encode() in head:
            return kind
    return None


def _ole_type(path: Path, extension: str) -> FileType:
    try:
        with olefile.OleFileIO(path) as ole:
            entries = ole.listdir(streams=True, storages=True)
    except Exception:  # olefile raises bare Exceptions and struct errors on damaged containers
        entries = []
    top = {entry[0] for entry in entries}
    if any(name.startswith("__substg1.0_") or name == "__properties_version1.0" for name in top):
        return _of_kind("msg")
    if "EncryptedPackage" in top:
        # The encrypted package hides which Office application wrote it; the name is the only hint.
        kind = _KIND_BY_EXTENSION.get(extension)
        return _of_kind(kind if kind in ("docx", "xlsx", "pptx") else "docx")
    if "WordDocument" in top:
        return FileType("legacy", "application/msword")
    if "Workbook" in top or "Book" in top:
        return FileType("legacy", "application/vnd.ms-excel")
    if "PowerPoint Document" in top:
        return FileType("legacy", "application/vnd.ms-powerpoint")
    if extension == ".msg":
        return _of_kind("msg")
    if extension in _LEGACY_MIME_BY_EXTENSION:
        return FileType("legacy", _LEGACY_MIME_BY_EXTENSION[extension])
    return FileType("unknown", "application/x-ole-storage")


def _by_text_content(head: bytes, extension: str) -> FileType | None:
    if _is_emlx(head):
        return _of_kind("emlx")
    if _is_mbox(head, extension):
        return _of_kind("mbox")
    if _is_header_block(head):
        return _of_kind("eml")
    if _is_html(head):
        return _of_kind("html")
    return None


def _is_emlx(head: bytes) -> bool:
    first, _, rest = head.partition(b"\n")
    return bool(re.fullmatch(rb"\s*\d+\s*", first)) and _is_header_block(rest)


def _is_mbox(head: bytes, extension: str) -> bool:
    text = head.lstrip(b"\r\n")
    if not text.startswith(b"From "):
        return False
    if extension == ".mbox":
        return True
    # A single message saved as .eml often keeps its "From " envelope line; the EML reader skips it.
    if extension == ".eml":
        return False
    # Prose such as "From the start, ..." is not followed by a header line or a blank line.
    lines = text.split(b"\n", 2)
    return len(lines) > 1 and (not lines[1].strip() or bool(_HEADER_LINE.match(lines[1])))


def _is_header_block(head: bytes) -> bool:
    lines = head.lstrip(b"\r\n").split(b"\n")
    if len(head) == _HEAD_BYTES:
        lines = lines[:-1]  # the last line may be cut in the middle
    fields: list[bytes] = []
    for line in lines:
        line = line.rstrip(b"\r")
        if not line:
            break
        if line[:1] in (b" ", b"\t"):
            if not fields:
                return False
            continue
        if not _HEADER_LINE.match(line):
            return False
        fields.append(line.split(b":", 1)[0].lower())
    names = {field.decode("ascii") for field in fields}
    return len(fields) >= 2 and bool(names & _MAIL_HEADERS)


def _is_html(head: bytes) -> bool:
    sample = head[:2048]
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = sample.decode("utf-16", "ignore")
    elif sample[1:400:2].count(0) > 150:
        text = sample.decode("utf-16-le", "ignore")
    elif sample[0:400:2].count(0) > 150:
        text = sample.decode("utf-16-be", "ignore")
    else:
        text = sample[:1024].decode("latin-1")
    return bool(re.search(r"<(html|!doctype\s+html|head|body)[\s>]", text[:1024], re.IGNORECASE))


def _by_extension(extension: str) -> FileType | None:
    if extension == ".tsv":
        return FileType("csv", "text/tab-separated-values")
    if extension in _KIND_BY_EXTENSION:
        return _of_kind(_KIND_BY_EXTENSION[extension])
    if extension in _IMAGE_MIME_BY_EXTENSION:
        return FileType("image", _IMAGE_MIME_BY_EXTENSION[extension])
    if extension in _LEGACY_MIME_BY_EXTENSION:
        return FileType("legacy", _LEGACY_MIME_BY_EXTENSION[extension])
    return None


def _looks_like_text(head: bytes) -> bool:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    if b"\x00" in head:
        return False
    controls = sum(1 for byte in head if byte < 0x20 and byte not in b"\t\n\r\f\b\x1b")
    return controls <= len(head) // 100
