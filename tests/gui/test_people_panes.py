"""The People pane and the Communications view on the test mail collection (tests/people_mail.py), driven
as a paralegal does: find a person, click them for their documents, merge two people and undo it; read
the graph, click a line for its messages, sort the matrix, narrow the months, see a leak in colour."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from reviewer.core.case import Case
from reviewer.core.casebuild import people_edits
from reviewer.core.casebuild.people import find_people
from reviewer.core.ingest.pipeline import IngestOptions, ingest
from reviewer.ui.models.records import RecordTableModel
from reviewer.ui.panes.communications_pane import PAIR_COLUMNS, MatrixModel
from reviewer.ui.panes.people_pane import PeopleTableModel
from reviewer.ui.widgets.flags import FLAG_COLORS
from tests.gui.steps import wait_idle
from tests.people_mail import PERSON_PAIRS, write_collection


@pytest.fixture(scope="session")
def people_case_source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = write_collection(tmp_path_factory.mktemp("people-mail"))
    root = tmp_path_factory.mktemp("people-gui") / "case"
    with Case.create(root, name="People matter") as case:
        ingest(case, [folder], IngestOptions(jobs=1))
    return root


@pytest.fixture
def people_case(people_case_source: Path, tmp_path: Path) -> Path:
    target = tmp_path / "case"
    shutil.copytree(people_case_source, target, ignore=shutil.ignore_patterns("case.lock"))
    return target


def person_id(root: Path, reference: str) -> int:
    with Case.open(root) as case, case.db.reader() as session:
        [found] = find_people(session, reference)
    return found


def row_of(pane, person: int) -> int:
    return next(row for row in range(pane.proxy.rowCount())
                if pane.proxy.index(row, 0).data(Qt.ItemDataRole.UserRole + 2) == person)


def open_people(qtbot, window):
    window.docks["people"].raise_()
    pane = window.people_pane
    qtbot.waitUntil(lambda: pane.model.rowCount() > 0 and window.is_idle(), timeout=20_000)
    return pane


def open_comms(qtbot, window):
    window.docks["comms"].raise_()
    pane = window.comms_pane
    qtbot.waitUntil(lambda: pane.data is not None and window.is_idle(), timeout=20_000)
    return pane


def test_people_pane_finds_people_and_lists_their_documents(qtbot, qtmodeltester, open_window, people_case):
    window = open_window(people_case)
    pane = open_people(qtbot, window)
    qtmodeltester.check(pane.model)
    assert pane.status.text() == f"{pane.model.rowCount()} people"
    qtbot.keyClicks(pane.find_box, "globe.example")
    assert {pane.proxy.index(r, 0).data() for r in range(pane.proxy.rowCount())} == {
        "Jane Roe", "Globe Desk", "Info"}
    pane.find_box.clear()
    lelling = person_id(people_case, "Andrew Lelling")
    row = row_of(pane, lelling)
    qtbot.mouseClick(pane.table.viewport(), Qt.MouseButton.LeftButton,
                     pos=pane.table.visualRect(pane.proxy.index(row, 0)).center())
    qtbot.waitUntil(lambda: window.result.query == f"person:{lelling}" and window.is_idle())
    assert window.model.rowCount() == 7  # six messages and the statement he wrote


def test_merging_in_the_pane_is_undone_by_ctrl_z(qtbot, open_window, people_case):
    window = open_window(people_case)
    pane = open_people(qtbot, window)
    before = pane.model.rowCount()
    roe, press = person_id(people_case, "jroe@globe.example"), person_id(people_case, "press@globe.example")
    pane.select_person(roe)  # the current row: the one that stays
    selection = pane.table.selectionModel()
    selection.select(pane.proxy.index(row_of(pane, press), 0),
                     selection.SelectionFlag.Select | selection.SelectionFlag.Rows)
    assert pane.merge_action.isEnabled()
    pane.merge_selected()
    qtbot.waitUntil(lambda: pane.model.rowCount() == before - 1 and window.is_idle())
    merged = next(p for p in pane.model.people if "press@globe.example" in p.addresses)
    assert merged.id == roe  # the current row (Roe) keeps its id
    assert window.undo_action.text().startswith("&Undo merging")
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: pane.model.rowCount() == before and window.is_idle())


def test_communications_graph_matrix_and_messages(qtbot, qtmodeltester, open_window, people_case):
    window = open_window(people_case)
    pane = open_comms(qtbot, window)
    lelling, roe = person_id(people_case, "Andrew Lelling"), person_id(people_case, "jroe@globe.example")
    assert set(pane.graph.nodes) == {node.id for node in pane.data.nodes} and len(pane.graph.edges) > 5
    qtbot.mouseClick(pane.graph.viewport(), Qt.MouseButton.LeftButton,
                     pos=pane.graph.edge_point(lelling, roe))
    qtbot.waitUntil(lambda: pane.messages.rowCount() == 4 and window.is_idle())
    subjects = {pane.messages.item(row, 2).text() for row in range(4)}
    assert subjects == {"Press release", "Embargoed", "Question", "Undated follow-up"}
    pane.messages.itemDoubleClicked.emit(pane.messages.item(0, 2))
    qtbot.waitUntil(window.is_idle)
    assert window.viewer.document_id == pane.messages.item(0, 2).data(Qt.ItemDataRole.UserRole + 2)
    qtbot.mouseClick(pane.graph.viewport(), Qt.MouseButton.LeftButton, pos=pane.graph.node_point(roe))
    qtbot.waitUntil(lambda: window.result.query == f"person:{roe}" and window.is_idle())

    qtmodeltester.check(pane.matrix)
    qtmodeltester.check(pane.pairs)
    pane.tabs.setCurrentWidget(pane.matrix_table)
    pane.matrix_table.sortByColumn(0, Qt.SortOrder.DescendingOrder)  # who sent most, first
    top_sender = pane.matrix_proxy.headerData(0, Qt.Orientation.Vertical)
    assert top_sender == "Lelling, Andrew"
    column = 1 + [n.id for n in pane.matrix.nodes].index(roe)
    pane.matrix_table.clicked.emit(pane.matrix_proxy.index(0, column))
    qtbot.waitUntil(lambda: pane.messages.rowCount() == 2 and window.is_idle())  # Lelling → Roe only
    with qtbot.waitSignal(pane.pairsListed, timeout=20_000):
        pane.tabs.setCurrentWidget(pane.pairs_tab)
    assert pane.pairs.rowCount() == len(PERSON_PAIRS)
    pane.pairs_table.sortByColumn(2, Qt.SortOrder.DescendingOrder)
    assert pane.pairs_proxy.index(0, 2).data() == "2"


def test_months_and_organisations_narrow_the_view(qtbot, open_window, people_case):
    window = open_window(people_case)
    pane = open_comms(qtbot, window)
    assert pane.range_label.text() == "All months (2019-03 – 2019-07) and undated mail"
    whole = sum(p.messages for p in pane.data.pairs)
    pane.set_month_range("2019-04", "2019-04")
    qtbot.waitUntil(lambda: pane.range_label.text() == "2019-04 – 2019-04")
    qtbot.waitUntil(lambda: window.is_idle() and sum(p.messages for p in pane.data.pairs) == 3)
    assert whole == sum(count for count, _first, _last in PERSON_PAIRS.values())
    pane.level.setCurrentIndex(1)
    qtbot.waitUntil(lambda: window.is_idle() and pane.data.level == "organisation")
    assert {(p.from_name, p.to_name): p.messages for p in pane.data.pairs} == {
        ("usao.example", "globe.example"): 2, ("usao.example", "home.example"): 1,
        ("usao.example", "fbi.example"): 1}


def test_mail_between_prosecution_and_press_is_drawn_in_the_press_colour(qtbot, open_window, people_case):
    with Case.open(people_case) as case:
        people_edits.flag_domain(case, "globe.example", "press")
        people_edits.flag_domain(case, "usao.example", "prosecution")
    window = open_window(people_case)
    pane = open_comms(qtbot, window)
    lelling, roe = person_id(people_case, "Andrew Lelling"), person_id(people_case, "jroe@globe.example")
    park = person_id(people_case, "kpark@fbi.example")
    colours = {frozenset((item.edge.a, item.edge.b)): item.pen().color().name() for item in pane.graph.edges}
    assert colours[frozenset((lelling, roe))] == QColor(FLAG_COLORS["press"]).name()
    assert colours[frozenset((lelling, park))] != QColor(FLAG_COLORS["press"]).name()
    assert pane.graph.nodes[roe].brush().color().name() == QColor(FLAG_COLORS["press"]).name()


def test_models_on_their_own(qtmodeltester) -> None:
    for model in (PeopleTableModel(), MatrixModel(), RecordTableModel(PAIR_COLUMNS)):
        qtmodeltester.check(model)


def test_window_opens_with_people_and_comms_docks_behind_the_others(qtbot, open_window, people_case):
    window = open_window(people_case)
    wait_idle(qtbot, window)
    assert window.docks["people"] in window.tabifiedDockWidgets(window.docks["browse"])
    assert window.docks["comms"] in window.tabifiedDockWidgets(window.docks["viewer"])
    assert window.comms_pane.data is None  # nothing counted until the view is shown


def test_a_case_from_before_people_is_built_when_the_pane_is_first_shown(qtbot, open_window, people_case):
    from sqlalchemy import delete

    from reviewer.core.models import CommunicationPair, PeopleSource

    with Case.open(people_case) as case, case.db.session() as session:
        session.execute(delete(PeopleSource))
        session.execute(delete(CommunicationPair))
    window = open_window(people_case)
    pane = open_people(qtbot, window)
    assert next(p for p in pane.model.people if "kpark@fbi.example" in p.addresses).received == 10
    comms = open_comms(qtbot, window)
    assert sum(p.messages for p in comms.data.pairs) == sum(n for n, _f, _l in PERSON_PAIRS.values())
