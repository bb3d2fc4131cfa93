"""Keeping a window up to date with the rest of the team, and saying so when the case database is gone.

`CaseWatcher` asks the case every POLL_MS what was changed since the version the window last showed
(reviewer.core.changes: one indexed read, on SQLite and PostgreSQL alike), on the task runner's watch lane,
never on the GUI thread, one question at a time. It emits `changed` with what changed, for the window to
reload its counts, list rows and coding pane; its own writes come back too, which costs one reload.

When the question fails because the server cannot be reached, it emits `connectionLost` with the sentence
to show, keeps asking, and emits `connectionBack` once an answer comes again. `OfflineBanner` is that
sentence across the top of the window: what is loaded stays readable, coding is refused visibly.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QLabel, QToolBar, QWidget

from reviewer.core import changes
from reviewer.core.case import Case
from reviewer.core.conflicts import case_version
from reviewer.core.errors import ServerUnreachableError
from reviewer.ui.tasks import Lane, TaskRunner

POLL_MS = 1000


def offline_sentence(case: Case) -> str:
    return (f"The case database {case.db.label} cannot be reached: you can read what is on screen, coding "
            "is paused, and Reviewer keeps trying to reconnect.")


class CaseWatcher(QObject):
    changed = Signal(object)  # a reviewer.core.changes.Changes
    connectionLost = Signal(str)
    connectionBack = Signal()

    def __init__(self, case: Case, tasks: TaskRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._case = case
        self._tasks = tasks
        self._version: int | None = None  # what the window shows; None until first asked
        self._asking = False
        self.offline = False
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self.poll)
        self.start()

    def poll(self) -> None:
        if self._asking or self._tasks.is_closing:
            return
        self._asking = True
        work: Callable[[], int | changes.Changes] = (
            partial(case_version, self._case) if self._version is None
            else partial(changes.since, self._case, self._version))
        self._tasks.run(work, self._answered, self._failed, lane=Lane.WATCH)

    def _answered(self, answer: int | changes.Changes) -> None:
        self._asking = False
        if self.offline:
            self.offline = False
            self.connectionBack.emit()
        if isinstance(answer, int):
            self._version = answer
            return
        self._version = answer.version
        if answer.any:
            self.changed.emit(answer)

    def _failed(self, error: BaseException) -> None:
        self._asking = False
        if not isinstance(error, ServerUnreachableError):
            raise error
        if not self.offline:
            self.offline = True
            self.connectionLost.emit(offline_sentence(self._case))

    @property
    def asking(self) -> bool:
        """A question is on its way (its answer is still to come, even after `stop`)."""
        return self._asking

    def start(self) -> None:
        """Ask now, then every POLL_MS."""
        self._timer.start()
        self.poll()

    def stop(self) -> None:
        self._timer.stop()


class OfflineBanner(QToolBar):
    """One sentence across the top of the window while the case database cannot be reached."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Connection", parent)
        self.setObjectName("offlineBanner")
        self.setMovable(False)
        self.setFloatable(False)
        self.toggleViewAction().setVisible(False)  # not a toolbar a user hides from the menu
        self.label = QLabel()
        self.label.setObjectName("offlineMessage")
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.label.setStyleSheet("QLabel { background: #fff3cd; color: #664d03; padding: 6px 10px; }")
        self.addWidget(self.label)
        self.hide()

    def show_message(self, message: str) -> None:
        self.label.setText(message)
        self.show()
