"""PDF: the text layer of every page, OCR for scanned pages, metadata and file attachments."""

from __future__ import annotations

import re
import stringprep
import unicodedata
from datetime import datetime, timedelta
from pathlib import Path, PureWindowsPath

import pymupdf

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
from reviewer.core.ingest.formats.image import OcrFailed, ocr_available, ocr_png_bytes
from reviewer.core.ingest.formats.plain import MetadataReader, check_not_empty, member_too_large

OCR_DPI = 300
# An oversized page (a poster, a mis-scaled scan) at 300 dpi would need gigabytes of pixels.
OCR_MAX_SIDE_PIXELS = 8000

_PDF_DATE = re.compile(
    r"^\s*(?:D:)?(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?\s*(?:([+\-Zz])\s*(\d{2})?'?\s*(\d{2})?'?)?"
)


def parse_pdf_date(value: str) -> datetime | None:
    """A PDF date (D:YYYYMMDDHHmmSS+HH'mm', every part after the year optional) as naive UTC."""
    match = _PDF_DATE.match(value or "")
    if match is None:
        return None
    year, month, day, hour, minute, second, sign, offset_hours, offset_minutes = match.groups()
    try:
        moment = datetime(
            int(year), int(month or 1), int(day or 1), int(hour or 0), int(minute or 0), int(second or 0)
        )
    except ValueError:
        return None
    if sign in ("+", "-"):
        offset = timedelta(hours=int(offset_hours or 0), minutes=int(offset_minutes or 0))
        try:
            moment = moment - offset if sign == "+" else moment + offset
        except OverflowError:  # D:0001… with a zone east of UTC
            return None
    return moment


def _open(path: Path) -> pymupdf.Document:
    try:
        return pymupdf.open(path, filetype="pdf")
    except Exception as error:
        raise ExtractionFailed(Reason.DAMAGED, "The PDF is damaged and could not be opened.") from error


def _saslprep(password: str) -> str:
    """RFC 4013 as AES-256 (revision 6) PDFs require; MuPDF passes the password through unprepared."""
    mapped = "".join(
        " " if stringprep.in_table_c12(char) else "" if stringprep.in_table_b1(char) else char
        for char in password
    )
    return unicodedata.normalize("NFKC", mapped)


def _unlock(document: pymupdf.Document, passwords: list[str]) -> bool:
    candidates = dict.fromkeys(variant for given in passwords for variant in (given, _saslprep(given)))
    return any(document.authenticate(candidate) for candidate in candidates)


def _ocr_page(page: pymupdf.Page) -> str:
    longest_side_points = max(page.rect.width, page.rect.height, 1)
    dpi = min(OCR_DPI, int(OCR_MAX_SIDE_PIXELS * 72 / longest_side_points))
    try:
        png = page.get_pixmap(dpi=max(dpi, 1), colorspace=pymupdf.csGRAY).tobytes("png")
    except Exception as error:
        raise OcrFailed(str(error)) from error
    return ocr_png_bytes(png)


def _page_texts(document: pymupdf.Document, context: ExtractContext) -> tuple[list[str | None], bool]:
    """Text of each page, None for a page that cannot be read, and whether a scanned page still needs OCR."""
    ocr = ocr_available(context)
    texts: list[str | None] = []
    needs_ocr = False
    for number in range(document.page_count):
        try:
            page = document.load_page(number)
            text = page.get_text()
            scanned = not text.strip() and bool(page.get_image_info())
        except Exception:
            texts.append(None)
            continue
        if scanned and ocr:
            try:
                text = _ocr_page(page)
            except OcrFailed:
                needs_ocr = True
        elif scanned:
            needs_ocr = True
        texts.append(text)
    return texts, needs_ocr


def _attachments(document: pymupdf.Document, limits: Limits) -> list[Child]:
    children: list[Child] = []
    try:
        names = document.embfile_names()
    except Exception:
        return children
    damaged = ExtractionFailed(
        Reason.DAMAGED, "This attachment inside the PDF is damaged and could not be read."
    )
    for name in names:
        try:
            info = document.embfile_info(name)
            # Only the base name: a stored path could point anywhere once the child is written out.
            file_name = PureWindowsPath(info.get("ufilename") or info.get("filename") or name).name or name
            if info.get("size", -1) > limits.max_member_bytes:
                children.append(Child(file_name, failure=member_too_large(limits)))
                continue
            data = document.embfile_get(name)
        except Exception:
            children.append(Child(name, failure=damaged))
            continue
        if len(data) > limits.max_member_bytes:
            children.append(Child(file_name, failure=member_too_large(limits)))
        else:
            children.append(Child(file_name, data))
    return children


def _info(document: pymupdf.Document, metadata: MetadataReader) -> dict[str, str]:
    try:
        return document.metadata or {}
    except Exception:  # a damaged Info dictionary must not cost the pages
        metadata.mark_damaged()
        return {}


def _read(document: pymupdf.Document, context: ExtractContext) -> Extraction:
    flags: list[Flag] = []
    if document.needs_pass:
        if not _unlock(document, context.passwords):
            raise ExtractionFailed(
                Reason.ENCRYPTED,
                "The PDF is password-protected and none of the supplied passwords opened it.",
            )
        flags.append(Flag.ENCRYPTED_OPENED)
    texts, needs_ocr = _page_texts(document, context)
    if all(text is None for text in texts):
        raise ExtractionFailed(Reason.DAMAGED, "The PDF is damaged: none of its pages could be read.")
    if None in texts:
        flags.append(Flag.PARTIAL)
    text = PAGE_BREAK.join(text or "" for text in texts)
    if not text.strip():
        text = ""
        flags.append(Flag.NEEDS_OCR if needs_ocr else Flag.NO_TEXT)
    elif needs_ocr:
        flags.append(Flag.NEEDS_OCR)
    metadata = MetadataReader()
    info = _info(document, metadata)
    return Extraction(
        text=text,
        mime="application/pdf",
        pages=len(texts),
        author=metadata.text(info.get("author")),
        title=metadata.text(info.get("title")),
        created=metadata.date(info.get("creationDate"), parse_pdf_date),
        modified=metadata.date(info.get("modDate"), parse_pdf_date),
        flags=flags + metadata.flags,
        children=_attachments(document, context.limits),
    )


def extract(path: Path, context: ExtractContext) -> Extraction:
    check_not_empty(path)
    with _open(path) as document:
        try:
            return _read(document, context)
        except ExtractionFailed:
            raise
        except Exception as error:
            # MuPDF can fail late, e.g. counting the pages of a broken page tree.
            raise ExtractionFailed(Reason.DAMAGED, "The PDF is damaged and could not be read.") from error
