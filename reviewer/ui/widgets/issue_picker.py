"""Choosing issues: a menu of the case's issues (numbered, indented, in their colours) to tick, behind a
button that says which are ticked. The highlight bar, the Highlights pane and the Chronology pane use it."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QMenu, QToolButton, QWidget

from reviewer.core.casebuild.issues import IssueInfo
from reviewer.ui.icons import color_swatch


class IssueMenu(QMenu):
    """Checkable issues; `toggledIssue(issue_id, checked)` when one is ticked or unticked."""

    toggledIssue = Signal(int, bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.issues: list[IssueInfo] = []

    def set_issues(self, issues: list[IssueInfo], checked: Iterable[int] = ()) -> None:
        chosen = set(checked)
        self.clear()
        self.issues = issues
        for issue in issues:
            action = self.addAction(color_swatch(issue.color), "    " * issue.depth + issue.label)
            action.setCheckable(True)
            action.setChecked(issue.id in chosen)
            action.setData(issue.id)
            action.toggled.connect(lambda on, issue_id=issue.id: self.toggledIssue.emit(issue_id, on))
        if not issues:
            self.addAction("No issues yet: add them in the Issues pane").setEnabled(False)

    def checked_ids(self) -> list[int]:
        return [int(action.data()) for action in self.actions()
                if action.isCheckable() and action.isChecked()]


class IssueButton(QToolButton):
    """A button showing the ticked issues ("Issues: 1, 2.1"), its menu the issues to tick."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.menu_of_issues = IssueMenu(self)
        self.setMenu(self.menu_of_issues)
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.menu_of_issues.toggledIssue.connect(lambda _id, _on: self._show_choice())
        self._show_choice()

    def set_issues(self, issues: list[IssueInfo]) -> None:
        """Offer these issues, keeping those still there ticked."""
        kept = set(self.checked_ids()) & {issue.id for issue in issues}
        self.menu_of_issues.set_issues(issues, kept)
        self._show_choice()

    def checked_ids(self) -> list[int]:
        return self.menu_of_issues.checked_ids()

    def _show_choice(self) -> None:
        chosen = set(self.checked_ids())
        numbers = [issue.number for issue in self.menu_of_issues.issues if issue.id in chosen]
        self.setText("Issues: " + ", ".join(numbers) if numbers else "Issues: none")
        names = [issue.label for issue in self.menu_of_issues.issues if issue.id in chosen]
        self.setToolTip("\n".join(names) or "Choose the issues new highlights are filed under")
