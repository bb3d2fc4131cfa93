"""The Highlights pane: every highlight of the case (or under one issue), with its document, page, words,
issues and comment. Activating one opens its document at its page with the highlight in view; F makes a
fact of each selected highlight (dated by its document, worded as its passage, under its issues); Delete
deletes them. The context menu changes a highlight's issues and comment. Every change is one undo step.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QInputDialog,
    QLabel,
    QMenu,
    QToolBar,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from reviewer.core.audit import counted
from reviewer.core.case import Case
from reviewer.core.casebuild import facts, highlights, issues
from reviewer.core.casebuild.highlights import HighlightInfo
from reviewer.core.casebuild.issues import IssueInfo
from reviewer.ui.icons import color_swatch
from reviewer.ui.tasks import TaskRunner
from reviewer.ui.widgets.issue_picker import IssueMenu

ID_ROLE = Qt.ItemDataRole.UserRole + 1
COLUMNS = ("Document", "Page", "Words", "Issues", "Comment", "By")
COLUMN_WIDTHS = (95, 40, 260, 150, 140, 70)


class HighlightsPane(QWidget):
    changed = Signal()  # highlights or facts were written
    openRequested = Signal(int, int, int)  # document id, 1-based page (0: none), highlight id

    def __init__(self, case: Case, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("highlightsPane")
        self._case, self._tasks = case, tasks
        self.highlights: list[HighlightInfo] = []
        self._issues: list[IssueInfo] = []
        self._generation = 0
        self.issue_filter = QComboBox()
        self.issue_filter.setObjectName("highlightIssueFilter")
        self.issue_filter.currentIndexChanged.connect(lambda _i: self.reload())
        self.issue_filter.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.issue_filter.setMinimumContentsLength(8)
        bar = QToolBar()
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        bar.addWidget(self.issue_filter)
        bar.addAction("Make fact (F)", lambda: self.make_facts()).setToolTip(
            "A fact from each selected highlight: its document's date, its words, its issues")
        bar.addAction("Delete", lambda: self.delete())
        self.list = QTreeWidget()
        self.list.setObjectName("highlightList")
        self.list.setHeaderLabels(list(COLUMNS))
        self.list.setRootIsDecorated(False)
        self.list.setSortingEnabled(True)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        for column, width in enumerate(COLUMN_WIDTHS):
            self.list.setColumnWidth(column, width)
        self.list.itemActivated.connect(self._activated)
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list.customContextMenuRequested.connect(self._menu)
        self.status = QLabel()
        self.status.setObjectName("hint")
        self.status.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(bar)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.status)
        for key, slot in (("F", self.make_facts), (QKeySequence.StandardKey.Delete, self.delete)):
            shortcut = QShortcut(QKeySequence(key), self.list)
            shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
            shortcut.activated.connect(slot)
        self.reload_issues()

    # --- showing -------------------------------------------------------------------------------------------
    def reload_issues(self) -> None:
        self._tasks.run(partial(issues.list_issues, self._case), self._issues_loaded)

    def _issues_loaded(self, found: list[IssueInfo]) -> None:
        chosen = self.issue_filter.currentData()
        self._issues = found
        self.issue_filter.blockSignals(True)
        self.issue_filter.clear()
        self.issue_filter.addItem("All issues", None)
        for issue in found:
            self.issue_filter.addItem(color_swatch(issue.color), "    " * issue.depth + issue.label, issue.id)
        index = self.issue_filter.findData(chosen)
        self.issue_filter.setCurrentIndex(max(index, 0))
        self.issue_filter.blockSignals(False)
        self.reload()

    def reload(self) -> None:
        self._generation += 1
        issue_id = self.issue_filter.currentData()
        issue = next((i.number for i in self._issues if i.id == issue_id), None)
        self._tasks.run(partial(highlights.list_highlights, self._case, None, issue),
                        partial(self._show, self._generation))

    def _show(self, generation: int, found: list[HighlightInfo]) -> None:
        if generation != self._generation:
            return
        chosen = set(self.selected_ids())
        self.highlights = found
        self.list.setSortingEnabled(False)
        self.list.clear()
        for highlight in found:
            item = QTreeWidgetItem([highlight.control, str(highlight.page or ""), highlight.text or "(box)",
                                    "; ".join(highlight.issues), highlight.comment, highlight.user])
            item.setData(0, ID_ROLE, highlight.id)
            item.setData(1, Qt.ItemDataRole.DisplayRole, highlight.page or 0)
            item.setIcon(2, color_swatch(highlight.color))
            item.setToolTip(2, highlight.text)
            self.list.addTopLevelItem(item)
            item.setSelected(highlight.id in chosen)
        self.list.setSortingEnabled(True)
        self.status.setText(f"{counted(len(found), 'highlight')}.")

    def selected_ids(self) -> list[int]:
        return [int(item.data(0, ID_ROLE)) for item in self.list.selectedItems()]

    def _activated(self, item: QTreeWidgetItem) -> None:
        highlight = next(h for h in self.highlights if h.id == item.data(0, ID_ROLE))
        self.openRequested.emit(highlight.document_id, highlight.page or 0, highlight.id)

    # --- changing ------------------------------------------------------------------------------------------
    def make_facts(self) -> None:
        chosen = self.selected_ids()
        if not chosen:
            self.status.setText("Select the highlights to make facts of.")
            return
        self._write(partial(facts.facts_from_highlights, self._case, chosen),
                    lambda made: f"Made {counted(len(made), 'fact')}; see the Chronology.")

    def delete(self) -> None:
        chosen = self.selected_ids()
        if chosen:
            self._write(partial(highlights.delete_highlights, self._case, chosen),
                        lambda count: f"Deleted {counted(count, 'highlight')}.")

    def set_issues(self, highlight_id: int, issue_ids: list[int]) -> None:
        self._write(partial(highlights.edit_highlight, self._case, highlight_id, issues=issue_ids),
                    lambda h: f"Highlight {h.id} is under {'; '.join(h.issues) or 'no issue'}.")

    def set_comment(self, highlight_id: int, comment: str) -> None:
        self._write(partial(highlights.edit_highlight, self._case, highlight_id, comment=comment),
                    lambda h: f"Highlight {h.id}'s comment saved.")

    def _menu(self, point: QPoint) -> None:
        item = self.list.itemAt(point)
        if item is None:
            return
        highlight = next(h for h in self.highlights if h.id == item.data(0, ID_ROLE))
        menu = QMenu(self)
        menu.addAction("Open", lambda: self._activated(item))
        menu.addAction("Make fact (F)", self.make_facts)
        menu.addAction("Comment…", lambda: self._ask_comment(highlight))
        choice = IssueMenu(menu)
        choice.setTitle("Issues")
        choice.set_issues(self._issues, highlight.issue_ids)
        choice.toggledIssue.connect(lambda _id, _on: self.set_issues(highlight.id, choice.checked_ids()))
        menu.addMenu(choice)
        menu.addAction("Delete", self.delete)
        menu.popup(self.list.viewport().mapToGlobal(point))

    def _ask_comment(self, highlight: HighlightInfo) -> None:
        text, accepted = QInputDialog.getText(self, "Comment", "Comment on the highlight:",
                                              text=highlight.comment)
        if accepted:
            self.set_comment(highlight.id, text)

    def _write(self, work: Callable[[], Any], said: Callable[[Any], str]) -> None:
        self._tasks.write_and_say(work, said, self.status.setText, then=self.changed.emit)
