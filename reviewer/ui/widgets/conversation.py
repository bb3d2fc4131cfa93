"""The viewer's Conversation tab: the current email's thread as a tree (groups.conversation), inclusive
emails in bold with a mark, messages not in the case as greyed placeholders, duplicates and attachments
under their message; clicking a line opens that document."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QHeaderView, QTreeWidget, QTreeWidgetItem, QWidget

from reviewer.core.analytics import groups
from reviewer.core.case import Case
from reviewer.ui.tasks import TaskRunner

if TYPE_CHECKING:
    from reviewer.ui.panes.viewer import Viewer

HEADERS = ["Control no.", "Action", "Inclusive", "Date", "From", "Subject"]
ID_ROLE = Qt.ItemDataRole.UserRole + 1
MISSING_COLOR = QColor("#8a8a8a")


class ConversationTab(QTreeWidget):
    loaded = Signal(int)  # the document whose thread is shown
    openRequested = Signal(int)

    def __init__(self, case: Case, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("conversation")
        self.setHeaderLabels(HEADERS)
        self.header().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self._case, self._tasks = case, tasks
        self._generation = 0
        self._doc_id: int | None = None
        self.entries: list[groups.ThreadEntry] = []
        self.itemClicked.connect(self._chosen)
        self.itemActivated.connect(self._chosen)

    def show_document(self, doc_id: int | None) -> None:
        self._generation += 1
        self._doc_id = doc_id
        if doc_id is not None:
            self._tasks.run(
                partial(groups.conversation, self._case, doc_id),
                partial(self._loaded, self._generation, doc_id),
            )
        else:
            self.clear()

    def _loaded(self, generation: int, doc_id: int, entries: list[groups.ThreadEntry]) -> None:
        if generation != self._generation:
            return
        self.clear()
        self.entries = entries
        parents: list[QTreeWidgetItem] = []
        for entry in entries:
            item = self._item(entry, doc_id)
            del parents[entry.indent :]
            if parents:
                parents[-1].addChild(item)
            else:
                self.addTopLevelItem(item)
            parents.append(item)
        self.expandAll()
        self.loaded.emit(doc_id)

    def _item(self, entry: groups.ThreadEntry, current: int) -> QTreeWidgetItem:
        if entry.kind == "missing":
            item = QTreeWidgetItem(["(missing)", "", "", "", "", f"Not in the case: {entry.subject}"])
            font = item.font(0)
            font.setItalic(True)
            for column in range(len(HEADERS)):
                item.setFont(column, font)
                item.setForeground(column, QBrush(MISSING_COLOR))
            item.setToolTip(5, "A message this thread refers to or quotes, which is not in the case")
            return item
        inclusive = {True: f"✔ {entry.reason}", False: "", None: ""}[entry.inclusive]
        action = entry.action if entry.kind == "message" else entry.kind
        item = QTreeWidgetItem(
            [
                entry.control,
                action,
                inclusive,
                entry.date.strftime("%Y-%m-%d %H:%M") if entry.date else "",
                entry.sender,
                entry.subject,
            ]
        )
        item.setData(0, ID_ROLE, entry.document_id)
        if entry.inclusive or entry.document_id == current:
            font = item.font(0)
            font.setBold(True)
            for column in range(len(HEADERS)):
                item.setFont(column, font)
        if entry.inclusive:
            item.setToolTip(
                2, "Inclusive: no other email of the thread holds all of its text and attachments"
            )
        return item

    def _chosen(self, item: QTreeWidgetItem) -> None:
        doc_id = item.data(0, ID_ROLE)
        if doc_id is not None and doc_id != self._doc_id:
            self.openRequested.emit(doc_id)


def attach(viewer: Viewer, case: Case, tasks: TaskRunner) -> ConversationTab:
    """Add a Conversation tab to a Viewer; it follows the documents the viewer shows."""
    tab = ConversationTab(case, tasks)
    viewer.tabs.addTab(tab, "Conversation")
    viewer.drawn.connect(tab.show_document)
    tab.openRequested.connect(viewer.openRequested)
    return tab
