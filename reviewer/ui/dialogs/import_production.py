"""Importing another party's production volume: pick the volume folder, check the first rows, the settings
Reviewer detected and the field mapping, then watch the import run and read its validation report.

The import assembles page images with PyMuPDF, which must never run on two threads of this process at
once, so it runs on the long lane in a child process (the viewer keeps drawing meanwhile); reading the load
files for the preview runs on the read lane.
"""

from __future__ import annotations

from functools import partial
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
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from reviewer.core.case import Case
from reviewer.core.importing.importer import ImportOptions, ImportPlan, import_production, plan_import
from reviewer.core.importing.loadfile_reader import ALIASES
from reviewer.core.importing.validate import ValidationReport
from reviewer.core.progress import ProgressUpdate
from reviewer.ui.dialogs.long_work import LongWorkDialog
from reviewer.ui.job_process import run_in_child
from reviewer.ui.tasks import Lane, TaskRunner, describe_error

PREVIEW_ROWS = 10
NOT_MAPPED = "(not in this DAT)"


class ImportProductionDialog(QDialog):
    """Choose a volume and check how it will be read; `volume()` and `options()` once accepted."""

    planned = Signal()  # the preview is filled (or shows why the volume cannot be read)

    def __init__(self, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import production")
        self.setMinimumSize(760, 560)
        self._tasks = tasks
        self._plan: ImportPlan | None = None
        self._generation = 0
        self.folder = QLineEdit()
        self.folder.setObjectName("importVolume")
        self.folder.setPlaceholderText("The production volume's folder (with its DAT and OPT)")
        self.folder.editingFinished.connect(lambda: self.set_volume(Path(self.folder.text())))
        browse = QPushButton("Choose folder…")
        browse.clicked.connect(self._pick_folder)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder, 1)
        folder_row.addWidget(browse)
        self.status = QLabel("Choose the volume folder.")
        self.status.setObjectName("hint")
        self.status.setWordWrap(True)

        self.preview = QTableWidget()
        self.preview.setObjectName("importPreview")
        self.preview.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.settings = QTreeWidget()
        self.settings.setObjectName("importSettings")
        self.settings.setHeaderLabels(["Setting", "Detected"])
        self.settings.setRootIsDecorated(False)
        self.mapping = QTableWidget(len(ALIASES), 2)
        self.mapping.setObjectName("importMapping")
        self.mapping.setHorizontalHeaderLabels(["Our field", "Their field"])
        self.mapping.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.mapping.verticalHeader().hide()
        self._choosers: dict[str, QComboBox] = {}
        for row, ours in enumerate(ALIASES):
            label = QTableWidgetItem(ours)
            label.setFlags(Qt.ItemFlag.ItemIsEnabled)
            self.mapping.setItem(row, 0, label)
            chooser = QComboBox()
            self._choosers[ours] = chooser
            self.mapping.setCellWidget(row, 1, chooser)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.preview, "First rows")
        self.tabs.addTab(self.settings, "Detected settings")
        self.tabs.addTab(self.mapping, "Field mapping")

        self.custodian = QLineEdit()
        self.custodian.setPlaceholderText("For rows whose DAT names no custodian, e.g. the producing party")
        self.ocr = QCheckBox("OCR pages that come with no text (slow)")
        self.ocr.setChecked(True)
        form = QFormLayout()
        form.addRow("Custodian", self.custodian)
        form.addRow("", self.ocr)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.import_button = self.buttons.addButton("Import", QDialogButtonBox.ButtonRole.AcceptRole)
        self.import_button.setEnabled(False)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(folder_row)
        layout.addWidget(self.status)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(form)
        layout.addWidget(self.buttons)

    # --- the volume and its preview ---------------------------------------------------------------------
    def set_volume(self, folder: Path) -> None:
        if str(folder) in ("", ".") or (self._plan and self._plan.volume_dir == folder.absolute()):
            return
        self.folder.setText(str(folder))
        self._plan = None
        self._generation += 1
        self.import_button.setEnabled(False)
        self.status.setText("Reading the load files…")
        self._tasks.run(partial(plan_import, folder), partial(self._planned, self._generation),
                        partial(self._not_planned, self._generation))

    def volume(self) -> Path:
        return Path(self.folder.text())

    def options(self) -> ImportOptions:
        mapping = {ours: chooser.currentText() for ours, chooser in self._choosers.items()
                   if chooser.currentText() not in ("", NOT_MAPPED)}
        return ImportOptions(custodian=self.custodian.text().strip(), mapping=mapping,
                             ocr=self.ocr.isChecked())

    def _planned(self, generation: int, plan: ImportPlan) -> None:
        if generation != self._generation:
            return
        self._plan = plan
        dat = plan.dat
        self.preview.clear()
        self.preview.setColumnCount(len(dat.header))
        self.preview.setHorizontalHeaderLabels(dat.header)
        rows = dat.rows[:PREVIEW_ROWS]
        self.preview.setRowCount(len(rows))
        for row_number, row in enumerate(rows):
            for column, name in enumerate(dat.header):
                self.preview.setItem(row_number, column, QTableWidgetItem(row[name].replace("\n", " ⏎ ")))
        self.settings.clear()
        self.settings.addTopLevelItems([QTreeWidgetItem([name, value])
                                        for name, value in dat.dialect.describe()])
        for ours, chooser in self._choosers.items():
            chooser.clear()
            chooser.addItems([NOT_MAPPED, *dat.header])
            chooser.setCurrentText(plan.mapping.get(ours, NOT_MAPPED))
        pages = f"{len(plan.opt.pages):,} pages in {plan.opt.path.name}" if plan.opt else "no OPT file"
        unmapped = f"; kept as they are: {', '.join(plan.unmapped)}" if plan.unmapped else ""
        self.status.setText(f"{len(dat.rows):,} documents in {dat.path.name}, {pages}{unmapped}.")
        self.import_button.setEnabled(True)
        self.planned.emit()

    def _not_planned(self, generation: int, error: BaseException) -> None:
        if generation != self._generation:
            return
        self.status.setText(describe_error(error))
        self.planned.emit()

    def _pick_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Choose the production volume")
        if folder:
            self.set_volume(Path(folder))


class ImportProgressDialog(LongWorkDialog):
    """Runs one import, shows its progress, then its validation report."""

    finished_import = Signal(object)  # the ValidationReport, or None when the import failed
    stopping_text = "Stopping after the current document…"

    def __init__(self, tasks: TaskRunner, case: Case, volume: Path, options: ImportOptions,
                 parent: QWidget | None = None) -> None:
        super().__init__("Importing production", 720, ["Problem", "Bates", "Detail"], "validationReport", 2,
                         parent)
        self.counts = QLabel()
        self.counts.setObjectName("importCounts")
        self.counts.setWordWrap(True)
        self.counts.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.lay_out(self.counts)
        # In a child process: assembling pages uses PyMuPDF, which the render lane uses meanwhile.
        work = partial(run_in_child, import_production, case.location, (volume, options))
        self.start(tasks, work, Lane.LONG)

    def _poll_update(self, update: ProgressUpdate) -> None:
        self.stage.setText(update.message or "Importing documents…")
        if update.total:
            self.bar.setRange(0, update.total)
            self.bar.setValue(update.done)
            rate = f" · {update.done / self.elapsed:,.1f} documents/s" if self.elapsed > 0.5 else ""
            counts = " · ".join(f"{value:,} {name}" for name, value in update.counts.items())
            self.counts.setText(f"{update.done:,} of {update.total:,} rows{rate}\n{counts}")

    def _finished(self, report: ValidationReport) -> None:
        self.end()
        verb = "Stopped" if report.cancelled else "Done"
        problems = f"{len(report.findings):,} problems" if report.findings else "no problems"
        self.stage.setText(f"{verb}: {report.added:,} documents added, {report.updated:,} updated, "
                           f"{report.unchanged:,} already imported; {problems}")
        self.bar.setRange(0, 1)
        self.bar.setValue(1)
        resume = "\nImport the same volume again to finish." if report.cancelled else ""
        self.counts.setText(f"Validation report saved to {report.saved_to}{resume}")
        self.show_report([[f.problem.value, f.subject, f.detail] for f in report.findings])
        self.finished_import.emit(report)

    def _failed(self, error: BaseException) -> None:
        self.end()
        self.stage.setText("The production could not be imported")
        self.counts.setText(describe_error(error))
        self.bar.setRange(0, 1)
        self.finished_import.emit(None)
