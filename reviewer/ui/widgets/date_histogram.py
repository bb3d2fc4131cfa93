"""Documents per month (or per year, when the result spans many years) as bars; clicking a bar picks it."""

from __future__ import annotations

from collections import Counter

from PySide6.QtCore import QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import QMouseEvent, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from reviewer.core.browse import UNDATED

MAX_MONTH_BARS = 36


class DateHistogram(QWidget):
    periodClicked = Signal(str)  # "2023-09", "2023" or UNDATED

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dateHistogram")
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self._bars: list[tuple[str, int]] = []
        self._selected: str | None = None

    def set_months(self, months: list[tuple[str, int]], selected: str | None) -> None:
        dated = [(m, n) for m, n in months if m != UNDATED]
        if len(dated) > MAX_MONTH_BARS:
            years: Counter[str] = Counter()
            for month, count in dated:
                years[month[:4]] += count
            dated = sorted(years.items())
        self._bars = dated
        self._selected = selected
        self.setToolTip("" if dated else "No dated documents")
        self.update()

    def set_selected(self, period: str | None) -> None:
        self._selected = period
        self.update()

    def sizeHint(self) -> QSize:
        line = self.fontMetrics().height()
        return QSize(200, 4 * line + 8)

    def _chart_rect(self) -> QRect:
        line = self.fontMetrics().height()
        return self.rect().adjusted(4, 4, -4, -(line + 6))

    def bar_rect(self, index: int) -> QRect:
        chart = self._chart_rect()
        width = chart.width() / max(1, len(self._bars))
        highest = max((n for _, n in self._bars), default=1)
        height = max(2, round(chart.height() * self._bars[index][1] / highest))
        left = chart.left() + round(index * width)
        return QRect(left, chart.bottom() - height + 1, max(1, round(width) - 1), height)

    def _bar_at(self, point: QPoint) -> int | None:
        chart = self._chart_rect()
        if not self._bars or not chart.contains(point.x(), chart.center().y()):
            return None
        index = int((point.x() - chart.left()) * len(self._bars) / max(1, chart.width()))
        return min(index, len(self._bars) - 1)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        palette = self.palette()
        chart = self._chart_rect()
        painter.setPen(palette.color(QPalette.ColorRole.Mid))
        painter.drawLine(chart.bottomLeft(), chart.bottomRight())
        painter.setPen(Qt.PenStyle.NoPen)
        highlight = palette.color(QPalette.ColorRole.Highlight)
        muted = palette.color(QPalette.ColorRole.Highlight)
        muted.setAlpha(110)
        for index, (period, _count) in enumerate(self._bars):
            chosen = self._selected is None or self._selected == period
            painter.setBrush(highlight if chosen else muted)
            painter.drawRect(self.bar_rect(index))
        if self._bars:
            painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
            text_rect = self.rect().adjusted(4, 0, -4, -2)
            align = Qt.AlignmentFlag.AlignBottom
            painter.drawText(text_rect, align | Qt.AlignmentFlag.AlignLeft, self._bars[0][0])
            if len(self._bars) > 1:
                painter.drawText(text_rect, align | Qt.AlignmentFlag.AlignRight, self._bars[-1][0])
        painter.end()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        index = self._bar_at(event.position().toPoint())
        if index is None:
            QToolTip.hideText()
            return
        period, count = self._bars[index]
        QToolTip.showText(event.globalPosition().toPoint(), f"{period}: {count:,} documents", self)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        index = self._bar_at(event.position().toPoint())
        if index is not None and event.button() == Qt.MouseButton.LeftButton:
            self.periodClicked.emit(self._bars[index][0])
