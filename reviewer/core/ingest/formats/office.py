"""Word, Excel and PowerPoint (OOXML): text, core properties and embedded files."""

from __future__ import annotations

import io
import re
import struct
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

import filetype
import olefile
import openpyxl
from defusedxml import ElementTree
from docx.oxml.parser import parse_xml
from docx.package import Package as WordPackage
from pptx.package import Package as PowerPointPackage

from reviewer.core.ingest.extracted import (
    PAGE_BREAK,
    Child,
    ExtractContext,
    Extraction,
    ExtractionFailed,
    Flag,
    Limits,
    Reason,
)
from reviewer.core.ingest.formats.plain import MetadataReader, check_not_empty, member_too_large

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTED_OFFICE = "The document is password-protected; Reviewer cannot open password-protected Office files."

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
# Text boxes are stored twice, as DrawingML and as a VML fallback for old Word; read only the first.
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
# Deleted tracked changes stay in the text: in discovery, what was struck out can matter most.
_W_TEXT = frozenset((_W + "t", _W + "delText"))
_W_BREAKS = frozenset((_W + "br", _W + "cr"))
_WORD_EXTRA_PARTS = ("header", "footer", "footnotes", "endnotes", "comments")

_EMBEDDINGS = ("word/embeddings/", "xl/embeddings/", "ppt/embeddings/")
# OLE storages that are whole documents of their own, recognised by the stream each always has.
_OLE_DOCUMENT_STREAMS = (
    ("WordDocument", ".doc"),
    ("Workbook", ".xls"),
    ("Book", ".xls"),
    ("PowerPoint Document", ".ppt"),
    ("__properties_version1.0", ".msg"),
)

_CT = "{http://schemas.openxmlformats.org/package/2006/content-types}"
_CORE_PROPERTIES_TYPE = "application/vnd.openxmlformats-package.core-properties+xml"
_DC = "{http://purl.org/dc/elements/1.1/}"
_DCTERMS = "{http://purl.org/dc/terms/}"

_MIME_DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_MIME_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_MIME_PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"


def is_encrypted_package(ole: olefile.OleFileIO) -> bool:
    """Password-protected OOXML files are OLE storages holding the encrypted ZIP."""
    return bool(ole.exists("EncryptedPackage"))


def _check_package(path: Path, kind: str, limits: Limits) -> None:
    """Fail clearly on what is not a readable OOXML package: encrypted, truncated, foreign or a ZIP bomb."""
    check_not_empty(path)
    with path.open("rb") as stream:
        head = stream.read(len(OLE_MAGIC))
    if head == OLE_MAGIC:
        try:
            with olefile.OleFileIO(str(path)) as ole:
                encrypted = is_encrypted_package(ole)
        except Exception:
            encrypted = False
        if encrypted:
            raise ExtractionFailed(Reason.ENCRYPTED, ENCRYPTED_OFFICE)
    damaged = ExtractionFailed(
        Reason.DAMAGED, f"The {kind} file is damaged or incomplete and could not be read."
    )
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (OSError, zipfile.BadZipFile) as error:
        raise damaged from error
    # The Office libraries load every part into memory; embedded files over the limit are reported one by
    # one later, but a document part that large, or a package expanding past the total, is refused here.
    oversized = any(
        info.file_size > limits.max_member_bytes and not info.filename.startswith(_EMBEDDINGS)
        for info in members
    )
    if oversized or sum(info.file_size for info in members) > limits.max_total_expanded_bytes:
        raise ExtractionFailed(
            Reason.TOO_LARGE, f"The {kind} file expands to more than the size limit allows and was not read."
        )


# A DOCTYPE's internal subset may declare entities (XXE, "billion laughs"); quoted values may hold "]" or ">".
_DOCTYPE = re.compile(rb"""<!DOCTYPE(?:[^\[>"']|"[^"]*"|'[^']*')*(?:\[(?:[^\]"']|"[^"]*"|'[^']*')*\])?\s*>""")
_DECLARED_ENTITY_REFERENCE = re.compile(rb"&(?!(?:amp|lt|gt|quot|apos);)[A-Za-z_:][\w.:-]*;")
_DOCTYPE_WINDOW = 4096


def without_doctype(xml: bytes) -> bytes:
    """The XML without its DOCTYPE, and without references to the entities it declared: never resolved.

    Office never writes a DOCTYPE, so one is a sign of a crafted file; python-docx ignores it, but the
    safe parsers openpyxl and the core properties use refuse the whole part. Dropping it reads the
    document as Office would have written it.
    """
    if b"<!DOCTYPE" not in xml[:_DOCTYPE_WINDOW]:
        return xml
    xml = _DOCTYPE.sub(b"", xml, count=1)
    return _DECLARED_ENTITY_REFERENCE.sub(b"", xml)


def _without_doctypes(path: Path, scratch: Path) -> Path:
    """`path` itself, or a copy in `scratch` whose XML parts carry no DOCTYPE."""
    with zipfile.ZipFile(path) as archive:
        members = archive.infolist()
        if not any(_has_doctype(archive, info) for info in members):
            return path
        copy = scratch / "without-doctype.zip"
        with zipfile.ZipFile(copy, "w", zipfile.ZIP_DEFLATED) as clean:
            for info in members:
                data = archive.read(info)
                clean.writestr(info, without_doctype(data) if _is_xml_part(info) else data)
    return copy


def _is_xml_part(info: zipfile.ZipInfo) -> bool:
    return info.filename.endswith((".xml", ".rels")) and not info.is_dir()


def _has_doctype(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    if not _is_xml_part(info):
        return False
    with archive.open(info) as part:
        return b"<!DOCTYPE" in part.read(_DOCTYPE_WINDOW)


def _damaged(kind: str) -> ExtractionFailed:
    return ExtractionFailed(Reason.DAMAGED, f"The {kind} file is damaged and could not be read.")


def cell_text(value: object) -> str:
    """A spreadsheet value as a reader would type it into a search box."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.isoformat(sep=" ") if value.time() != time() else value.date().isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


def sheet_lines(name: str, rows: Iterable[Iterable[object]]) -> list[str]:
    """A sheet as "Sheet: name" and then one tab-separated line per non-empty row."""
    lines = [f"Sheet: {name}"]
    for row in rows:
        cells = [cell_text(value) for value in row]
        while cells and not cells[-1].strip():
            cells.pop()
        if cells:
            lines.append("\t".join(cells))
    return lines


@dataclass
class _CoreProperties:
    author: str = ""
    title: str = ""
    created: datetime | None = None
    modified: datetime | None = None
    flags: list[Flag] = field(default_factory=list)


def _w3c_date(value: str) -> datetime:
    return datetime.fromisoformat(value.strip())


def _core_properties(path: Path) -> _CoreProperties:
    """Author, title and dates from docProps/core.xml, read directly.

    python-docx and python-pptx miss the part when the package relationship is spelled the way
    LibreOffice writes it, and then report made-up values (a default title, "modified now").
    """
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            content_types = ElementTree.fromstring(without_doctype(archive.read("[Content_Types].xml")))
            part = next(
                (
                    override.get("PartName", "").lstrip("/")
                    for override in content_types.iter(_CT + "Override")
                    if override.get("ContentType") == _CORE_PROPERTIES_TYPE
                ),
                "docProps/core.xml",
            )
            if part not in names:
                return _CoreProperties()
            root = ElementTree.fromstring(without_doctype(archive.read(part)))
    except Exception:
        return _CoreProperties()
    metadata = MetadataReader()
    return _CoreProperties(
        author=metadata.text(root.findtext(_DC + "creator")),
        title=metadata.text(root.findtext(_DC + "title")),
        created=metadata.date(root.findtext(_DCTERMS + "created"), _w3c_date),
        modified=metadata.date(root.findtext(_DCTERMS + "modified"), _w3c_date),
        flags=metadata.flags,
    )


# --- embedded files -----------------------------------------------------------------------------------


def _ole10_native(name: str, raw: bytes) -> Child | None:
    """The file inside an OLE "Package" object (how Office embeds a .msg, .zip or any dragged-in file).

    Layout: total size, a type word (2), label, source path, two words, a length-prefixed temporary path,
    then the length-prefixed file data.
    """
    try:
        if raw[4:6] != b"\x02\x00":
            (size,) = struct.unpack_from("<I", raw, 0)
            return Child(name, raw[4 : 4 + size])
        label_end = raw.index(b"\0", 6)
        label = raw[6:label_end].decode("cp1252", errors="replace")
        position = raw.index(b"\0", label_end + 1) + 1 + 4
        (temp_path_length,) = struct.unpack_from("<I", raw, position)
        position += 4 + temp_path_length
        (size,) = struct.unpack_from("<I", raw, position)
        data = raw[position + 4 : position + 4 + size]
    except (ValueError, struct.error):
        return None
    if len(data) != size:
        return None
    return Child(PureWindowsPath(label).name or name, data)


def _unwrap_ole_object(name: str, data: bytes) -> Child:
    """Office wraps embedded files in an OLE storage; hand over the file itself when it can be found."""
    if not data.startswith(OLE_MAGIC):
        return Child(name, data)
    stem = PurePosixPath(name).stem
    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            if ole.exists("\x01Ole10Native"):
                child = _ole10_native(name, ole.openstream("\x01Ole10Native").read())
                if child is not None:
                    return child
            # Embedded PDFs (Acrobat) keep the file in CONTENTS; embedded OOXML documents in Package.
            for stream in ("CONTENTS", "Package"):
                if ole.exists(stream):
                    payload = ole.openstream(stream).read()
                    extension = filetype.guess_extension(payload)
                    if extension is not None:
                        return Child(f"{stem}.{extension}", payload)
            for stream, extension in _OLE_DOCUMENT_STREAMS:
                if ole.exists(stream):
                    return Child(stem + extension, data)
    except Exception:
        return Child(name, data)
    return Child(name, data)


def _embedded_files(path: Path, limits: Limits) -> list[Child]:
    children: list[Child] = []
    total = 0
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile):
        return children
    with archive:
        for info in archive.infolist():
            if info.is_dir() or not info.filename.startswith(_EMBEDDINGS):
                continue
            name = PurePosixPath(info.filename).name
            total += info.file_size
            if info.file_size > limits.max_member_bytes or total > limits.max_total_expanded_bytes:
                children.append(Child(name, failure=member_too_large(limits)))
                continue
            try:
                data = archive.read(info)
            except Exception:
                damaged = ExtractionFailed(
                    Reason.DAMAGED, "This embedded file is damaged and could not be read."
                )
                children.append(Child(name, failure=damaged))
                continue
            children.append(_unwrap_ole_object(name, data))
    return children


# --- Word -----------------------------------------------------------------------------------------------


def _collect_word_text(element: Any, line: list[str], lines: list[str]) -> None:
    """Append one line per paragraph (and per table row, cells tab-separated) in document order."""
    for child in element:
        tag = child.tag
        if tag == _MC_FALLBACK:
            continue
        if tag == _W + "p":
            paragraph: list[str] = []
            _collect_word_text(child, paragraph, lines)
            lines.append("".join(paragraph))
        elif tag == _W + "tr":
            cells: list[str] = []
            _collect_word_text(child, [], cells)
            lines.append("\t".join(cells))
        elif tag in _W_TEXT:
            line.append(child.text or "")
        elif tag == _W + "tab":
            line.append("\t")
        elif tag in _W_BREAKS:
            line.append("\n")
        elif tag != _W + "instrText":
            _collect_word_text(child, line, lines)


def _word_text(element: Any) -> str:
    lines: list[str] = []
    _collect_word_text(element, [], lines)
    return "\n".join(lines).strip()


def _word_extra_parts(package: WordPackage) -> list[str]:
    texts = []
    for part in package.iter_parts():
        stem = PurePosixPath(str(part.partname)).stem
        if part.partname.startswith("/word/") and stem.rstrip("0123456789") in _WORD_EXTRA_PARTS:
            text = _word_text(parse_xml(part.blob))
            if text:
                texts.append(text)
    return texts


def extract_docx(path: Path, context: ExtractContext) -> Extraction:
    _check_package(path, "Word", context.limits)
    try:
        # Package.open rather than docx.Document, which refuses macro-enabled (.docm) and template files.
        package = WordPackage.open(str(path))
        document = package.main_document_part.document
        texts = [_word_text(document.element.body), *_word_extra_parts(package)]
    except Exception as error:
        raise _damaged("Word") from error
    text = "\n\n".join(text for text in texts if text)
    properties = _core_properties(path)
    return Extraction(
        text=text,
        mime=_MIME_DOCX,
        author=properties.author,
        title=properties.title,
        created=properties.created,
        modified=properties.modified,
        flags=([] if text else [Flag.NO_TEXT]) + properties.flags,
        children=_embedded_files(path, context.limits),
    )


# --- Excel ----------------------------------------------------------------------------------------------


def extract_xlsx(path: Path, context: ExtractContext) -> Extraction:
    _check_package(path, "Excel", context.limits)
    lines: list[str] = []
    try:
        # A file object, not the path: openpyxl refuses paths whose extension it does not know.
        with _without_doctypes(path, context.scratch).open("rb") as stream:
            workbook = openpyxl.load_workbook(stream, read_only=True, data_only=True)
            try:
                for sheet in workbook.worksheets:
                    lines.extend(sheet_lines(sheet.title, sheet.iter_rows(values_only=True)))
            finally:
                workbook.close()
    except Exception as error:
        raise _damaged("Excel") from error
    has_values = any(not line.startswith("Sheet: ") for line in lines)
    properties = _core_properties(path)
    return Extraction(
        text="\n".join(lines),
        mime=_MIME_XLSX,
        author=properties.author,
        title=properties.title,
        created=properties.created,
        modified=properties.modified,
        flags=([] if has_values else [Flag.NO_TEXT]) + properties.flags,
        children=_embedded_files(path, context.limits),
    )


# --- PowerPoint -----------------------------------------------------------------------------------------


def _drawing_text(element: Any) -> str:
    paragraphs = (
        "".join(
            "\n" if part.tag == _A + "br" else part.text or "" for part in paragraph.iter(_A + "t", _A + "br")
        )
        for paragraph in element.iter(_A + "p")
    )
    return "\n".join(paragraph for paragraph in paragraphs if paragraph.strip())


def extract_pptx(path: Path, context: ExtractContext) -> Extraction:
    _check_package(path, "PowerPoint", context.limits)
    slides: list[str] = []
    try:
        # Package.open rather than pptx.Presentation, which refuses macro-enabled and slide-show files.
        presentation = PowerPointPackage.open(str(path)).presentation_part.presentation
        for slide in presentation.slides:
            text = _drawing_text(slide.element)
            if slide.has_notes_slide:
                notes_frame = slide.notes_slide.notes_text_frame
                notes = notes_frame.text.strip() if notes_frame is not None else ""
                if notes:
                    text = f"{text}\n\nNotes:\n{notes}"
            slides.append(text)
    except Exception as error:
        raise _damaged("PowerPoint") from error
    text = PAGE_BREAK.join(slides)
    properties = _core_properties(path)
    return Extraction(
        text=text,
        mime=_MIME_PPTX,
        pages=len(slides),
        author=properties.author,
        title=properties.title,
        created=properties.created,
        modified=properties.modified,
        flags=([] if text.strip() else [Flag.NO_TEXT]) + properties.flags,
        children=_embedded_files(path, context.limits),
    )
