"""Scanned and photographed pages (PNG, JPEG, TIFF, GIF, BMP), and the OCR that PDF extraction shares."""

from __future__ import annotations

import os
import shutil
import subprocess
import zlib
from pathlib import Path

import filetype
import pymupdf
from PIL import Image

from reviewer.core.ingest.extracted import ExtractContext, Extraction, ExtractionFailed, Flag, Reason
from reviewer.core.ingest.formats.downscale import TooLargeToReduce, image_size, reduced_png, reduction_factor
from reviewer.core.ingest.formats.plain import check_not_empty

# Damaged input is normal here and is reported as a ledger exception; MuPDF's own messages on stderr would
# only garble the progress display of whoever runs the workers.
pymupdf.TOOLS.mupdf_display_errors(False)
pymupdf.TOOLS.mupdf_display_warnings(False)

# A page of dense text takes tesseract a few seconds; minutes mean a pathological image.
OCR_TIMEOUT_SECONDS = 300


# What MuPDF can open, by the type the file's content shows, with the file type MuPDF expects.
_MUPDF_TYPES = {
    "image/png": "png",
    "image/apng": "png",
    "image/jpeg": "jpg",
    "image/tiff": "tif",
    "image/gif": "gif",
    "image/bmp": "bmp",
    "image/jpx": "jpx",
}


class OcrFailed(Exception):
    """Tesseract could not read the image, crashed or ran out of time."""


def ocr_available(context: ExtractContext | None = None) -> bool:
    """True when tesseract is installed and OCR is neither switched off for this ingest nor by env."""
    if context is not None and not context.ocr:
        return False
    return not os.environ.get("REVIEWER_NO_OCR") and shutil.which("tesseract") is not None


def _tesseract(source: str, stdin: bytes | None) -> str:
    # Ingest already runs one worker per core; tesseract's own threads would only compete with them.
    environment = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    try:
        result = subprocess.run(
            ["tesseract", source, "stdout"],
            input=stdin,
            capture_output=True,
            timeout=OCR_TIMEOUT_SECONDS,
            env=environment,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise OcrFailed(str(error)) from error
    if result.returncode != 0:
        raise OcrFailed(result.stderr.decode("utf-8", errors="replace").strip())
    # Tesseract ends every page with a form feed.
    return result.stdout.decode("utf-8", errors="replace").replace("\f", "\n").strip()


def ocr_image_file(path: Path) -> str:
    return _tesseract(str(path), None)


def ocr_png_bytes(data: bytes) -> str:
    return _tesseract("stdin", data)


def extract(path: Path, context: ExtractContext) -> Extraction:
    check_not_empty(path)
    kind = filetype.guess(str(path))
    if kind is None or not kind.mime.startswith("image/"):
        raise ExtractionFailed(Reason.DAMAGED, "The file is not a readable image and could not be opened.")
    if kind.mime not in _MUPDF_TYPES:
        raise ExtractionFailed(
            Reason.UNSUPPORTED,
            f"Reviewer cannot read {kind.extension.upper()} images; the original is kept.",
        )
    damaged = ExtractionFailed(Reason.DAMAGED, "The image file is damaged and could not be read.")
    try:
        with pymupdf.open(path, filetype=_MUPDF_TYPES[kind.mime]) as document:
            pages = document.page_count
            if pages:
                document.load_page(0)
    except Exception as error:
        raise damaged from error
    if pages == 0:
        raise damaged

    text = ""
    flags: list[Flag] = []
    if ocr_available(context):
        try:
            text, reduced = _ocr_within_budget(path)
        except (OcrFailed, TooLargeToReduce):
            flags.append(Flag.NEEDS_OCR)
        else:
            flags += [Flag.OCR_DOWNSCALED] if reduced else []
            if not text:
                flags.append(Flag.NO_TEXT)
    else:
        flags.append(Flag.NEEDS_OCR)
    return Extraction(text=text, mime=kind.mime, pages=pages, flags=flags)


def _ocr_within_budget(path: Path) -> tuple[str, bool]:
    """The image's text, and whether it had to be read at reduced resolution to stay within the budget."""
    try:
        width, height = image_size(path)
    except Image.DecompressionBombError as error:
        raise TooLargeToReduce(str(error)) from error
    except (OSError, ValueError, SyntaxError):  # Pillow cannot parse the header; MuPDF could open it
        return ocr_image_file(path), False
    factor = reduction_factor(width, height)
    if factor == 1:
        return ocr_image_file(path), False
    try:
        png = reduced_png(path, factor)
    except (OSError, ValueError, zlib.error, SyntaxError) as error:
        raise OcrFailed(f"the image could not be reduced for OCR ({error})") from error
    return ocr_png_bytes(png), True
