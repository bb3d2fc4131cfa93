"""Drawing PDF and image pages with PyMuPDF for the viewer.

Every function here must run on the task runner's pdf lane (one thread): MuPDF is not thread-safe, and
keeping the last few documents open on that one thread makes paging through a long PDF cheap.
"""

from __future__ import annotations

from collections import OrderedDict
from pathlib import Path

import pymupdf
from PySide6.QtGui import QImage

_KEEP_OPEN = 4
_open: OrderedDict[Path, pymupdf.Document] = OrderedDict()


def _document(path: Path) -> pymupdf.Document:
    document = _open.get(path)
    if document is None:
        # The store names originals by hash (*.bin); MuPDF recognises PDFs and images by their bytes.
        document = pymupdf.open(path)
        _open[path] = document
        if len(_open) > _KEEP_OPEN:
            _open.popitem(last=False)[1].close()
    else:
        _open.move_to_end(path)
    return document


def page_sizes(path: Path) -> list[tuple[float, float]]:
    """Width and height of every page, in points, as displayed (rotation applied)."""
    return [(page.rect.width, page.rect.height) for page in _document(path).pages()]


def render_page(path: Path, page_number: int, scale: float) -> QImage:
    """One page at `scale` device pixels per point, opaque white where the page has no background."""
    page = _document(path)[page_number]
    pixmap = page.get_pixmap(matrix=pymupdf.Matrix(scale, scale), alpha=False)
    image = QImage(pixmap.samples, pixmap.width, pixmap.height, pixmap.stride, QImage.Format.Format_RGB888)
    return image.copy()  # detach from MuPDF's buffer, which goes away with `pixmap`


def close_all() -> None:
    while _open:
        _open.popitem()[1].close()
