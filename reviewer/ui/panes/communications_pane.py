"""The Communications view: who wrote to whom, for the whole case or for the documents listed, over a range
of months, between people or between organisations — as a graph of the busiest, as a sortable matrix and
as a sortable list of every pair (listed when that tab is shown). Clicking a line, a cell or a pair lists
its messages below; double-clicking a message opens it; clicking a person in the graph lists their
documents.

Everything is computed off the GUI thread (the counts, the layout), the first time on the long lane
because a case from before people existed builds them then.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QSortFilterProxyModel,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSlider,
    QSpinBox,
    QSplitter,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from reviewer.core.case import Case
from reviewer.core.casebuild import people_build
from reviewer.core.casebuild.communications import (
    ORGANISATION,
    PERSON,
    Message,
    Pair,
    communications,
    month_span,
    months_between,
    overview,
    pair_messages,
)
from reviewer.core.casebuild.graph_layout import busiest, force_layout
from reviewer.core.casebuild.people import list_domains, list_people
from reviewer.core.choices import CommsLevel
from reviewer.core.errors import ReviewerError
from reviewer.core.progress import CancelToken
from reviewer.ui.models.records import SORT_ROLE, Column, Index, RecordTableModel
from reviewer.ui.tasks import Lane, TaskRunner
from reviewer.ui.widgets.comms_graph import CommsGraph, GraphEdge, GraphNode
from reviewer.ui.widgets.flags import FLAG_COLORS

DOCUMENT_ROLE = Qt.ItemDataRole.UserRole + 2
DEFAULT_TOP = 40
MAX_TOP = 300


@dataclass(frozen=True)
class CommsData:
    level: CommsLevel
    pairs: list[Pair]  # the pairs among the busiest, each way
    nodes: list[GraphNode]  # the busiest, placed
    edges: list[GraphEdge]
    months: list[str]  # every month with dated mail in the case, for the range sliders
    total_pairs: int


def load_comms(case: Case, level: CommsLevel, document_ids: list[int] | None, start: str | None,
               end: str | None, top: int, build: bool = False,
               cancel: CancelToken | None = None) -> CommsData:
    """The view's data, counted and laid out (run off the GUI thread)."""
    if build:
        people_build.ensure_built(case, cancel=cancel)
    span = month_span(case)
    view = overview(case, level, top, document_ids, start, end)
    shown = [node for node, _name, _volume in view.nodes]
    names = {node: name for node, name, _volume in view.nodes}
    volume = {node: count for node, _name, count in view.nodes}
    _busiest, _volume, lines = busiest(((p.from_id, p.to_id, p.messages) for p in view.pairs), top)
    if level == PERSON:
        flags = {person.id: person.flags for person in list_people(case, shown)}
    else:
        flags = {domain.id: domain.flags for domain in list_domains(case)}
    positions = force_layout(shown, [(a, b, float(messages)) for a, b, messages in lines])
    nodes = [GraphNode(node, names.get(node, str(node)), volume[node], flags.get(node, []), *positions[node])
             for node in shown]
    edges = [GraphEdge(a, b, messages) for a, b, messages in lines]
    return CommsData(level, view.pairs, nodes, edges, months_between(*span) if span else [], view.total_pairs)


# --- the matrix and the list of pairs ----------------------------------------------------------------------
class MatrixModel(QAbstractTableModel):
    """Rows send, columns receive: messages from each of the busiest to each other; the first column is
    what the row sent to all of those shown."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.nodes: list[GraphNode] = []
        self.counts: dict[tuple[int, int], int] = {}
        self.sent: dict[int, int] = {}

    def set_view(self, nodes: list[GraphNode], pairs: list[Pair]) -> None:
        self.beginResetModel()
        self.nodes = nodes
        self.counts = {(p.from_id, p.to_id): p.messages for p in pairs}
        self.sent = {}
        for pair in pairs:
            self.sent[pair.from_id] = self.sent.get(pair.from_id, 0) + pair.messages
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008  # Qt's own default
        return 0 if parent.isValid() else len(self.nodes)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008  # Qt's own default
        return 0 if parent.isValid() else len(self.nodes) + 1

    def pair_at(self, row: int, column: int) -> tuple[int, int] | None:
        """(from, to) of a cell; None for the totals column."""
        return (self.nodes[row].id, self.nodes[column - 1].id) if column > 0 else None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        if orientation == Qt.Orientation.Vertical:
            return self.nodes[section].name if section < len(self.nodes) else None
        if section == 0:
            return "To those shown"
        return self.nodes[section - 1].name if section <= len(self.nodes) else None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        pair = self.pair_at(index.row(), index.column())
        value = self.sent.get(self.nodes[index.row()].id, 0) if pair is None else self.counts.get(pair, 0)
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{value:,}" if value else ""
        if role == SORT_ROLE:
            return value
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and pair is not None and value:
            sender, recipient = self.nodes[index.row()].name, self.nodes[index.column() - 1].name
            return f"{sender} → {recipient}: {value:,} messages"
        return None


PAIR_COLUMNS = (
    Column("From", lambda p: p.from_name),
    Column("To", lambda p: p.to_name),
    Column("Messages", lambda p: p.messages, numeric=True),
    Column("First", lambda p: p.first),
    Column("Last", lambda p: p.last),
)


def _sortable(model: QAbstractTableModel, parent: QWidget) -> QSortFilterProxyModel:
    proxy = QSortFilterProxyModel(parent)
    proxy.setSourceModel(model)
    proxy.setSortRole(SORT_ROLE)
    return proxy


def _table(name: str, proxy: QSortFilterProxyModel) -> QTableView:
    table = QTableView()
    table.setObjectName(name)
    table.setModel(proxy)
    table.setSortingEnabled(True)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setWordWrap(False)
    table.setAlternatingRowColors(True)
    return table


# --- the pane ----------------------------------------------------------------------------------------------
class CommunicationsPane(QWidget):
    openRequested = Signal(int)  # a message's document id
    documentsRequested = Signal(str)  # a query listing someone's documents
    loaded = Signal()
    pairsListed = Signal()

    def __init__(self, case: Case, tasks: TaskRunner, listed_ids: Callable[[], list[int]],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("communicationsPane")
        self.case, self.tasks, self.listed_ids = case, tasks, listed_ids
        self.data: CommsData | None = None
        self._months: list[str] = []
        self._pending = False  # a reload asked for while one runs
        self._running = False
        self._reload_timer = QTimer(self)
        self._reload_timer.setSingleShot(True)
        self._reload_timer.setInterval(250)
        self._reload_timer.timeout.connect(self.load)

        self.level = QComboBox()
        self.level.setObjectName("commsLevel")
        self.level.addItem("People", PERSON)
        self.level.addItem("Organisations", ORGANISATION)
        self.scope = QCheckBox("Only the documents listed")
        self.scope.setObjectName("commsScope")
        self.top = QSpinBox()
        self.top.setObjectName("commsTop")
        self.top.setRange(2, MAX_TOP)
        self.top.setValue(DEFAULT_TOP)
        self.top.setPrefix("Busiest ")
        self.top.setToolTip("How many of the busiest people or organisations the graph and the matrix show")
        self.first_month = QSlider(Qt.Orientation.Horizontal)
        self.first_month.setObjectName("commsFromMonth")
        self.last_month = QSlider(Qt.Orientation.Horizontal)
        self.last_month.setObjectName("commsToMonth")
        self.range_label = QLabel()
        self.range_label.setObjectName("commsMonths")
        self.level.currentIndexChanged.connect(lambda _i: self.schedule())
        self.scope.toggled.connect(lambda _on: self.schedule())
        self.top.valueChanged.connect(lambda _n: self.schedule())
        self.first_month.valueChanged.connect(self._first_moved)
        self.last_month.valueChanged.connect(self._last_moved)

        self.graph = CommsGraph()
        self.graph.edgeClicked.connect(lambda a, b: self.show_messages(a, b, both_ways=True))
        self.graph.nodeClicked.connect(self._node_clicked)
        self.matrix = MatrixModel(self)
        self.matrix_proxy = _sortable(self.matrix, self)
        self.matrix_table = _table("commsMatrix", self.matrix_proxy)
        self.matrix_table.clicked.connect(self._matrix_clicked)
        self.pairs = RecordTableModel(PAIR_COLUMNS, self)
        self.pairs_proxy = _sortable(self.pairs, self)
        self.pairs_table = _table("commsPairs", self.pairs_proxy)
        self.pairs_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.pairs_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.pairs_table.clicked.connect(self._pair_clicked)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("commsTabs")
        self.tabs.addTab(self.graph, "Graph")
        self.tabs.addTab(self.matrix_table, "Matrix")
        pairs_tab = QWidget()
        pairs_layout = QVBoxLayout(pairs_tab)
        pairs_layout.setContentsMargins(0, 0, 0, 0)
        self.pairs_status = QLabel()
        pairs_layout.addWidget(self.pairs_table, 1)
        pairs_layout.addWidget(self.pairs_status)
        self.pairs_tab = pairs_tab
        self.tabs.addTab(pairs_tab, "Pairs")
        self.tabs.currentChanged.connect(lambda _index: self._list_pairs())
        self._listed: object = None
        self.messages_label = QLabel("Click a line, a cell or a pair to list its messages.")
        self.messages_label.setWordWrap(True)
        self.messages = QTableWidget(0, 4)
        self.messages.setObjectName("commsMessages")
        self.messages.setHorizontalHeaderLabels(["Sent", "From", "Subject", "Control"])
        self.messages.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.messages.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.messages.verticalHeader().hide()
        self.messages.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.messages.itemDoubleClicked.connect(self._message_opened)
        self.status = QLabel()
        self.status.setObjectName("commsStatus")
        self.status.setWordWrap(True)

        controls = QHBoxLayout()
        controls.addWidget(self.level)
        controls.addWidget(self.top)
        controls.addStretch(1)
        months = QHBoxLayout()
        months.addWidget(QLabel("Months"))
        months.addWidget(self.first_month, 1)
        months.addWidget(self.last_month, 1)
        below = QWidget()
        below_layout = QVBoxLayout(below)
        below_layout.setContentsMargins(0, 0, 0, 0)
        below_layout.addWidget(self.messages_label)
        below_layout.addWidget(self.messages, 1)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.tabs)
        split.addWidget(below)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(controls)
        layout.addWidget(self.scope)
        layout.addLayout(months)
        layout.addWidget(self.range_label)
        layout.addWidget(split, 1)
        layout.addWidget(_legend())
        layout.addWidget(self.status)
        self._set_months([])

    # --- loading -----------------------------------------------------------------------------------------
    @property
    def current_level(self) -> CommsLevel:
        return ORGANISATION if self.level.currentData() == ORGANISATION else PERSON

    def months_chosen(self) -> tuple[str | None, str | None]:
        if not self._months:
            return None, None
        first, last = self.first_month.value(), self.last_month.value()
        if first == 0 and last == len(self._months) - 1:
            return None, None  # the whole case, undated mail included
        return self._months[first], self._months[last]

    def schedule(self) -> None:
        """Reload shortly, once the controls have settled (a dragged slider sends many values)."""
        self._reload_timer.start()

    def show_first_time(self) -> None:
        if self.data is None and not self._running:
            self.load()

    def reload(self) -> None:
        """Count again (after an edit, an undo or an ingest), if the view has been shown."""
        if self.data is not None or self._running:
            self.load()

    def load(self) -> None:
        if self._running:
            self._pending = True
            return
        self._running = True
        self.status.setText("Counting messages…")
        start, end = self.months_chosen()
        ids = list(self.listed_ids()) if self.scope.isChecked() else None
        first_time = self.data is None
        cancel = CancelToken()
        work = partial(load_comms, self.case, self.current_level, ids, start, end, self.top.value(),
                       first_time, cancel)
        self.tasks.run(work, self._show, self._failed, lane=Lane.LONG if first_time else Lane.READ,
                       cancel=cancel)

    def _failed(self, error: BaseException) -> None:
        self._running = False
        if not isinstance(error, ReviewerError):
            raise error
        self.status.setText(str(error))

    def _show(self, data: CommsData) -> None:
        self._running = False
        if self._pending:
            self._pending = False
            self.load()
        self.data = data
        if data.months != self._months:
            self._set_months(data.months)
        self.graph.show_graph(data.nodes, data.edges)
        self.matrix.set_view(data.nodes, data.pairs)
        self._listed = None
        self._list_pairs()
        who = "people" if data.level == PERSON else "organisations"
        self.status.setText(f"{data.total_pairs:,} pairs of {who} (each message once per pair); the busiest "
                            f"{len(data.nodes):,} drawn")
        self.loaded.emit()

    def _list_pairs(self) -> None:
        """Every pair of the view, for the Pairs tab: counted when that tab is shown (a large case has
        hundreds of thousands)."""
        if self.tabs.currentWidget() is not self.pairs_tab or self.data is None:
            return
        wanted = (self.current_level, self.scope.isChecked(), self.months_chosen())
        if self._listed == wanted:
            return
        self._listed = wanted
        start, end = self.months_chosen()
        ids = list(self.listed_ids()) if self.scope.isChecked() else None
        self.pairs_status.setText("Listing every pair…")
        self.tasks.run(partial(communications, self.case, self.current_level, ids, start, end),
                       partial(self._show_pairs, wanted))

    def _show_pairs(self, wanted: object, pairs: list[Pair]) -> None:
        if wanted != self._listed:
            return  # the view changed meanwhile; a newer list is on its way
        self.pairs.set_records(pairs)
        self.pairs_status.setText(f"{len(pairs):,} pairs")
        self.pairsListed.emit()

    # --- months ------------------------------------------------------------------------------------------
    def _set_months(self, months: list[str]) -> None:
        self._months = months
        for slider, value in ((self.first_month, 0), (self.last_month, max(len(months) - 1, 0))):
            slider.blockSignals(True)
            slider.setRange(0, max(len(months) - 1, 0))
            slider.setValue(value)
            slider.setEnabled(len(months) > 1)
            slider.blockSignals(False)
        self._show_range()

    def set_month_range(self, first: str, last: str) -> None:
        """Show only the mail of these months (as the sliders do)."""
        self.first_month.setValue(self._months.index(first))
        self.last_month.setValue(self._months.index(last))

    def _first_moved(self, value: int) -> None:
        if value > self.last_month.value():
            self.last_month.setValue(value)
        self._show_range()
        self.schedule()

    def _last_moved(self, value: int) -> None:
        if value < self.first_month.value():
            self.first_month.setValue(value)
        self._show_range()
        self.schedule()

    def _show_range(self) -> None:
        start, end = self.months_chosen()
        if not self._months:
            self.range_label.setText("no dated mail")
        else:
            self.range_label.setText(f"{start} – {end}" if start else
                                     f"All months ({self._months[0]} – {self._months[-1]}) and undated mail")

    # --- messages ----------------------------------------------------------------------------------------
    def show_messages(self, sender: int, recipient: int, both_ways: bool = False) -> None:
        start, end = self.months_chosen()
        ids = list(self.listed_ids()) if self.scope.isChecked() else None
        names = {node.id: node.name for node in self.data.nodes} if self.data else {}
        for pair in self.data.pairs if self.data else []:
            names.setdefault(pair.from_id, pair.from_name)
            names.setdefault(pair.to_id, pair.to_name)
        arrow = "↔" if both_ways else "→"
        title = f"{names.get(sender, sender)} {arrow} {names.get(recipient, recipient)}"
        work = partial(pair_messages, self.case, self.current_level, sender, recipient, both_ways, ids, start,
                       end)
        self.tasks.run(work, partial(self._list_messages, title))

    def _list_messages(self, title: str, messages: list[Message]) -> None:
        self.messages_label.setText(f"{title}: {len(messages):,} messages (double-click one to open it)")
        self.messages.setRowCount(len(messages))
        for row, message in enumerate(messages):
            cells = [message.sent.isoformat(sep=" ", timespec="minutes") if message.sent else "(undated)",
                     message.sender, message.subject, message.control]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(DOCUMENT_ROLE, message.document_id)
                self.messages.setItem(row, column, item)

    def _message_opened(self, item: QTableWidgetItem) -> None:
        self.openRequested.emit(int(item.data(DOCUMENT_ROLE)))

    def _matrix_clicked(self, index: QModelIndex) -> None:
        source = self.matrix_proxy.mapToSource(index)
        pair = self.matrix.pair_at(source.row(), source.column())
        if pair is not None:
            self.show_messages(*pair)

    def _pair_clicked(self, index: QModelIndex) -> None:
        pair = self.pairs.records[self.pairs_proxy.mapToSource(index).row()]
        self.show_messages(pair.from_id, pair.to_id)

    def _node_clicked(self, node_id: int) -> None:
        field = "person" if self.current_level == PERSON else "domain"
        if field == "person":
            self.documentsRequested.emit(f"person:{node_id}")
        else:
            name = next((n.name for n in self.data.nodes if n.id == node_id), "") if self.data else ""
            if name:
                self.documentsRequested.emit(f'domain:"{name}"')


def _legend() -> QLabel:
    swatches = " ".join(f'<span style="color:{color}">●</span> {flag}' for flag, color in FLAG_COLORS.items())
    label = QLabel(swatches)
    label.setWordWrap(True)
    label.setToolTip("Lines between the prosecution or an agency and the press are drawn in the press "
                     "colour.")
    return label
