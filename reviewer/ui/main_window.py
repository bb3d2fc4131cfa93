"""A case's main window: the panes as docks, the menus, keyboard and status bar, wired together.

It holds no business logic: every question goes to reviewer.core through the task runner, and the panes
only show answers. The layout (docks, columns) is remembered between sessions.
"""

from __future__ import annotations

import re
from functools import partial

from PySide6.QtCore import QByteArray, QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QDockWidget,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QProgressDialog,
    QToolBar,
    QWidget,
)

from reviewer import __version__
from reviewer.core import audit, browse, changes, review
from reviewer.core.analytics.run import AnalysisSettings, AnalysisSummary, current_settings
from reviewer.core.case import Case
from reviewer.core.importing import bates_lookup
from reviewer.core.search import saved
from reviewer.core.search.syntax import SYNTAX_HELP
from reviewer.core.team.access import access
from reviewer.ui import pages, roles
from reviewer.ui.dialogs.analyze import AnalyzeDialog, AnalyzeProgressDialog
from reviewer.ui.dialogs.exhibits import ExhibitsDialog, ExhibitsProgressDialog
from reviewer.ui.dialogs.import_production import ImportProductionDialog, ImportProgressDialog
from reviewer.ui.dialogs.index_repair import IndexRepairDialog
from reviewer.ui.dialogs.ingest import AddDocumentsDialog, IngestOutcome, IngestProgressDialog, ingest_work
from reviewer.ui.dialogs.privilege_log import PrivilegeLogDialog
from reviewer.ui.dialogs.production import ProductionDialog
from reviewer.ui.icons import icon
from reviewer.ui.models.document_table import DocumentTableModel
from reviewer.ui.panes.batches_pane import BatchesPane
from reviewer.ui.panes.browse_pane import BrowsePane
from reviewer.ui.panes.chronology_pane import ChronologyPane
from reviewer.ui.panes.coding_pane import CodingPane
from reviewer.ui.panes.communications_pane import CommunicationsPane
from reviewer.ui.panes.document_list import DocumentListPane
from reviewer.ui.panes.highlights_pane import HighlightsPane
from reviewer.ui.panes.issues_pane import IssuesPane
from reviewer.ui.panes.people_pane import PeoplePane
from reviewer.ui.panes.prioritize_pane import PrioritizedReviewPane
from reviewer.ui.panes.search_pane import SearchPane
from reviewer.ui.panes.viewer import Viewer
from reviewer.ui.result import Counts, ResultState, ResultView
from reviewer.ui.searching import Searchers
from reviewer.ui.tasks import Lane, TaskRunner
from reviewer.ui.team_sync import CaseWatcher, OfflineBanner
from reviewer.ui.widgets import conversation, highlighting, near_duplicates, production_history, redaction

SETTINGS_GEOMETRY = "mainWindow/geometry"
SETTINGS_STATE = "mainWindow/state"
SETTINGS_COLUMNS = "documentTable/header"
LAYOUT_VERSION = 2  # 2: the Issues, Highlights and Chronology panes
SAVING_DELAY_MS = 400  # closing shows "Saving…" only when the writes take longer than this
HOTKEYS = "123456789"
_ONE_BATES = re.compile(r"\s*bates:([^\s\[\]()\"]+)\s*", re.IGNORECASE)


class MainWindow(QMainWindow):
    def __init__(self, case: Case, remember_layout: bool = True, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.case = case
        self._remember_layout = remember_layout
        self.setObjectName("mainWindow")
        shared = f" — shared, as {case.user}" if case.shared else ""
        self.setWindowTitle(f"{case.name}{shared} — Reviewer")
        self.setDockNestingEnabled(True)
        self.tasks = TaskRunner(self)
        self.tasks.failed.connect(self._report)
        self.searchers = Searchers(case)
        self.result = ResultState(self.searchers, self.tasks, self)
        self.model = DocumentTableModel(
            lambda ids: browse.document_rows(case, ids, self.result.score_tag), self)

        self.search_pane = SearchPane(SYNTAX_HELP)
        self.browse_pane = BrowsePane()
        self.document_list = DocumentListPane(self.model)
        self.viewer = Viewer(self.searchers, self.tasks)
        self.production_history = production_history.attach(self.viewer, case, self.tasks)
        self.redaction = redaction.attach(self.viewer, case, self.tasks)
        self.highlighting = highlighting.attach(self.viewer, case, self.tasks)
        self.conversation = conversation.attach(self.viewer, case, self.tasks)
        self.near_duplicates = near_duplicates.attach(self.viewer, case, self.tasks)
        self.coding = CodingPane(case, self.tasks)
        self.issues_pane = IssuesPane(case, self.tasks)
        self.highlights_pane = HighlightsPane(case, self.tasks)
        self.chronology = ChronologyPane(case, self.tasks)
        self.batches_pane = BatchesPane(case, self.tasks, self.searchers, lambda: self.result.query)
        self.prioritize = PrioritizedReviewPane(case, self.tasks)
        self.people_pane = PeoplePane(case, self.tasks)
        self.comms_pane = CommunicationsPane(case, self.tasks, lambda: list(self.model.ids))
        self.docks = {
            "search": self._dock("searchDock", "Search", self.search_pane),
            "browse": self._dock("browseDock", "Browse", self.browse_pane),
            "list": self._dock("listDock", "Documents", self.document_list),
            "viewer": self._dock("viewerDock", "Viewer", self.viewer),
            "coding": self._dock("codingDock", "Coding", self.coding),
            "issues": self._dock("issuesDock", "Issues", self.issues_pane),
            "highlights": self._dock("highlightsDock", "Highlights", self.highlights_pane),
            "chronology": self._dock("chronologyDock", "Chronology", self.chronology),
            "batches": self._dock("batchesDock", "Batches", self.batches_pane),
            "prioritize": self._dock("prioritizeDock", "Prioritized review", self.prioritize),
            "people": self._dock("peopleDock", "People", self.people_pane),
            "comms": self._dock("commsDock", "Communications", self.comms_pane),
        }
        self._arrange_docks()
        self._default_state = self.saveState(LAYOUT_VERSION)

        self._build_status_bar()
        self._build_actions()
        self._wire()
        self._sized = False
        if remember_layout:
            self._restore_layout()
        else:
            self.resize(1440, 900)
        self._selection_timer = QTimer(self)
        self._selection_timer.setSingleShot(True)
        self._selection_timer.setInterval(0)
        self._selection_timer.timeout.connect(self._sync_selection)
        self._view: ResultView | None = None
        self._counts: Counts | None = None  # of the list shown, once worked out
        self._start_at: int | None = None  # the document to select when the next result is listed
        self._saving: QProgressDialog | None = None  # set while a close waits for the write lane
        self._released = False  # the case and its searchers are closed (the window closed for good)
        # A case made before tags existed gets the default coding set (a write); then, on the same lane, the
        # search index is checked and repaired before the first search; then the list loads.
        self.tasks.run(partial(review.ensure_default_tags, case), lane=Lane.WRITE)
        roles.show_role(self, roles.least(self))
        if case.shared:
            self.tasks.run(partial(access, case), partial(roles.show_role, self))
        self.index_repair = IndexRepairDialog(self.tasks, case, self.result.refresh, self)
        # Other reviewers' changes, and the server going away (made after the layout is restored, so a
        # banner shown when the window last closed never comes back by itself).
        self.offline_banner = OfflineBanner(self)
        self.addToolBarBreak()
        self.addToolBar(self.offline_banner)
        self.watcher = CaseWatcher(case, self.tasks, self)
        self.watcher.changed.connect(self._others_changed)
        self.watcher.connectionLost.connect(self._connection_lost)
        self.watcher.connectionBack.connect(self._connection_back)

    # --- building --------------------------------------------------------------------------------------
    def _dock(self, name: str, title: str, widget: QWidget) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                         | QDockWidget.DockWidgetFeature.DockWidgetFloatable
                         | QDockWidget.DockWidgetFeature.DockWidgetClosable)
        return dock

    def _arrange_docks(self) -> None:
        """Browse | Search over Documents | Viewer | Coding, left to right; Issues and Batches tabs beside
        Browse, Highlights and Chronology tabs beside Documents."""
        docks = self.docks
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, docks["browse"])
        self.splitDockWidget(docks["browse"], docks["search"], Qt.Orientation.Horizontal)
        self.splitDockWidget(docks["search"], docks["viewer"], Qt.Orientation.Horizontal)
        self.splitDockWidget(docks["viewer"], docks["coding"], Qt.Orientation.Horizontal)
        self.splitDockWidget(docks["search"], docks["list"], Qt.Orientation.Vertical)
        self.tabifyDockWidget(docks["browse"], docks["issues"])
        self.tabifyDockWidget(docks["browse"], docks["batches"])
        self.tabifyDockWidget(docks["coding"], docks["prioritize"])
        self.tabifyDockWidget(docks["list"], docks["highlights"])
        self.tabifyDockWidget(docks["highlights"], docks["chronology"])
        self.tabifyDockWidget(docks["browse"], docks["people"])
        # Communications behind the Viewer: a tab away, counted when first shown.
        self.tabifyDockWidget(docks["viewer"], docks["comms"])
        docks["browse"].raise_()
        docks["viewer"].raise_()
        docks["coding"].raise_()
        docks["list"].raise_()

    def _size_docks(self) -> None:
        """Default pane sizes, as fractions of the window: they only hold once the window has its size."""
        docks, width, height = self.docks, self.width(), self.height()
        self.resizeDocks([docks["browse"], docks["list"], docks["viewer"], docks["coding"]],
                         [int(width * f) for f in (0.13, 0.31, 0.37, 0.19)], Qt.Orientation.Horizontal)
        self.resizeDocks([docks["search"], docks["list"]], [int(height * 0.1), int(height * 0.9)],
                         Qt.Orientation.Vertical)

    def _build_status_bar(self) -> None:
        self.hits_label = QLabel()
        self.selected_label = QLabel()
        self.coded_label = QLabel()
        self.role_label = roles.role_label()
        for label in (self.role_label, self.hits_label, self.selected_label, self.coded_label):
            self.statusBar().addPermanentWidget(label)

    def _action(self, text: str, slot: object, shortcut: str | QKeySequence.StandardKey | None = None,
                icon_name: str | None = None) -> QAction:
        action = QAction(text, self)
        if icon_name:
            action.setIcon(icon(icon_name))
        if isinstance(shortcut, QKeySequence.StandardKey):
            action.setShortcuts(shortcut)  # every binding of the platform (Close is Ctrl+F4 and Ctrl+W)
        elif shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        self.add_documents_action = self._action("&Add documents…", self.add_documents, "Ctrl+I",
                                                 "add-documents")
        self.undo_action = self._action("&Undo", self.undo, QKeySequence.StandardKey.Undo, "undo")
        self.undo_action.setEnabled(False)
        self.find_action = self._action("&Find…", self.search_pane.focus, QKeySequence.StandardKey.Find,
                                        "search")
        self.next_action = self._action("&Next document", self.next_document, "Alt+Down", "next-document")
        self.previous_action = self._action("&Previous document", partial(self.document_list.move, -1),
                                            "Alt+Up", "previous-document")
        self.next_hit_action = self._action("Next &hit", self.viewer.show_next_hit, "F3", "next-hit")
        self.previous_hit_action = self._action("Previous h&it", self.viewer.show_previous_hit, "Shift+F3",
                                                "previous-hit")
        self.import_action = self._action("&Import production…", self.import_production, "Ctrl+Shift+I")
        self.analyze_action = self._action("Anal&yze conversations and near-duplicates…", self.analyze)
        self.bates_box = QLineEdit()
        self.bates_box.setObjectName("goToBates")
        self.bates_box.setPlaceholderText("Go to Bates…")
        self.bates_box.setClearButtonEnabled(True)
        self.bates_box.setMaximumWidth(180)
        self.bates_box.returnPressed.connect(lambda: self.go_to_bates(self.bates_box.text()))
        self.go_to_bates_action = self._action("Go to &Bates…", self.bates_box.setFocus, "Ctrl+G")
        help_action = self._action("Search &syntax", self.search_pane.show_help, "F1", "help")
        self.inclusive_only_action = self._action("Inclusive emails &only", self.result.set_inclusive_only)
        self.inclusive_only_action.setObjectName("inclusiveOnly")
        self.inclusive_only_action.setCheckable(True)
        self.inclusive_only_action.setToolTip(
            "Hide emails another email of their thread contains, with their attachments: read each "
            "conversation once")
        reset_action = self._action("&Reset layout", self.reset_layout)

        menus = self.menuBar()
        case_menu = menus.addMenu("&Case")
        case_menu.addAction(self.add_documents_action)
        case_menu.addAction(self.import_action)
        case_menu.addAction(self.analyze_action)
        case_menu.addSeparator()
        self.produce_action = self._action("&Produce…", self.produce)
        self.privilege_log_action = self._action("Pri&vilege log…", self.privilege_log)
        case_menu.addAction(self.produce_action)
        case_menu.addAction(self.privilege_log_action)
        self.exhibits_action = self._action("E&xhibit list or binder…", self.exhibits)
        case_menu.addAction(self.exhibits_action)
        case_menu.addSeparator()
        case_menu.addAction(self._action("&Close", self.close, QKeySequence.StandardKey.Close))
        edit_menu = menus.addMenu("&Edit")
        edit_menu.addAction(self.undo_action)
        edit_menu.addAction(self.find_action)
        document_menu = menus.addMenu("&Document")
        document_menu.addActions([self.next_action, self.previous_action, self.next_hit_action,
                                  self.previous_hit_action, self.go_to_bates_action])
        view_menu = menus.addMenu("&View")
        for dock in self.docks.values():
            view_menu.addAction(dock.toggleViewAction())
        view_menu.addSeparator()
        view_menu.addAction(self.inclusive_only_action)
        view_menu.addAction(reset_action)
        help_menu = menus.addMenu("&Help")
        help_menu.addAction(help_action)
        help_menu.addAction(self._action("&About Reviewer", self._about))

        toolbar = QToolBar("Main")
        toolbar.setObjectName("mainToolbar")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for action in (self.add_documents_action, self.undo_action):
            toolbar.addAction(action)
        toolbar.addSeparator()
        toolbar.addAction(self.previous_action)
        toolbar.addAction(self.next_action)
        toolbar.addSeparator()
        toolbar.addAction(self.inclusive_only_action)
        toolbar.addSeparator()
        toolbar.addWidget(self.bates_box)
        self.addToolBar(toolbar)

        # Number keys code the current document while the list or the viewer has focus (not while typing
        # in the search box or a note).
        for key in HOTKEYS:
            for owner in (self.document_list.table, self.viewer):
                shortcut = QShortcut(QKeySequence(key), owner)
                shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
                shortcut.activated.connect(partial(self.apply_hotkey, key))
        # 0 decides the current document "not relevant" for the prioritized review's question.
        for owner in (self.document_list.table, self.viewer):
            not_relevant = QShortcut(QKeySequence("0"), owner)
            not_relevant.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            not_relevant.activated.connect(
                lambda: self.prioritize.decide_served(False, self.document_list.current_id()))

    def _wire(self) -> None:
        self.search_pane.searchRequested.connect(self.result.set_query)
        self.search_pane.saveRequested.connect(self.save_search)
        self.result.searchFailed.connect(self.search_pane.show_error)
        self.result.changed.connect(self._result_changed)
        self.result.countsChanged.connect(self._show_counts)
        self.browse_pane.filterChanged.connect(self.result.set_browse)
        self.browse_pane.savedSearchChosen.connect(lambda query: self.search_pane.run(query))
        self.model.sortRequested.connect(self.result.set_sort)
        self.document_list.currentChanged.connect(lambda _id: self._selection_timer.start())
        self.document_list.selectionChanged.connect(lambda _n: self._selection_timer.start())
        self.viewer.openRequested.connect(self.open_document)
        self.coding.coded.connect(self._coded)
        # Undo at once after a key, even before the write lands: the undo queues behind it.
        self.coding.writeQueued.connect(lambda: self.undo_action.setEnabled(True))
        for pane in (self.issues_pane, self.highlights_pane, self.chronology):
            pane.changed.connect(self._casebuild_changed)
        self.highlighting.stored.connect(lambda _h: self._casebuild_changed())
        self.highlights_pane.openRequested.connect(self.open_at)
        self.chronology.openRequested.connect(self.open_at)
        self.issues_pane.searchRequested.connect(self.search)
        self.chronology.viewer_page = self._viewer_page
        # Dragging a box on a page means one thing at a time: redacting or highlighting.
        _exclusive(self.redaction.redact_button, self.highlighting.box_button)
        self.batches_pane.openRequested.connect(self.list_in_order)
        self.batches_pane.coded.connect(self._coded)
        self.prioritize.serve.connect(self.show_served)
        self.prioritize.questionChanged.connect(self._score_question)
        self.prioritize.changed.connect(lambda: self._coded([], advance=False))
        self.prioritize.message.connect(self._report)
        self.docks["people"].visibilityChanged.connect(self._people_shown)
        self.docks["comms"].visibilityChanged.connect(self._comms_shown)
        self.people_pane.documentsRequested.connect(self.search)
        self.people_pane.edited.connect(self._update_undo)
        self.people_pane.edited.connect(self.comms_pane.reload)
        self.comms_pane.documentsRequested.connect(self.search)
        self.comms_pane.openRequested.connect(self.open_document)

    # --- layout ----------------------------------------------------------------------------------------
    def _restore_layout(self) -> None:
        settings = QSettings()
        geometry = settings.value(SETTINGS_GEOMETRY)
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        else:
            self.resize(1440, 900)
        state = settings.value(SETTINGS_STATE)
        self._sized = isinstance(state, QByteArray) and self.restoreState(state, LAYOUT_VERSION)
        columns = settings.value(SETTINGS_COLUMNS)
        if isinstance(columns, QByteArray):
            self.document_list.table.horizontalHeader().restoreState(columns)

    def _save_layout(self) -> None:
        settings = QSettings()
        settings.setValue(SETTINGS_GEOMETRY, self.saveGeometry())
        settings.setValue(SETTINGS_STATE, self.saveState(LAYOUT_VERSION))
        settings.setValue(SETTINGS_COLUMNS, self.document_list.table.horizontalHeader().saveState())

    def reset_layout(self) -> None:
        self.restoreState(self._default_state, LAYOUT_VERSION)
        for dock in self.docks.values():
            dock.show()
        self._size_docks()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._sized:
            self._sized = True
            self._size_docks()

    # --- the result ------------------------------------------------------------------------------------
    def search(self, query: str) -> None:
        self.search_pane.run(query)

    def is_idle(self) -> bool:
        """No work queued or running (for tests and the screenshot mode); the watcher's question of every
        second does not count."""
        watching = self.tasks.pending_on(Lane.WATCH)
        return self.tasks.pending == watching and not self._selection_timer.isActive()

    def _result_changed(self, view: ResultView) -> None:
        previous = self.document_list.current_id()
        self._view = view
        self.model.set_ids(view.ids)
        self.search_pane.show_count(view.query, view.matches, len(view.ids))
        self.search_pane.set_history(view.history)
        listed = len(view.ids)
        self.hits_label.setText(f"{view.matches or 0:,} documents match · {listed:,} listed" if view.query
                                else f"{listed:,} documents")
        # Start where asked (an opened batch's first document to review), else keep the reviewer's place
        # when the document is still listed, else start at the top.
        wanted = [doc_id for doc_id in (self._start_at, previous) if doc_id is not None]
        self._start_at = None
        if not any(self.document_list.select_id(doc_id) for doc_id in wanted):
            self.document_list.select_row(0)
        if not view.ids:
            self._selection_timer.start()
        one_page = _ONE_BATES.fullmatch(view.query or "")
        if one_page and view.ids:  # a search for one Bates number opens its document at that page
            self.go_to_bates(one_page.group(1))

    def _show_counts(self, counts: Counts) -> None:
        self.browse_pane.show_facets(counts.facets, counts.saved)
        self.search_pane.set_saved([(name, query) for name, query, _ in counts.saved])
        self._counts = counts
        self.coded_label.setText(f"{counts.coding.coded:,} coded · {counts.coding.uncoded:,} uncoded")
        self._update_undo()

    def _sync_selection(self) -> None:
        """The current row or the selection changed: show and code the right documents."""
        self._selection_timer.stop()
        current = self.document_list.current_id()
        selected = self.document_list.selected_ids()
        self.selected_label.setText(f"{len(selected):,} selected")
        if current != self.viewer.document_id or self.viewer.query != self.result.query:
            self.viewer.show_document(current, self.result.query)
        self.coding.set_documents(current, selected)
        self.batches_pane.show_document(current)

    def open_document(self, doc_id: int) -> None:
        """Show a document: select it in the list when it is listed, else show it in the viewer alone."""
        if not self.document_list.select_id(doc_id):
            self.viewer.show_document(doc_id, self.result.query)
            self.coding.set_documents(doc_id, [])

    def list_in_order(self, query: str, ids: list[int], start: int | None) -> None:
        """List what `query` finds in the order given (a batch in review order) from `start`, coding
        advancing through it."""
        self._start_at = start
        self.search_pane.box.setText(query)
        self.search_pane.show_error("")
        self.result.set_query(query, order=ids)
        self.coding.advance.setChecked(True)

    def open_control(self, control: str) -> None:
        def opened(ids: list[int]) -> None:
            if ids:
                self.open_document(ids[0])
            else:
                self._report(f"No document {control} in this case.")

        self.tasks.run(partial(browse.controls_to_ids, self.case, [control]), opened)

    def open_at(self, doc_id: int, page: int, highlight_id: int) -> None:
        """Open a document at a 1-based page (0: its start) with a highlight (0: none) in view."""
        if page:
            self.viewer.want_page(doc_id, page - 1)
        self.highlighting.focus(highlight_id or None)
        self.docks["viewer"].raise_()
        self.open_document(doc_id)

    def _viewer_page(self) -> tuple[int, int | None] | None:
        """The document in the viewer and, on PDF pages, the page at the top of the view."""
        doc_id = self.viewer.document_id
        if doc_id is None:
            return None
        shown = self.viewer.pages.pages_in_view
        return doc_id, shown.start + 1 if self.viewer.display == "page" and len(shown) else None

    def go_to_bates(self, label: str) -> None:
        """Open the document holding the page stamped `label`, at that page."""
        if not label.strip():
            return

        def found(page: bates_lookup.BatesPage) -> None:
            self.viewer.want_page(page.document_id, page.page - 1)
            self.open_document(page.document_id)
            self.statusBar().showMessage(f"{page.bates} is page {page.page} of {page.control}.", 8000)

        self.tasks.run(partial(bates_lookup.find_page, self.case, label), found)

    # --- coding ----------------------------------------------------------------------------------------
    def apply_hotkey(self, key: str) -> None:
        self._sync_selection()
        if not self.coding.apply_hotkey(key):
            self.statusBar().showMessage(f"No tag has the hotkey {key}.", 3000)

    def _coded(self, doc_ids: list[int], advance: bool) -> None:
        self.model.reload()
        self.result.refresh_counts()
        self.viewer.reload_history()
        self.coding.reload()
        self.batches_pane.reload()
        self.prioritize.after_coding(doc_ids)
        if advance and len(doc_ids) == 1 and not self.prioritize.is_active:
            self.document_list.move(1)

    # --- the team ---------------------------------------------------------------------------------------
    def _others_changed(self, found: changes.Changes) -> None:
        """Show what was changed elsewhere (another reviewer, window or command): counts, the list's rows,
        the coding pane, the document's history; the whole list again when documents or tags came or
        went."""
        if found.everything:
            self.result.refresh()
        else:
            self.model.reload()
            self.result.refresh_counts()
        self.coding.reload()
        self.viewer.reload_history()
        self.batches_pane.reload()
        self._update_undo()

    def _connection_lost(self, message: str) -> None:
        self.offline_banner.show_message(message)
        self.coding.set_offline(message)

    def _connection_back(self) -> None:
        self.offline_banner.hide()
        self.coding.set_offline("")
        self._others_changed(changes.Changes(0, frozenset(), (), everything=True))

    # --- prioritized review ----------------------------------------------------------------------------
    def next_document(self) -> None:
        """The next document: the queue's in prioritized mode once the list's last one is reached, else the
        list's next row."""
        row = self.document_list.table.currentIndex().row()
        if self.prioritize.is_active and row >= self.model.rowCount() - 1:
            self.prioritize.serve_next()
        else:
            self.document_list.move(1)

    def show_served(self, doc_id: int) -> None:
        """Show the document the queue served, adding it to the end of the list when it is not listed."""
        if not self.document_list.select_id(doc_id):
            self.model.set_ids([*self.model.ids, doc_id])
            self.document_list.select_id(doc_id)

    def _score_question(self, tag_id: int | None) -> None:
        if tag_id != self.result.score_tag:
            self.result.score_tag = tag_id
            self.model.reload()

    def undo(self) -> None:
        def undone(message: str | None) -> None:
            self.statusBar().showMessage(message or "Nothing to undo.", 5000)
            self._coded([], advance=False)
            self._casebuild_changed()
            self._people_changed()

        self.tasks.run(partial(audit.undo, self.case), undone, lane=Lane.WRITE)

    def _update_undo(self) -> None:
        def show(summary: str | None) -> None:
            self.undo_action.setEnabled(summary is not None)
            self.undo_action.setText(f"&Undo {summary}" if summary else "&Undo")
            self.undo_action.setToolTip(f"Undo {summary} (Ctrl+Z)" if summary else "Nothing to undo")

        self.tasks.run(partial(audit.next_undo, self.case), show)

    def _casebuild_changed(self) -> None:
        """Issues, highlights or facts were written: every pane showing them reads them again."""
        self.issues_pane.reload()
        self.highlights_pane.reload_issues()
        self.chronology.reload_filters()
        self.highlighting.reload_issues()
        self.highlighting.reload()
        self.viewer.reload_history()
        self._update_undo()

    def save_search(self, name: str, query: str) -> None:
        self.tasks.run(partial(saved.save, self.case, name, query),
                       lambda _saved: self.result.refresh_counts(), lane=Lane.WRITE)

    # --- adding documents ------------------------------------------------------------------------------
    def add_documents(self) -> None:
        custodians = [name for name, _ in self._counts.facets.custodians] if self._counts else []
        dialog = AddDocumentsDialog(custodians, self)
        if dialog.exec() == AddDocumentsDialog.DialogCode.Accepted:
            self.run_ingest(dialog)

    def run_ingest(self, chosen: AddDocumentsDialog) -> IngestProgressDialog:
        progress = IngestProgressDialog(self.tasks, ingest_work(self.case, chosen.paths(), chosen.options()),
                                        self)
        progress.finished_ingest.connect(self._ingest_finished)
        progress.show()
        return progress

    def _ingest_finished(self, outcome: IngestOutcome | None) -> None:
        if outcome is not None:
            self.result.refresh()
            self._people_changed()

    def _import_finished(self, report: object) -> None:
        if report:
            self.result.refresh()
            self._people_changed()

    def _people_shown(self, shown: bool) -> None:
        if shown:
            self.people_pane.show_first_time()

    def _comms_shown(self, shown: bool) -> None:
        if shown:
            self.comms_pane.show_first_time()

    def _people_changed(self) -> None:
        """People and their mail may have changed (an ingest, an import, an undo): shown panes read again."""
        self.people_pane.reload()
        self.comms_pane.reload()

    def import_production(self) -> None:
        dialog = ImportProductionDialog(self.tasks, self)
        if dialog.exec() == ImportProductionDialog.DialogCode.Accepted:
            self.run_import(dialog)

    def run_import(self, chosen: ImportProductionDialog) -> ImportProgressDialog:
        progress = ImportProgressDialog(self.tasks, self.case, chosen.volume(), chosen.options(), self)
        progress.finished_import.connect(self._import_finished)
        progress.show()
        return progress

    # --- analyzing -------------------------------------------------------------------------------------
    def analyze(self) -> None:
        def chosen(current: AnalysisSettings) -> None:
            dialog = AnalyzeDialog(current, self)
            if dialog.exec() == AnalyzeDialog.DialogCode.Accepted:
                self.run_analysis(dialog.settings())

        self.tasks.run(partial(current_settings, self.case), chosen)

    def run_analysis(self, settings: AnalysisSettings) -> AnalyzeProgressDialog:
        progress = AnalyzeProgressDialog(self.tasks, self.case, settings, self)
        progress.finished_analysis.connect(self._analysis_finished)
        progress.show()
        return progress

    def _analysis_finished(self, result: AnalysisSummary | None) -> None:
        if result is not None:
            self.result.refresh()
            self.conversation.show_document(self.viewer.document_id)
            self.near_duplicates.show_document(self.viewer.document_id)

    # --- producing -------------------------------------------------------------------------------------
    def produce(self) -> ProductionDialog:
        dialog = ProductionDialog(self.case, self.searchers, self.tasks, list(self.model.ids),
                                  self.result.query, self)
        dialog.finished_production.connect(
            lambda result: self.production_history.show_document(self.viewer.document_id) if result else None)
        dialog.show()
        return dialog

    def privilege_log(self) -> PrivilegeLogDialog:
        dialog = PrivilegeLogDialog(self.case, self.tasks, self)
        dialog.show()
        return dialog

    def exhibits(self) -> None:
        ids = list(self.model.ids)
        if not ids:
            self._report("List the documents to make exhibits of first (search or browse).")
            return
        dialog = ExhibitsDialog(len(ids), self)
        if dialog.exec() == ExhibitsDialog.DialogCode.Accepted:
            self.run_exhibits(ids, dialog)

    def run_exhibits(self, ids: list[int], chosen: ExhibitsDialog) -> ExhibitsProgressDialog:
        progress = ExhibitsProgressDialog(self.tasks, self.case, ids, chosen, self)
        progress.show()
        return progress

    # --- messages and closing --------------------------------------------------------------------------
    def _report(self, message: str) -> None:
        self.statusBar().showMessage(message, 8000)

    def _about(self) -> None:
        QMessageBox.about(self, "About Reviewer",
                          f"Reviewer {__version__}\nOffline evidence and discovery review.\n\n"
                          f"Case: {self.case.name}\n{self.case.location}" + (
                              f"\nShared: {self.case.db.label}, as {self.case.user}"
                              f"\nEvidence: {self.case.root}" if self.case.shared else ""))

    def closeEvent(self, event: QCloseEvent) -> None:
        """Closing never loses a write: the window stays until the write lane has run everything queued
        (long jobs are stopped, reads and renders dropped), then closes by itself. It says "Saving…" only
        when that takes more than a moment, and never spins the event loop by hand meanwhile."""
        if not self.tasks.is_closing:
            self.watcher.stop()
            if self._remember_layout:
                self._save_layout()
            self.tasks.closed.connect(self._lanes_closed)
            self.tasks.close()
        if not self.tasks.is_closed:
            event.ignore()
            if self._saving is None:
                self._saving = QProgressDialog("Saving…", "", 0, 0, self)
                self._saving.setWindowTitle("Reviewer")
                self._saving.setCancelButton(None)
                self._saving.setWindowModality(Qt.WindowModality.WindowModal)
                self._saving.setMinimumDuration(SAVING_DELAY_MS)  # shown only if closing takes a while
            return
        if self._saving is not None:
            self._saving.reset()
        if not self._released:
            self._released = True
            self.searchers.close()
            pages.close_all()
            self.case.close()
        super().closeEvent(event)

    def _lanes_closed(self) -> None:
        if self._saving is not None:  # a close request is waiting: honour it now
            self.close()


def _exclusive(*buttons: QAbstractButton) -> None:
    """Checkable buttons of which at most one is checked (unlike a QButtonGroup, none may be)."""
    def checked(chosen: QAbstractButton, on: bool) -> None:
        if on:
            for other in buttons:
                if other is not chosen:
                    other.setChecked(False)

    for button in buttons:
        button.toggled.connect(partial(checked, button))
