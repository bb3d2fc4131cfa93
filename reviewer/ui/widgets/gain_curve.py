"""The gain curve of a prioritized review: relevant documents found against documents reviewed, with the line
random order would be expected to follow (from the estimated richness) for comparison."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

MARGIN = 28


class GainCurve(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("gainCurve")
        self.setMinimumHeight(140)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.curve: list[int] = []
        self.richness: float | None = None  # share of relevant documents, for the random-order line

    def sizeHint(self) -> QSize:
        return QSize(260, 170)

    def show_curve(self, curve: list[int], richness: float | None) -> None:
        self.curve, self.richness = curve, richness
        self.setToolTip(f"{curve[-1]:,} relevant found in {len(curve):,} reviewed" if curve else "")
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        area = QRectF(self.rect()).adjusted(MARGIN, 8, -8, -MARGIN + 8)
        text = self.palette().windowText().color()
        painter.setPen(QPen(text, 1))
        painter.drawLine(area.bottomLeft(), area.bottomRight())
        painter.drawLine(area.bottomLeft(), area.topLeft())
        painter.drawText(QRectF(area.left(), area.bottom() + 2, area.width(), 16),
                         Qt.AlignmentFlag.AlignCenter, "reviewed")
        painter.save()
        painter.translate(area.left() - 6, area.center().y())
        painter.rotate(-90)
        painter.drawText(QRectF(-40, -14, 80, 14), Qt.AlignmentFlag.AlignCenter, "found")
        painter.restore()
        if not self.curve:
            painter.drawText(area, Qt.AlignmentFlag.AlignCenter, "No decisions yet")
            return
        reviewed, found = len(self.curve), max(self.curve[-1], 1)
        top = found * 1.1

        def point(x: float, y: float) -> QPointF:
            return QPointF(area.left() + area.width() * x / reviewed, area.bottom() - area.height() * y / top)

        if self.richness:
            painter.setPen(QPen(QColor("#999999"), 1, Qt.PenStyle.DashLine))
            painter.drawLine(point(0, 0), point(reviewed, min(self.richness * reviewed, top)))
        path = QPainterPath(point(0, 0))
        step = max(1, reviewed // max(1, int(area.width())))  # at most one point per pixel
        for index in range(0, reviewed, step):
            path.lineTo(point(index + 1, self.curve[index]))
        path.lineTo(point(reviewed, self.curve[-1]))
        painter.setPen(QPen(QColor("#1f77b4"), 2))
        painter.drawPath(path)
        painter.setPen(QPen(text, 1))
        label = QRectF(area.left() + 4, area.top(), area.width() - 8, 16)
        painter.drawText(label, Qt.AlignmentFlag.AlignLeft, f"{self.curve[-1]:,} found in {reviewed:,}")
