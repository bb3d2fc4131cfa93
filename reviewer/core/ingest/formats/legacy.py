"""Legacy Office (.doc, .xls, .ppt) and WordPerfect: OLE2 metadata and whatever text can be read."""

from __future__ import annotations

import codecs
import io
import re
import struct
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import olefile
import xlrd

from reviewer.core.ingest.extracted import ExtractContext, Extraction, ExtractionFailed, Flag, Reason
from reviewer.core.ingest.formats.office import (
    ENCRYPTED_OFFICE,
    OLE_MAGIC,
    is_encrypted_package,
    sheet_lines,
)
from reviewer.core.ingest.formats.plain import check_not_empty, extract_rtf

_WORDPERFECT_MAGIC = b"\xffWPC"
_RTF_MAGIC = b"{\\rtf"

_MIME_DOC = "application/msword"
_MIME_XLS = "application/vnd.ms-excel"
_MIME_PPT = "application/vnd.ms-powerpoint"
_MIME_WORDPERFECT = "application/vnd.wordperfect"
_MIME_OLE = "application/x-ole-storage"

# Word 97 and later (nFib 193+); Word 6 and 95 files store text differently and are kept without text.
_WORD97_MIN_NFIB = 0xC1
_WORD_FIB_IDENT = 0xA5EC
_WORD_ENCRYPTED = 0x0100
_WORD_TABLE_1 = 0x0200
_WORD_CLX_INDEX = 33
_WORD_PIECE_COMPRESSED = 0x40000000
# Field instructions such as HYPERLINK "…" sit between 0x13 and 0x14; the shown result between 0x14 and 0x15.
_FIELD_MARKS = re.compile("([\x13\x14\x15])")
_WORD_CONTROLS = str.maketrans(
    {
        "\r": "\n",
        "\x0b": "\n",
        "\x0c": "\n",
        "\x07": "\t",
        "\x1e": "-",
        **{chr(code): None for code in (*range(0x00, 0x07), 0x08, *range(0x0E, 0x1E), 0x1F)},
    }
)

_PPT_CONTAINER = 0x0F
_PPT_TEXT_CHARS = 0x0FA0
_PPT_TEXT_BYTES = 0x0FA8


def _ole_string(value: object, codepage: int | None) -> str:
    if isinstance(value, bytes):
        encoding = {1200: "utf-16-le", 65001: "utf-8"}.get(codepage or 0, f"cp{codepage or 1252}")
        try:
            codecs.lookup(encoding)
        except LookupError:
            encoding = "cp1252"
        value = value.decode(encoding, errors="replace")
    return str(value or "").strip("\0 \t\r\n")


def _ole_date(value: object) -> datetime | None:
    # An unset FILETIME reads as 1 January 1601.
    if isinstance(value, datetime) and value.year > 1601:
        return value
    return None


# --- Word 97-2003 ---------------------------------------------------------------------------------------


def _strip_fields(text: str) -> str:
    shown: list[str] = []
    # One entry per open field: True while in its instruction, False once in its displayed result.
    in_instruction: list[bool] = []
    for token in _FIELD_MARKS.split(text):
        if token == "\x13":
            in_instruction.append(True)
        elif token == "\x14":
            if in_instruction:
                in_instruction[-1] = False
        elif token == "\x15":
            if in_instruction:
                in_instruction.pop()
        elif True not in in_instruction:
            shown.append(token)
    return "".join(shown)


def _word_text(ole: olefile.OleFileIO) -> str:
    """The document text, via the piece table (CLX) that maps it into the WordDocument stream."""
    word = ole.openstream("WordDocument").read()
    ident, nfib = struct.unpack_from("<HH", word, 0)
    (flags,) = struct.unpack_from("<H", word, 0x0A)
    if ident != _WORD_FIB_IDENT:
        raise ValueError("not a Word document")
    if flags & _WORD_ENCRYPTED:
        raise ExtractionFailed(Reason.ENCRYPTED, ENCRYPTED_OFFICE)
    if nfib < _WORD97_MIN_NFIB:
        raise ValueError("Word 6 or 95 document")
    position = 32
    (count,) = struct.unpack_from("<H", word, position)
    position += 2 + count * 2
    (count,) = struct.unpack_from("<H", word, position)
    position += 2 + count * 4
    (pairs,) = struct.unpack_from("<H", word, position)
    if pairs <= _WORD_CLX_INDEX:
        raise ValueError("file information block too short")
    fc_clx, lcb_clx = struct.unpack_from("<II", word, position + 2 + _WORD_CLX_INDEX * 8)
    table = ole.openstream("1Table" if flags & _WORD_TABLE_1 else "0Table").read()
    clx = table[fc_clx : fc_clx + lcb_clx]
    index = 0
    # Formatting (Prc) entries come first; the piece table (Pcdt) follows.
    while index < len(clx) and clx[index] == 0x01:
        (size,) = struct.unpack_from("<H", clx, index + 1)
        index += 3 + size
    if index >= len(clx) or clx[index] != 0x02:
        raise ValueError("no piece table")
    (size,) = struct.unpack_from("<I", clx, index + 1)
    pieces = clx[index + 5 : index + 5 + size]
    count = (len(pieces) - 4) // 12
    positions = struct.unpack_from(f"<{count + 1}I", pieces, 0)
    parts = []
    for number in range(count):
        (offset,) = struct.unpack_from("<I", pieces, 4 * (count + 1) + 8 * number + 2)
        length = positions[number + 1] - positions[number]
        if length <= 0:
            continue
        if offset & _WORD_PIECE_COMPRESSED:
            start = (offset & ~_WORD_PIECE_COMPRESSED) // 2
            parts.append(word[start : start + length].decode("cp1252", errors="replace"))
        else:
            parts.append(word[offset : offset + 2 * length].decode("utf-16-le", errors="replace"))
    return _strip_fields("".join(parts)).translate(_WORD_CONTROLS).strip()


# --- PowerPoint 97-2003 ---------------------------------------------------------------------------------


def _powerpoint_texts(stream: bytes) -> Iterator[str]:
    """Text atoms, walking the record tree flat: a container's body is simply the records that follow."""
    position = 0
    while position + 8 <= len(stream):
        version_instance, record_type, length = struct.unpack_from("<HHI", stream, position)
        position += 8
        if version_instance & 0x0F == _PPT_CONTAINER:
            continue
        body = stream[position : position + length]
        if record_type == _PPT_TEXT_CHARS:
            yield body.decode("utf-16-le", errors="replace")
        elif record_type == _PPT_TEXT_BYTES:
            yield body.decode("cp1252", errors="replace")
        position += length


def _powerpoint_text(ole: olefile.OleFileIO) -> str:
    if ole.exists("EncryptedSummary"):
        raise ExtractionFailed(Reason.ENCRYPTED, ENCRYPTED_OFFICE)
    stream = ole.openstream("PowerPoint Document").read()
    texts = (text.replace("\r", "\n").replace("\x0b", "\n").strip() for text in _powerpoint_texts(stream))
    return "\n".join(text for text in texts if text)


# --- Excel 97-2003 --------------------------------------------------------------------------------------


def _excel_value(cell: xlrd.sheet.Cell, datemode: int) -> object:
    if cell.ctype == xlrd.XL_CELL_DATE:
        try:
            return xlrd.xldate.xldate_as_datetime(cell.value, datemode)
        except (ValueError, OverflowError, xlrd.xldate.XLDateError):
            return cell.value
    if cell.ctype == xlrd.XL_CELL_BOOLEAN:
        return bool(cell.value)
    if cell.ctype == xlrd.XL_CELL_ERROR:
        return xlrd.error_text_from_code.get(cell.value, "#ERROR")
    return cell.value


def _excel_text(path: Path) -> str:
    try:
        # xlrd writes its warnings to stdout unless given somewhere else to put them.
        book = xlrd.open_workbook(str(path), on_demand=True, logfile=io.StringIO())
    except xlrd.XLRDError as error:
        if "encrypted" in str(error).lower():
            raise ExtractionFailed(Reason.ENCRYPTED, ENCRYPTED_OFFICE) from error
        raise
    lines: list[str] = []
    with book:
        for index in range(book.nsheets):
            sheet = book.sheet_by_index(index)
            rows = (
                (_excel_value(cell, book.datemode) for cell in sheet.row(number))
                for number in range(sheet.nrows)
            )
            lines.extend(sheet_lines(sheet.name, rows))
            book.unload_sheet(index)
    return "\n".join(lines)


# --- dispatch -------------------------------------------------------------------------------------------


_MIME_BY_STREAM = (
    ("WordDocument", _MIME_DOC),
    ("Workbook", _MIME_XLS),
    ("Book", _MIME_XLS),
    ("PowerPoint Document", _MIME_PPT),
)


def _mime_of(ole: olefile.OleFileIO) -> str:
    return next((mime for stream, mime in _MIME_BY_STREAM if ole.exists(stream)), _MIME_OLE)


def _ole_text(path: Path, ole: olefile.OleFileIO, mime: str) -> str:
    if mime == _MIME_DOC:
        return _word_text(ole)
    if mime == _MIME_XLS:
        return _excel_text(path)
    if mime == _MIME_PPT:
        return _powerpoint_text(ole)
    return ""


def extract(path: Path, context: ExtractContext) -> Extraction:
    check_not_empty(path)
    with path.open("rb") as stream:
        head = stream.read(len(OLE_MAGIC))
    if head.startswith(_RTF_MAGIC):
        # Word happily saves RTF under a .doc name.
        return extract_rtf(path, context)
    if head.startswith(_WORDPERFECT_MAGIC) or Path(context.file_name).suffix.lower() == ".wpd":
        return Extraction(mime=_MIME_WORDPERFECT, flags=[Flag.NO_TEXT])
    if head != OLE_MAGIC:
        raise ExtractionFailed(
            Reason.DAMAGED, "The file is damaged or not an Office document and could not be read."
        )
    try:
        ole = olefile.OleFileIO(str(path))
    except Exception as error:
        raise ExtractionFailed(
            Reason.DAMAGED, "The Office document is damaged and could not be read."
        ) from error
    with ole:
        if is_encrypted_package(ole):
            raise ExtractionFailed(Reason.ENCRYPTED, ENCRYPTED_OFFICE)
        try:
            metadata = ole.get_metadata()
            author = _ole_string(metadata.author, metadata.codepage)
            title = _ole_string(metadata.title, metadata.codepage)
            created, modified = _ole_date(metadata.create_time), _ole_date(metadata.last_saved_time)
        except Exception:  # olefile raises anything on a damaged property set; the body may still be fine
            author, title, created, modified = "", "", None, None
            metadata_flags = [Flag.METADATA_DAMAGED]
        else:
            metadata_flags = []
        mime = _mime_of(ole)
        try:
            text = _ole_text(path, ole, mime)
        except ExtractionFailed:
            raise
        except Exception:
            # The metadata is still worth keeping when the body is in a variant this reader does not know.
            text = ""
    return Extraction(
        text=text,
        mime=mime,
        author=author,
        title=title,
        created=created,
        modified=modified,
        flags=([] if text.strip() else [Flag.NO_TEXT]) + metadata_flags,
    )
