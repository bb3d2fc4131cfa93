"""The Issues pane: the case's legal issues as a numbered tree, edited in place.

Type a name and press Add (or Add under, for a sub-issue of the selected issue); rename an issue by editing it
(F2 or a double-click); move it up, down, in (under the issue above it) or out; change its colour; delete
it with its sub-issues. Each is one reviewer action on the write lane, undone with Ctrl+Z. "Show
documents" searches issue:N.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QColorDialog,
    QLabel,
    QLineEdit,
    QToolBar,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from reviewer.core.audit import counted
from reviewer.core.case import Case
from reviewer.core.casebuild import issues
from reviewer.core.casebuild.issues import IssueInfo
from reviewer.ui.icons import color_swatch
from reviewer.ui.tasks import TaskRunner

ID_ROLE = Qt.ItemDataRole.UserRole + 1


class IssuesPane(QWidget):
    changed = Signal()  # the tree was written to: other panes show issue names and counts
    searchRequested = Signal(str)  # a query for the documents under an issue

    def __init__(self, case: Case, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("issuesPane")
        self._case, self._tasks = case, tasks
        self.issues: list[IssueInfo] = []
        self._filling = False
        self.tree = QTreeWidget()
        self.tree.setObjectName("issueTree")
        self.tree.setHeaderHidden(True)
        self.tree.itemChanged.connect(self._renamed)
        self.tree.itemDoubleClicked.connect(lambda item, _column: self.tree.editItem(item, 0))
        self.name = QLineEdit()
        self.name.setObjectName("newIssueName")
        self.name.setPlaceholderText("New issue…")
        self.name.returnPressed.connect(lambda: self.add())
        self.toolbar = QToolBar()
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.actions_by_key: dict[str, QAction] = {}
        for key, text, tip, slot in (
            ("add", "Add", "Add the issue at the top level", lambda: self.add()),
            ("add-sub", "Add under", "Add it under the selected issue",
             lambda: self.add(under_selected=True)),
            ("up", "↑", "Move up", lambda: self.move_by(-1)),
            ("down", "↓", "Move down", lambda: self.move_by(1)),
            ("in", "→", "Make it a sub-issue of the issue above", self.indent),
            ("out", "←", "Move it out to its parent's level", self.outdent),
            ("color", "Colour…", "The colour its highlights are drawn in", self.choose_color),
            ("documents", "Documents", "Search for the documents under this issue", self.show_documents),
            ("delete", "Delete", "Delete the issue and its sub-issues (Ctrl+Z undoes)", self.delete),
        ):
            action = self.toolbar.addAction(text)
            action.setToolTip(tip)
            action.triggered.connect(lambda _checked=False, slot=slot: slot())
            self.actions_by_key[key] = action
        self.status = QLabel()
        self.status.setObjectName("hint")
        self.status.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.name)
        layout.addWidget(self.toolbar)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.status)
        delete = QShortcut(QKeySequence.StandardKey.Delete, self.tree)
        delete.setContext(Qt.ShortcutContext.WidgetShortcut)
        delete.activated.connect(self.delete)
        self.reload()

    # --- showing -------------------------------------------------------------------------------------------
    def reload(self) -> None:
        self._tasks.run(partial(issues.list_issues, self._case), self._show)

    def _show(self, found: list[IssueInfo]) -> None:
        selected = self.selected()
        self.issues = found
        self._filling = True
        self.tree.clear()
        items: dict[int, QTreeWidgetItem] = {}
        for issue in found:
            item = QTreeWidgetItem([issue.label])
            item.setData(0, ID_ROLE, issue.id)
            item.setIcon(0, color_swatch(issue.color))
            item.setToolTip(0, f"{issue.label}\n{counted(issue.highlights, 'highlight')}, "
                               f"{counted(issue.facts, 'fact')}")
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
            parent = items.get(issue.parent_id) if issue.parent_id is not None else None
            if parent is None:
                self.tree.addTopLevelItem(item)
            else:
                parent.addChild(item)
            items[issue.id] = item
        self.tree.expandAll()
        if selected is not None and selected.id in items:
            self.tree.setCurrentItem(items[selected.id])
        self._filling = False

    def selected(self) -> IssueInfo | None:
        item = self.tree.currentItem()
        if item is None:
            return None
        issue_id = item.data(0, ID_ROLE)
        return next((issue for issue in self.issues if issue.id == issue_id), None)

    def item_of(self, issue_id: int) -> QTreeWidgetItem | None:
        found = self.tree.findItems("*", Qt.MatchFlag.MatchWildcard | Qt.MatchFlag.MatchRecursive)
        return next((item for item in found if item.data(0, ID_ROLE) == issue_id), None)

    # --- editing -------------------------------------------------------------------------------------------
    def add(self, under_selected: bool = False) -> None:
        name = self.name.text().strip()
        if not name:
            self.status.setText("Type the new issue's name first.")
            return
        parent = self.selected() if under_selected else None
        if under_selected and parent is None:
            self.status.setText("Select the issue it goes under first.")
            return
        self._write(partial(issues.add_issue, self._case, name, parent.number if parent else None),
                    lambda issue: f'Added issue {issue.number} "{issue.name}".')
        self.name.clear()

    def _renamed(self, item: QTreeWidgetItem, column: int) -> None:
        if self._filling or column != 0:
            return
        issue = next((i for i in self.issues if i.id == item.data(0, ID_ROLE)), None)
        if issue is None:
            return
        text = item.text(0).strip()
        # The number is shown with the name; an edit may keep it or drop it.
        name = text.removeprefix(issue.number).strip() if text.startswith(issue.number + " ") else text
        if name and name != issue.name:
            self._write(partial(issues.edit_issue, self._case, issue.number, name=name),
                        lambda renamed: f'Issue {renamed.number} is now "{renamed.name}".')
        else:
            self.reload()

    def move_by(self, step: int) -> None:
        issue = self.selected()
        if issue is None:
            return
        siblings = [i for i in self.issues if i.parent_id == issue.parent_id]
        place = siblings.index(issue) + 1 + step
        if 1 <= place <= len(siblings):
            self._move(issue, self._parent_number(issue), place)

    def indent(self) -> None:
        issue = self.selected()
        if issue is None:
            return
        siblings = [i for i in self.issues if i.parent_id == issue.parent_id]
        index = siblings.index(issue)
        if index == 0:
            self.status.setText("The first issue at its level has no issue above it to go under.")
            return
        self._move(issue, siblings[index - 1].number, None)

    def outdent(self) -> None:
        issue = self.selected()
        if issue is None or issue.parent_id is None:
            return
        parent = next(i for i in self.issues if i.id == issue.parent_id)
        siblings = [i for i in self.issues if i.parent_id == parent.parent_id]
        self._move(issue, self._parent_number(parent), siblings.index(parent) + 2)

    def _parent_number(self, issue: IssueInfo) -> str | None:
        return issue.number.rpartition(".")[0] or None

    def _move(self, issue: IssueInfo, parent: str | None, position: int | None) -> None:
        self._write(partial(issues.move_issue, self._case, issue.number, parent, position),
                    lambda moved: f'"{moved.name}" is now issue {moved.number}.')

    def choose_color(self) -> None:
        issue = self.selected()
        if issue is None:
            return
        color = QColorDialog.getColor(QColor(issue.color), self, f"Colour of {issue.label}")
        if color.isValid():
            self.set_color(issue, color.name())

    def set_color(self, issue: IssueInfo, color: str) -> None:
        self._write(partial(issues.edit_issue, self._case, issue.number, color=color),
                    lambda edited: f"{edited.label} is drawn in {edited.color}.")

    def delete(self) -> None:
        issue = self.selected()
        if issue is not None:
            self._write(partial(issues.delete_issue, self._case, issue.number),
                        lambda message: f"{message} Ctrl+Z undoes it.")

    def show_documents(self) -> None:
        issue = self.selected()
        if issue is not None:
            self.searchRequested.emit(f'issue:"{issue.name}"')

    def _write(self, work: Callable[[], Any], said: Callable[[Any], str]) -> None:
        def changed() -> None:
            self.reload()
            self.changed.emit()

        # A refused edit in place is undone on screen: the tree shows the name the case still has.
        self._tasks.write_and_say(work, said, self.status.setText, then=changed, refused=self.reload)
