"""The communications graph: people (or organisations) as circles sized by how much mail they sent and
received, a line between two of them as thick as the mail between them, flags in colour. Mail between the
prosecution or an agency and the press is drawn in the press colour, on top: that is where leaks show.

Clicking a line asks for its messages (edgeClicked), clicking a circle for that person's documents
(nodeClicked); the wheel zooms. Positions come from core.casebuild.graph_layout, computed off the GUI
thread; this widget only draws.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from PySide6.QtCore import QPoint, QPointF, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPainterPathStroker,
    QPen,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QGraphicsEllipseItem,
    QGraphicsLineItem,
    QGraphicsScene,
    QGraphicsSimpleTextItem,
    QGraphicsView,
    QWidget,
)

from reviewer.ui.widgets.flags import FLAG_COLORS, flag_color

SCALE = 420.0  # scene units for the layout's -1…1
_OFFICIAL = {"prosecution", "agency"}


@dataclass(frozen=True)
class GraphNode:
    id: int
    name: str
    volume: int  # messages sent and received within the view
    flags: list[str] = field(default_factory=list)
    x: float = 0.0
    y: float = 0.0


@dataclass(frozen=True)
class GraphEdge:
    a: int
    b: int
    messages: int  # both ways


def is_leak_path(flags_a: list[str], flags_b: list[str]) -> bool:
    """Mail between the prosecution or an agency on one side and the press on the other."""
    return bool((_OFFICIAL & set(flags_a) and "press" in flags_b)
                or (_OFFICIAL & set(flags_b) and "press" in flags_a))


class _EdgeItem(QGraphicsLineItem):
    def __init__(self, edge: GraphEdge) -> None:
        super().__init__()
        self.edge = edge
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    def shape(self) -> QPainterPath:
        # A hair-thin line is hard to hit: clicks land within a few pixels of it.
        path = QPainterPath()
        path.moveTo(self.line().p1())
        path.lineTo(self.line().p2())
        stroker = QPainterPathStroker()
        stroker.setWidth(max(self.pen().widthF(), 8.0))
        return stroker.createStroke(path)


class _NodeItem(QGraphicsEllipseItem):
    def __init__(self, node: GraphNode, radius: float) -> None:
        super().__init__(-radius, -radius, 2 * radius, 2 * radius)
        self.node = node
        self.setCursor(Qt.CursorShape.PointingHandCursor)


class CommsGraph(QGraphicsView):
    edgeClicked = Signal(int, int)
    nodeClicked = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("commsGraph")
        self.setScene(QGraphicsScene(self))
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.nodes: dict[int, _NodeItem] = {}
        self.edges: list[_EdgeItem] = []

    def show_graph(self, nodes: list[GraphNode], edges: list[GraphEdge]) -> None:
        scene = self.scene()
        scene.clear()
        self.nodes, self.edges = {}, []
        if not nodes:
            return
        largest = max(node.volume for node in nodes) or 1
        heaviest = max((edge.messages for edge in edges), default=1)
        by_id = {node.id: node for node in nodes}
        text = self.palette().color(self.foregroundRole())
        for edge in edges:
            a, b = by_id.get(edge.a), by_id.get(edge.b)
            if a is None or b is None:
                continue
            leak = is_leak_path(a.flags, b.flags)
            color = QColor(FLAG_COLORS["press"]) if leak else QColor(text)
            color.setAlpha(230 if leak else 90)
            width = 1.0 + 7.0 * math.log1p(edge.messages) / math.log1p(heaviest)
            line = _EdgeItem(edge)
            line.setLine(a.x * SCALE, a.y * SCALE, b.x * SCALE, b.y * SCALE)
            pen = QPen(color, width)
            pen.setCapStyle(Qt.PenCapStyle.RoundCap)
            line.setPen(pen)
            line.setZValue(1 if leak else 0)
            line.setToolTip(f"{a.name} — {b.name}: {edge.messages:,} messages (click to list them)")
            scene.addItem(line)
            self.edges.append(line)
        for node in nodes:
            radius = 5.0 + 22.0 * math.sqrt(node.volume / largest)
            circle = _NodeItem(node, radius)
            circle.setPos(QPointF(node.x * SCALE, node.y * SCALE))
            circle.setBrush(QBrush(flag_color(node.flags)))
            circle.setPen(QPen(QColor(text), 0.8))
            circle.setZValue(2)
            flags_text = f" · {', '.join(node.flags)}" if node.flags else ""
            circle.setToolTip(f"{node.name}: {node.volume:,} messages{flags_text} "
                              "(click for their documents)")
            label = QGraphicsSimpleTextItem(_short(node.name), circle)
            label.setBrush(QBrush(QColor(text)))
            label.setPos(-label.boundingRect().width() / 2, radius + 1)
            scene.addItem(circle)
            self.nodes[node.id] = circle
        self.fit()

    def fit(self) -> None:
        bounds = self.scene().itemsBoundingRect()
        if not bounds.isEmpty():
            self.fitInView(bounds.adjusted(-20, -20, 20, 20), Qt.AspectRatioMode.KeepAspectRatio)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        """A click on a line asks for its messages, on a circle (or its name) for that node's documents;
        anywhere else drags the picture."""
        item = self.itemAt(event.position().toPoint())
        while item is not None and item.parentItem() is not None:
            item = item.parentItem()
        if event.button() == Qt.MouseButton.LeftButton and isinstance(item, _EdgeItem):
            self.edgeClicked.emit(item.edge.a, item.edge.b)
        elif event.button() == Qt.MouseButton.LeftButton and isinstance(item, _NodeItem):
            self.nodeClicked.emit(item.node.id)
        else:
            super().mousePressEvent(event)

    def wheelEvent(self, event: QWheelEvent) -> None:
        steps = event.angleDelta().y() / 120
        if steps:
            factor = 1.15 ** steps
            self.scale(factor, factor)
        event.accept()

    def edge_point(self, a: int, b: int) -> QPoint:
        """The middle of the line between two nodes, in the viewport's coordinates."""
        item = next(i for i in self.edges if {i.edge.a, i.edge.b} == {a, b})
        return self.mapFromScene(item.line().center())

    def node_point(self, node_id: int) -> QPoint:
        return self.mapFromScene(self.nodes[node_id].pos())


def _short(name: str, limit: int = 24) -> str:
    return name if len(name) <= limit else name[:limit - 1] + "…"
