"""Checking (and, when needed, repairing) a case's search index when the desktop opens the case, before its
first search: on the write lane, with progress and Stop. Searches never repair the index themselves.

The dialog appears only when the work takes long enough to notice, or when something was repaired (what
was wrong is said, not thrown away). Stopped or failed, the window still opens: searches then say that the
index must be repaired, while the old index, where there is one, keeps answering.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QWidget

from reviewer.core.case import Case
from reviewer.core.errors import CancelledError
from reviewer.core.progress import CancelToken, Progress, ProgressUpdate
from reviewer.core.search.repair import Repair, repair
from reviewer.ui.dialogs.long_work import LongWorkDialog
from reviewer.ui.tasks import Lane, TaskRunner, describe_error

# A check that ends sooner than this shows nothing (after Anki's progress manager).
SHOW_AFTER_MS = 600


class IndexRepairDialog(LongWorkDialog):
    stopping_text = "Stopping; the index from before stays in use…"

    def __init__(self, tasks: TaskRunner, case: Case, then: Callable[[], None],
                 parent: QWidget | None = None) -> None:
        super().__init__("Checking the search index", 520, ["What was repaired"], "indexRepairReport", 0,
                         parent)
        self.setObjectName("indexRepairDialog")
        self.detail = QLabel("Reviewer checks the search index before the first search.")
        self.detail.setObjectName("hint")
        self.detail.setWordWrap(True)
        self.lay_out(self.detail)
        self.outcome: Repair | BaseException | None = None
        self._then = then

        def work(progress: Progress, cancel: CancelToken) -> Repair:
            return repair(case, progress, cancel)

        self.start(tasks, work, Lane.WRITE)
        QTimer.singleShot(SHOW_AFTER_MS, self, self._show_if_running)

    def _show_if_running(self) -> None:
        if self.running:
            self.show()

    def _poll_update(self, update: ProgressUpdate) -> None:
        if update.stage == "reindex":
            self.stage.setText(update.message or "Rebuilding the search index from the database…")
        elif update.message:
            self.stage.setText(update.message)
        else:
            self.stage.setText("Adding documents missing from the search index…")
        if update.total:
            self.bar.setRange(0, update.total)
            self.bar.setValue(update.done)
            self.detail.setText(f"{update.done:,} of {update.total:,} documents")

    def _finished(self, done: Repair) -> None:
        self.end()
        self.outcome = done
        if done.message is None:
            self.accept()
        else:
            self.stage.setText("The search index was repaired")
            self.bar.setRange(0, 1)
            self.bar.setValue(1)
            self.detail.setText("Searches now use the repaired index.")
            self.show_report([[found[0].upper() + found[1:]] for found in done.found])
            self.show()
        self._then()

    def _failed(self, error: BaseException) -> None:
        self.end()
        self.outcome = error
        self.bar.setRange(0, 1)
        if isinstance(error, CancelledError):
            self.stage.setText("Stopped: the search index was not repaired")
            self.detail.setText("Searches use the index as it was, or say that it must be repaired. "
                                "Reopen the case to repair it.")
        else:
            self.stage.setText("The search index could not be repaired")
            self.detail.setText(describe_error(error))
        self.show()
        self._then()
