"""A table of records (people, pairs of correspondents) held in memory, one column per field, sortable
through a QSortFilterProxyModel on SORT_ROLE: numbers as numbers, dates in order, text ignoring case."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QWidget

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class Column:
    title: str
    value: Callable[[Any], Any]  # record → its value in this column
    numeric: bool = False


class RecordTableModel(QAbstractTableModel):
    def __init__(self, columns: Sequence[Column], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.columns = columns
        self.records: list[Any] = []

    def set_records(self, records: list[Any]) -> None:
        self.beginResetModel()
        self.records = records
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008  # Qt's own default
        return 0 if parent.isValid() else len(self.records)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008  # Qt's own default
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.columns[section].title
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        record, column = self.records[index.row()], self.columns[index.column()]
        value = column.value(record)
        if role == Qt.ItemDataRole.DisplayRole:
            if column.numeric:
                return f"{value:,}"
            return value.date().isoformat() if isinstance(value, datetime) else _text(value)
        if role == SORT_ROLE:
            if column.numeric:
                return value
            return value.isoformat() if isinstance(value, datetime) else _text(value).casefold()
        if role == Qt.ItemDataRole.TextAlignmentRole and column.numeric:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return self.more_data(record, index.column(), role)

    def more_data(self, record: Any, column: int, role: int) -> Any:
        """What a subclass shows beyond the text: colours, tooltips, ids."""
        return None


def _text(value: Any) -> str:
    return "" if value is None else str(value)
