"""Turn a document's page images (single-page TIFF/JPG/PNG/PDF files, or pages of a multi-page PDF/TIFF)
into one viewable PDF, and read each page's text layer (or OCR it when asked and tesseract is here).

The page images themselves are never changed: they are read, and a new PDF is written from them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pymupdf
from PIL import Image, UnidentifiedImageError

from reviewer.core.ingest.formats.image import OcrFailed, ocr_available, ocr_png_bytes

OCR_DPI = 200
_TIFF_SUFFIXES = {".tif", ".tiff"}
# TIFF tags read to pass Group 4 data through untouched.
_COMPRESSION, _PHOTOMETRIC, _FILL_ORDER, _STRIP_OFFSETS, _STRIP_BYTES, _ORIENTATION, _T6_OPTIONS = (
    259, 262, 266, 273, 279, 274, 293)
_GROUP4 = 4


class PageImageError(Exception):
    """A page image that is missing or cannot be read; str() is one sentence."""


@dataclass(frozen=True)
class SourcePage:
    file: Path
    index: int  # 0-based page (or TIFF frame) within the file


@dataclass
class Assembled:
    pdf: bytes
    texts: list[str]  # one per page, "" where a page has no text layer and no OCR ran
    ocr_pages: int = 0


def page_count(path: Path) -> int:
    """How many pages (or frames) an image file holds."""
    try:
        with pymupdf.open(path) as document:
            return document.page_count
    except Exception as error:
        raise PageImageError(f"{path.name} cannot be read as an image or PDF ({type(error).__name__}).") \
            from None


def assemble(pages: list[SourcePage], ocr: bool = False) -> Assembled:
    out = pymupdf.open()
    opened: dict[Path, pymupdf.Document] = {}
    texts: list[str] = []
    ocr_pages = 0
    use_ocr = ocr and ocr_available()
    try:
        for page in pages:
            source = opened.get(page.file)
            if source is None:
                source = opened[page.file] = _open(page.file)
            if page.index >= source.page_count:
                raise PageImageError(f"{page.file.name} has {source.page_count} page(s); the load file "
                                     f"asks for page {page.index + 1}.")
            out.insert_pdf(source, from_page=page.index, to_page=page.index)
            added = out[out.page_count - 1]
            text = added.get_text()
            if not text.strip() and use_ocr:
                text = _ocr(added)
                ocr_pages += 1
            texts.append(text)
        return Assembled(out.tobytes(garbage=1, deflate=True), texts, ocr_pages)
    finally:
        for document in opened.values():
            document.close()
        out.close()


def _open(path: Path) -> pymupdf.Document:
    if not path.is_file():
        raise PageImageError(f"The page image {path.name} is missing from the volume.")
    try:
        passed_through = _group4_pdf(path) if path.suffix.lower() in _TIFF_SUFFIXES else None
        if passed_through is not None:
            return pymupdf.open("pdf", passed_through)
        document = pymupdf.open(path)
        if document.is_pdf:
            return document
        with document:  # an image (every frame of a TIFF) becomes PDF pages once, whichever page is wanted
            return pymupdf.open("pdf", document.convert_to_pdf())
    except Exception as error:
        raise PageImageError(f"{path.name} cannot be read as an image or PDF ({type(error).__name__}).") \
            from None


def _group4_pdf(path: Path) -> bytes | None:
    """A one-page PDF around a single-strip Group 4 TIFF's compressed data, as it is: the usual production
    TIFF. Decoding and re-encoding a 300 dpi page costs some 40 ms; this costs about one. None when the TIFF
    is anything else (several frames or strips, another compression, bit order or orientation)."""
    try:
        with Image.open(path, formats=["TIFF"]) as image:
            tags = image.tag_v2  # type: ignore[attr-defined]  # formats=["TIFF"] opens a TiffImageFile
            plain = (getattr(image, "n_frames", 1) == 1 and tags.get(_COMPRESSION) == _GROUP4
                     and len(tags.get(_STRIP_OFFSETS, ())) == 1 and tags.get(_FILL_ORDER, 1) == 1
                     and tags.get(_ORIENTATION, 1) == 1 and not tags.get(_T6_OPTIONS, 0)
                     and tags.get(_PHOTOMETRIC) in (0, 1))
            if not plain:
                return None
            width, height = image.size
            dpi_x, dpi_y = (float(v) or 300.0 for v in image.info.get("dpi", (300, 300)))
            offset, length = tags[_STRIP_OFFSETS][0], tags[_STRIP_BYTES][0]
            # Group 4 codes say white and black runs; with BlackIsZero a "white" run is black ink.
            black_is_1 = "true" if tags[_PHOTOMETRIC] == 1 else "false"
    except (OSError, UnidentifiedImageError, AttributeError, KeyError, ValueError):
        return None
    with path.open("rb") as stream:
        stream.seek(offset)
        data = stream.read(length)
    if len(data) != length:
        return None
    page_w, page_h = width * 72 / dpi_x, height * 72 / dpi_y
    content = f"q {page_w:.2f} 0 0 {page_h:.2f} 0 0 cm /Im0 Do Q".encode()
    image_dict = (f"<< /Type /XObject /Subtype /Image /Width {width} /Height {height} /BitsPerComponent 1 "
                  f"/ColorSpace /DeviceGray /Filter /CCITTFaxDecode /DecodeParms << /K -1 /Columns {width} "
                  f"/Rows {height} /BlackIs1 {black_is_1} >> /Length {len(data)} >>").encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        (f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {page_w:.2f} {page_h:.2f}] "
         f"/Resources << /XObject << /Im0 4 0 R >> >> /Contents 5 0 R >>").encode(),
        image_dict + b"\nstream\n" + data + b"\nendstream",
        f"<< /Length {len(content)} >>".encode() + b"\nstream\n" + content + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref_at = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref_at}\n%%EOF\n".encode()
    return bytes(out)


def _ocr(page: pymupdf.Page) -> str:
    try:
        return ocr_png_bytes(page.get_pixmap(dpi=OCR_DPI, colorspace=pymupdf.csGRAY).tobytes("png"))
    except OcrFailed:
        return ""
