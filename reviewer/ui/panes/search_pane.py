"""The Search pane: the query box (review syntax), an inline error, the hit count, recent queries,
saved searches and a syntax help popup. Running a query replaces the document list with its result."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMenu,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from reviewer.ui.icons import icon


class SyntaxHelp(QTextBrowser):
    """The search syntax in a small window of its own beside the query box: it stays open while the
    reviewer types, which a popup would not."""

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("syntaxHelp")
        self.setWindowFlag(Qt.WindowType.Tool)
        self.setWindowTitle("Search syntax")
        self.setPlainText(text)
        self.setLineWrapMode(QTextBrowser.LineWrapMode.NoWrap)
        width = min(self.fontMetrics().horizontalAdvance("M") * 80, 900)
        self.resize(width, self.fontMetrics().height() * 28)


class SearchPane(QWidget):
    searchRequested = Signal(str)
    saveRequested = Signal(str, str)  # name, query

    def __init__(self, help_text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("searchPane")
        self._help_text = help_text
        self._help: SyntaxHelp | None = None
        self.box = QLineEdit()
        self.box.setObjectName("searchBox")
        self.box.setClearButtonEnabled(True)
        self.box.setPlaceholderText('Search, e.g.  privileged   "motion to dismiss"   warrant w/5 date')
        self.box.addAction(icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self.box.returnPressed.connect(self.run)
        self.box.textEdited.connect(lambda _text: self.show_error(""))
        self.history_button = self._tool("history", "Recent searches")
        self.saved_button = self._tool("saved-search", "Saved searches; save this search")
        self.help_button = self._tool("help", "Search syntax (F1)")
        self.help_button.clicked.connect(self.show_help)
        self.history_menu = QMenu(self)
        self.history_button.setMenu(self.history_menu)
        self.history_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.saved_menu = QMenu(self)
        self.saved_button.setMenu(self.saved_menu)
        self.saved_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.error = QLabel()
        self.error.setObjectName("searchError")
        self.error.setWordWrap(True)
        self.error.hide()
        self.count = QLabel()
        self.count.setObjectName("hitCount")

        row = QHBoxLayout()
        row.setSpacing(2)
        row.addWidget(self.box, 1)
        for button in (self.history_button, self.saved_button, self.help_button):
            row.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 6, 6)
        layout.setSpacing(4)
        layout.addLayout(row)
        layout.addWidget(self.error)
        layout.addWidget(self.count)
        self.set_history([])
        self.set_saved([])

    def _tool(self, icon_name: str, tip: str) -> QToolButton:
        button = QToolButton()
        button.setIcon(icon(icon_name))
        button.setToolTip(tip)
        button.setAutoRaise(True)
        return button

    @property
    def query(self) -> str:
        return self.box.text().strip()

    def run(self, query: str | None = None) -> None:
        """Search for `query` (or what is in the box); an empty query lists every document."""
        if query is not None:
            self.box.setText(query)
        self.show_error("")
        self.searchRequested.emit(self.query)

    def focus(self) -> None:
        self.box.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.box.selectAll()

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.setVisible(bool(message))
        self.box.setProperty("invalid", bool(message))
        self.box.style().unpolish(self.box)
        self.box.style().polish(self.box)

    def show_count(self, query: str, matches: int | None, listed: int) -> None:
        if matches is None:
            self.count.setText(f"All {listed:,} documents" if query == "" else "")
            return
        text = f"{matches:,} documents match" if matches != 1 else "1 document matches"
        if listed != matches:
            text += f" · {listed:,} after filters"
        self.count.setText(text)

    def set_history(self, queries: list[str]) -> None:
        self.history_menu.clear()
        for query in queries:
            self.history_menu.addAction(query, lambda q=query: self.run(q))  # type: ignore[misc]  # mypy cannot infer a lambda with a default
        if not queries:
            self.history_menu.addAction("No searches yet").setEnabled(False)

    def set_saved(self, saved: list[tuple[str, str]]) -> None:
        self.saved_menu.clear()
        self.saved_menu.addAction(icon("saved-search"), "Save this search…", self._ask_to_save)
        if saved:
            self.saved_menu.addSeparator()
        for name, query in saved:
            action = self.saved_menu.addAction(name, lambda q=query: self.run(q))  # type: ignore[misc]  # mypy cannot infer a lambda with a default
            action.setToolTip(query)

    def _ask_to_save(self) -> None:
        if not self.query:
            self.show_error("Type a search first, then save it.")
            return
        name, ok = QInputDialog.getText(self, "Save search", "Name for this search:", text=self.query[:60])
        if ok and name.strip():
            self.saveRequested.emit(name.strip(), self.query)

    def show_help(self) -> None:
        if self._help is None:
            self._help = SyntaxHelp(self._help_text, self)
        corner = self.box.mapToGlobal(self.box.rect().bottomLeft())
        self._help.move(corner)
        self._help.show()
