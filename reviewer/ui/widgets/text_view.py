"""Read-only text with search hits highlighted by character offset; optionally an email header block.

Offsets are into the document's extracted text exactly as stored, so the text is shown unchanged and the
header block of an email is only styled (bold labels, a shaded band), never rewritten. `mark_spans` is the
one way text views here highlight spans (search hits, words that differ between near-duplicates).
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtGui import QColor, QFont, QPalette, QTextBlockFormat, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QPlainTextEdit, QTextEdit, QWidget

HIT_BACKGROUND = QColor("#ffe27a")
CURRENT_BACKGROUND = QColor("#ff9f1c")
HIT_TEXT = QColor("#1a1a1a")


def span_format(background: QColor, foreground: QColor | None = None) -> QTextCharFormat:
    fmt = QTextCharFormat()
    fmt.setBackground(background)
    if foreground is not None:
        fmt.setForeground(foreground)
    return fmt


def mark_spans(view: QPlainTextEdit, spans: Iterable[tuple[int, int, QTextCharFormat]]) -> None:
    """Highlight (start, end) character spans of the view's text, each in its format, replacing the marks
    before; the text itself is not changed (extra selections)."""
    selections = []
    for start, end, fmt in spans:
        selection = QTextEdit.ExtraSelection()
        cursor = QTextCursor(view.document())
        cursor.setPosition(start)
        cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        selection.cursor = cursor
        selection.format = fmt
        selections.append(selection)
    view.setExtraSelections(selections)


class HitTextView(QPlainTextEdit):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setUndoRedoEnabled(False)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.document().setDocumentMargin(14)
        self._hits: list[tuple[int, int]] = []
        self._current = -1

    def show_text(self, text: str, hits: list[tuple[int, int]], header_length: int = 0) -> None:
        """Show `text` with `hits` (start, end offsets) marked; style its first `header_length` characters
        as an email header block."""
        self.setPlainText(text)
        self._hits = [(start, end) for start, end in hits if 0 <= start < end <= len(text)]
        self._current = -1
        if header_length:
            self._style_header(header_length)
        self._mark()

    @property
    def hit_count(self) -> int:
        return len(self._hits)

    def show_hit(self, number: int) -> None:
        if not 0 <= number < len(self._hits):
            return
        self._current = number
        self._mark()
        start, end = self._hits[number]
        cursor = QTextCursor(self.document())
        cursor.setPosition(start)
        self.setTextCursor(cursor)
        self.centerCursor()

    def _mark(self) -> None:
        hit, current = span_format(HIT_BACKGROUND, HIT_TEXT), span_format(CURRENT_BACKGROUND, HIT_TEXT)
        mark_spans(self, ((start, end, current if index == self._current else hit)
                          for index, (start, end) in enumerate(self._hits)))

    def _style_header(self, length: int) -> None:
        band = QTextBlockFormat()
        band.setBackground(self.palette().color(QPalette.ColorRole.AlternateBase))
        band.setTopMargin(2)
        bold = QTextCharFormat()
        bold.setFontWeight(QFont.Weight.DemiBold)
        block = self.document().firstBlock()
        while block.isValid() and block.position() < length:
            cursor = QTextCursor(block)
            if block.text().strip():
                cursor.setBlockFormat(band)
            label_end = block.text().find(":")
            if label_end > 0:
                cursor.setPosition(block.position())
                cursor.setPosition(block.position() + label_end + 1, QTextCursor.MoveMode.KeepAnchor)
                cursor.mergeCharFormat(bold)
            block = block.next()
