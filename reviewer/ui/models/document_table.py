"""The document list's model: a table over an ordered id list whose rows are loaded a page at a time.

After Anki's browser table: the result is just ids (`rowCount` is their number); a row is read from the
case only when the view asks for it, a page of neighbours at once, and kept in a bounded cache. Sorting
is not done here: `sort()` asks the owner to order the ids in SQL and hand back a new list.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal

from reviewer.core.browse import DocumentRow

PAGE_SIZE = 200
MAX_PAGES = 60  # ~12,000 rows in memory at most

ID_ROLE = Qt.ItemDataRole.UserRole + 1

_Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class Column:
    key: str  # also the sort key understood by reviewer.core.browse.ordered_ids
    title: str
    value: Callable[[DocumentRow], str]
    numeric: bool = False


COLUMNS: tuple[Column, ...] = (
    Column("control", "Control no.", lambda r: r.control),
    Column("date", "Date", lambda r: r.date.strftime("%Y-%m-%d") if r.date else ""),
    Column("from", "From / author", lambda r: r.sender),
    Column("to", "To", lambda r: r.recipients),
    Column("subject", "Subject / title", lambda r: r.subject),
    Column("custodian", "Custodian", lambda r: r.custodian),
    Column("type", "Type", lambda r: r.kind),
    Column("pages", "Pages", lambda r: str(r.pages) if r.pages else "", numeric=True),
    Column("tags", "Tags", lambda r: ", ".join(r.tags)),
    Column("thread", "Thread", lambda r: _thread(r)),
    Column("inclusive", "Inclusive", lambda r: {True: "✔", False: "–", None: ""}[r.inclusive]),
    Column("near_dup", "Near-dup group", lambda r: str(r.near_dup_group) if r.near_dup_group else ""),
    Column("similarity", "Similarity", lambda r: f"{int(r.similarity)} %" if r.similarity is not None else "",
           numeric=True),
    Column("score", "Score", lambda r: "" if r.score is None else f"{r.score:.0f}", numeric=True),
)


def _thread(row: DocumentRow) -> str:
    """"12 · 1.2.1": the thread group, then the message's place in it (root → message)."""
    if row.thread_group is None:
        return ""
    place = ".".join(str(int(part)) for part in row.thread_path.split(".") if part.isdigit())
    return f"{row.thread_group} · {place}" if place else str(row.thread_group)


class DocumentTableModel(QAbstractTableModel):
    """Rows are documents of the current result, in its order; `ID_ROLE` gives a row's document id."""

    sortRequested = Signal(str, bool)  # column key, descending

    def __init__(self, load_rows: Callable[[Sequence[int]], list[DocumentRow]], parent: Any = None) -> None:
        super().__init__(parent)
        self._load_rows = load_rows
        self._ids: list[int] = []
        self._row_of: dict[int, int] | None = None
        self._pages: OrderedDict[int, dict[int, DocumentRow]] = OrderedDict()

    # --- the id list -----------------------------------------------------------------------------------
    @property
    def ids(self) -> list[int]:
        return self._ids

    def set_ids(self, ids: list[int]) -> None:
        self.beginResetModel()
        self._ids = ids
        self._row_of = None
        self._pages.clear()
        self.endResetModel()

    def id_at(self, row: int) -> int:
        return self._ids[row]

    def row_of(self, doc_id: int) -> int | None:
        if self._row_of is None:
            self._row_of = {doc_id: row for row, doc_id in enumerate(self._ids)}
        return self._row_of.get(doc_id)

    def reload(self) -> None:
        """Read rows again the next time they are shown (coding changed them; which ones does not matter:
        only the rows on screen are read again)."""
        self._pages.clear()
        if self._ids:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._ids) - 1, len(COLUMNS) - 1))

    def row_data(self, row: int) -> DocumentRow | None:
        page_number = row // PAGE_SIZE
        page = self._pages.get(page_number)
        if page is None:
            start = page_number * PAGE_SIZE
            page = {r.id: r for r in self._load_rows(self._ids[start:start + PAGE_SIZE])}
            self._pages[page_number] = page
            if len(self._pages) > MAX_PAGES:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end(page_number)
        return page.get(self._ids[row])

    # --- Qt model interface ----------------------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._ids):
            return None
        column = COLUMNS[index.column()]
        if role == ID_ROLE:
            return self._ids[index.row()]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            horizontal = Qt.AlignmentFlag.AlignRight if column.numeric else Qt.AlignmentFlag.AlignLeft
            return int(horizontal | Qt.AlignmentFlag.AlignVCenter)
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        row = self.row_data(index.row())
        if row is None:  # deleted since the list was made
            return "" if role == Qt.ItemDataRole.DisplayRole else None
        text = column.value(row)
        if role == Qt.ItemDataRole.ToolTipRole:
            return text if column.key in ("from", "to", "subject", "tags") and text else None
        return text

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section].title if 0 <= section < len(COLUMNS) else None
        return str(section + 1)

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if 0 <= column < len(COLUMNS):
            self.sortRequested.emit(COLUMNS[column].key, order == Qt.SortOrder.DescendingOrder)
