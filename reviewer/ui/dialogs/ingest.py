"""Adding documents: pick files and folders and a custodian, then watch ingest run in the background
(counts, rate, cancel) and read its exceptions report when it ends.

Ingest runs on the long lane with a cancel token (closing the window stops it; adding the same files again
resumes it); its progress is polled with a timer (after Anki's progress manager) rather than signalled per
file. Extraction always runs in worker processes: PyMuPDF must not run on a second thread of this process
while the viewer renders pages on the pdf lane.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from reviewer.core import browse
from reviewer.core.case import Case
from reviewer.core.choices import DEFAULT_FILE_TIMEOUT
from reviewer.core.demo import build_demo_case
from reviewer.core.ingest.pipeline import IngestOptions, IngestSummary, ingest
from reviewer.core.progress import CancelToken, Progress, ProgressUpdate
from reviewer.ui.dialogs.long_work import LongWorkDialog
from reviewer.ui.tasks import Lane, TaskRunner, describe_error

STAGES = {"scan": "Looking for files", "ingest": "Adding documents", "index": "Updating the search index"}


def ingest_jobs() -> int:
    """At least two, so that the pipeline always extracts in worker processes (see the module doc)."""
    return max(2, os.cpu_count() or 2)


class AddDocumentsDialog(QDialog):
    """Choose what to add and whose it is; `paths()` and `options()` once accepted."""

    def __init__(self, custodians: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Add documents")
        self.setMinimumWidth(560)
        self.sources = QListWidget()
        self.sources.setObjectName("ingestSources")
        add_files = QPushButton("Add files…")
        add_files.clicked.connect(self._pick_files)
        add_folder = QPushButton("Add folder…")
        add_folder.clicked.connect(self._pick_folder)
        remove = QPushButton("Remove")
        remove.clicked.connect(lambda: [self.sources.takeItem(self.sources.row(i))
                                        for i in self.sources.selectedItems()])
        buttons_row = QHBoxLayout()
        for button in (add_files, add_folder, remove):
            buttons_row.addWidget(button)
        buttons_row.addStretch(1)

        self.custodian = QComboBox()
        self.custodian.setObjectName("ingestCustodian")
        self.custodian.setEditable(True)
        self.custodian.addItems(custodians)
        self.custodian.setCurrentText("")
        self.custodian.lineEdit().setPlaceholderText("Whose documents these are, e.g. Reyes, M.")  # type: ignore[union-attr]  # an editable combo box has one
        self.from_folder = QCheckBox("Take each file's custodian from its first folder")
        self.from_folder.toggled.connect(lambda on: self.custodian.setEnabled(not on))
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("Optional: tried on encrypted files")
        self.file_timeout = QSpinBox()
        self.file_timeout.setObjectName("ingestFileTimeout")
        self.file_timeout.setRange(0, 24 * 3600)
        self.file_timeout.setSuffix(" s")
        self.file_timeout.setSpecialValueText("No limit")
        self.file_timeout.setValue(int(DEFAULT_FILE_TIMEOUT))
        self.file_timeout.setToolTip("A file whose reader produces nothing for this long is stopped and "
                                     "listed as an exception; in a mailbox or archive each message counts.")

        form = QFormLayout()
        form.addRow("Custodian", self.custodian)
        form.addRow("", self.from_folder)
        form.addRow("Password", self.password)
        form.addRow("Time limit per file", self.file_timeout)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.add_button = self.buttons.addButton("Add to case", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Files and folders to add (folders are read with everything inside them):"))
        layout.addWidget(self.sources, 1)
        layout.addLayout(buttons_row)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.sources.model().rowsInserted.connect(self._update_state)
        self.sources.model().rowsRemoved.connect(self._update_state)
        self._update_state()

    def add_paths(self, paths: list[Path]) -> None:
        known = set(self.paths())
        for path in paths:
            if path not in known:
                self.sources.addItem(str(path))

    def paths(self) -> list[Path]:
        return [Path(self.sources.item(i).text()) for i in range(self.sources.count())]

    def options(self) -> IngestOptions:
        password = self.password.text()
        from_folder = self.from_folder.isChecked()
        return IngestOptions(custodian="" if from_folder else self.custodian.currentText().strip(),
                             custodian_from_folder=from_folder, jobs=ingest_jobs(),
                             passwords=[password] if password else [],
                             file_timeout=self.file_timeout.value() or None)

    def _pick_files(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(self, "Add files")
        self.add_paths([Path(f) for f in files])

    def _pick_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Add a folder")
        if folder:
            self.add_paths([Path(folder)])

    def _update_state(self) -> None:
        self.add_button.setEnabled(self.sources.count() > 0)


@dataclass(frozen=True)
class IngestOutcome:
    summary: IngestSummary
    exceptions: list[tuple[str, str]]  # (path, reason) of this run


IngestWork = Callable[[Progress, CancelToken], IngestOutcome]


def ingest_work(case: Case, paths: list[Path], options: IngestOptions) -> IngestWork:
    def work(progress: Progress, cancel: CancelToken) -> IngestOutcome:
        summary = ingest(case, paths, options, progress, cancel)
        return IngestOutcome(summary, browse.batch_exceptions(case, summary.batch_id))

    return work


def demo_work(target: Path) -> IngestWork:
    def work(progress: Progress, cancel: CancelToken) -> IngestOutcome:
        _, summary = build_demo_case(target, progress, cancel)
        with Case.open(target) as case:
            return IngestOutcome(summary, browse.batch_exceptions(case, summary.batch_id))

    return work


class IngestProgressDialog(LongWorkDialog):
    """Runs one ingest and shows its progress, then its summary and exceptions report."""

    finished_ingest = Signal(object)  # IngestOutcome, or None when it failed
    stopping_text = "Stopping after the current files…"

    def __init__(self, tasks: TaskRunner, work: IngestWork, parent: QWidget | None = None) -> None:
        super().__init__("Adding documents", 620, ["File", "Why it was not added"], "exceptionsReport", 0,
                         parent)
        self.counts = QLabel()
        self.counts.setObjectName("ingestCounts")
        self.rate = QLabel()
        self.rate.setObjectName("hint")
        self.lay_out(self.counts, self.rate)
        self.start(tasks, work, Lane.LONG)

    def _poll_update(self, update: ProgressUpdate) -> None:
        self.stage.setText(update.message or STAGES.get(update.stage, update.stage.capitalize()) + "…")
        if update.total:
            self.bar.setRange(0, update.total)
            self.bar.setValue(update.done)
        else:
            self.bar.setRange(0, 0)
        if update.counts:
            self.counts.setText(_counts_text(update.counts))
        if update.stage == "ingest" and update.done and self.elapsed > 0.5:
            rate = update.done / self.elapsed
            self.rate.setText(f"{update.done:,} of {update.total or 0:,} files · {rate:,.1f} files/s")

    def _finished(self, outcome: IngestOutcome) -> None:
        self.end()
        summary = outcome.summary
        verb = "Stopped" if summary.cancelled else "Done"
        self.stage.setText(f"{verb} after {summary.seconds:,.1f} s")
        self.bar.setRange(0, 1)
        self.bar.setValue(1)
        self.counts.setText(_counts_text(summary.counts()))
        already = f" ({summary.skipped:,} already in the case)" if summary.skipped else ""
        resume = " Add the same files again to finish." if summary.cancelled else ""
        self.rate.setText(f"{summary.inputs:,} input files{already}.{resume}")
        self.show_report([list(entry) for entry in outcome.exceptions])
        self.finished_ingest.emit(outcome)

    def _failed(self, error: BaseException) -> None:
        self.end()
        self.stage.setText("Documents could not be added")
        self.rate.setText(describe_error(error))
        self.rate.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.bar.setRange(0, 1)
        self.finished_ingest.emit(None)


def _counts_text(counts: dict[str, int]) -> str:
    return " · ".join(f"{value:,} {name}" for name, value in counts.items())
