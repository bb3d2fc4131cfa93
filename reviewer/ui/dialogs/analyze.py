"""Analyzing conversations and near-duplicates from the desktop: choose the near-duplicate threshold (the
dialog says what the similarity means) and whether emails are compared too, then watch the analysis run
with Stop, and read its figures.

Every ingest and import already keeps threads and groups current for new documents with the last settings;
this redoes the whole case, with new settings if chosen. It runs on the long lane in a child process: the
work is plain Python over every text, which on a thread of this process would hold the interpreter and make
the window stutter. Stop keeps the texts read so far; the next analysis (or ingest) finishes the rest.
"""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from reviewer.core.analytics.neardups import MIN_THRESHOLD
from reviewer.core.analytics.run import AnalysisSettings, AnalysisSummary, analyze
from reviewer.core.analytics.similarity import SIMILARITY_HELP
from reviewer.core.case import Case
from reviewer.core.errors import CancelledError
from reviewer.core.progress import ProgressUpdate
from reviewer.ui.dialogs.long_work import LongWorkDialog
from reviewer.ui.job_process import run_in_child
from reviewer.ui.tasks import Lane, TaskRunner, describe_error

TITLE = "Analyze conversations and near-duplicates"
STAGES = {
    "reading": "Reading texts",
    "threads": "Threading emails",
    "near-duplicates": "Finding near-duplicates",
    "saving": "Saving threads and groups",
}


class AnalyzeDialog(QDialog):
    """The settings of a new analysis; `settings()` once accepted."""

    def __init__(self, current: AnalysisSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(TITLE)
        self.setMinimumWidth(520)
        intro = QLabel(
            "Reviewer puts every email in its conversation and marks the inclusive ones (reading them reads "
            "every word of the thread), and groups documents whose text is nearly the same. Each ingest "
            "and import does this for what it adds; analyzing redoes the whole case with these settings, "
            "which later ingests keep. Thread and group numbers stay where the groups stay."
        )
        intro.setWordWrap(True)
        self.threshold = QSpinBox()
        self.threshold.setObjectName("nearDupThreshold")
        self.threshold.setRange(MIN_THRESHOLD, 100)
        self.threshold.setSuffix(" %")
        self.threshold.setValue(current.threshold)
        meaning = QLabel(f"{SIMILARITY_HELP} A group holds the documents at least this similar to its "
                         "largest one.")
        meaning.setObjectName("hint")
        meaning.setWordWrap(True)
        self.emails = QCheckBox("Compare emails for near-duplicates too (threads already group replies)")
        self.emails.setObjectName("nearDupEmails")
        self.emails.setChecked(current.include_emails)
        form = QFormLayout()
        form.addRow("Near-duplicate threshold:", self.threshold)
        form.addRow("", meaning)
        form.addRow("", self.emails)
        choices = QDialogButtonBox.StandardButton
        buttons = QDialogButtonBox(choices.Ok | choices.Cancel)
        self.analyze_button = buttons.button(choices.Ok)
        self.analyze_button.setText("Analyze")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def settings(self) -> AnalysisSettings:
        return AnalysisSettings(self.threshold.value(), self.emails.isChecked())


class AnalyzeProgressDialog(LongWorkDialog):
    """Runs one analysis, shows its progress, then its figures."""

    finished_analysis = Signal(object)  # the AnalysisSummary, or None when stopped or failed
    stopping_text = "Stopping… (the texts read so far are kept)"

    def __init__(self, tasks: TaskRunner, case: Case, settings: AnalysisSettings,
                 parent: QWidget | None = None) -> None:
        super().__init__(TITLE, 560, ["Figure", "Value"], "analysisReport", 0, parent)
        self.detail = QLabel()
        self.detail.setObjectName("analysisDetail")
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.lay_out(self.detail)
        job = (settings.threshold, settings.include_emails)
        self.start(tasks, partial(run_in_child, analyze, case.location, job), Lane.LONG)

    def _poll_update(self, update: ProgressUpdate) -> None:
        self.stage.setText(update.message or STAGES.get(update.stage, update.stage.capitalize()) + "…")
        if update.total:
            self.bar.setRange(0, update.total)
            self.bar.setValue(update.done)
            self.detail.setText(f"{update.done:,} of {update.total:,}")
        else:
            self.bar.setRange(0, 0)

    def _finished(self, result: AnalysisSummary) -> None:
        self.end()
        self.stage.setText(f"Done in {result.seconds:,.1f} s")
        self.bar.setRange(0, 1)
        self.bar.setValue(1)
        emails = "emails compared too" if result.settings.include_emails else "emails left out"
        self.detail.setText(f"Near-duplicates at {result.settings.threshold} % ({emails}).")
        skip = 1 - result.inclusive / result.emails if result.emails else 0.0
        self.show_report([
            ["Emails", f"{result.emails:,}"],
            ["Threads", f"{result.threads:,}"],
            ["Inclusive emails", f"{result.inclusive:,} (a reviewer can skip {skip:.0%} of the emails)"],
            ["Near-duplicate groups", f"{result.near_dup_groups:,}"],
            ["Documents in near-duplicate groups",
             f"{result.near_dup_documents:,} of {result.compared:,} compared"],
            ["Texts read", f"{result.read:,}"],
        ])
        self.finished_analysis.emit(result)

    def _failed(self, error: BaseException) -> None:
        self.end()
        self.bar.setRange(0, 1)
        if isinstance(error, CancelledError):
            self.stage.setText("Stopped")
            self.detail.setText("Threads and groups are as they were. The texts read so far are kept: "
                                "analyze again (or add documents) to finish.")
        else:
            self.stage.setText("The analysis could not finish")
            self.detail.setText(describe_error(error))
        self.finished_analysis.emit(None)
