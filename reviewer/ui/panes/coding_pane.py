"""The Coding pane: a checkbox per tag (with its hotkey), the privilege basis and description, and notes.

Coding applies to the current document, or to every selected row when several are selected. A tag box is
checked when all of them carry the tag, half-checked when some do; clicking it (or pressing its hotkey)
behaves like review.toggle_tag. Writes go through the write lane one at a time, in the order given.

Each write carries the coding version the pane showed (reviewer.core.conflicts): when another reviewer
changed the same tag or privilege entry since, the write is refused and the pane says so in its notice
line, naming them and their value, and shows the coding as it now is. A write the server could not take
(it cannot be reached) is refused there too; while the window is offline (`set_offline`) coding is paused,
and a keypress says why instead of queueing a write. A note or privilege description that was not saved
is kept in its field, so nothing typed is lost. A reload for others' changes leaves a privilege
description being typed alone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from reviewer.core import browse, review
from reviewer.core.analytics import groups
from reviewer.core.case import Case
from reviewer.core.conflicts import case_version
from reviewer.core.errors import ReviewerError
from reviewer.ui.icons import color_swatch
from reviewer.ui.tasks import Lane, TaskRunner

NO_BASIS = "Not privileged"
ADVANCE_SETTING = "coding/advance"


@dataclass(frozen=True)
class _State:
    tags: list[review.TagInfo]
    counts: dict[int, int]  # tag id -> how many targets carry it
    coding: review.DocumentCoding | None  # of the current document
    version: int  # the coding version, read before the rest: what a write says it saw


def _read_state(case: Case, current: int | None, targets: list[int]) -> _State:
    version = case_version(case)
    return _State(review.list_tags(case), browse.tag_counts(case, targets) if targets else {},
                  review.coding(case, current) if current is not None else None, version)


def _in_scope(write: Callable[..., object], case: Case, targets: list[int], scope: tuple[bool, bool],
              *args: object, **kwargs: object) -> object:
    """Run a coding write on the targets widened to whole threads and/or near-duplicate groups: one call,
    so one action on the trail and one undo."""
    threads, near_dups = scope
    if threads or near_dups:
        targets = groups.expand(case, targets, threads=threads, near_dups=near_dups)
    return write(case, targets, *args, **kwargs)


class CodingPane(QWidget):
    coded = Signal(list, bool)  # the documents coded, and whether to advance to the next document
    writeQueued = Signal()  # a coding write is on its way: there is something to undo already

    def __init__(self, case: Case, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("codingPane")
        self._case = case
        self._tasks = tasks
        self._current: int | None = None
        self._targets: list[int] = []
        self._tags: list[review.TagInfo] = []
        self._generation = 0
        self._version: int | None = None  # the coding version shown; None until the first load
        self._offline = ""  # while the case database cannot be reached: why coding is paused
        self._shown: tuple[int | None, list[int]] = (None, [])  # the documents the fields were filled for

        self.heading = QLabel("No document")
        self.heading.setObjectName("paneHeading")
        self.notice = QLabel()
        self.notice.setObjectName("codingNotice")
        self.notice.setWordWrap(True)
        self.notice.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.notice.hide()
        self.tag_boxes: dict[str, QCheckBox] = {}
        self._tag_layout = QVBoxLayout()
        self._tag_layout.setSpacing(4)
        self.families = QCheckBox("Include families")
        self.families.setToolTip("Code the parent and all attachments together")
        self.threads = QCheckBox("Whole email threads")
        self.threads.setObjectName("codeWholeThreads")
        self.threads.setToolTip("Code every email of the conversation and their attachments together, as one "
                                "action (one undo)")
        self.near_dups = QCheckBox("Whole near-duplicate groups")
        self.near_dups.setObjectName("codeWholeNearDuplicates")
        self.near_dups.setToolTip("Code every near-duplicate of the document together, as one action "
                                  "(one undo)")
        tags_group = QGroupBox("Tags")
        tags_layout = QVBoxLayout(tags_group)
        tags_layout.addLayout(self._tag_layout)
        tags_layout.addWidget(self.families)
        tags_layout.addWidget(self.threads)
        tags_layout.addWidget(self.near_dups)

        self.basis = QComboBox()
        self.basis.setObjectName("privilegeBasis")
        self.basis.addItems([NO_BASIS, *review.PRIVILEGE_BASES])
        self.description = QLineEdit()
        self.description.setObjectName("privilegeDescription")
        self.description.setPlaceholderText("Description for the privilege log")
        self.save_privilege = QPushButton("Save privilege")
        self.save_privilege.clicked.connect(self._save_privilege)
        privilege_group = QGroupBox("Privilege")
        privilege_form = QFormLayout(privilege_group)
        privilege_form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        privilege_form.addRow("Basis", self.basis)
        privilege_form.addRow("Description", self.description)
        privilege_form.addRow("", self.save_privilege)

        self.notes = QListWidget()
        self.notes.setObjectName("notes")
        self.notes.setWordWrap(True)
        self.note_text = QPlainTextEdit()
        self.note_text.setObjectName("noteText")
        self.note_text.setPlaceholderText("Add a note to the current document")
        self.note_text.setFixedHeight(self.fontMetrics().height() * 4)
        self.add_note = QPushButton("Add note")
        self.add_note.clicked.connect(self._add_note)
        notes_group = QGroupBox("Notes")
        notes_layout = QVBoxLayout(notes_group)
        notes_layout.addWidget(self.notes, 1)
        notes_layout.addWidget(self.note_text)
        notes_layout.addWidget(self.add_note, 0, Qt.AlignmentFlag.AlignRight)

        self.advance = QCheckBox("Advance after coding")
        self.advance.setObjectName("advanceAfterCoding")
        self.advance.setToolTip("After tagging one document, move to the next one in the list")
        self.advance.setChecked(bool(QSettings().value(ADVANCE_SETTING, False, type=bool)))
        self.advance.toggled.connect(lambda on: QSettings().setValue(ADVANCE_SETTING, on))

        content = QWidget()
        layout = QVBoxLayout(content)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.addWidget(self.heading)
        layout.addWidget(self.notice)
        layout.addWidget(tags_group)
        layout.addWidget(self.advance)
        layout.addWidget(privilege_group)
        layout.addWidget(notes_group, 1)
        scroll = QScrollArea()
        scroll.setWidget(content)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 34)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        self._enable(False)

    # --- what is being coded ---------------------------------------------------------------------------
    @property
    def targets(self) -> list[int]:
        return list(self._targets)

    def set_documents(self, current: int | None, selected: list[int]) -> None:
        """Code `selected` when several rows are selected, else the current document."""
        self._current = current
        self._targets = selected if len(selected) > 1 else ([current] if current is not None else [])
        self.notice.hide()
        self.reload()

    def reload(self) -> None:
        self._generation += 1
        generation, targets = self._generation, list(self._targets)
        self._tasks.run(partial(_read_state, self._case, self._current, targets),
                        partial(self._show_state, generation))

    def _show_state(self, generation: int, state: _State) -> None:
        if generation != self._generation:
            return
        self._version = state.version
        self._tags = state.tags
        self._rebuild_tag_boxes(state.tags)
        count = len(self._targets)
        for tag in state.tags:
            box = self.tag_boxes[tag.name]
            carried = state.counts.get(tag.id, 0)
            some = Qt.CheckState.PartiallyChecked if carried else Qt.CheckState.Unchecked
            box.setCheckState(Qt.CheckState.Checked if count and carried == count else some)
        coding = state.coding
        if count > 1:
            self.heading.setText(f"{count:,} selected documents")
        else:
            self.heading.setText(coding.control if coding else "No document")
        shown = (self._current, list(self._targets))
        if shown != self._shown or not self.description.isModified():  # not while it is being typed
            self.basis.setCurrentText(coding.privilege_basis if coding and coding.privilege_basis
                                      else NO_BASIS)
            self.description.setText(coding.privilege_description if coding else "")
        self._shown = shown
        self.notes.clear()
        for note in coding.notes if coding else []:
            self.notes.addItem(f"{note.text}\n— {note.user}, {note.added:%Y-%m-%d %H:%M}")
        self._enable(bool(count) and not self._offline)
        self.add_note.setEnabled(coding is not None and not self._offline)

    def _rebuild_tag_boxes(self, tags: list[review.TagInfo]) -> None:
        if [t.name for t in tags] == list(self.tag_boxes) and all(
                self.tag_boxes[t.name].property("hotkey") == t.hotkey for t in tags):
            return
        while self._tag_layout.count():
            item = self._tag_layout.takeAt(0)
            if item is not None and (widget := item.widget()) is not None:
                widget.deleteLater()
        self.tag_boxes = {}
        for tag in tags:
            row = QHBoxLayout()
            box = QCheckBox(tag.name)
            box.setObjectName(f"tag:{tag.name}")
            box.setIcon(color_swatch(tag.color))
            box.setProperty("hotkey", tag.hotkey)
            box.clicked.connect(partial(self.toggle, tag.name))
            key = QLabel(tag.hotkey)
            key.setObjectName("keycap")
            key.setAlignment(Qt.AlignmentFlag.AlignCenter)
            key.setFixedWidth(self.fontMetrics().horizontalAdvance("M") + 10)
            key.setToolTip(f"Press {tag.hotkey} in the document list or viewer" if tag.hotkey else "")
            row.addWidget(key)
            row.addWidget(box, 1)
            holder = QWidget()
            holder.setLayout(row)
            row.setContentsMargins(0, 0, 0, 0)
            key.setVisible(bool(tag.hotkey))  # only once it has a parent, or it would open as a window
            self._tag_layout.addWidget(holder)
            self.tag_boxes[tag.name] = box

    def _enable(self, enabled: bool) -> None:
        for widget in (*self.tag_boxes.values(), self.basis, self.description, self.save_privilege,
                       self.families, self.threads, self.near_dups):
            widget.setEnabled(enabled)

    # --- coding ----------------------------------------------------------------------------------------
    def apply_hotkey(self, key: str) -> bool:
        """Toggle the tag bound to `key` on the targets; False when no tag has that key."""
        tag = next((t for t in self._tags if t.hotkey == key.upper()), None)
        if tag is None or not self._targets:
            return False
        self.toggle(tag.name)
        return True

    def toggle(self, tag_name: str) -> None:
        targets, families = list(self._targets), self.families.isChecked()
        if targets and not self._refused_offline():
            self._write(partial(_in_scope, review.toggle_tag, self._case, targets, self._scope(), tag_name,
                                families=families, seen=self._version), targets)

    def _scope(self) -> tuple[bool, bool]:
        return self.threads.isChecked(), self.near_dups.isChecked()

    def _save_privilege(self) -> None:
        basis, description = self.basis.currentText(), self.description.text()
        targets = list(self._targets)
        if not targets or self._refused_offline():
            return
        self.description.setModified(False)
        yours = f' Yours was "{basis}{": " + description if description.strip() else ""}".'
        self._write(partial(_in_scope, review.set_privilege, self._case, targets, self._scope(),
                            None if basis == NO_BASIS else basis, description,
                            families=self.families.isChecked(), seen=self._version), targets, yours)

    def _add_note(self) -> None:
        text = self.note_text.toPlainText().strip()
        if self._current is None or not text or self._refused_offline():
            return
        current = self._current
        self.note_text.clear()

        def kept(error: BaseException) -> None:
            if not self.note_text.toPlainText().strip():
                self.note_text.setPlainText(text)  # the note is not lost: it is back, to add again
            self._refused(error)

        self._tasks.run(partial(review.add_note, self._case, current, text),
                        lambda _note: self.coded.emit([current], False), kept, lane=Lane.WRITE)
        self.writeQueued.emit()

    def _write(self, work: Callable[[], object], targets: list[int], yours: str = "") -> None:
        advance = self.advance.isChecked()
        self.notice.hide()
        self._tasks.run(work, lambda _result: self.coded.emit(targets, advance),
                        partial(self._refused, more=yours), lane=Lane.WRITE)
        self.writeQueued.emit()

    # --- refusals and the connection -------------------------------------------------------------------
    def _refused(self, error: BaseException, more: str = "") -> None:
        """A write that did not happen (another reviewer's change, the server gone): say so, then show the
        coding as it now is."""
        if not isinstance(error, ReviewerError):
            raise error
        self._show_notice(f"{error}{more}")
        self.reload()

    def _show_notice(self, message: str) -> None:
        self.notice.setText(message)
        self.notice.show()

    def _refused_offline(self) -> bool:
        if self._offline:
            self._show_notice(f"Not saved: {self._offline}")
        return bool(self._offline)

    def set_offline(self, message: str) -> None:
        """Pause coding while the case database cannot be reached (`message` says so); "" resumes it."""
        self._offline = message
        self._enable(bool(self._targets) and not message)
        self.add_note.setEnabled(self._current is not None and not message)
        if not message:
            self.notice.hide()
            self.reload()
