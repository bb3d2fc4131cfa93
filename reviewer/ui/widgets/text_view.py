"""Read-only text with search hits and stored highlights marked by character offset; optionally an email
header block.

Offsets are into the document's extracted text exactly as stored, so the text is shown unchanged and the
header block of an email is only styled (bold labels, a shaded band), never rewritten. Qt counts positions
in UTF-16 units and Python in characters; the two differ after a character outside the Basic Multilingual
Plane (an emoji), so offsets are translated both ways. `span_selection` is the one way text views here mark
a span (search hits, stored highlights, the words that differ between near-duplicates).
"""

from __future__ import annotations

from bisect import bisect_left

from PySide6.QtGui import QColor, QFont, QPalette, QTextBlockFormat, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QPlainTextEdit, QTextEdit, QWidget

HIT_BACKGROUND = QColor("#ffe27a")
CURRENT_BACKGROUND = QColor("#ff9f1c")
HIT_TEXT = QColor("#1a1a1a")


def wide_characters(text: str) -> list[int]:
    """Offsets of the characters Qt counts as two positions (those outside the Basic Multilingual Plane)."""
    return [i for i, char in enumerate(text) if ord(char) > 0xFFFF]


def qt_position(wide: list[int], offset: int) -> int:
    """A Python offset into the text as a Qt position (`wide`: the text's wide_characters)."""
    return offset + bisect_left(wide, offset)


def span_selection(view: QPlainTextEdit, wide: list[int], start: int, end: int, background: QColor,
                   foreground: QColor | None = None) -> QTextEdit.ExtraSelection:
    """The span start–end (Python offsets) of the view's text marked in these colours, as an extra
    selection: the text itself is never changed."""
    selection = QTextEdit.ExtraSelection()
    cursor = QTextCursor(view.document())
    cursor.setPosition(qt_position(wide, start))
    cursor.setPosition(qt_position(wide, end), QTextCursor.MoveMode.KeepAnchor)
    selection.cursor = cursor
    fmt = QTextCharFormat()
    fmt.setBackground(background)
    if foreground is not None:
        fmt.setForeground(foreground)
    selection.format = fmt
    return selection


class HitTextView(QPlainTextEdit):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setUndoRedoEnabled(False)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.document().setDocumentMargin(14)
        self._hits: list[tuple[int, int]] = []
        self._marks: list[tuple[int, int, QColor]] = []
        self._current = -1
        self._wide: list[int] = []  # offsets of the characters Qt counts twice

    def show_text(self, text: str, hits: list[tuple[int, int]], header_length: int = 0) -> None:
        """Show `text` with `hits` (start, end offsets) marked; style its first `header_length` characters
        as an email header block."""
        self.setPlainText(text)
        self._wide = wide_characters(text)
        self._hits = [(start, end) for start, end in hits if 0 <= start < end <= len(text)]
        self._marks = []
        self._current = -1
        if header_length:
            self._style_header(header_length)
        self._mark()

    def set_marks(self, marks: list[tuple[int, int, QColor]]) -> None:
        """Stored highlights (start, end, colour), drawn under the search hits."""
        length = len(self.toPlainText())
        self._marks = [(start, end, color) for start, end, color in marks if 0 <= start < end <= length]
        self._mark()

    def selected_span(self) -> tuple[int, int] | None:
        """The selected text as offsets into the text shown, or None when nothing is selected."""
        cursor = self.textCursor()
        if not cursor.hasSelection():
            return None
        return self._offset(cursor.selectionStart()), self._offset(cursor.selectionEnd())

    def show_span(self, start: int) -> None:
        """Scroll the text at `start` into the middle of the view."""
        cursor = QTextCursor(self.document())
        cursor.setPosition(min(self._position(start), self.document().characterCount() - 1))
        self.setTextCursor(cursor)
        self.centerCursor()

    @property
    def hit_count(self) -> int:
        return len(self._hits)

    def show_hit(self, number: int) -> None:
        if not 0 <= number < len(self._hits):
            return
        self._current = number
        self._mark()
        self.show_span(self._hits[number][0])

    def _mark(self) -> None:
        selections = [self._selection(start, end, color) for start, end, color in self._marks]
        for index, (start, end) in enumerate(self._hits):
            selections.append(self._selection(start, end, CURRENT_BACKGROUND if index == self._current
                                              else HIT_BACKGROUND))
        self.setExtraSelections(selections)

    def _selection(self, start: int, end: int, background: QColor) -> QTextEdit.ExtraSelection:
        return span_selection(self, self._wide, start, end, background, HIT_TEXT)

    def _position(self, offset: int) -> int:
        return qt_position(self._wide, offset)

    def _offset(self, position: int) -> int:
        """A Qt position as a Python offset into the text."""
        before = 0
        while before < len(self._wide) and self._wide[before] + before < position:
            before += 1
        return position - before

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
