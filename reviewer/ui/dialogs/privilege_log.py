"""The privilege log: a read-only table of the log's rows for one production (or all of them), and Export…
to CSV or XLSX. The rows and the files come from reviewer.core.produce.privlog; this only shows them."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from reviewer.core.case import Case
from reviewer.core.produce import privlog, records
from reviewer.ui.tasks import Lane, TaskRunner, describe_error

ALL = "All productions"


def production_names(case: Case) -> list[str]:
    return [p.name for p in records.productions(case)]


class PrivilegeLogDialog(QDialog):
    loaded = Signal()  # the table shows the chosen production's rows
    exported = Signal(object)  # the Path written, or None when it failed

    def __init__(self, case: Case, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Privilege log")
        self.resize(1000, 520)
        self._case, self._tasks = case, tasks
        self._rows: list[dict[str, str]] = []
        self._generation = 0
        self.production = QComboBox()
        self.production.setObjectName("privlogProduction")
        self.production.addItem(ALL, None)
        self.production.currentIndexChanged.connect(self.reload)
        self.status = QLabel("Loading…")
        self.status.setObjectName("hint")
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.table = QTableWidget(0, len(privlog.COLUMNS))
        self.table.setObjectName("privilegeLog")
        self.table.setHorizontalHeaderLabels(list(privlog.COLUMNS))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        self.table.verticalHeader().hide()
        self.export_button = QPushButton("Export…")
        self.export_button.clicked.connect(self._choose_export)
        close = QPushButton("Close")
        close.clicked.connect(self.accept)
        top = QHBoxLayout()
        top.addWidget(QLabel("Production"))
        top.addWidget(self.production, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.export_button)
        bottom.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)
        self.export_button.setEnabled(False)
        self._tasks.run(partial(production_names, case), self._names_loaded)

    @property
    def rows(self) -> list[dict[str, str]]:
        return list(self._rows)

    def _names_loaded(self, names: list[str]) -> None:
        self.production.blockSignals(True)
        for name in names:
            self.production.addItem(name, name)
        self.production.blockSignals(False)
        self.reload()

    def reload(self) -> None:
        self._generation += 1
        self.export_button.setEnabled(False)
        self.status.setText("Loading…")
        self._tasks.run(partial(privlog.privilege_log, self._case, self.production.currentData()),
                        partial(self._rows_loaded, self._generation), partial(self._failed, self._generation))

    def _rows_loaded(self, generation: int, rows: list[dict[str, str]]) -> None:
        if generation != self._generation:
            return
        self._rows = rows
        self.table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, column in enumerate(privlog.COLUMNS):
                self.table.setItem(r, c, QTableWidgetItem(row.get(column, "")))
        self.table.resizeColumnsToContents()
        for c in range(self.table.columnCount()):
            self.table.setColumnWidth(c, min(self.table.columnWidth(c), 320))
        self.status.setText(f"{len(rows):,} entries" if rows else
                            "No document was withheld or redacted in a production.")
        self.export_button.setEnabled(bool(rows))
        self.loaded.emit()

    def _failed(self, generation: int, error: BaseException) -> None:
        if generation == self._generation:
            self.status.setText(describe_error(error))
            self.loaded.emit()

    def _choose_export(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export the privilege log", "privilege-log.xlsx",
                                              "Excel workbook (*.xlsx);;CSV (*.csv)")
        if path:
            self.export(Path(path))

    def export(self, path: Path) -> None:
        """Write the rows shown to `path` (.csv or .xlsx) off the GUI thread."""
        rows = self.rows

        def done(_: None) -> None:
            self.status.setText(f"Saved {len(rows):,} entries to {path}")
            self.exported.emit(path)

        def failed(error: BaseException) -> None:
            self.status.setText(describe_error(error))
            self.exported.emit(None)

        self._tasks.run(partial(privlog.write_log, path, rows), done, failed, lane=Lane.WRITE)
