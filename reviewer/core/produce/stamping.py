"""Produced pages: each page's content scaled into the area above a footer band that carries the Bates
number (bottom right) and the endorsement (bottom left), so a stamp never covers the page, written as a
single-page PDF or as a 1-bit Group IV TIFF at 300 dpi.

A produced PDF page is built fresh: the cleaned page is drawn onto a new page (PyMuPDF show_pdf_page),
which takes its content and resources only, never the original's annotations, links, form fields,
scripts, embedded files, outlines or document metadata.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import pymupdf
from PIL import Image

from reviewer.core.choices import ImageFormat
from reviewer.core.produce import lettering
from reviewer.core.produce.visible import strip_private_data

EXTENSIONS: dict[ImageFormat, str] = {"pdf": ".pdf", "tiff": ".tif"}
TIFF_DPI = 300
PICTURE_DPI = 200  # pages produced as pictures of themselves (see visible.py), in a PDF
_FOOTER_SHARE = 0.045
_SMALLEST_FOOTER = 24.0


@dataclass(frozen=True)
class SourcePage:
    """A page ready to be produced: a page of a cleaned PDF, or a picture of it (JPEG) drawn instead."""

    pdf: pymupdf.Document
    number: int  # 0-based
    picture: bytes | None = None


def picture_of(page: pymupdf.Page) -> bytes:
    return page.get_pixmap(dpi=PICTURE_DPI).tobytes("jpeg", jpg_quality=85)


def write_page(source: SourcePage, bates: str, endorsement: str, image_format: ImageFormat, target: Path,
               read_back: bool = False) -> str:
    """Write one produced page to `target`; with `read_back`, the text that can be read from it."""
    out = pymupdf.open()
    try:
        page, embedded = stamped_page(out, source, bates, endorsement)
        if embedded:
            out.subset_fonts()
        target.parent.mkdir(parents=True, exist_ok=True)
        if image_format == "tiff":
            has_pictures = source.picture is not None or bool(source.pdf[source.number].get_images())
            _write_tiff(page, target, dither=has_pictures)
            return ""  # a picture carries no text
        strip_private_data(out)
        out.save(target, garbage=3, deflate=True)
        return page.get_text() if read_back else ""
    finally:
        out.close()


def stamped_page(out: pymupdf.Document, source: SourcePage, bates: str,
                 endorsement: str) -> tuple[pymupdf.Page, bool]:
    """A new page at the end of `out`: the source page scaled above a footer band carrying `bates` (bottom
    right) and `endorsement` (bottom left); and whether a font had to be embedded for them (the caller
    subsets fonts once, when it has added all its pages)."""
    size = source.pdf[source.number].rect
    page = out.new_page(width=size.width, height=size.height)
    footer = max(_SMALLEST_FOOTER, size.height * _FOOTER_SHARE)
    content = pymupdf.Rect(0, 0, size.width, size.height - footer)
    if source.picture is not None:
        page.insert_image(content, stream=source.picture, keep_proportion=True)
    else:
        page.show_pdf_page(content, source.pdf, source.number, keep_proportion=True)
    return page, _write_footer(page, footer, bates, endorsement)


def _write_footer(page: pymupdf.Page, footer: float, bates: str, endorsement: str) -> bool:
    """Bates number bottom right, endorsement bottom left (smaller if it would reach the number); True
    when a font had to be embedded for them."""
    size = footer * 0.3
    margin = footer * 0.6
    baseline = page.rect.height - footer * 0.4
    bates_width = lettering.width(bates, size)
    embedded = lettering.write(page, (page.rect.width - margin - bates_width, baseline), bates, size)
    if endorsement:
        room = page.rect.width - 3 * margin - bates_width
        endorse_size = min(size, size * room / max(lettering.width(endorsement, size), 1))
        embedded |= lettering.write(page, (margin, baseline), endorsement, endorse_size)
    return embedded


def _write_tiff(page: pymupdf.Page, target: Path, dither: bool) -> None:
    """Pages with pictures are dithered, so that photographs and shading survive the reduction to black and
    white; text alone is cut at mid-grey, which keeps its edges sharp (and is several times faster)."""
    pixmap = page.get_pixmap(dpi=TIFF_DPI, colorspace=pymupdf.csGRAY, alpha=False)
    image = Image.frombytes("L", (pixmap.width, pixmap.height), pixmap.samples)
    bilevel = image.convert("1", dither=Image.Dither.FLOYDSTEINBERG if dither else Image.Dither.NONE)
    buffer = io.BytesIO()
    bilevel.save(buffer, format="TIFF", compression="group4", dpi=(TIFF_DPI, TIFF_DPI))
    target.write_bytes(buffer.getvalue())
