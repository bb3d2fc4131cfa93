"""Producing from the desktop: the wizard (live prefix check, preview with QC, background production with
an Open folder button), the viewer's production history, the privilege log dialog and drawn redactions."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint, QRect, Qt, QUrl

from reviewer.core import browse, review
from reviewer.core.case import Case
from reviewer.core.produce import privlog, redact
from reviewer.core.produce.production import ProductionSettings, produce
from reviewer.ui.dialogs.privilege_log import PrivilegeLogDialog
from reviewer.ui.dialogs.production import ProductionDialog


def _wizard(qtbot, window) -> ProductionDialog:
    case_menu = window.menuBar().actions()[0].menu()
    assert window.produce_action in case_menu.actions()
    dialog = window.produce()
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: window.tasks.pending == 0)
    return dialog


def test_the_wizard_checks_the_prefix_previews_and_produces(qtbot, open_window, small_case, tmp_path):
    window = open_window(small_case)
    dialog = _wizard(qtbot, window)
    assert not dialog.next_button.isEnabled()
    qtbot.keyClicks(dialog.name, "First production")
    qtbot.keyClicks(dialog.prefix, "DEF 1-")
    assert "space" in dialog.prefix_problem.text() and not dialog.next_button.isEnabled()
    dialog.prefix.clear()
    qtbot.keyClicks(dialog.prefix, "DEF-")
    dialog.prefix.editingFinished.emit()
    qtbot.waitUntil(lambda: window.tasks.pending == 0)
    assert dialog.prefix_problem.text() == "" and dialog.start.value() == 1
    dialog.out_dir.setText(str(tmp_path / "out"))
    dialog.endorsement.setText("CONFIDENTIAL")
    assert dialog.next_button.isEnabled()

    with qtbot.waitSignal(dialog.previewed, timeout=15_000):
        dialog.next_button.click()
    assert dialog.treatments.topLevelItemCount() >= 4
    assert dialog.issues.count() == 0 and dialog.next_button.text() == "Produce"
    assert dialog.next_button.isEnabled()

    with qtbot.waitSignal(dialog.finished_production, timeout=30_000) as finished:
        dialog.next_button.click()
    result = finished.args[0]
    assert result is not None and result.first_bates == "DEF-00000001"
    assert (tmp_path / "out" / "VOL001").is_dir()
    assert dialog.open_folder.isVisibleTo(dialog) and dialog.close_button.text() == "Close"
    opened: list[QUrl] = []
    dialog.open_url = opened.append
    dialog.open_folder.click()
    assert opened == [QUrl.fromLocalFile(str(Path(result.volume_dir)))]
    qtbot.waitUntil(lambda: window.tasks.pending == 0)


def test_quality_control_problems_are_listed_and_block_producing(qtbot, open_window, small_case, tmp_path):
    window = open_window(small_case)
    out = tmp_path / "out"
    (out / "VOL001").mkdir(parents=True)
    (out / "VOL001" / "stray.txt").write_text("x")
    dialog = _wizard(qtbot, window)
    dialog.name.setText("Blocked")
    dialog.prefix.setText("ABC-")
    dialog.out_dir.setText(str(out))
    with qtbot.waitSignal(dialog.previewed, timeout=15_000):
        dialog.next_button.click()
    assert dialog.issues.count() == 1 and "not empty" in dialog.issues.item(0).text()
    assert dialog.issues.isVisibleTo(dialog) and not dialog.next_button.isEnabled()
    dialog.back_button.click()
    assert dialog.pages.currentIndex() == 0 and dialog.next_button.isEnabled()


def _produce_with_privilege(case_path: Path, out: Path) -> int:
    """Mark the memo privileged (withheld) and produce everything; the memo's id."""
    with Case.open(case_path) as case:
        review.ensure_default_tags(case)
        ids = browse.ordered_ids(case)
        memo = next(i for i in ids
                    if dict(browse.document_detail(case, i).metadata).get("File name") == "memo.pdf")
        review.set_privilege(case, [memo], "Attorney-Client")
        produce(case, ids, ProductionSettings(name="Vol one", prefix="GOV-", out_dir=out))
    return memo


def test_the_viewer_shows_a_documents_production_history(qtbot, open_window, small_case, tmp_path):
    memo = _produce_with_privilege(small_case, tmp_path / "out")
    window = open_window(small_case)
    history = window.production_history
    assert window.viewer.tabs.indexOf(history) >= 0
    with qtbot.waitSignal(history.loaded, timeout=10_000, check_params_cb=lambda i: i == memo):
        window.open_document(memo)
    assert history.topLevelItemCount() == 1
    item = history.topLevelItem(0)
    assert item.text(0) == "Vol one" and item.text(1) == "VOL001"
    assert item.text(5) == "Withheld - Privileged" and item.text(3).startswith("GOV-")
    qtbot.waitUntil(window.is_idle)


def test_the_privilege_log_lists_rows_and_exports(qtbot, open_window, small_case, tmp_path):
    _produce_with_privilege(small_case, tmp_path / "out")
    window = open_window(small_case)
    assert window.privilege_log_action in window.menuBar().actions()[0].menu().actions()
    dialog = window.privilege_log()
    qtbot.addWidget(dialog)
    assert isinstance(dialog, PrivilegeLogDialog)
    qtbot.waitUntil(lambda: dialog.production.count() == 2 and dialog.export_button.isEnabled())
    headers = [dialog.table.horizontalHeaderItem(c).text() for c in range(dialog.table.columnCount())]
    assert headers == list(privlog.COLUMNS)
    assert dialog.table.rowCount() == 1
    assert dialog.table.item(0, privlog.COLUMNS.index("Treatment")).text() == "Withheld"
    assert dialog.table.item(0, privlog.COLUMNS.index("Privilege Basis")).text() == "Attorney-Client"
    for name in ("log.csv", "log.xlsx"):
        with qtbot.waitSignal(dialog.exported, timeout=10_000) as done:
            dialog.export(tmp_path / name)
        assert done.args[0] == tmp_path / name and (tmp_path / name).stat().st_size > 0
    assert "Log No." in (tmp_path / "log.csv").read_text(encoding="utf-8-sig")
    with qtbot.waitSignal(dialog.exported, timeout=10_000) as done:
        dialog.export(tmp_path / "log.txt")
    assert done.args[0] is None and ".csv or .xlsx" in dialog.status.text()


def test_dragging_on_a_pdf_page_stores_a_redaction_and_draws_it(qtbot, open_window, small_case):
    window = open_window(small_case)
    tool = window.redaction
    with Case.open(small_case) as case:
        memo = next(i for i in browse.ordered_ids(case)
                    if dict(browse.document_detail(case, i).metadata).get("File name") == "memo.pdf")
    with qtbot.waitSignal(tool.marksLoaded, timeout=10_000, check_params_cb=lambda i: i == memo):
        window.open_document(memo)
    assert tool.redact_button.isEnabled() and tool.marks == []
    tool.redact_button.setChecked(True)
    tool.reason.setCurrentText("PII")

    view, overlay = window.viewer.pages, tool.overlay
    page = view.page_rect(0)
    zoom = view.zoom
    start = page.topLeft() + QPoint(round(72 * zoom), round(100 * zoom))
    end = page.topLeft() + QPoint(round(300 * zoom), round(140 * zoom))
    qtbot.mousePress(overlay, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(overlay, pos=end)
    with qtbot.waitSignal(tool.stored, timeout=10_000):
        qtbot.mouseRelease(overlay, Qt.MouseButton.LeftButton, pos=end)

    with Case.open(small_case) as case:
        marks = redact.document_marks(case, memo)
    assert len(marks) == 1 and marks[0].page == 1 and marks[0].reason == "PII"
    x0, y0, x1, y1 = marks[0].rect
    for got, wanted in ((x0, 72), (y0, 100), (x1, 300), (y1, 140)):
        assert abs(got - wanted) < 2
    assert [m.id for m in tool.marks] == [marks[0].id]
    box = overlay.box_rect(tool.marks[0])
    assert box is not None and box.contains(QRect(start, end).center())
    pixel = view.widget().grab().toImage().pixelColor(box.center())
    assert pixel.lightness() < 128  # the page is white; the box is drawn dark over it
    qtbot.waitUntil(window.is_idle)


def test_stopping_a_production_writes_nothing(qtbot, open_window, small_case, tmp_path):
    window = open_window(small_case)
    dialog = _wizard(qtbot, window)
    dialog.name.setText("Stopped")
    dialog.prefix.setText("STP-")
    dialog.out_dir.setText(str(tmp_path / "out"))
    with qtbot.waitSignal(dialog.previewed, timeout=15_000):
        dialog.next_button.click()
    with qtbot.waitSignal(dialog.finished_production, timeout=30_000) as finished:
        dialog.next_button.click()
        assert dialog.running and dialog.close_button.text() == "Stop"
        dialog.reject()  # what Stop and Escape do
        assert dialog.stage.text() == "Stopping…" and not dialog.close_button.isEnabled()
    assert finished.args[0] is None and dialog.stage.text() == "Stopped; nothing was written."
    assert not (tmp_path / "out" / "VOL001").exists()
    assert dialog.close_button.text() == "Close" and dialog.close_button.isEnabled()
