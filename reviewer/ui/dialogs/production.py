"""Making a production from the desktop: choose the documents and the numbering, preview each document's
treatment and what quality control says, then produce in the background with progress and a way to stop.

Every step is a core call through the task runner: the choices are read on the read lane, the preview
(which may use PyMuPDF) on the pdf lane, and the production on the long lane in a child process of its own,
so the viewer keeps drawing pages while it runs and closing the window stops it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QStackedWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from reviewer.core import browse, review
from reviewer.core.case import Case
from reviewer.core.errors import CancelledError, ReviewerError
from reviewer.core.produce import bates
from reviewer.core.produce.plan import TREATMENT_LABELS, Plan
from reviewer.core.produce.production import ProductionResult, ProductionSettings, preview, produce
from reviewer.core.produce.qc import Issue, QcBlocked
from reviewer.core.progress import CancelToken
from reviewer.core.search import saved
from reviewer.ui.dialogs.long_work import POLL_MS
from reviewer.ui.job_process import run_in_child
from reviewer.ui.searching import Searchers
from reviewer.ui.tasks import Lane, LatestProgress, TaskRunner, describe_error

CURRENT = "current"
TAG = "tag"
SAVED = "saved"


@dataclass(frozen=True)
class Choices:
    """What the set can be chosen from."""

    tags: list[tuple[int, str, int]]  # id, name, documents
    searches: list[tuple[str, str]]  # name, query


def load_choices(case: Case) -> Choices:
    tags = [(t.id, t.name, t.count) for t in review.list_tags(case)]
    return Choices(tags, [(s.name, s.query) for s in saved.saved_searches(case)])


def resolve_ids(searchers: Searchers, kind: str, value: object, current: list[int]) -> list[int]:
    """The documents of the chosen set."""
    if kind == TAG:
        return browse.ordered_ids(searchers.case, None, browse.BrowseFilter(tag_id=int(value)))  # type: ignore[call-overload]  # for TAG, value is a tag id
    if kind == SAVED:
        return sorted(searchers.get().matching_ids(str(value)))
    return list(current)


class ProductionDialog(QDialog):
    """Settings → preview → production; `finished_production` carries the result (None if it failed)."""

    choicesLoaded = Signal()
    previewed = Signal()
    finished_production = Signal(object)

    def __init__(self, case: Case, searchers: Searchers, tasks: TaskRunner, current_ids: list[int],
                 current_query: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Produce documents")
        self.setMinimumWidth(640)
        self._case, self._searchers, self._tasks = case, searchers, tasks
        self._current_ids, self._current_query = list(current_ids), current_query
        self._ids: list[int] = []
        self._progress = LatestProgress()
        self._cancel: CancelToken | None = None
        self._running = False
        self.result: ProductionResult | None = None  # type: ignore[assignment]  # hides QDialog.result()
        self.open_url: Callable[[QUrl], object] = QDesktopServices.openUrl

        self.pages = QStackedWidget()
        self.pages.addWidget(self._settings_page())
        self.pages.addWidget(self._preview_page())
        self.pages.addWidget(self._run_page())

        self.back_button = QPushButton("Back")
        self.back_button.clicked.connect(lambda: self._show_step(0))
        self.next_button = QPushButton("Preview")
        self.next_button.setDefault(True)
        self.next_button.clicked.connect(self._next)
        self.close_button = QPushButton("Cancel")
        self.close_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for button in (self.back_button, self.next_button, self.close_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages, 1)
        layout.addLayout(buttons)

        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._poll)
        self._show_step(0)
        self._tasks.run(partial(load_choices, case), self._choices_loaded)

    # --- step 1: settings ------------------------------------------------------------------------------
    def _settings_page(self) -> QWidget:
        page = QWidget()
        self.set_kind = QComboBox()
        self.set_kind.addItem("The current result", CURRENT)
        self.set_kind.addItem("Documents with a tag", TAG)
        self.set_kind.addItem("A saved search", SAVED)
        self.set_value = QComboBox()
        self.set_kind.currentIndexChanged.connect(self._fill_values)
        self.name = QLineEdit()
        self.name.setPlaceholderText("e.g. First production to the State")
        self.prefix = QLineEdit()
        self.prefix.setPlaceholderText("e.g. ACME-")
        self.prefix_problem = QLabel()
        self.prefix_problem.setObjectName("hint")
        self.prefix_problem.setWordWrap(True)
        self.start = QSpinBox()
        self.start.setRange(1, 999_999_999)
        self.digits = QSpinBox()
        self.digits.setRange(3, 12)
        self.digits.setValue(bates.DEFAULT_DIGITS)
        self.endorsement = QLineEdit()
        self.endorsement.setPlaceholderText("e.g. CONFIDENTIAL")
        self.image_format = QComboBox()
        self.image_format.addItems(["pdf", "tiff"])
        self.out_dir = QLineEdit()
        browse_button = QPushButton("Choose…")
        browse_button.clicked.connect(self._pick_folder)
        out_row = QHBoxLayout()
        out_row.addWidget(self.out_dir, 1)
        out_row.addWidget(browse_button)
        self.volume = QLineEdit()
        self.volume.setPlaceholderText("Automatic (VOL001, VOL002, …)")
        self.unimageable = QComboBox()
        self.unimageable.setObjectName("unimageable")
        self.unimageable.addItem("Produce it as a native, with a slip sheet", "native")
        self.unimageable.addItem("Image its text in a plain layout", "text")
        self.unimageable.addItem("Stop, so I can deal with it first", "stop")
        form = QFormLayout(page)
        form.addRow("Documents", self.set_kind)
        form.addRow("", self.set_value)
        form.addRow("Name", self.name)
        form.addRow("Bates prefix", self.prefix)
        form.addRow("", self.prefix_problem)
        form.addRow("Start number", self.start)
        form.addRow("Digits", self.digits)
        form.addRow("Endorsement", self.endorsement)
        form.addRow("Image format", self.image_format)
        form.addRow("Output folder", out_row)
        form.addRow("Volume", self.volume)
        form.addRow("A document that\ncannot be imaged", self.unimageable)
        self._choices = Choices([], [])
        self._fill_values()
        for edit in (self.name, self.prefix, self.out_dir):
            edit.textChanged.connect(self._validate)
        self.prefix.editingFinished.connect(self._suggest_start)
        return page

    def _choices_loaded(self, choices: Choices) -> None:
        self._choices = choices
        self._fill_values()
        self.choicesLoaded.emit()

    def _fill_values(self) -> None:
        self.set_value.clear()
        kind = self.set_kind.currentData()
        if kind == CURRENT:
            query = f" ({self._current_query})" if self._current_query else ""
            self.set_value.addItem(f"{len(self._current_ids):,} documents listed now{query}", None)
        elif kind == TAG:
            for tag_id, name, count in self._choices.tags:
                self.set_value.addItem(f"{name} ({count:,})", tag_id)
        else:
            for name, query in self._choices.searches:
                self.set_value.addItem(name, query)
        self.set_value.setEnabled(kind != CURRENT)
        self._validate()

    def _pick_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Where to write the production")
        if folder:
            self.out_dir.setText(folder)

    def prefix_error(self) -> str:
        try:
            bates.check_prefix(self.prefix.text())
        except bates.BatesError as error:
            return str(error)
        return ""

    def _suggest_start(self) -> None:
        if not self.prefix_error():
            self._tasks.run(partial(bates.next_number, self._case, self.prefix.text()), self.start.setValue)

    def _validate(self) -> None:
        problem = self.prefix_error() if self.prefix.text() else ""
        self.prefix_problem.setText(problem)
        self.prefix_problem.setVisible(bool(problem))
        ready = (bool(self.name.text().strip()) and bool(self.prefix.text()) and not problem
                 and bool(self.out_dir.text().strip()) and self.set_value.currentIndex() >= 0)
        if self.pages.currentIndex() == 0:
            self.next_button.setEnabled(ready and not self._running)

    def settings(self) -> ProductionSettings:
        volume = self.volume.text().strip() or None
        return ProductionSettings(
            name=self.name.text().strip(), prefix=self.prefix.text(),
            out_dir=Path(self.out_dir.text().strip()),
            volume=volume, start=self.start.value(), digits=self.digits.value(),
            endorsement=self.endorsement.text().strip(), image_format=self.image_format.currentText(),  # type: ignore[arg-type]  # the combo box lists ImageFormat values only
            unimageable=self.unimageable.currentData(), query=self._set_description(),
        )

    def _set_description(self) -> str:
        kind = self.set_kind.currentData()
        if kind == TAG:
            return f'tag "{self.set_value.currentText()}"'
        if kind == SAVED:
            return str(self.set_value.currentData())
        return self._current_query

    # --- step 2: preview -------------------------------------------------------------------------------
    def _preview_page(self) -> QWidget:
        page = QWidget()
        self.preview_status = QLabel()
        self.preview_status.setObjectName("paneHeading")
        self.preview_status.setWordWrap(True)
        self.treatments = QTreeWidget()
        self.treatments.setObjectName("productionPlan")
        self.treatments.setHeaderLabels(["Control no.", "Treatment", "Why"])
        self.treatments.setRootIsDecorated(False)
        self.treatments.header().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.issues_label = QLabel("Quality control: these must be fixed before producing")
        self.issues_label.setStyleSheet("color: #b00020; font-weight: bold;")
        self.issues = QListWidget()
        self.issues.setObjectName("qcIssues")
        self.issues.setWordWrap(True)
        layout = QVBoxLayout(page)
        layout.addWidget(self.preview_status)
        layout.addWidget(self.treatments, 2)
        layout.addWidget(self.issues_label)
        layout.addWidget(self.issues, 1)
        return page

    def _next(self) -> None:
        step = self.pages.currentIndex()
        if step == 0:
            self.start_preview()
        elif step == 1:
            self.start_production()

    def start_preview(self) -> None:
        self._set_running(True)
        self.preview_status.setText("Checking the production…")
        self.treatments.clear()
        self.issues.clear()
        self._show_step(1)
        settings = self.settings()
        kind, value = self.set_kind.currentData(), self.set_value.currentData()
        searchers, case, current = self._searchers, self._case, self._current_ids

        def work() -> tuple[list[int], Plan, list[Issue]]:
            ids = resolve_ids(searchers, kind, value, current)
            plan, issues = preview(case, ids, settings)
            return ids, plan, issues

        self._tasks.run(work, self._previewed, self._preview_failed, lane=Lane.PDF)

    def _previewed(self, outcome: tuple[list[int], Plan, list[Issue]]) -> None:
        self._set_running(False)
        self._ids, plan, issues = outcome
        self.treatments.addTopLevelItems([
            QTreeWidgetItem([d.control, TREATMENT_LABELS[d.treatment], d.why]) for d in plan.documents])
        counts = ", ".join(f"{n:,} {TREATMENT_LABELS[t].lower()}" for t, n in plan.counts().items() if n)
        left = f" {len(plan.left_out):,} mailbox files left out." if plan.left_out else ""
        unimageable = sum(1 for d in plan.documents if d.unimageable)
        cannot = f" {unimageable:,} cannot be imaged (see Why)." if unimageable else ""
        self.preview_status.setText(f"{len(plan.documents):,} documents: {counts or 'none'}.{left}{cannot}")
        self._show_issues(issues)
        self.next_button.setEnabled(not issues)
        self.previewed.emit()

    def _show_issues(self, issues: list[Issue]) -> None:
        self.issues.clear()
        self.issues.addItems([str(issue) for issue in issues])
        self.issues_label.setVisible(bool(issues))
        self.issues.setVisible(bool(issues))

    def _preview_failed(self, error: BaseException) -> None:
        self._set_running(False)
        self.preview_status.setText(describe_error(error))
        self.next_button.setEnabled(False)
        self.previewed.emit()

    # --- step 3: produce -------------------------------------------------------------------------------
    def _run_page(self) -> QWidget:
        page = QWidget()
        self.stage = QLabel("Producing…")
        self.stage.setObjectName("paneHeading")
        self.stage.setWordWrap(True)
        self.stage.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)
        self.open_folder = QPushButton("Open folder")
        self.open_folder.clicked.connect(self._open_folder)
        self.open_folder.hide()
        layout = QVBoxLayout(page)
        layout.addWidget(self.stage)
        layout.addWidget(self.bar)
        layout.addWidget(self.open_folder, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addStretch(1)
        return page

    def start_production(self) -> None:
        self._show_step(2)
        self._set_running(True)
        self._cancel = CancelToken()
        self._progress = LatestProgress()
        self._timer.start()
        # In a child process, so the viewer keeps drawing pages (PyMuPDF is not thread-safe) meanwhile.
        work = partial(run_in_child, produce, self._case.location, (self._ids, self.settings()),
                       self._progress, self._cancel)
        self._tasks.run(work, self._produced, self._production_failed, lane=Lane.LONG, cancel=self._cancel)

    def _poll(self) -> None:
        update = self._progress.latest()
        if update is None:
            return
        self.stage.setText(update.message or f"{update.stage.capitalize()}…")
        if update.total:
            self.bar.setRange(0, update.total)
            self.bar.setValue(update.done)

    def _produced(self, result: ProductionResult) -> None:
        self._end()
        self.result = result
        self.stage.setText(f"Produced {result.documents:,} documents, {result.pages:,} pages "
                           f"({result.first_bates}–{result.last_bates}) into {result.volume_dir} "
                           f"in {result.seconds:,.1f} s.")
        self.bar.setRange(0, 1)
        self.bar.setValue(1)
        self.open_folder.show()
        self.finished_production.emit(result)

    def _production_failed(self, error: BaseException) -> None:
        self._end()
        if isinstance(error, CancelledError):
            self.stage.setText("Stopped; nothing was written.")
        elif isinstance(error, QcBlocked):
            self.stage.setText("Quality control stopped the production; nothing was written.")
            self._show_issues(error.issues)
            self._show_step(1)
        elif isinstance(error, ReviewerError):
            self.stage.setText(str(error))
        else:
            self.stage.setText(describe_error(error))
        self.bar.setRange(0, 1)
        self.finished_production.emit(None)

    def _end(self) -> None:
        self._timer.stop()
        self._set_running(False)
        self._cancel = None
        self.close_button.setEnabled(True)

    def folder_url(self) -> QUrl | None:
        return QUrl.fromLocalFile(str(self.result.volume_dir)) if self.result is not None else None

    def _open_folder(self) -> None:
        url = self.folder_url()
        if url is not None:
            self.open_url(url)

    # --- state -----------------------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._running

    def _set_running(self, running: bool) -> None:
        self._running = running
        self.back_button.setEnabled(not running and self.pages.currentIndex() == 1)
        self.close_button.setText("Stop" if running and self.pages.currentIndex() == 2 else
                                  ("Close" if self.pages.currentIndex() == 2 else "Cancel"))
        if running:
            self.next_button.setEnabled(False)

    def _show_step(self, step: int) -> None:
        self.pages.setCurrentIndex(step)
        self.back_button.setVisible(step == 1)
        self.next_button.setVisible(step < 2)
        self.next_button.setText("Preview" if step == 0 else "Produce")
        self._set_running(self._running)
        if step == 0:
            self._validate()

    def reject(self) -> None:
        """While producing, Stop (and Escape) cancels; the dialog closes once the work has ended."""
        if self._running and self._cancel is not None:
            self._cancel.cancel()
            self.close_button.setEnabled(False)
            self.stage.setText("Stopping…")
            return
        if self._running:
            return
        super().reject()
