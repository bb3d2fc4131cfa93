"""Icons from resources/icons/*.svg, drawn in the palette's text colour so they suit light and dark themes.

The SVGs stroke with `currentColor`; Qt's SVG renderer does not know that keyword, so it is replaced by
the current palette's colour and the icon is rendered at several sizes (sharp at 100 % and 200 %).
"""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QByteArray, QRectF, Qt
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QImage, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer

from reviewer.core.resources import resources_dir

_SIZES = (16, 20, 24, 32, 40, 48, 64, 96)


def icon(name: str) -> QIcon:
    palette = QGuiApplication.palette()
    return _icon(name, palette.color(QPalette.ColorRole.WindowText).name())


def clear_cache() -> None:
    """Forget rendered icons (after the palette changes between light and dark)."""
    _icon.cache_clear()


@cache
def _icon(name: str, color: str) -> QIcon:
    source = (resources_dir() / "icons" / f"{name}.svg").read_text(encoding="utf-8")
    renderer = QSvgRenderer(QByteArray(source.replace("currentColor", color).encode()))
    if not renderer.isValid():
        raise ValueError(f"icon {name!r} is not a valid SVG")
    result = QIcon()
    for size in _SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(QColor(Qt.GlobalColor.transparent))
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter, QRectF(0, 0, size, size))
        painter.end()
        result.addPixmap(QPixmap.fromImage(image))
    return result


def color_swatch(color: str) -> QIcon:
    """A small square of a tag's or an issue's colour."""
    pixmap = QPixmap(12, 12)
    pixmap.fill(QColor(color))
    return QIcon(pixmap)
