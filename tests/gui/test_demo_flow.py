"""The acceptance flow of `make run`: on the demo case, find the privileged memo by searching "privileged",
tag it with a key, close Reviewer, open it again and see the tag."""

from __future__ import annotations

from PySide6.QtCore import Qt

from tests.gui.steps import control_of_file, row_of_control, search

MEMO = "Memo from counsel - motion to dismiss strategy.pdf"


def test_privileged_memo_tagged_by_key_survives_a_restart(qtbot, open_window, demo_case):
    window = open_window(demo_case)
    search(qtbot, window, "privileged")
    memo = control_of_file(window, MEMO)

    table = window.document_list.table
    table.setFocus()
    window.document_list.select_row(row_of_control(window, memo))
    qtbot.waitUntil(lambda: window.is_idle() and window.viewer.is_drawn)
    assert window.viewer.display == "page"
    assert window.viewer.hit_count >= 1  # "PRIVILEGED & CONFIDENTIAL" is marked on the page

    qtbot.keyClick(table, "2")
    qtbot.waitUntil(lambda: window.is_idle() and window.coding.tag_boxes["Privileged"].isChecked())
    window.close()

    again = open_window(demo_case)
    row = row_of_control(again, memo)
    assert again.model.row_data(row).tags == ("Privileged",)
    again.document_list.select_row(row)
    qtbot.waitUntil(lambda: again.is_idle() and again.coding.heading.text() == memo)
    assert again.coding.tag_boxes["Privileged"].checkState() == Qt.CheckState.Checked
