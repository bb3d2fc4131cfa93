"""The viewer's Productions tab: how the current document went out, production by production
(records.document_history), as a small read-only list. It follows the viewer: each document the viewer
finishes showing is looked up on the read lane."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHeaderView, QTreeWidget, QTreeWidgetItem, QWidget

from reviewer.core.case import Case
from reviewer.core.produce import records
from reviewer.core.produce.plan import TREATMENT_LABELS
from reviewer.ui.tasks import TaskRunner

if TYPE_CHECKING:
    from reviewer.ui.panes.viewer import Viewer

HEADERS = ["Production", "Volume", "Date", "Bates", "Pages", "Treatment"]


class ProductionHistory(QTreeWidget):
    loaded = Signal(int)  # the document id whose history is shown

    def __init__(self, case: Case, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("productionHistory")
        self.setHeaderLabels(HEADERS)
        self.setRootIsDecorated(False)
        self.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self._case, self._tasks = case, tasks
        self._generation = 0
        self._doc_id: int | None = None

    @property
    def document_id(self) -> int | None:
        return self._doc_id

    def show_document(self, doc_id: int | None) -> None:
        self._generation += 1
        self._doc_id = doc_id
        self.clear()
        if doc_id is not None:
            self._tasks.run(partial(records.document_history, self._case, doc_id),
                            partial(self._loaded, self._generation, doc_id))

    def _loaded(self, generation: int, doc_id: int, history: list[records.ProducedAs]) -> None:
        if generation != self._generation:
            return
        for entry in history:
            span = entry.beg_bates if entry.pages == 1 else f"{entry.beg_bates}–{entry.end_bates}"
            self.addTopLevelItem(QTreeWidgetItem([
                entry.production, entry.volume, entry.created.strftime("%Y-%m-%d %H:%M"), span,
                str(entry.pages), TREATMENT_LABELS.get(entry.treatment, entry.treatment)]))
        self.loaded.emit(doc_id)


def attach(viewer: Viewer, case: Case, tasks: TaskRunner) -> ProductionHistory:
    """Add a Productions tab to a Viewer; it follows the documents the viewer shows."""
    history = ProductionHistory(case, tasks)
    viewer.tabs.addTab(history, "Productions")
    viewer.drawn.connect(history.show_document)
    return history
