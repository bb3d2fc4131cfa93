"""Case → Exhibit list or binder…: the documents listed now, numbered as exhibits, written as a Word or
Excel exhibit list or a PDF binder. The form chooses the first number, the order, whether privileged
documents may be included, and the file; the work runs in a child process (a binder draws with PyMuPDF,
see job_process.py) with progress and Stop."""

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
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from reviewer.core.audit import counted
from reviewer.core.case import Case
from reviewer.core.casebuild.exhibits import ORDERS
from reviewer.core.casebuild.exports import ExhibitsExport, export_exhibits
from reviewer.core.progress import ProgressUpdate
from reviewer.ui.dialogs.long_work import LongWorkDialog
from reviewer.ui.job_process import run_in_child
from reviewer.ui.tasks import Lane, TaskRunner, describe_error


class ExhibitsDialog(QDialog):
    """What to number and where to write it."""

    def __init__(self, count: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Exhibit list or binder")
        self.start = QSpinBox()
        self.start.setObjectName("exhibitStart")
        self.start.setRange(1, 999_999)
        self.order = QComboBox()
        for order in ORDERS:
            self.order.addItem("by date" if order == "date" else "by control number", order)
        self.privileged = QCheckBox("Include privileged documents that carry no redactions")
        self.path = QLineEdit(str(Path.home() / "exhibits.pdf"))
        self.path.setObjectName("exhibitPath")
        browse = QPushButton("Choose…")
        browse.clicked.connect(lambda: self._choose())
        where = QHBoxLayout()
        where.addWidget(self.path, 1)
        where.addWidget(browse)
        form = QFormLayout(self)
        form.addRow(QLabel(f"The {counted(count, 'document')} listed now, as exhibits."))
        form.addRow("First exhibit number", self.start)
        form.addRow("Numbered", self.order)
        form.addRow(self.privileged)
        form.addRow("Write to (.pdf binder, .docx or .xlsx list)", where)
        choice = QDialogButtonBox.StandardButton
        buttons = QDialogButtonBox(choice.Ok | choice.Cancel)
        buttons.button(choice.Ok).setText("Make")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def _choose(self) -> None:
        name, _filter = QFileDialog.getSaveFileName(self, "Exhibit list or binder", self.path.text(),
                                                    "Binder (*.pdf);;Word (*.docx);;Excel (*.xlsx)")
        if name:
            self.path.setText(name)


class ExhibitsProgressDialog(LongWorkDialog):
    """Makes the list or binder and says where it went."""

    finished_exhibits = Signal(object)  # ExhibitsExport, or None when it failed or was stopped

    def __init__(self, tasks: TaskRunner, case: Case, doc_ids: list[int], chosen: ExhibitsDialog,
                 parent: QWidget | None = None) -> None:
        super().__init__("Exhibits", 520, ["Exhibit", "Document"], "exhibitsReport", 1, parent)
        self.outcome = QLabel()
        self.outcome.setObjectName("hint")
        self.outcome.setWordWrap(True)
        self.outcome.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.lay_out(self.outcome)
        args = (doc_ids, Path(chosen.path.text()), chosen.start.value(), chosen.order.currentData(),
                chosen.privileged.isChecked())
        # In a child process: a binder draws with PyMuPDF, which the render lane uses meanwhile.
        self.start(tasks, partial(run_in_child, export_exhibits, case.location, args), Lane.LONG)

    def _poll_update(self, update: ProgressUpdate) -> None:
        self.stage.setText(f"Exhibit {update.done:,} of {update.total:,}…" if update.total else "Numbering…")
        if update.total:
            self.bar.setRange(0, update.total)
            self.bar.setValue(update.done)

    def _finished(self, done: ExhibitsExport) -> None:
        self.end()
        self.bar.setRange(0, 1)
        self.bar.setValue(1)
        self.stage.setText("Done")
        what = f"binder ({done.numbers}, {done.pages:,} pages)" if done.format == "pdf" \
            else f"list ({done.numbers})"
        self.outcome.setText(f"Wrote the exhibit {what} to {done.path}.")
        self.finished_exhibits.emit(done)

    def _failed(self, error: BaseException) -> None:
        self.end()
        self.bar.setRange(0, 1)
        self.stage.setText("Nothing was written")
        self.outcome.setText(describe_error(error))
        self.finished_exhibits.emit(None)
