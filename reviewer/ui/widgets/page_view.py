"""A scrolling column of rendered PDF or image pages, with search hits drawn over them.

Pages are rendered on the pdf lane only when they scroll into view, at the screen's pixel density, and
forgotten when they scroll far away, so a 2,000-page PDF costs no more than the few pages on screen.
`drawn` fires once every page in view of the current document and zoom has arrived.
"""

from __future__ import annotations

from bisect import bisect_right
from functools import partial
from pathlib import Path

from PySide6.QtCore import QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPaintEvent, QPalette, QResizeEvent
from PySide6.QtWidgets import QScrollArea, QWidget

from reviewer.ui import pages
from reviewer.ui.tasks import Lane, TaskRunner

MARGIN = 12
GAP = 12
MIN_ZOOM, MAX_ZOOM = 0.25, 6.0
KEEP_AROUND = 3  # rendered pages kept beyond those in view, in each direction

Rect = tuple[float, float, float, float]
HIT = QColor(255, 214, 0, 110)
CURRENT_HIT = QColor(255, 140, 0, 150)


class _Canvas(QWidget):
    def __init__(self, view: PageView) -> None:
        super().__init__()
        self._view = view

    def paintEvent(self, event: QPaintEvent) -> None:
        self._view.paint_canvas(self, event.rect())


class PageView(QScrollArea):
    drawn = Signal()
    zoomChanged = Signal(float)

    def __init__(self, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pageView")
        self._tasks = tasks
        self._canvas = _Canvas(self)
        self._canvas.setAutoFillBackground(False)
        self.setWidget(self._canvas)
        self.setWidgetResizable(False)
        self.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.setBackgroundRole(QPalette.ColorRole.Dark)
        # A scroll bar that came and went would change the width and so the fit-width zoom, back and forth.
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.verticalScrollBar().valueChanged.connect(self._request_visible)
        self._path: Path | None = None
        self._generation = 0
        self._sizes: list[tuple[float, float]] = []
        self._tops: list[int] = []
        self._zoom = 1.0
        self._fit_width = True
        self._images: dict[int, QImage] = {}
        self._requested: set[int] = set()
        self._hits: list[tuple[int, Rect]] = []
        self._current_hit = -1
        self._drawn_sent = True
        self._start_page = 0

    # --- what is shown ---------------------------------------------------------------------------------
    def load(self, path: Path, hits: list[tuple[int, Rect]], page: int = 0) -> None:
        """Show the document at `path` (hits: page number and rectangle in points), scrolled to `page`
        (0-based) once its page sizes are known."""
        self._generation += 1
        self._start_page = page
        self._path = path
        self._sizes, self._tops, self._hits, self._current_hit = [], [], hits, -1
        self._reset_images()
        self._canvas.resize(0, 0)
        generation = self._generation
        self._tasks.run(partial(pages.page_sizes, path), partial(self._sizes_arrived, generation),
                        lane=Lane.PDF)

    def clear(self) -> None:
        self._generation += 1
        self._path = None
        self._sizes, self._tops, self._hits = [], [], []
        self._reset_images()
        self._canvas.resize(0, 0)

    @property
    def zoom(self) -> float:
        return self._zoom

    @property
    def page_count(self) -> int:
        return len(self._sizes)

    @property
    def rendered_pages(self) -> dict[int, QImage]:
        """The page images held now (those in view and a few around them)."""
        return dict(self._images)

    def set_zoom(self, zoom: float) -> None:
        self._fit_width = False
        self._apply_zoom(min(MAX_ZOOM, max(MIN_ZOOM, zoom)))

    def zoom_in(self) -> None:
        self.set_zoom(self._zoom * 1.25)

    def zoom_out(self) -> None:
        self.set_zoom(self._zoom / 1.25)

    def fit_width(self) -> None:
        self._fit_width = True
        if self._sizes:
            self._apply_zoom(self._fitting_zoom())

    def show_hit(self, number: int) -> None:
        """Make hit `number` current: scroll it into the middle of the view."""
        if not 0 <= number < len(self._hits) or not self._tops:
            return
        self._current_hit = number
        box = self._hit_rect(*self._hits[number])
        self.ensureVisible(box.center().x(), box.center().y(), box.width() // 2 + 40,
                           self.viewport().height() // 3)
        self._canvas.update()

    def show_page(self, number: int) -> None:
        """Scroll page `number` (0-based) to the top of the view."""
        if 0 <= number < len(self._tops):
            self.verticalScrollBar().setValue(self._tops[number] - MARGIN)

    def page_rect(self, number: int) -> QRect:
        """Where page `number` (0-based) is laid out on the canvas (view.widget()), in its pixels."""
        return self._page_rect(number)

    def page_size(self, number: int) -> tuple[float, float]:
        """Page `number`'s width and height in PDF points."""
        return self._sizes[number]

    @property
    def pages_in_view(self) -> range:
        """The 0-based numbers of the pages in view (empty before the document is laid out)."""
        return self._visible_pages()

    # --- layout ----------------------------------------------------------------------------------------
    def _sizes_arrived(self, generation: int, sizes: list[tuple[float, float]]) -> None:
        if generation != self._generation:
            return
        self._sizes = sizes
        if self._fit_width:
            self._zoom = self._fitting_zoom()
            self.zoomChanged.emit(self._zoom)
        self._layout()
        self.verticalScrollBar().setValue(0)
        self.show_page(self._start_page)
        self._request_visible()

    def _fitting_zoom(self) -> float:
        widest = max((w for w, _ in self._sizes), default=1.0)
        available = self.viewport().width() - 2 * MARGIN
        return min(MAX_ZOOM, max(MIN_ZOOM, available / widest))

    def _apply_zoom(self, zoom: float) -> None:
        if not self._sizes or abs(zoom - self._zoom) < 1e-3:
            self._zoom = zoom
            return
        # Keep the same spot of the document in view while the pages change size.
        bar = self.verticalScrollBar()
        fraction = bar.value() / max(1, self._canvas.height())
        self._zoom = zoom
        self._reset_images()
        self._layout()
        bar.setValue(int(fraction * self._canvas.height()))
        self.zoomChanged.emit(zoom)
        self._request_visible()

    def _layout(self) -> None:
        self._tops = []
        y = MARGIN
        for _, height in self._sizes:
            self._tops.append(y)
            y += round(height * self._zoom) + GAP
        widest = max((round(w * self._zoom) for w, _ in self._sizes), default=0)
        self._canvas.resize(QSize(widest + 2 * MARGIN, y - GAP + MARGIN))
        self._canvas.update()

    def _page_rect(self, number: int) -> QRect:
        width, height = self._sizes[number]
        w, h = round(width * self._zoom), round(height * self._zoom)
        return QRect((self._canvas.width() - w) // 2, self._tops[number], w, h)

    def _hit_rect(self, page: int, rect: Rect) -> QRect:
        origin = self._page_rect(page).topLeft()
        x0, y0, x1, y1 = (value * self._zoom for value in rect)
        return QRectF(x0, y0, x1 - x0, y1 - y0).toAlignedRect().translated(origin)

    def _visible_pages(self) -> range:
        if not self._tops:
            return range(0)
        top = self.verticalScrollBar().value()
        bottom = top + self.viewport().height()
        # The page starting at or above the top edge may still reach into view; pages are in order.
        first = max(0, bisect_right(self._tops, top) - 1)
        if self._page_rect(first).bottom() < top:
            first += 1
        return range(min(first, len(self._tops)), bisect_right(self._tops, bottom))

    # --- rendering -------------------------------------------------------------------------------------
    def _reset_images(self) -> None:
        self._images.clear()
        self._requested.clear()
        self._drawn_sent = False

    def _request_visible(self) -> None:
        if self._path is None or not self._sizes:
            return
        visible = self._visible_pages()
        keep = range(max(0, visible.start - KEEP_AROUND), visible.stop + KEEP_AROUND)
        for number in [n for n in self._images if n not in keep]:
            del self._images[number]
            self._requested.discard(number)
        scale = self._zoom * self._canvas.devicePixelRatioF()
        for number in visible:
            if number not in self._images and number not in self._requested:
                self._requested.add(number)
                self._tasks.run(partial(pages.render_page, self._path, number, scale),
                                partial(self._page_arrived, self._generation, number, self._zoom),
                                lane=Lane.PDF)
        self._check_drawn()

    def _page_arrived(self, generation: int, number: int, zoom: float, image: QImage) -> None:
        if generation != self._generation or zoom != self._zoom:
            return
        image.setDevicePixelRatio(self._canvas.devicePixelRatioF())
        self._images[number] = image
        self._canvas.update(self._page_rect(number))
        self._check_drawn()

    def _check_drawn(self) -> None:
        if not self._drawn_sent and all(n in self._images for n in self._visible_pages()):
            self._drawn_sent = True
            self.drawn.emit()

    def paint_canvas(self, canvas: QWidget, area: QRect) -> None:
        painter = QPainter(canvas)
        painter.fillRect(area, self.palette().color(QPalette.ColorRole.Dark))
        for number in self._visible_pages():
            rect = self._page_rect(number)
            if not rect.intersects(area):
                continue
            painter.fillRect(rect.translated(1, 2), QColor(0, 0, 0, 40))
            image = self._images.get(number)
            if image is None:
                painter.fillRect(rect, Qt.GlobalColor.white)
            else:
                painter.drawImage(rect, image)
        painter.setPen(Qt.PenStyle.NoPen)
        visible = set(self._visible_pages())
        for index, (page, box) in enumerate(self._hits):
            if page in visible:
                painter.setBrush(CURRENT_HIT if index == self._current_hit else HIT)
                painter.drawRect(self._hit_rect(page, box))
        painter.end()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self._fit_width and self._sizes:
            self._apply_zoom(self._fitting_zoom())
        self._request_visible()
