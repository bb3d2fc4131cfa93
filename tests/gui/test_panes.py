"""Each pane on a real case: the table model, browse facets, search errors and history, the viewer's
rendering and zoom, the coding pane's privilege and notes, and the window's remembered layout."""

from __future__ import annotations

import threading

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTextBrowser

from reviewer.core import browse, review
from reviewer.core.case import Case
from reviewer.ui.models.document_table import COLUMNS, ID_ROLE, DocumentTableModel
from tests.gui.steps import control_of_file, row_of_control, search, wait_idle


def test_document_table_model_loads_only_the_pages_it_shows(qtmodeltester, small_case):
    with Case.open(small_case) as case:
        ids = browse.ordered_ids(case)
        loaded: list[list[int]] = []

        def load(page: list[int]) -> list[browse.DocumentRow]:
            loaded.append(list(page))
            return browse.document_rows(case, page)

        model = DocumentTableModel(load)
        model.set_ids(ids)
        qtmodeltester.check(model)
        assert model.data(model.index(0, 0), ID_ROLE) == ids[0]
        assert model.data(model.index(0, 0)) == "DOC-000001"
        assert all(page == ids for page in loaded)  # one page holds the whole small case

        asked: list[int] = []
        big = DocumentTableModel(lambda page: asked.extend(page) or [])
        big.set_ids(list(range(1, 150_001)))
        assert big.rowCount() == 150_000
        big.data(big.index(120_345, 0))
        assert len(asked) == 200 and 120_346 in asked  # one page around the row, nothing else


def test_sorting_a_column_orders_the_list_in_the_database(qtbot, open_window, small_case):
    window = open_window(small_case)
    header = window.document_list.table.horizontalHeader()
    subject_column = [c.key for c in COLUMNS].index("subject")
    with qtbot.waitSignal(window.result.changed):
        header.setSortIndicator(subject_column, Qt.SortOrder.DescendingOrder)
    subjects = [window.model.row_data(r).subject.casefold() for r in range(window.model.rowCount())]
    assert subjects == sorted(subjects, reverse=True)


def test_browse_pane_counts_and_filters(qtbot, open_window, small_case):
    window = open_window(small_case)
    pane = window.browse_pane
    kinds = pane.section("kind")
    by_label = {kinds.child(i).text(0): kinds.child(i) for i in range(kinds.childCount())}
    assert by_label["pdf"].text(1) == "2"  # the memo and the email's attachment
    qtbot.mouseClick(pane.tree.viewport(), Qt.MouseButton.LeftButton,
                     pos=pane.tree.visualItemRect(by_label["pdf"]).center())
    qtbot.waitUntil(lambda: window.is_idle() and window.model.rowCount() == 2)
    assert pane.clear.isVisible()
    pane.clear.click()
    qtbot.waitUntil(lambda: window.is_idle() and window.model.rowCount() == 7)

    qtbot.mouseClick(pane.dates, Qt.MouseButton.LeftButton, pos=pane.dates.bar_rect(0).center())
    qtbot.waitUntil(lambda: window.is_idle() and window.result.browse.period is not None)
    assert 0 < window.model.rowCount() < 7
    pane.clear.click()
    qtbot.waitUntil(lambda: window.is_idle() and window.model.rowCount() == 7)

    search(qtbot, window, "warrant")
    custodians = pane.section("custodian")
    assert custodians.child(0).text(0) == "okafor-d"
    assert custodians.child(0).text(1) == window.search_pane.count.text().split()[0]


def test_a_new_result_is_listed_before_its_counts_are_worked_out(qtbot, open_window, small_case, monkeypatch):
    window = open_window(small_case)
    custodians = window.browse_pane.section("custodian")
    whole_case = {custodians.child(i).text(0) for i in range(custodians.childCount())}
    counting = threading.Event()
    release = threading.Event()
    count_facets = browse.facets

    def slow_facets(case, ids=None):  # the counts of a million documents: seconds
        counting.set()
        assert release.wait(10)
        return count_facets(case, ids)

    monkeypatch.setattr(browse, "facets", slow_facets)
    box = window.search_pane.box
    qtbot.keyClicks(box, "grudge")
    qtbot.keyClick(box, "\r")
    qtbot.waitUntil(lambda: window.model.rowCount() == 1 and counting.is_set())
    assert window.hits_label.text() == "1 documents match · 1 listed"
    assert {custodians.child(i).text(0) for i in range(custodians.childCount())} == whole_case
    release.set()
    wait_idle(qtbot, window)
    custodians = window.browse_pane.section("custodian")
    assert custodians.childCount() == 1 and custodians.child(0).text(1) == "1"


def test_search_errors_show_inline_and_history_and_saved_searches(qtbot, open_window, small_case):
    window = open_window(small_case)
    pane = window.search_pane
    search(qtbot, window, 'warrant w/')
    assert pane.error.isVisible() and pane.error.text()
    assert pane.box.property("invalid") is True
    assert window.model.rowCount() == 7  # the list is left as it was
    qtbot.keyClicks(pane.box, "5 return")
    assert not pane.error.isVisible()

    search(qtbot, window, "grudge")
    assert window.model.rowCount() == 1
    assert "grudge" in [a.text() for a in pane.history_menu.actions()]
    with qtbot.waitSignal(window.result.countsChanged):
        pane.saveRequested.emit("Grudge", "grudge")
    saved = window.browse_pane.section("saved")
    assert saved.child(0).text(0) == "Grudge" and saved.child(0).text(1) == "1"
    assert "Grudge" in [a.text() for a in pane.saved_menu.actions()]
    pane.help_button.click()
    assert pane.findChild(QTextBrowser, "syntaxHelp").toPlainText().startswith("SEARCH SYNTAX")


def test_viewer_renders_pages_and_zooms(qtbot, open_window, small_case):
    window = open_window(small_case)
    search(qtbot, window, "warrant")
    memo = control_of_file(window, "memo.pdf")
    window.document_list.select_row(row_of_control(window, memo))
    qtbot.waitUntil(lambda: window.is_idle() and window.viewer.is_drawn)
    pages = window.viewer.pages
    assert pages.rendered_pages and all(not image.isNull() for image in pages.rendered_pages.values())
    fitted = pages.zoom
    window.viewer.zoom_in.click()
    wait_idle(qtbot, window)
    assert pages.zoom > fitted and window.viewer.zoom_label.text() == f"{pages.zoom * 100:.0f} %"
    window.viewer.fit.click()
    wait_idle(qtbot, window)
    assert abs(pages.zoom - fitted) < 1e-6
    assert window.viewer.metadata.topLevelItemCount() > 5


def test_viewer_shows_emails_with_their_header_block(qtbot, open_window, small_case):
    window = open_window(small_case)
    search(qtbot, window, "warrant")
    window.document_list.select_row(row_of_control(window, control_of_file(window, "mail.eml")))
    qtbot.waitUntil(lambda: window.is_idle() and window.viewer.is_drawn)
    viewer = window.viewer
    assert viewer.display == "email"
    assert viewer.stack.currentWidget() is viewer.document_text
    assert viewer.document_text.toPlainText().startswith("From: Marcus Reyes")
    first = viewer.document_text.document().firstBlock()
    assert first.blockFormat().background().style() != Qt.BrushStyle.NoBrush
    assert viewer.hit_count == 2  # in the Subject line and in the body


def test_coding_pane_privilege_notes_and_history(qtbot, open_window, small_case):
    window = open_window(small_case)
    coding = window.coding
    coding.basis.setCurrentText("Work Product")
    coding.description.setText("Counsel's analysis")
    coding.save_privilege.click()
    qtbot.waitUntil(lambda: window.is_idle() and coding.tag_boxes["Privileged"].isChecked())
    qtbot.keyClicks(coding.note_text, "Check the date")
    coding.add_note.click()
    qtbot.waitUntil(lambda: window.is_idle() and coding.notes.count() == 1)
    assert coding.notes.item(0).text().startswith("Check the date")
    history = window.viewer.history
    assert history.topLevelItemCount() >= 3  # privilege, tag, note
    with Case.open(small_case) as case:
        coded = review.coding(case, window.document_list.current_id())
    assert (coded.privilege_basis, coded.privilege_description) == ("Work Product", "Counsel's analysis")


def test_layout_and_columns_are_remembered(qtbot, open_window, small_case):
    window = open_window(small_case)
    window.docks["browse"].hide()
    chooser = {action.text(): action for action in window.document_list.column_menu().actions()}
    assert not chooser["Control no."].isEnabled()
    chooser["Date"].setChecked(False)
    window.close()
    again = open_window(small_case)
    assert not again.docks["browse"].isVisible()
    assert again.document_list.table.horizontalHeader().isSectionHidden(1)
    again.reset_layout()
    assert again.docks["browse"].isVisible()
