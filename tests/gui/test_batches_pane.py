"""The Batches pane, driven as a reviewer and a QC reviewer would: check out the next batch, code through it
in review order, check it in (asked about documents not reviewed yet), watch progress; open a QC batch,
confirm one decision, overturn another, undo the overturn."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from PySide6.QtCore import Qt
from sqlalchemy import select, update

from reviewer.core import review
from reviewer.core.case import Case
from reviewer.core.models import Document
from reviewer.core.team import batch_sets, batches, qc
from reviewer.core.team.batch_sets import COMPLETED, IN_PROGRESS, create_batch_set
from reviewer.core.team.server import os_user
from reviewer.ui.main_window import MainWindow
from tests.gui.steps import search, wait_idle


def batch_set(path: Path, size: int = 3, **options: object) -> dict[str, list[int]]:
    """Every document of the case in batches of `size`, families whole; each batch's documents in order."""
    with Case.open(path) as case:
        with case.db.reader() as session:
            everything = list(session.scalars(select(Document.id)))
        create_batch_set(case, "First pass", everything, size, prefix="FP", families=True, **options)
        return {b.name: batches.batch_document_ids(case, b.name) for b in batches.batches(case)}


def row_with(table, text: str) -> int:
    for row in range(table.rowCount()):
        if table.item(row, 0).text() == text:
            return row
    raise AssertionError(f"{text} is not listed")


def pane_idle(qtbot, window: MainWindow) -> None:
    wait_idle(qtbot, window)
    qtbot.waitUntil(lambda: window.is_idle() and window.batches_pane._state is not None)


def test_check_out_code_through_the_batch_in_order_and_check_in(qtbot, open_window, small_case):
    with Case.open(small_case) as case, case.db.session() as session:  # the newest documents are the oldest
        for doc_id in session.scalars(select(Document.id)).all():
            session.execute(update(Document).where(Document.id == doc_id)
                            .values(sent=datetime(2024, 1, 1) - timedelta(days=doc_id)))
    made = batch_set(small_case, 4, order="date")
    first = made["FP-001"]
    assert first != sorted(first)  # review order is not the control numbers' order
    window = open_window(small_case)
    pane = window.batches_pane
    pane_idle(qtbot, window)
    assert pane.all_table.rowCount() == len(made) and pane.my_table.rowCount() == 0

    qtbot.mouseClick(pane.check_out_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.is_idle() and window.result.query == "batch:FP-001"
                    and pane.my_table.rowCount() == 1)
    assert window.search_pane.box.text() == "batch:FP-001"
    assert list(window.model.ids) == first  # the batch's documents, in review order
    assert window.document_list.current_id() == first[0]
    assert pane.my_table.item(0, 1).text() == IN_PROGRESS
    assert window.coding.advance.isChecked()

    table = window.document_list.table
    table.setFocus()
    for position, doc_id in enumerate(first):
        qtbot.waitUntil(lambda doc_id=doc_id: window.is_idle()
                        and window.document_list.current_id() == doc_id)
        qtbot.keyClick(table, "4")  # Responsive, and on to the next document
        qtbot.waitUntil(lambda n=position + 1: window.is_idle()
                        and pane.my_table.item(0, 2).text() == f"{n} of {len(first)}")
    assert pane.message.text() == (f"All {len(first)} documents of FP-001 are reviewed; check it in when you "
                                   "are done.")
    pane.my_table.selectRow(0)
    qtbot.mouseClick(pane.check_in_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.is_idle() and pane.my_table.item(0, 1).text() == COMPLETED)
    assert pane.message.text() == "Checked in FP-001."
    assert pane.overall.value() == len(first)
    assert pane.reviewer_table.item(0, 0).text() == os_user()
    assert pane.reviewer_table.item(0, 2).text() == f"{len(first)} of {len(first)}"


def test_checking_in_with_documents_not_reviewed_asks_first(qtbot, open_window, small_case, monkeypatch):
    made = batch_set(small_case)
    window = open_window(small_case)
    pane = window.batches_pane
    pane_idle(qtbot, window)
    qtbot.mouseClick(pane.check_out_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.is_idle() and pane.my_table.rowCount() == 1)
    questions: list[str] = []
    answers = iter([False, True])
    monkeypatch.setattr(pane, "_ask", lambda _title, text: questions.append(text) or next(answers))
    pane.my_table.selectRow(0)
    qtbot.mouseClick(pane.check_in_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.is_idle() and len(questions) == 1)
    count = len(made["FP-001"])
    assert questions[0].startswith(f"FP-001 has {count} documents not reviewed yet")
    assert questions[0].endswith("Check FP-001 in anyway?")
    assert pane.my_table.item(0, 1).text() == IN_PROGRESS  # the answer was no
    qtbot.mouseClick(pane.check_in_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.is_idle() and pane.my_table.item(0, 1).text() == COMPLETED)
    assert len(questions) == 2


def test_an_admin_assigns_a_batch_from_the_list_of_all(qtbot, open_window, small_case, monkeypatch):
    batch_set(small_case)
    window = open_window(small_case)
    pane = window.batches_pane
    pane_idle(qtbot, window)
    pane.tabs.setCurrentIndex(1)
    pane.all_table.selectRow(row_with(pane.all_table, "FP-002"))
    monkeypatch.setattr(pane, "_ask_text", lambda _title, _label: "ana")
    qtbot.mouseClick(pane.assign_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.is_idle() and pane.all_table.item(row_with(pane.all_table, "FP-002"), 3)
                    .text() == "ana")
    assert pane.message.text() == "Assigned FP-002 to ana."
    assert pane.reviewer_table.item(0, 0).text() == "ana"


def test_qc_confirm_overturn_and_undo_in_the_pane(qtbot, open_window, small_case, monkeypatch):
    made = batch_set(small_case)
    with Case.open(small_case) as case:
        for name in made:
            batches.assign(case, name, "ana")
            review.tag_documents(case, made[name], "Responsive")
            batches.check_in(case, name)
        qc.create_qc_batch(case, "ana", count=2, seed=4)
        first, second = (d.document_id for d in qc.qc_documents(case, "QC-001"))
    window = open_window(small_case)
    pane = window.batches_pane
    pane_idle(qtbot, window)
    pane.tabs.setCurrentIndex(2)
    pane.qc_table.selectRow(0)
    qtbot.mouseClick(pane.open_qc_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.is_idle() and window.result.query == "qc:QC-001")
    assert pane.qc_box.isVisible()
    assert list(window.model.ids) == [first, second]
    assert "coded by ana as Responsive" in pane.qc_document.text()
    assert "Not decided yet" in pane.qc_document.text()

    qtbot.mouseClick(pane.confirm_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.is_idle() and window.document_list.current_id() == second)

    def decide(dialog) -> bool:
        dialog.tag_boxes["Responsive"].setChecked(False)
        dialog.tag_boxes["Not responsive"].setChecked(True)
        return True

    monkeypatch.setattr(pane, "_exec", decide)
    qtbot.mouseClick(pane.overturn_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.is_idle() and "Overturned by" in pane.qc_document.text())
    assert pane.qc_table.item(0, 2).text() == "2 of 2" and pane.qc_table.item(0, 3).text() == "1"
    with Case.open(small_case) as case:
        assert [d.decision for d in qc.qc_documents(case, "QC-001")] == ["confirmed", "overturned"]
        assert review.coding(case, second).tags == ["Not responsive"]

    window.document_list.table.setFocus()
    qtbot.keyClick(window.document_list.table, "z", Qt.KeyboardModifier.ControlModifier)
    window.document_list.select_id(second)
    qtbot.waitUntil(lambda: window.is_idle() and "Not decided yet" in pane.qc_document.text())
    with Case.open(small_case) as case:
        assert review.coding(case, second).tags == ["Responsive"]


def test_an_admin_makes_a_batch_set_from_the_current_search(qtbot, open_window, small_case, monkeypatch):
    window = open_window(small_case)
    pane = window.batches_pane
    search(qtbot, window, "is:attachment")
    hits = list(window.model.ids)
    pane_idle(qtbot, window)
    asked: list[str] = []

    def fill(dialog) -> bool:
        asked.append(dialog.query.text())
        dialog.name.setText("Attachments")
        dialog.batch_size.setValue(2)
        dialog.families.setChecked(False)
        dialog.review_tags.item(3).setCheckState(Qt.CheckState.Checked)  # Responsive
        return True

    monkeypatch.setattr(pane, "_exec", fill)
    pane.tabs.setCurrentIndex(1)
    qtbot.mouseClick(pane.new_set_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.is_idle() and pane.all_table.rowCount() == 2)
    assert asked == ["is:attachment"]
    assert pane.message.text() == f'Made the batch set "Attachments": 2 batches, {len(hits)} documents.'
    assert [pane.all_table.item(row, 0).text() for row in range(2)] == ["ATTACHMENTS-001", "ATTACHMENTS-002"]
    assert pane.set_choice.itemText(1) == "Attachments"
    with Case.open(small_case) as case:
        made = {b.name: batches.batch_document_ids(case, b.name) for b in batches.batches(case)}
        assert batch_sets.find_batch_set(case, "Attachments").review_tags == ["Responsive"]
    assert sorted(made["ATTACHMENTS-001"] + made["ATTACHMENTS-002"]) == sorted(hits)
