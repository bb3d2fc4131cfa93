"""The main review flow, driven as a person would: search, open, see hits, tag by key, undo, reopen."""

from __future__ import annotations

from PySide6.QtCore import Qt

from reviewer.core import review
from reviewer.core.case import Case
from tests.gui.steps import control_of_file, row_of_control, search, wait_idle


def test_search_open_tag_by_hotkey_and_see_it_after_reopening(qtbot, open_window, small_case):
    window = open_window(small_case)
    assert window.model.rowCount() == 7  # memo, email + attachment, zip + 2 members, text

    search(qtbot, window, "dismiss")
    assert window.search_pane.count.text() == "1 document matches"
    memo = control_of_file(window, "memo.pdf")
    table = window.document_list.table
    table.setFocus()
    window.document_list.select_row(row_of_control(window, memo))
    qtbot.waitUntil(lambda: window.viewer.is_drawn and window.is_idle())

    viewer = window.viewer
    assert viewer.display == "page"
    assert viewer.pages.page_count == 2
    assert viewer.hit_count == 2  # "dismiss" once on each page, drawn over the page images
    assert viewer.text.hit_count == 2  # and marked in the Text tab
    viewer.next_hit.click()
    assert viewer.hit_label.text() == "hit 1 of 2"

    qtbot.keyClick(table, "2")  # Privileged
    qtbot.waitUntil(lambda: window.is_idle() and window.coding.tag_boxes["Privileged"].isChecked())
    assert "Privileged" in window.model.row_data(table.currentIndex().row()).tags
    with Case.open(small_case) as case:
        assert review.coding(case, window.document_list.current_id()).tags == ["Privileged"]
    window.close()

    reopened = open_window(small_case)
    row = row_of_control(reopened, memo)
    assert reopened.model.row_data(row).tags == ("Privileged",)
    reopened.document_list.select_row(row)
    qtbot.waitUntil(lambda: reopened.is_idle() and reopened.coding.heading.text() == memo)
    assert reopened.coding.tag_boxes["Privileged"].checkState() == Qt.CheckState.Checked


def test_undo_takes_back_the_last_coding(qtbot, open_window, small_case):
    window = open_window(small_case)
    table = window.document_list.table
    table.setFocus()
    qtbot.keyClick(table, "1")
    qtbot.waitUntil(lambda: window.is_idle() and window.undo_action.isEnabled())
    assert window.model.row_data(0).tags == ("Bias-related",)
    assert "Bias-related" in window.undo_action.text()

    qtbot.keyClick(table, "z", Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.is_idle() and not window.undo_action.isEnabled())
    assert window.model.row_data(0).tags == ()
    assert not window.coding.tag_boxes["Bias-related"].isChecked()
    assert "Undid" in window.statusBar().currentMessage()


def test_hotkeys_apply_to_every_selected_row_and_not_while_typing(qtbot, open_window, small_case):
    window = open_window(small_case)
    table = window.document_list.table
    table.setFocus()
    table.selectAll()
    wait_idle(qtbot, window)
    assert window.coding.heading.text() == "7 selected documents"
    qtbot.keyClick(table, "3")
    qtbot.waitUntil(lambda: window.is_idle() and window.coded_label.text() == "7 coded · 0 uncoded")
    assert all("Relevant to motion to dismiss" in window.model.row_data(r).tags for r in range(7))

    window.find_action.trigger()
    assert window.search_pane.box.hasFocus()
    qtbot.keyClick(window.search_pane.box, "1")
    wait_idle(qtbot, window)
    assert window.search_pane.box.text() == "1"
    assert window.coded_label.text() == "7 coded · 0 uncoded"
    assert not any("Bias-related" in window.model.row_data(r).tags for r in range(7))


def test_next_and_previous_document_keys(qtbot, open_window, small_case):
    window = open_window(small_case)
    listing = window.document_list
    table = listing.table
    table.setFocus()
    assert table.currentIndex().row() == 0
    qtbot.keyClick(table, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: window.is_idle() and window.viewer.document_id == listing.current_id())
    assert table.currentIndex().row() == 1
    qtbot.keyClick(table, "j")
    assert table.currentIndex().row() == 2
    qtbot.keyClick(table, "k")
    qtbot.keyClick(table, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)
    assert table.currentIndex().row() == 0
    qtbot.waitUntil(lambda: window.is_idle() and window.viewer.is_drawn)
    assert window.viewer.document_id == window.model.id_at(0)


def test_advance_after_coding_moves_to_the_next_document(qtbot, open_window, small_case):
    window = open_window(small_case)
    window.coding.advance.setChecked(True)
    table = window.document_list.table
    table.setFocus()
    qtbot.keyClick(table, "6")
    qtbot.waitUntil(lambda: window.is_idle() and table.currentIndex().row() == 1)
    assert window.model.row_data(0).tags == ("Hot",)
    assert window.model.row_data(1).tags == ()


def test_family_tab_opens_the_attachment(qtbot, open_window, small_case):
    window = open_window(small_case)
    search(qtbot, window, "subject:warrant")
    window.document_list.select_row(0)
    qtbot.waitUntil(lambda: window.is_idle() and window.viewer.is_drawn)
    family = window.viewer.family
    assert family.topLevelItemCount() == 1
    parent = family.topLevelItem(0)
    assert parent.childCount() == 1
    attachment = parent.child(0)
    assert attachment.text(1) == "return.pdf"

    control = attachment.text(0)
    window.viewer.tabs.setCurrentWidget(family)
    where = family.visualItemRect(attachment).center()
    qtbot.mouseClick(family.viewport(), Qt.MouseButton.LeftButton, pos=where)
    qtbot.waitUntil(lambda: window.is_idle() and window.viewer.is_drawn)
    assert window.viewer.title.text().startswith(control)
    assert window.viewer.display == "page"
    # The attachment is not in the "subject:warrant" result, so the list keeps its place.
    assert window.document_list.current_id() == window.model.id_at(0)
