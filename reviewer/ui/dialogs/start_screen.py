"""What `reviewer` alone opens: recent cases, New case, Open case, and the built-in demo case."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from reviewer.core.case import DB_NAME, Case
from reviewer.core.demo import default_demo_case
from reviewer.core.team.casefile import SUFFIX as CASE_FILE_SUFFIX
from reviewer.ui.dialogs.ingest import IngestOutcome, IngestProgressDialog, demo_work
from reviewer.ui.icons import icon
from reviewer.ui.recent import recent_cases
from reviewer.ui.tasks import Lane, TaskRunner, describe_error

PATH_ROLE = Qt.ItemDataRole.UserRole + 1


def _create_case(folder: Path, name: str | None) -> Path:
    with Case.create(folder, name=name) as case:
        return case.location


class NewCaseDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("New case")
        self.setMinimumWidth(480)
        self.name = QLineEdit()
        self.name.setPlaceholderText("State v. Example")
        self.location = QLineEdit(str(Path.home()))
        browse = QPushButton("Choose…")
        browse.clicked.connect(self._choose)
        where = QHBoxLayout()
        where.addWidget(self.location, 1)
        where.addWidget(browse)
        form = QFormLayout()
        form.addRow("Matter name", self.name)
        form.addRow("Create in", where)
        choices = QDialogButtonBox.StandardButton
        buttons = QDialogButtonBox(choices.Ok | choices.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(QLabel("A new folder named after the matter holds the whole case."))
        layout.addWidget(buttons)

    def folder(self) -> Path:
        safe = "".join(c if c.isalnum() or c in " .-_" else "-" for c in self.name.text().strip()) or "case"
        return Path(self.location.text()) / safe

    def _choose(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, "Create the case in", self.location.text())
        if chosen:
            self.location.setText(chosen)


class StartScreen(QWidget):
    caseChosen = Signal(Path)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("startScreen")
        self.setWindowTitle("Reviewer")
        self.tasks = TaskRunner(self)
        title = QLabel("Reviewer")
        title.setObjectName("startTitle")
        subtitle = QLabel("Offline evidence and discovery review. Nothing leaves this computer.")
        subtitle.setObjectName("hint")
        self.recent = QListWidget()
        self.recent.setObjectName("recentCases")
        self.recent.setIconSize(QSize(24, 24))
        self.recent.itemActivated.connect(lambda item: self.caseChosen.emit(Path(item.data(PATH_ROLE))))
        self.recent_label = QLabel("Recent cases")
        self.recent_label.setObjectName("paneHeading")

        self.new_button = self._button("new-case", "New case…", self._new_case)
        self.open_button = self._button("open-case", "Open case…", self._open_case)
        self.open_shared_button = self._button("open-case", "Open shared case…", self._open_shared_case)
        shared_tip = f"A case your team shares: its case file ({CASE_FILE_SUFFIX}), from `reviewer join`"
        self.open_shared_button.setToolTip(shared_tip)
        self.demo_button = self._button("app", "Open the demo case", self._open_demo)
        self.demo_button.setToolTip("A small fictional matter to try Reviewer on (built the first time)")
        actions = QVBoxLayout()
        for button in (self.new_button, self.open_button, self.open_shared_button, self.demo_button):
            actions.addWidget(button)
        actions.addStretch(1)

        body = QHBoxLayout()
        left = QVBoxLayout()
        left.addWidget(self.recent_label)
        left.addWidget(self.recent, 1)
        body.addLayout(left, 1)
        body.addSpacing(16)
        body.addLayout(actions)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(28, 24, 28, 24)
        layout.addWidget(title)
        layout.addWidget(subtitle)
        layout.addSpacing(12)
        layout.addLayout(body, 1)
        self.resize(760, 460)
        self.refresh()

    def _button(self, icon_name: str, text: str, slot: object) -> QPushButton:
        button = QPushButton(icon(icon_name), text)
        button.setIconSize(QSize(20, 20))
        button.setMinimumHeight(button.sizeHint().height() + 8)
        button.clicked.connect(slot)
        return button

    def refresh(self) -> None:
        self.recent.clear()
        for path in recent_cases():
            item = QListWidgetItem(icon("open-case"), f"{path.name}\n{path}")
            item.setData(PATH_ROLE, str(path))
            item.setToolTip(str(path))
            self.recent.addItem(item)
        if not self.recent.count():
            self.recent_label.setText("Recent cases — none yet: create one or try the demo case")

    def _new_case(self) -> None:
        dialog = NewCaseDialog(self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        self.tasks.run(partial(_create_case, dialog.folder(), dialog.name.text().strip() or None),
                       self.caseChosen.emit, self._show_error, lane=Lane.WRITE)

    def _open_case(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Open a case folder")
        if not folder:
            return
        if not (Path(folder) / DB_NAME).is_file():
            QMessageBox.warning(self, "Not a case", f"{folder} is not a Reviewer case folder.")
            return
        self.caseChosen.emit(Path(folder))

    def _open_shared_case(self) -> None:
        chosen, _filter = QFileDialog.getOpenFileName(self, "Open a shared case", "",
                                                      f"Shared cases (*{CASE_FILE_SUFFIX})")
        if chosen:
            self.caseChosen.emit(Path(chosen))

    def _open_demo(self) -> None:
        target = default_demo_case()
        dialog = IngestProgressDialog(self.tasks, demo_work(target), self)
        dialog.setWindowTitle("Preparing the demo case")
        dialog.finished_ingest.connect(lambda outcome: self._demo_ready(dialog, target, outcome))
        dialog.show()

    def _demo_ready(self, dialog: IngestProgressDialog, target: Path, outcome: IngestOutcome | None) -> None:
        if outcome is not None and not outcome.summary.cancelled:
            dialog.accept()
            self.caseChosen.emit(target)

    def _show_error(self, error: BaseException) -> None:
        QMessageBox.warning(self, "Reviewer", describe_error(error))

    def closeEvent(self, event: QCloseEvent) -> None:
        self.tasks.shutdown()
        super().closeEvent(event)
