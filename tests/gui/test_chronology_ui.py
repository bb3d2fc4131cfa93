"""The motion-building panes on a real case: the issue tree edited in place, highlights made in the email
view and by dragging on a PDF page (drawn in their issue's colour), the Highlights pane's one-key fact, and
the Chronology pane (date order, edits in place, filters, a source opening its page), each undone."""

from __future__ import annotations

from pathlib import Path

import pymupdf
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QTextCursor

from reviewer.core.case import Case
from reviewer.core.casebuild import facts, highlights, issues
from reviewer.core.models import Document
from reviewer.ui.dialogs.exhibits import ExhibitsDialog
from reviewer.ui.main_window import MainWindow
from reviewer.ui.models.fact_table import COLUMNS, FactTableModel
from tests.gui.steps import wait_idle

TOLERANCE = 2.0


def ids_by_name(path: Path) -> dict[str, int]:
    with Case.open(path) as case, case.db.reader() as session:
        return {d.file_name: d.id for d in session.query(Document)}


def show(qtbot, window: MainWindow, doc_id: int) -> None:
    """Show a document in the viewer and wait until its highlights are drawn."""
    if window.viewer.document_id != doc_id:
        with qtbot.waitSignal(window.highlighting.marksLoaded, timeout=10_000,
                              check_params_cb=lambda i: i == doc_id):
            window.open_document(doc_id)
    wait_idle(qtbot, window)


def tick_issue(window: MainWindow, number: str) -> None:
    for action in window.highlighting.issues.menu_of_issues.actions():
        if action.text().strip().startswith(number + " "):
            action.setChecked(True)


def test_the_issue_tree_is_edited_in_place_and_undone(qtbot, open_window, matter_case):
    window = open_window(matter_case)
    pane = window.issues_pane
    qtbot.waitUntil(lambda: pane.tree.topLevelItemCount() == 3)
    pane.name.setText("Leak to the Gazette")
    pane.tree.setCurrentItem(pane.item_of(pane.issues[1].id))
    pane.actions_by_key["add-sub"].trigger()
    qtbot.waitUntil(lambda: [i.label for i in pane.issues][1:3] == ["2 Improper disclosures to the press",
                                                                    "2.1 Leak to the Gazette"])
    gazette = pane.item_of(pane.issues[2].id)
    assert gazette is not None and gazette.parent() is not None
    gazette.setText(0, "2.1 Leak to the Westmarch Gazette")  # as an edit in place ends
    qtbot.waitUntil(lambda: any(i.name == "Leak to the Westmarch Gazette" for i in pane.issues))
    pane.tree.setCurrentItem(pane.item_of(pane.issues[0].id))
    pane.actions_by_key["down"].trigger()
    qtbot.waitUntil(lambda: pane.issues[0].name == "Improper disclosures to the press")
    pane.tree.setCurrentItem(pane.item_of(pane.issues[0].id))
    pane.delete()
    qtbot.waitUntil(lambda: [i.label for i in pane.issues] == ["1 Bias of the prosecution",
                                                               "2 Grounds for the motion to dismiss"])
    for _ in range(3):
        window.undo()
        wait_idle(qtbot, window)
    qtbot.waitUntil(lambda: [i.label for i in pane.issues] == [
        "1 Bias of the prosecution", "2 Improper disclosures to the press", "2.1 Leak to the Gazette",
        "3 Grounds for the motion to dismiss"])


def test_text_selected_in_the_email_view_becomes_a_highlight_in_its_issue_colour(qtbot, open_window,
                                                                                 matter_case):
    window = open_window(matter_case)
    tip = ids_by_name(matter_case)["tip.eml"]
    show(qtbot, window, tip)
    tool, view = window.highlighting, window.viewer.document_text
    assert window.viewer.display == "email"
    tick_issue(window, "2")
    tool.comment.setText("the leak")
    text = view.toPlainText()
    start = text.index("the indictment is sealed")
    cursor = view.textCursor()
    cursor.setPosition(start)
    cursor.setPosition(start + len("the indictment is sealed until Friday"), QTextCursor.MoveMode.KeepAnchor)
    view.setTextCursor(cursor)
    with qtbot.waitSignal(tool.stored, timeout=10_000) as stored:
        qtbot.mouseClick(tool.highlight_button, Qt.MouseButton.LeftButton)
    made = stored.args[0]
    assert (made.text, made.issues, made.comment) == ("the indictment is sealed until Friday",
                                                      ("Improper disclosures to the press",), "the leak")
    qtbot.waitUntil(lambda: len(view.extraSelections()) == 1)
    drawn = view.extraSelections()[0]
    assert drawn.cursor.selectedText() == "the indictment is sealed until Friday"
    assert drawn.format.background().color().rgb() == QColor("#ff7f0e").rgb()
    qtbot.waitUntil(lambda: window.highlights_pane.list.topLevelItemCount() == 1)


def test_a_box_dragged_on_a_pdf_page_highlights_the_words_under_it(qtbot, open_window, matter_case):
    window = open_window(matter_case)
    memo = ids_by_name(matter_case)["memo.pdf"]
    show(qtbot, window, memo)
    tool = window.highlighting
    assert tool.box_button.isEnabled()
    tool.box_button.setChecked(True)
    assert not window.redaction.redact_button.isChecked()
    with Case.open(matter_case) as case, case.db.reader() as session:
        document = session.get(Document, memo)
        assert document is not None
        with pymupdf.open(case.natives.path_for(document.sha256)) as pdf:
            words = pdf[0].search_for("The prosecutor had a long-running feud")[0]
    box = tool.overlay.rect_on_canvas(1, tuple(words))
    assert box is not None
    start, end = box.topLeft() - QPoint(4, 4), box.bottomRight() + QPoint(4, 4)
    qtbot.mousePress(tool.overlay, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(tool.overlay, pos=end)
    with qtbot.waitSignal(tool.stored, timeout=10_000) as stored:
        qtbot.mouseRelease(tool.overlay, Qt.MouseButton.LeftButton, pos=end)
    made = stored.args[0]
    assert made.text == "The prosecutor had a long-running feud" and made.page == 1
    [(page, *rect)] = made.rects
    assert page == 1 and all(abs(a - b) <= TOLERANCE for a, b in zip(rect, tuple(words), strict=True))
    qtbot.waitUntil(lambda: [m.id for m in tool.overlay.marks] == [made.id])
    wait_idle(qtbot, window)
    drawn = tool.overlay.rect_on_canvas(1, tuple(rect))
    assert drawn is not None
    canvas = window.viewer.pages.widget().grab().toImage()
    pixel = canvas.pixelColor(drawn.left() + 1, drawn.center().y())
    assert pixel.blue() < 200  # the page is white; the highlight tints it with the (no-issue) yellow


def test_f_makes_a_fact_and_the_chronology_shows_edits_filters_and_opens_sources(qtbot, open_window,
                                                                                 matter_case):
    ids = ids_by_name(matter_case)
    with Case.open(matter_case) as case:
        placement = highlights.place_phrase(case, ids["memo.pdf"], "sealed indictment")[0]
        marked = highlights.add_highlight(case, placement, ["2"])
        facts.add_fact(case, "2020", "The feud begins", issues=["1"], key=True)
        facts.add_fact(case, "", "Undated rumour")
    window = open_window(matter_case)
    pane, chronology = window.highlights_pane, window.chronology
    qtbot.waitUntil(lambda: pane.list.topLevelItemCount() == 1)
    pane.list.setCurrentItem(pane.list.topLevelItem(0))
    pane.list.topLevelItem(0).setSelected(True)
    pane.list.setFocus()
    pane.make_facts()
    qtbot.waitUntil(lambda: chronology.model.rowCount() == 3, timeout=10_000)
    model = chronology.model
    assert [model.fact(r).date for r in range(3)] == ["2020", "", ""]
    assert {model.fact(r).text for r in range(1, 3)} == {"sealed indictment", "Undated rumour"}

    row = next(r for r in range(3) if model.fact(r).text == "sealed indictment")
    date_column = [c.key for c in COLUMNS].index("date")
    model.setData(model.index(row, date_column), "2019-06")  # as the date editor commits
    qtbot.waitUntil(lambda: model.rowCount() == 3 and model.fact(0).text == "sealed indictment")
    assert model.fact(0).date == "2019-06"
    model.setData(model.index(0, date_column), "the spring")
    qtbot.waitUntil(lambda: "not a date" in chronology.status.text())

    chronology.key_only.setChecked(True)
    qtbot.waitUntil(lambda: [model.fact(r).text for r in range(model.rowCount())] == ["The feud begins"])
    chronology.key_only.setChecked(False)
    chronology.issue_filter.setCurrentIndex(chronology.issue_filter.findData(
        next(i.id for i in chronology._issues if i.number == "2")))
    qtbot.waitUntil(lambda: [model.fact(r).text for r in range(model.rowCount())] == ["sealed indictment"])

    chronology.table.selectRow(0)
    qtbot.waitUntil(lambda: chronology.sources.count() == 1)
    assert chronology.sources.item(0).text().startswith("DOC-000001 at 1")
    show(qtbot, window, ids["tip.eml"])
    chronology.sources.itemClicked.emit(chronology.sources.item(0))
    qtbot.waitUntil(lambda: window.viewer.document_id == ids["memo.pdf"] and window.viewer.is_drawn
                    and window.highlighting.overlay.focused == marked.id, timeout=10_000)
    assert [m.id for m in window.highlighting.overlay.marks] == [marked.id]

    window.undo()  # the date edit
    qtbot.waitUntil(lambda: model.rowCount() == 1 and model.fact(0).date == "")


def test_the_fact_table_model_passes_qt_checks(qtmodeltester, matter_case):
    with Case.open(matter_case) as case:
        facts.add_fact(case, "~2021-06", "One", key=True)
        facts.add_fact(case, "2021", "Two", status="unsure")
        found = facts.list_facts(case)
        assert [i.name for i in issues.list_issues(case)][0] == "Bias of the prosecution"
    model = FactTableModel()
    model.set_facts(found)
    qtmodeltester.check(model)
    edits: list[tuple[int, str, object]] = []
    model.editRequested.connect(lambda *args: edits.append(args))
    key_column = [c.key for c in COLUMNS].index("key")
    assert model.data(model.index(0, key_column), Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Unchecked
    model.setData(model.index(0, key_column), Qt.CheckState.Checked.value, Qt.ItemDataRole.CheckStateRole)
    assert edits == [(found[0].id, "key", True)]
    model.sort(0, Qt.SortOrder.DescendingOrder)
    assert [model.fact(r).text for r in range(2)] == ["One", "Two"]


def test_the_listed_documents_become_an_exhibit_binder(qtbot, open_window, matter_case, tmp_path):
    window = open_window(matter_case)
    ids = list(window.model.ids)
    chosen = ExhibitsDialog(len(ids), window)
    chosen.start.setValue(12)
    chosen.path.setText(str(tmp_path / "binder.pdf"))
    progress = window.run_exhibits(ids, chosen)
    with qtbot.waitSignal(progress.finished_exhibits, timeout=60_000) as finished:
        pass
    done = finished.args[0]
    assert done is not None and (done.first, done.last) == (12, 14)
    with pymupdf.open(tmp_path / "binder.pdf") as pdf:
        assert pdf.page_count == done.pages == 1 + 4  # the index, the memo's two pages, the email, the note
        assert "Exhibit 12" in pdf[1].get_text()
    assert "Wrote the exhibit binder (Exhibits 12–14" in progress.outcome.text()
    progress.accept()
