"""The frame every long-running dialog shares: run one piece of core work off the GUI thread, show its latest
progress polled on a timer (after Anki's progress manager, not a signal per item), Stop it through its cancel
token, then turn Stop into Close and show a report."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QProgressBar,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from reviewer.core.progress import CancelToken, Progress, ProgressUpdate
from reviewer.ui.tasks import Lane, LatestProgress, TaskRunner

POLL_MS = 100


class LongWorkDialog(QDialog):
    """Subclasses lay out their own labels, start their work with `start`, and implement `_poll_update`,
    `_finished` and `_failed`."""

    stopping_text = "Stopping…"

    def __init__(self, title: str, min_width: int, report_headers: list[str], report_name: str,
                 stretch_column: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(min_width)
        # Not modal: the reviewer goes on coding while the work runs (coding never waits for a long job).
        self.setWindowModality(Qt.WindowModality.NonModal)
        self.stage = QLabel("Starting…")
        self.stage.setObjectName("paneHeading")
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)
        self.report = QTreeWidget()
        self.report.setObjectName(report_name)
        self.report.setHeaderLabels(report_headers)
        self.report.setRootIsDecorated(False)
        self.report.header().setSectionResizeMode(stretch_column, QHeaderView.ResizeMode.Stretch)
        self.report.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setText("Stop")
        self.buttons.rejected.connect(self._stop_or_close)
        self._progress = LatestProgress()
        self._cancel = CancelToken()
        self._started = time.monotonic()
        self._done = False
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._poll)

    def lay_out(self, *middle: QWidget) -> None:
        """Stage and bar on top, the subclass's labels, then the report (taking the room) and the button."""
        layout = QVBoxLayout(self)
        for widget in (self.stage, self.bar, *middle):
            layout.addWidget(widget)
        layout.addWidget(self.report, 1)
        layout.addWidget(self.buttons)

    def start(self, tasks: TaskRunner, work: Callable[[Progress, CancelToken], Any], lane: Lane) -> None:
        self._timer.start()
        tasks.run(partial(work, self._progress, self._cancel), self._finished, self._failed, lane=lane,
                  cancel=self._cancel)

    @property
    def running(self) -> bool:
        return not self._done

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self._started

    def show_report(self, rows: list[list[str]]) -> None:
        if rows:
            self.report.addTopLevelItems([QTreeWidgetItem(row) for row in rows])
            self.report.show()

    def end(self) -> None:
        """The work is over (done, stopped or failed): Stop becomes Close."""
        self._done = True
        self._timer.stop()
        self.cancel_button.setEnabled(True)
        self.cancel_button.setText("Close")

    def _poll(self) -> None:
        update = self._progress.latest()
        if update is not None:
            self._poll_update(update)

    def _poll_update(self, update: ProgressUpdate) -> None:
        raise NotImplementedError

    def _finished(self, result: Any) -> None:
        raise NotImplementedError

    def _failed(self, error: BaseException) -> None:
        raise NotImplementedError

    def _stop_or_close(self) -> None:
        if self._done:
            self.accept()
            return
        self._cancel.cancel()
        self.cancel_button.setEnabled(False)
        self.cancel_button.setText("Stopping…")
        self.stage.setText(self.stopping_text)

    def reject(self) -> None:
        """Escape and the window's close button stop the work first; they close only once it has ended."""
        self._stop_or_close()
