"""The Batches pane: the reviewer's own batches and the next one to check out, check-in, progress per
reviewer and overall; for an admin, new batch sets from a search and every batch (assign, release,
reopen); and QC batches, with the QC decision on the current document (confirm, or overturn with new
coding).

Opening a batch lists its documents in review order (through `openRequested`, as the query batch:NAME)
at its first document not reviewed yet. Everything is read on the read lane and written on the write
lane, one action at a time; the pane is read again after every write and after coding anywhere, so its
counts follow the reviewer's keys.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from reviewer.core import browse, review
from reviewer.core.case import Case
from reviewer.core.errors import ReviewerError
from reviewer.core.team import batch_sets, batches, qc
from reviewer.core.team.access import acting_user
from reviewer.core.team.batch_sets import COMPLETED, IN_PROGRESS, NOT_STARTED
from reviewer.ui.dialogs.batch_set import BatchSetChoices, BatchSetDialog
from reviewer.ui.dialogs.qc_overturn import QcOverturnDialog
from reviewer.ui.searching import Searchers
from reviewer.ui.tasks import Lane, TaskRunner

ANY_SET = "Any batch set"


@dataclass(frozen=True)
class _State:
    me: str
    sets: list[str]
    all_batches: list[batches.BatchInfo]
    progress: batches.Progress
    qc_batches: list[qc.QcBatchInfo]
    qc_documents: dict[int, qc.QcDocumentInfo] = field(default_factory=dict)  # of the open QC batch


def _read_state(case: Case, open_qc: str | None) -> _State:
    qc_documents = {d.document_id: d for d in qc.qc_documents(case, open_qc)} if open_qc else {}
    return _State(acting_user(case), [s.name for s in batch_sets.batch_sets(case)], batches.batches(case),
                  batches.progress(case), qc.qc_batches(case), qc_documents)


def _matching(searchers: Searchers, query: str) -> list[int]:
    """The documents a batch set is made of: what the query finds, or every document."""
    found = searchers.get().matching_ids(query) if query else browse.ordered_ids(searchers.case)
    return sorted(found)


def _first_unreviewed(case: Case, name: str) -> tuple[str, list[int], int | None]:
    """What opening a batch lists: its query, its documents in order, and where to start."""
    documents = batches.batch_documents(case, name)
    start = next((d.document_id for d in documents if not d.reviewed), None)
    return f"batch:{name}", [d.document_id for d in documents], start


def _qc_listing(case: Case, name: str) -> tuple[str, list[int], int | None]:
    documents = qc.qc_documents(case, name)
    start = next((d.document_id for d in documents if not d.decision), None)
    return f"qc:{name}", [d.document_id for d in documents], start


def _table(name: str, columns: tuple[str, ...]) -> QTableWidget:
    table = QTableWidget(0, len(columns))
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(list(columns))
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().hide()
    table.setShowGrid(False)
    table.setWordWrap(False)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(True)
    return table


def _fill(table: QTableWidget, rows: list[tuple[str, ...]], prefer: str | None = None) -> None:
    """Replace a table's rows, keeping the row whose first cell was selected selected (or selecting the
    row of `prefer` when none was)."""
    chosen = _chosen(table) or prefer
    table.setRowCount(len(rows))
    for number, row in enumerate(rows):
        for column, text in enumerate(row):
            item = QTableWidgetItem(text)
            if column and text[:1].isdigit():
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            table.setItem(number, column, item)
        if row[0] == chosen:
            table.selectRow(number)


def _chosen(table: QTableWidget) -> str | None:
    rows = table.selectionModel().selectedRows()
    item = table.item(rows[0].row(), 0) if rows else None
    return item.text() if item is not None else None


def _reviewed(batch: batches.BatchInfo) -> str:
    return f"{batch.reviewed:,} of {batch.documents:,}"


class BatchesPane(QWidget):
    openRequested = Signal(str, list, object)  # the query listing a batch, its ids in order, where to start
    coded = Signal(list, bool)  # a QC decision was made on these documents; advance to the next one

    def __init__(self, case: Case, tasks: TaskRunner, searchers: Searchers, current_query: Callable[[], str],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("batchesPane")
        self._case = case
        self._tasks = tasks
        self._searchers = searchers
        self._current_query = current_query
        self._state: _State | None = None
        self._generation = 0
        self._current: int | None = None  # the document shown in the viewer
        self.open_batch: str | None = None
        self.open_qc: str | None = None

        self.heading = QLabel("Batches")
        self.heading.setObjectName("paneHeading")
        self.set_choice = QComboBox()
        self.set_choice.setObjectName("batchSetChoice")
        self.set_choice.addItem(ANY_SET)
        self.check_out_button = QPushButton("Check out next batch")
        self.check_out_button.setObjectName("checkOutNext")
        self.check_out_button.clicked.connect(self.check_out_next)
        self.message = QLabel()
        self.message.setObjectName("batchMessage")
        self.message.setWordWrap(True)

        self.my_table = _table("myBatches", ("Batch", "Status", "Reviewed"))
        self.my_table.doubleClicked.connect(lambda _index: self.open_chosen(self.my_table))
        self.open_mine = self._button("Open", "openMyBatch", lambda: self.open_chosen(self.my_table))
        self.check_in_button = self._button("Check in", "checkIn", self.check_in)
        self.release_mine = self._button("Release", "releaseMine", lambda: self._release(self.my_table))
        self.new_set_button = self._button("New batch set…", "newBatchSet", self.new_batch_set)
        self.new_set_button.setToolTip("Divide the documents of a search into batches (admin)")
        self.all_table = _table("allBatches", ("Batch", "Set", "Status", "Reviewer", "Reviewed"))
        self.all_table.doubleClicked.connect(lambda _index: self.open_chosen(self.all_table))
        self.assign_button = self._button("Assign to…", "assignBatch", self.assign)
        self.release_button = self._button("Release", "releaseBatch", lambda: self._release(self.all_table))
        self.reopen_button = self._button("Reopen", "reopenBatch", self.reopen)
        self.qc_table = _table("qcBatches", ("QC batch", "Reviewer", "Decided", "Overturned"))
        self.qc_table.doubleClicked.connect(lambda _index: self.open_qc_batch())
        self.open_qc_button = self._button("Open", "openQcBatch", self.open_qc_batch)

        self.tabs = QTabWidget()
        self.tabs.setObjectName("batchTabs")
        self.tabs.addTab(self._tab(self.my_table, self.open_mine, self.check_in_button, self.release_mine),
                         "My batches")
        self.tabs.addTab(self._tab(self.all_table, self.assign_button, self.release_button,
                                   self.reopen_button, above=self.new_set_button), "All batches")
        self.qc_page = self._tab(self.qc_table, self.open_qc_button)
        self.tabs.addTab(self.qc_page, "QC")

        self.qc_box = QGroupBox("QC decision")
        self.qc_box.setObjectName("qcDecision")
        self.qc_document = QLabel()
        self.qc_document.setObjectName("qcDocument")
        self.qc_document.setWordWrap(True)
        self.confirm_button = self._button("Confirm", "qcConfirm", self.confirm)
        self.overturn_button = self._button("Overturn…", "qcOverturn", self.overturn)
        qc_layout = QVBoxLayout(self.qc_box)
        qc_layout.addWidget(self.qc_document)
        qc_buttons = QHBoxLayout()
        qc_buttons.addWidget(self.confirm_button)
        qc_buttons.addWidget(self.overturn_button)
        qc_buttons.addStretch(1)
        qc_layout.addLayout(qc_buttons)
        self.qc_box.hide()

        self.overall = QProgressBar()
        self.overall.setObjectName("overallProgress")
        self.overall_batches = QLabel()
        self.overall_batches.setObjectName("hint")
        self.overall_batches.setWordWrap(True)
        self.reviewer_table = _table("reviewerProgress", ("Reviewer", "Batches done", "Reviewed"))
        progress_box = QGroupBox("Progress")
        progress_layout = QVBoxLayout(progress_box)
        progress_layout.addWidget(self.overall)
        progress_layout.addWidget(self.overall_batches)
        progress_layout.addWidget(self.reviewer_table)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 6, 6)
        layout.addWidget(self.heading)
        layout.addWidget(self.set_choice)
        layout.addWidget(self.check_out_button)
        layout.addWidget(self.message)
        layout.addWidget(self.tabs, 2)
        layout.addWidget(self.qc_box)
        layout.addWidget(progress_box, 1)
        for table in (self.my_table, self.all_table, self.qc_table):
            table.itemSelectionChanged.connect(self._enable)
        self._enable()
        self.reload()

    def show_role(self, admin: bool, qc: bool) -> None:
        """Offer batch sets and assigning to an admin only (a reviewer checks out and in), and the QC
        batches to QC reviewers and admins (ui/roles.py)."""
        for button in (self.new_set_button, self.assign_button, self.release_button, self.reopen_button):
            button.setVisible(admin)
        self.tabs.setTabVisible(self.tabs.indexOf(self.qc_page), qc)
        if not qc:
            self.qc_box.hide()

    def _button(self, text: str, name: str, slot: Callable[[], None]) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.clicked.connect(slot)
        return button

    def _tab(self, table: QTableWidget, *buttons: QPushButton, above: QPushButton | None = None) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 4, 0, 0)
        if above is not None:
            layout.addWidget(above, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(table, 1)
        row = QHBoxLayout()
        for button in buttons:
            row.addWidget(button)
        row.addStretch(1)
        layout.addLayout(row)
        return page

    # --- reading ---------------------------------------------------------------------------------------
    def reload(self) -> None:
        self._generation += 1
        self._tasks.run(partial(_read_state, self._case, self.open_qc), partial(self._show, self._generation))

    def _show(self, generation: int, state: _State) -> None:
        if generation != self._generation:
            return
        self._state = state
        self.heading.setText(f"Batches · {state.me}")
        chosen = self.set_choice.currentText()
        self.set_choice.blockSignals(True)
        self.set_choice.clear()
        self.set_choice.addItems([ANY_SET, *state.sets])
        self.set_choice.setCurrentText(chosen if chosen in state.sets else ANY_SET)
        self.set_choice.blockSignals(False)
        order = {IN_PROGRESS: 0, NOT_STARTED: 1, COMPLETED: 2}
        mine = sorted((b for b in state.all_batches if b.assignee == state.me),
                      key=lambda b: (order[b.status], b.id))
        _fill(self.my_table, [(b.name, b.status, _reviewed(b)) for b in mine], self.open_batch)
        _fill(self.all_table, [(b.name, b.batch_set, b.status, b.assignee, _reviewed(b))
                               for b in state.all_batches])
        _fill(self.qc_table, [(q.name, q.reviewer, f"{q.confirmed + q.overturned:,} of {q.documents:,}",
                               f"{q.overturned:,}") for q in state.qc_batches])
        overall = state.progress.overall
        self.overall.setRange(0, max(overall.documents, 1))
        self.overall.setValue(overall.reviewed)
        self.overall.setFormat(f"{overall.reviewed:,} of {overall.documents:,} reviewed "
                               f"({overall.percent_reviewed:.0f}%)")
        self.overall_batches.setText(
            f"Batches: {overall.completed:,} completed, {overall.in_progress:,} in progress, "
            f"{overall.not_started:,} not started")
        _fill(self.reviewer_table, [
            (name, f"{tally.completed:,} of {tally.batches:,}", f"{tally.reviewed:,} of {tally.documents:,}")
            for name, tally in state.progress.by_reviewer.items()])
        finished = next((b for b in mine if b.name == self.open_batch and b.status == IN_PROGRESS
                         and b.reviewed == b.documents), None)
        if finished is not None:
            self.message.setText(f"All {finished.documents:,} documents of {finished.name} are reviewed; "
                                 "check it in when you are done.")
        self._show_qc_document()
        self._enable()

    def _enable(self) -> None:
        batches_by_name = {b.name: b for b in self._state.all_batches} if self._state else {}
        mine = batches_by_name.get(_chosen(self.my_table) or "")
        any_batch = batches_by_name.get(_chosen(self.all_table) or "")
        self.open_mine.setEnabled(mine is not None)
        self.check_in_button.setEnabled(mine is not None and mine.status == IN_PROGRESS)
        self.release_mine.setEnabled(mine is not None and mine.status == IN_PROGRESS)
        self.assign_button.setEnabled(any_batch is not None and any_batch.status != COMPLETED)
        self.release_button.setEnabled(any_batch is not None and any_batch.status == IN_PROGRESS)
        self.reopen_button.setEnabled(any_batch is not None and any_batch.status == COMPLETED)
        self.open_qc_button.setEnabled(_chosen(self.qc_table) is not None)

    # --- opening ---------------------------------------------------------------------------------------
    def open_chosen(self, table: QTableWidget) -> None:
        name = _chosen(table)
        if name is not None:
            self.open(name)

    def open(self, name: str) -> None:
        """List a batch's documents in review order, at the first one not reviewed yet."""
        self.open_batch, self.open_qc = name, None
        self._tasks.run(partial(_first_unreviewed, self._case, name), self._opened)

    def open_qc_batch(self, name: str | None = None) -> None:
        """List a QC batch's documents at the first one not decided yet, with the decision box shown."""
        name = name or _chosen(self.qc_table)
        if name is None:
            return
        self.open_batch, self.open_qc = None, name
        self._tasks.run(partial(_qc_listing, self._case, name), self._opened)
        self.reload()

    def _opened(self, listing: tuple[str, list[int], int | None]) -> None:
        query, ids, start = listing
        self.message.setText(f"Reviewing {query.partition(':')[2]}: {len(ids):,} documents.")
        self.openRequested.emit(query, ids, start)

    def show_document(self, doc_id: int | None) -> None:
        """The viewer shows this document now: show its QC decision when a QC batch is open."""
        self._current = doc_id
        self._show_qc_document()

    def _show_qc_document(self) -> None:
        self.qc_box.setVisible(self.open_qc is not None)
        if self.open_qc is None or self._state is None:
            return
        self.qc_box.setTitle(f"QC decision · {self.open_qc}")
        document = self._state.qc_documents.get(self._current) if self._current is not None else None
        self.confirm_button.setEnabled(document is not None and not document.decision)
        self.overturn_button.setEnabled(document is not None)
        if document is None:
            self.qc_document.setText(f"This document is not in {self.open_qc}.")
            return
        reviewer = self._state_qc_reviewer()
        text = f"{document.control}: coded by {reviewer} as {qc.coding_text(document.coding)}"
        if document.decision == qc.OVERTURNED and document.coding_after is not None:
            text += f"\nOverturned by {document.decided_by}: {qc.coding_text(document.coding_after)}"
        elif document.decision:
            text += f"\nConfirmed by {document.decided_by}"
        else:
            text += "\nNot decided yet"
        self.qc_document.setText(text)

    def _state_qc_reviewer(self) -> str:
        """Whose decisions the open QC batch checks."""
        qc_batches = self._state.qc_batches if self._state else []
        return next((q.reviewer for q in qc_batches if q.name == self.open_qc), "the reviewer")

    # --- the workflow ----------------------------------------------------------------------------------
    def check_out_next(self) -> None:
        chosen = self.set_choice.currentText()
        batch_set = None if chosen == ANY_SET else chosen
        self._write(partial(batches.check_out_next, self._case, None, batch_set), self._checked_out)

    def _checked_out(self, batch: batches.BatchInfo) -> None:
        self.tabs.setCurrentIndex(0)
        self.open(batch.name)
        self.message.setText(f"Checked out {batch.name}: {batch.documents:,} documents.")

    def check_in(self, allow_unreviewed: bool = False) -> None:
        name = _chosen(self.my_table)
        if name is None:
            return

        def refused(error: BaseException) -> None:
            if isinstance(error, batches.UnreviewedDocumentsError) and self._ask(
                    "Check in", f"{error}\n\nCheck {error.batch} in anyway?"):
                self.check_in(allow_unreviewed=True)
            elif not isinstance(error, batches.UnreviewedDocumentsError):
                self._report(error)

        self._write(partial(batches.check_in, self._case, name, allow_unreviewed),
                    lambda batch: self.message.setText(f"Checked in {batch.name}."), refused)

    def _release(self, table: QTableWidget) -> None:
        name = _chosen(table)
        if name is not None:
            self._write(partial(batches.release, self._case, name),
                        lambda batch: self.message.setText(f"Released {batch.name}."))

    def assign(self) -> None:
        name = _chosen(self.all_table)
        user = self._ask_text("Assign batch", f"Assign {name} to (login name):") if name else None
        if name and user:
            self._write(partial(batches.assign, self._case, name, user),
                        lambda batch: self.message.setText(f"Assigned {batch.name} to {batch.assignee}."))

    def reopen(self) -> None:
        name = _chosen(self.all_table)
        if name is not None:
            self._write(partial(batches.reopen, self._case, name),
                        lambda batch: self.message.setText(f"Reopened {batch.name}."))

    def new_batch_set(self) -> None:
        """Ask for a new batch set's choices (the current search to start with) and make it."""
        def ask(tags: list[review.TagInfo]) -> None:
            dialog = BatchSetDialog(self._current_query(), [t.name for t in tags], self)
            if self._exec(dialog):
                chosen = dialog.choices()
                self._tasks.run(partial(_matching, self._searchers, chosen.query),
                                partial(self._make_set, chosen), self._report)

        self._tasks.run(partial(review.list_tags, self._case), ask)

    def _make_set(self, chosen: BatchSetChoices, ids: list[int]) -> None:
        def made(batch_set: batch_sets.BatchSetInfo) -> None:
            count = batch_sets.n_batches(batch_set.batches)
            self.message.setText(f'Made the batch set "{batch_set.name}": {count}, '
                                 f"{batch_set.documents:,} documents.")

        self._write(partial(batch_sets.create_batch_set, self._case, chosen.name, ids, chosen.size,
                            query=chosen.query, prefix=chosen.prefix, families=chosen.families,
                            threads=chosen.threads, order=chosen.order, review_tags=chosen.review_tags), made)

    # --- QC decisions ----------------------------------------------------------------------------------
    def confirm(self) -> None:
        name, doc_id = self.open_qc, self._current
        if name is None or doc_id is None:
            return
        self._write(partial(qc.confirm, self._case, name, [doc_id]),
                    lambda _n: self.coded.emit([doc_id], True))

    def overturn(self) -> None:
        name, doc_id, state = self.open_qc, self._current, self._state
        document = state.qc_documents.get(doc_id) if state is not None and doc_id is not None else None
        if name is None or doc_id is None or document is None:
            return
        reviewer = self._state_qc_reviewer()

        def ask(now: tuple[list[review.TagInfo], review.DocumentCoding]) -> None:
            tags, coding = now
            dialog = QcOverturnDialog(document, reviewer, [t.name for t in tags], coding, self)
            if self._exec(dialog):
                add, remove, privilege = dialog.changes()
                self._write(partial(qc.overturn, self._case, name, doc_id, add, remove, privilege),
                            lambda _d: self.coded.emit([doc_id], True))

        self._tasks.run(lambda: (review.list_tags(self._case), review.coding(self._case, doc_id)), ask)

    # --- plumbing --------------------------------------------------------------------------------------
    def _write(self, work: Callable[[], object], done: Callable[..., object],
               failed: Callable[[BaseException], None] | None = None) -> None:
        def finished(result: object) -> None:
            done(result)
            self.reload()

        def refused(error: BaseException) -> None:
            (failed or self._report)(error)
            self.reload()

        self._tasks.run(work, finished, refused, lane=Lane.WRITE)

    def _report(self, error: BaseException) -> None:
        if not isinstance(error, ReviewerError):
            raise error
        self.message.setText(str(error))

    def _ask(self, title: str, text: str) -> bool:
        answer = QMessageBox.question(self, title, text)
        return answer == QMessageBox.StandardButton.Yes

    def _ask_text(self, title: str, label: str) -> str | None:
        text, ok = QInputDialog.getText(self, title, label)
        return text.strip() if ok and text.strip() else None

    def _exec(self, dialog: QDialog) -> bool:
        return dialog.exec() == QDialog.DialogCode.Accepted
