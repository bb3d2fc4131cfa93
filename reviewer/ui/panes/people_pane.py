"""The People pane: everyone who wrote, received or authored documents, with their organisation, flags and
message counts; find as you type, filter by flag, sort by any column. Clicking a person lists their
documents (the query person:ID); merge, split, rename and flag are in the Edit menu and the table's
right-click menu, each one undoable action.

People are built at every ingest; a case from before that is built the first time the pane is shown, on
the long lane with its progress, while coding goes on.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from PySide6.QtCore import QModelIndex, QSortFilterProxyModel, Qt, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMenu,
    QProgressBar,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from reviewer.core.case import Case
from reviewer.core.casebuild import people_build, people_edits
from reviewer.core.casebuild.people import PersonInfo, list_people
from reviewer.core.choices import PERSON_FLAGS
from reviewer.core.errors import ReviewerError
from reviewer.core.progress import CancelToken
from reviewer.ui.dialogs.split_person import SplitPersonDialog
from reviewer.ui.models.records import SORT_ROLE, Column, Index, RecordTableModel
from reviewer.ui.tasks import Lane, LatestProgress, TaskRunner
from reviewer.ui.widgets.flags import flag_color

PERSON_ROLE = Qt.ItemDataRole.UserRole + 2
ALL_FLAGS = "All people"
FLAGS_COLUMN = 2

COLUMNS = (
    Column("Name", lambda p: p.name),
    Column("Organisation", lambda p: p.organisation),
    Column("Flags", lambda p: ", ".join(p.flags)),
    Column("Sent", lambda p: p.sent, numeric=True),
    Column("Received", lambda p: p.received, numeric=True),
    Column("Documents", lambda p: p.documents, numeric=True),
)


class PeopleTableModel(RecordTableModel):
    """The people as rows; sorting and finding are left to PeopleFilter."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(COLUMNS, parent)

    @property
    def people(self) -> list[PersonInfo]:
        return self.records

    def more_data(self, record: Any, column: int, role: int) -> Any:
        person: PersonInfo = record
        if role == PERSON_ROLE:
            return person.id
        if role == Qt.ItemDataRole.ForegroundRole and column == FLAGS_COLUMN and person.flags:
            return flag_color(person.flags)
        if role == Qt.ItemDataRole.ToolTipRole:
            lines = [f"{person.name} (person {person.id})", *person.addresses]
            lines += [f"written as: {name}" for name in person.names if name != person.name][:8]
            return "\n".join(lines)
        return None


class PeopleFilter(QSortFilterProxyModel):
    """Finds people by any word of their name, addresses, names written and organisation, and by flag."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.text = ""
        self.flag = ""
        self.setSortRole(SORT_ROLE)

    def set_filter(self, text: str, flag: str) -> None:
        self.beginFilterChange()
        self.text, self.flag = text.casefold().strip(), flag
        self.endFilterChange()

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        source = self.sourceModel()
        assert isinstance(source, PeopleTableModel)
        person = source.people[source_row]
        if self.flag and self.flag not in person.flags:
            return False
        if not self.text:
            return True
        haystack = " ".join([person.name, person.organisation, *person.addresses, *person.names]).casefold()
        return all(word in haystack for word in self.text.split())


class PeoplePane(QWidget):
    documentsRequested = Signal(str)  # a query listing a person's documents
    edited = Signal()  # a hand edit was written: there is something new to undo
    loaded = Signal()

    def __init__(self, case: Case, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("peoplePane")
        self.case, self.tasks = case, tasks
        self.model = PeopleTableModel(self)
        self.proxy = PeopleFilter(self)
        self.proxy.setSourceModel(self.model)
        self._loading = False
        self._built = False
        self._progress = LatestProgress()
        self._progress_timer = QTimer(self)
        self._progress_timer.setInterval(200)
        self._progress_timer.timeout.connect(self._show_progress)

        self.find_box = QLineEdit()
        self.find_box.setObjectName("peopleFind")
        self.find_box.setClearButtonEnabled(True)
        self.find_box.setPlaceholderText("Find a person, address or organisation…")
        self.find_box.textChanged.connect(self._filter)
        self.flag_filter = QComboBox()
        self.flag_filter.setObjectName("peopleFlagFilter")
        self.flag_filter.addItems([ALL_FLAGS, *PERSON_FLAGS])
        self.flag_filter.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.flag_filter.setMinimumContentsLength(5)
        self.flag_filter.currentTextChanged.connect(self._filter)
        self.table = QTableView()
        self.table.setObjectName("peopleTable")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(3, Qt.SortOrder.DescendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.setShowGrid(False)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, len(COLUMNS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.table.clicked.connect(self._clicked)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._enable())

        self.merge_action = QAction("&Merge the selected people", self)
        self.merge_action.setToolTip("Merge the selected people into the current one (Ctrl+Z undoes)")
        self.merge_action.triggered.connect(self.merge_selected)
        self.split_action = QAction("&Split off addresses…", self)
        self.split_action.triggered.connect(self._ask_split)
        self.rename_action = QAction("&Rename…", self)
        self.rename_action.triggered.connect(self._ask_rename)
        self.flag_menu = QMenu("&Flag", self)
        self.flag_menu.aboutToShow.connect(self._fill_flag_menu)
        self.edit_menu = QMenu(self)
        self.edit_menu.addActions([self.merge_action, self.split_action, self.rename_action])
        self.edit_menu.addMenu(self.flag_menu)
        self.edit_button = QToolButton()
        self.edit_button.setObjectName("peopleEdit")
        self.edit_button.setText("Edit")
        self.edit_button.setMenu(self.edit_menu)
        self.edit_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(
            lambda point: self.edit_menu.popup(self.table.viewport().mapToGlobal(point)))
        self.status = QLabel()
        self.status.setObjectName("peopleStatus")
        self.status.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(6)
        self.progress.hide()

        top = QHBoxLayout()
        top.addWidget(self.find_box, 1)
        top.addWidget(self.flag_filter)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.edit_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(4)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)
        layout.addWidget(self.progress)
        self._enable()

    # --- loading -----------------------------------------------------------------------------------------
    def load(self) -> None:
        """Show the people, building them first when the case has documents never read for them."""
        if self._loading:
            return
        self._loading = True
        if self._built:
            self.tasks.run(partial(list_people, self.case), self._show, self._failed)
        else:  # a quick look first: only a case from before people existed waits for the long lane
            self.tasks.run(partial(people_build.needs_build, self.case), self._build_or_list, self._failed)

    def _build_or_list(self, build: bool) -> None:
        if not build:
            self.tasks.run(partial(list_people, self.case), self._show, self._failed)
            return
        self.status.setText("Building people from the documents…")
        self.progress.setRange(0, 0)
        self.progress.show()
        self._progress_timer.start()
        cancel = CancelToken()
        self.tasks.run(partial(_build_and_list, self.case, self._progress, cancel), self._show, self._failed,
                       lane=Lane.LONG, cancel=cancel)

    def show_first_time(self) -> None:
        if not self._built and not self._loading:
            self.load()

    def reload(self) -> None:
        """Read the people again (after an edit, an undo or an ingest), if the pane has been shown."""
        if self._built or self._loading:
            self._loading = False
            self.load()

    def _show_progress(self) -> None:
        update = self._progress.latest()
        if update is not None and update.total:
            self.progress.setRange(0, update.total)
            self.progress.setValue(update.done)
            self.status.setText(f"{update.message} {update.done:,} of {update.total:,}")

    def _show(self, people: list[PersonInfo]) -> None:
        current = self.current_person()
        self._loading = False
        self._built = True
        self._progress_timer.stop()
        self.progress.hide()
        self.model.set_records(people)
        self.status.setText(f"{len(people):,} people")
        if current is not None:
            self.select_person(current.id)
        self._enable()
        self.loaded.emit()

    def _failed(self, error: BaseException) -> None:
        self._loading = False
        self._progress_timer.stop()
        self.progress.hide()
        if not isinstance(error, ReviewerError):
            raise error  # a bug: the application's exception hook shows it
        self.status.setText(str(error))

    # --- finding and choosing ----------------------------------------------------------------------------
    def _filter(self) -> None:
        flag = self.flag_filter.currentText()
        self.proxy.set_filter(self.find_box.text(), "" if flag == ALL_FLAGS else flag)

    def _person_at(self, index: QModelIndex) -> PersonInfo:
        return self.model.people[self.proxy.mapToSource(index).row()]

    def current_person(self) -> PersonInfo | None:
        index = self.table.currentIndex()
        return self._person_at(index) if index.isValid() else None

    def selected_people(self) -> list[PersonInfo]:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [self._person_at(self.proxy.index(row, 0)) for row in rows]

    def select_person(self, person_id: int) -> bool:
        for row in range(self.proxy.rowCount()):
            index = self.proxy.index(row, 0)
            if index.data(PERSON_ROLE) == person_id:
                self.table.setCurrentIndex(index)
                self.table.scrollTo(index)
                return True
        return False

    def _clicked(self, index: QModelIndex) -> None:
        modifiers = QApplication.keyboardModifiers()
        if modifiers & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier):
            return  # choosing several people (to merge them), not looking at one
        self.documentsRequested.emit(f"person:{self._person_at(index).id}")

    def _enable(self) -> None:
        chosen = len(self.selected_people())
        current = self.current_person()
        self.merge_action.setEnabled(chosen >= 2)
        self.split_action.setEnabled(current is not None and len(current.addresses) > 1)
        self.rename_action.setEnabled(current is not None)
        self.flag_menu.setEnabled(current is not None)

    # --- hand edits (the write lane) ---------------------------------------------------------------------
    def _write(self, work: Any) -> None:
        self.tasks.run(work, lambda _result: self._edited(), lane=Lane.WRITE)

    def _edited(self) -> None:
        self.edited.emit()
        self.reload()

    def merge_selected(self) -> None:
        """Merge the selected people into the current one (or the first selected)."""
        chosen = self.selected_people()
        current = self.current_person()
        if len(chosen) < 2:
            return
        survivor = current if current in chosen else chosen[0]
        ids = [survivor.id] + [p.id for p in chosen if p.id != survivor.id]
        self._write(partial(people_edits.merge_people, self.case, ids))

    def split(self, person_id: int, addresses: list[str], each: bool = False) -> None:
        self._write(partial(people_edits.split_person, self.case, person_id, addresses, each))

    def rename(self, person_id: int, name: str) -> None:
        self._write(partial(people_edits.rename_person, self.case, person_id, name))

    def set_flag(self, person_id: int, flag: str, on: bool) -> None:
        self._write(partial(people_edits.flag_person, self.case, person_id, flag, on))

    def _ask_split(self) -> None:
        person = self.current_person()
        if person is None:
            return
        dialog = SplitPersonDialog(person.name, person.addresses, self)
        if dialog.exec() == SplitPersonDialog.DialogCode.Accepted and dialog.chosen():
            self.split(person.id, dialog.chosen(), dialog.each())

    def _ask_rename(self) -> None:
        person = self.current_person()
        if person is None:
            return
        name, accepted = QInputDialog.getText(self, "Rename person",
                                              "Show this person as (empty: the name in their documents):",
                                              QLineEdit.EchoMode.Normal, person.name)
        if accepted:
            self.rename(person.id, name)

    def _fill_flag_menu(self) -> None:
        self.flag_menu.clear()
        person = self.current_person()
        if person is None:
            return
        for flag in PERSON_FLAGS:
            action = QAction(flag.capitalize(), self.flag_menu)
            action.setCheckable(True)
            action.setChecked(flag in person.flags)
            action.toggled.connect(partial(self.set_flag, person.id, flag))
            self.flag_menu.addAction(action)


def _build_and_list(case: Case, progress: LatestProgress, cancel: CancelToken) -> list[PersonInfo]:
    people_build.ensure_built(case, progress, cancel)
    return list_people(case)
