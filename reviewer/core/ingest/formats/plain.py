"""Plain text, CSV and RTF, plus the text-decoding and small helpers the other extractors share."""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import charset_normalizer
from striprtf.striprtf import rtf_to_text

from reviewer.core.ingest.extracted import (
    ExtractContext,
    Extraction,
    ExtractionFailed,
    Flag,
    Limits,
    Reason,
)

# Longest BOMs first: the UTF-32 LE mark begins with the UTF-16 LE one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# Pages (and slides) are joined with a form feed, as pdftotext does, so page boundaries survive in the text.

_OTHER_WINDOWS_LATIN = frozenset(("cp1250", "cp1254", "cp1257", "cp1258"))

_MIME_BY_SUFFIX = {".csv": "text/csv", ".tsv": "text/tab-separated-values"}


def check_not_empty(path: Path) -> None:
    if path.stat().st_size == 0:
        raise ExtractionFailed(Reason.EMPTY, "The file is empty (0 bytes).")


def member_too_large(limits: Limits) -> ExtractionFailed:
    megabytes = limits.max_member_bytes // (1024 * 1024)
    return ExtractionFailed(
        Reason.TOO_LARGE, f"This attachment is larger than the {megabytes} MB limit and was not extracted."
    )


def naive_utc(value: datetime | None) -> datetime | None:
    """Dates are stored as naive UTC; an aware value is converted, a naive one is taken as UTC already."""
    if value is None or value.tzinfo is None:
        return value
    return value.astimezone(UTC).replace(tzinfo=None)


# Metadata dates outside these years are placeholders or damage (year 0001, 9999), not when anything happened.
_PLAUSIBLE_YEARS = range(1900, 2200)
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


class MetadataReader:
    """Reads a document's metadata fields one by one, so that bad metadata never costs the document.

    A field that is present but cannot be read (a date in year 0001, one that overflows when its zone is
    applied, text with undecodable characters) is left out or repaired, and `flags` then says
    "metadata damaged"; the text and the document are kept.
    """

    def __init__(self) -> None:
        self.flags: list[Flag] = []

    def mark_damaged(self) -> None:
        if Flag.METADATA_DAMAGED not in self.flags:
            self.flags.append(Flag.METADATA_DAMAGED)

    def date(self, raw: Any, parse: Callable[[Any], datetime | None]) -> datetime | None:
        """`parse(raw)` as naive UTC; None, and the flag, when `raw` is there but gives no plausible date."""
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return None
        try:
            value = naive_utc(parse(raw))
        except (ValueError, OverflowError, TypeError):
            value = None
        if value is None or value.year not in _PLAUSIBLE_YEARS:
            self.mark_damaged()
            return None
        return value

    def text(self, raw: Any) -> str:
        """An author or title as clean text; characters that cannot be stored become U+FFFD."""
        if raw is None:
            return ""
        if not isinstance(raw, str):
            self.mark_damaged()
            return ""
        if _LONE_SURROGATE.search(raw):
            self.mark_damaged()
            raw = _LONE_SURROGATE.sub("\ufffd", raw)
        return raw.strip()


def text_codec(label: str) -> str | None:
    """The codec a declared charset names, or None when none does or it is no text encoding (`rot13`)."""
    try:
        b"x".decode(label)  # LookupError for unknown labels and bytes-to-bytes codecs alike ("" is exempt)
    except LookupError:
        return None
    except ValueError:  # a real text codec that cannot decode this sample is still a text codec
        pass
    return codecs.lookup(label).name


def bom_encoding(data: bytes) -> tuple[str, int] | None:
    """The encoding a byte-order mark announces and the mark's length."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding, len(bom)
    return None


def utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 without a BOM shows as NUL in every other byte when the text is mostly Latin script."""
    sample = data[:4096]
    if len(sample) < 4:
        return None
    even_nuls = sample[0::2].count(0) / len(sample[0::2])
    odd_nuls = sample[1::2].count(0) / len(sample[1::2])
    if odd_nuls > 0.3 and even_nuls < 0.05:
        return "utf-16-le"
    if even_nuls > 0.3 and odd_nuls < 0.05:
        return "utf-16-be"
    return None


def _latin_script(text: str) -> bool:
    return all(
        ord(char) < 128 or not char.isalpha() or unicodedata.name(char, "").startswith("LATIN")
        for char in text
    )


def detect_encoding(data: bytes) -> str:
    """Best guess for undeclared text, leaning to Windows-1252 for Latin-script text.

    Short Western text often gets a DOS, Mac or Central European code page from charset-normalizer (they
    share the plain accented letters), which garbles curly quotes, dashes, ñ and ã. Windows-1252 is by far
    the likelier source, so it wins unless it cannot decode the bytes, the text is in another script, or
    the detector found another Windows Latin page (Polish, Turkish, Baltic) and never considered 1252.
    """
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    matches = charset_normalizer.from_bytes(data)
    best = matches.best()
    if best is None:
        return "cp1252"
    try:
        data.decode("cp1252")
    except UnicodeDecodeError:
        return best.encoding
    if not _latin_script(str(best)):
        return best.encoding
    considered = {*best.could_be_from_charset, *(match.encoding for match in matches)}
    if best.encoding in _OTHER_WINDOWS_LATIN and "cp1252" not in considered:
        return best.encoding
    return "cp1252"


def decode_text(data: bytes) -> str:
    """Text from bytes of unknown encoding: BOM first, then BOM-less UTF-16, UTF-8, then detection."""
    bom = bom_encoding(data)
    if bom is not None:
        encoding, skip = bom
        return data[skip:].decode(encoding, errors="replace")
    encoding = utf16_without_bom(data) or detect_encoding(data)
    return data.decode(encoding, errors="replace")


def extract_text(path: Path, context: ExtractContext) -> Extraction:
    check_not_empty(path)
    with path.open("rb") as stream:  # no more than the text kept: a character takes at least a byte
        text = decode_text(stream.read(context.limits.max_text_chars + 1))
    mime = _MIME_BY_SUFFIX.get(Path(context.file_name).suffix.lower(), "text/plain")
    return Extraction(text=text, mime=mime, flags=[] if text.strip() else [Flag.NO_TEXT])


_RTF_CODEPAGE = re.compile(rb"\\ansicpg(\d+)")
_RTF_INFO_TEXT = {
    name: re.compile(rb"{\\" + name.encode() + rb"\s?([^{}]*)}") for name in ("title", "author")
}
_RTF_INFO_DATE = {
    name: re.compile(
        rb"{\\" + name.encode() + rb"\\yr(\d+)\\mo(\d+)\\dy(\d+)(?:\\hr(\d+))?(?:\\min(\d+))?(?:\\sec(\d+))?"
    )
    for name in ("creatim", "revtim")
}


def _rtf_codepage(data: bytes) -> str:
    match = _RTF_CODEPAGE.search(data[:4096])
    if match is not None:
        encoding = f"cp{int(match.group(1))}"
        try:
            codecs.lookup(encoding)
            return encoding
        except LookupError:
            pass
    return "cp1252"


def _rtf_info_text(data: bytes, name: str, encoding: str) -> str:
    match = _RTF_INFO_TEXT[name].search(data)
    if match is None:
        return ""
    try:
        return rtf_to_text("{" + match.group(1).decode("latin-1") + "}", encoding=encoding, errors="replace")
    except Exception:
        return ""


def _rtf_info_date(match: re.Match[bytes]) -> datetime:
    # RTF \info dates carry no zone; they are the author's local time, kept as given. A huge \yr
    # overflows, an impossible \mo fails: MetadataReader drops either.
    year, month, day, hour, minute, second = (int(part) if part else 0 for part in match.groups())
    return datetime(year, month, day, hour, minute, second)


def extract_rtf(path: Path, context: ExtractContext) -> Extraction:
    check_not_empty(path)
    data = path.read_bytes()
    if not data.lstrip().startswith(b"{\\rtf"):
        raise ExtractionFailed(Reason.DAMAGED, "The file is not a valid RTF document and could not be read.")
    encoding = _rtf_codepage(data)
    try:
        # RTF is 7-bit at heart; latin-1 keeps each byte as-is and striprtf decodes \'hh escapes itself.
        text = rtf_to_text(data.decode("latin-1"), encoding=encoding, errors="replace")
    except Exception as error:
        raise ExtractionFailed(Reason.DAMAGED, "The RTF file is damaged and could not be read.") from error
    metadata = MetadataReader()
    return Extraction(
        text=text,
        mime="application/rtf",
        title=metadata.text(_rtf_info_text(data, "title", encoding)),
        author=metadata.text(_rtf_info_text(data, "author", encoding)),
        created=metadata.date(_RTF_INFO_DATE["creatim"].search(data), _rtf_info_date),
        modified=metadata.date(_RTF_INFO_DATE["revtim"].search(data), _rtf_info_date),
        flags=([] if text.strip() else [Flag.NO_TEXT]) + metadata.flags,
    )
