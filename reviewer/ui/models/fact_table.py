"""The Chronology pane's model: the facts shown (already filtered by the case), one row each, with Date,
Fact and Status edited in place and Key ticked; an edit is handed to the owner to write (the row changes
when the write comes back), never applied here. Sorting the Date column orders by the chronology's own
key, so partial dates stay before the exact dates of their period."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QFont

from reviewer.core.casebuild.facts import FactInfo
from reviewer.core.choices import FACT_STATUSES

ID_ROLE = Qt.ItemDataRole.UserRole + 1
_Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    value: Callable[[FactInfo], str]
    sort: Callable[[FactInfo], Any]
    editable: bool = False


COLUMNS: tuple[Column, ...] = (
    Column("date", "Date", lambda f: f.date, lambda f: (f.sort_key, f.id), editable=True),
    Column("text", "Fact", lambda f: f.text, lambda f: f.text.casefold(), editable=True),
    Column("sources", "Source (cites)", lambda f: f.cites, lambda f: f.cites),
    Column("issues", "Issues", lambda f: "; ".join(f.issues), lambda f: "; ".join(f.issues).casefold()),
    Column("people", "People", lambda f: "; ".join(f.people_names), lambda f: "; ".join(f.people_names)),
    Column("status", "Status", lambda f: f.status_label, lambda f: list(FACT_STATUSES).index(f.status)
           if f.status in FACT_STATUSES else 99, editable=True),
    Column("key", "Key", lambda f: "", lambda f: not f.key),
)
KEY_COLUMN = len(COLUMNS) - 1


@cache
def _bold() -> QFont:
    """Key facts read in bold (made on first use: a font needs the application to exist)."""
    font = QFont()
    font.setBold(True)
    return font


class FactTableModel(QAbstractTableModel):
    editRequested = Signal(int, str, object)  # fact id, column key, new value

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.facts: list[FactInfo] = []

    def set_facts(self, facts: list[FactInfo]) -> None:
        self.beginResetModel()
        self.facts = list(facts)
        self.endResetModel()

    def fact(self, row: int) -> FactInfo:
        return self.facts[row]

    def row_of(self, fact_id: int) -> int | None:
        return next((row for row, fact in enumerate(self.facts) if fact.id == fact_id), None)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.facts)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole \
                and 0 <= section < len(COLUMNS):
            return COLUMNS[section].title
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.facts):
            return None
        fact, column = self.facts[index.row()], COLUMNS[index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            if role == Qt.ItemDataRole.EditRole and column.key == "status":
                return fact.status
            return column.value(fact)
        if role == Qt.ItemDataRole.CheckStateRole and column.key == "key":
            return Qt.CheckState.Checked if fact.key else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.ToolTipRole and column.key in ("text", "sources"):
            return column.value(fact)
        if role == Qt.ItemDataRole.FontRole and fact.key and column.key == "text":
            return _bold()
        if role == ID_ROLE:
            return fact.id
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        column = COLUMNS[index.column()]
        if column.editable:
            flags |= Qt.ItemFlag.ItemIsEditable
        if column.key == "key":
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        return flags

    def setData(self, index: _Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid():
            return False
        fact, column = self.facts[index.row()], COLUMNS[index.column()]
        if column.key == "key" and role == Qt.ItemDataRole.CheckStateRole:
            checked = Qt.CheckState(value) == Qt.CheckState.Checked
            if checked != fact.key:
                self.editRequested.emit(fact.id, "key", checked)
            return True
        if column.editable and role == Qt.ItemDataRole.EditRole:
            current = fact.status if column.key == "status" else column.value(fact)
            if str(value) != current:
                self.editRequested.emit(fact.id, column.key, str(value))
            return True
        return False

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS):
            return
        self.layoutAboutToBeChanged.emit()
        self.facts.sort(key=COLUMNS[column].sort, reverse=order == Qt.SortOrder.DescendingOrder)
        self.layoutChanged.emit()
