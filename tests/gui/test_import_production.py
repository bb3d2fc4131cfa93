"""Importing a production from the desktop: the dialog's preview, detected settings and field mapping,
the background import with its validation report, and Go to Bates opening the viewer at the page."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QDesktopServices

from reviewer.ui.dialogs.import_production import NOT_MAPPED, ImportProductionDialog
from tests.integration.test_import_production import make_volume


def _dialog(qtbot, window, volume: Path) -> ImportProductionDialog:
    dialog = ImportProductionDialog(window.tasks, window)
    qtbot.addWidget(dialog)
    assert not dialog.import_button.isEnabled()
    with qtbot.waitSignal(dialog.planned, timeout=10_000):
        dialog.set_volume(volume)
    return dialog


def test_the_dialog_previews_the_volume_then_imports_it_and_shows_the_report(qtbot, open_window, small_case,
                                                                             tmp_path):
    window = open_window(small_case)
    volume = make_volume(tmp_path / "VOL001")
    (volume / "IMAGES" / "DEF00000004.pdf").unlink()  # one row will fail: its only page is missing
    dialog = _dialog(qtbot, window, volume)

    assert dialog.import_button.isEnabled()
    assert "3 documents in VOL001.dat" in dialog.status.text()
    assert dialog.preview.rowCount() == 3 and dialog.preview.item(0, 0).text() == "DEF00000001"
    settings = {dialog.settings.topLevelItem(i).text(0): dialog.settings.topLevelItem(i).text(1)
                for i in range(dialog.settings.topLevelItemCount())}
    assert settings["Encoding"] == "UTF-8 with byte-order mark"
    assert settings["Delimiter"] == "0x14 (Concordance)"
    assert dialog._choosers["BEGBATES"].currentText() == "BEGBATES"
    assert dialog._choosers["AUTHOR"].currentText() == NOT_MAPPED
    dialog._choosers["AUTHOR"].setCurrentText("CONFIDENTIALITY")  # the user maps a field by hand
    dialog.custodian.setText("Government")
    dialog.ocr.setChecked(False)
    assert dialog.options().mapping["AUTHOR"] == "CONFIDENTIALITY"

    progress = window.run_import(dialog)
    qtbot.addWidget(progress)
    with qtbot.waitSignal(progress.finished_import, timeout=30_000) as finished:
        pass
    report = finished.args[0]
    assert report.added == 2
    assert progress.report.isVisible() and progress.report.topLevelItemCount() == 1
    assert progress.report.topLevelItem(0).text(1) == "DEF00000004"
    assert "saved to" in progress.counts.text() and progress.cancel_button.text() == "Close"
    qtbot.waitUntil(lambda: window.is_idle() and window.model.rowCount() == 9)


def test_a_folder_without_a_dat_says_so_and_cannot_be_imported(qtbot, open_window, small_case, tmp_path):
    window = open_window(small_case)
    empty = tmp_path / "empty"
    empty.mkdir()
    dialog = _dialog(qtbot, window, empty)
    assert "No .dat file" in dialog.status.text()
    assert not dialog.import_button.isEnabled()


def test_go_to_bates_opens_the_document_at_that_page_and_its_native_opens(qtbot, open_window, small_case,
                                                                          tmp_path, monkeypatch):
    window = open_window(small_case)
    volume = make_volume(tmp_path / "VOL001")
    dialog = _dialog(qtbot, window, volume)
    dialog.ocr.setChecked(False)
    progress = window.run_import(dialog)
    qtbot.addWidget(progress)
    with qtbot.waitSignal(progress.finished_import, timeout=30_000):
        pass
    qtbot.waitUntil(lambda: window.is_idle() and window.model.rowCount() == 10)
    progress.accept()

    qtbot.keyClicks(window.bates_box, "DEF00000002")
    qtbot.keyClick(window.bates_box, Qt.Key.Key_Return)
    pages = window.viewer.pages
    # Page 2 scrolled up as far as it goes (to the top when the document is long enough).
    qtbot.waitUntil(lambda: window.viewer.title.text().startswith("DEF00000001")
                    and pages.verticalScrollBar().value() > 0 and 1 in pages.pages_in_view, timeout=10_000)
    assert "page 2 of DEF00000001" in window.statusBar().currentMessage()

    assert not window.viewer.open_native.isVisible()  # the email came without a native

    opened: list[Path] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(Path(url.toLocalFile())))
    window.bates_box.clear()
    qtbot.keyClicks(window.bates_box, "DEF00000003")
    qtbot.keyClick(window.bates_box, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.viewer.open_native.isVisible())
    window.viewer.open_native.click()
    qtbot.waitUntil(lambda: bool(opened))
    assert opened[0].name == "DEF00000003.xlsx" and opened[0].read_bytes().startswith(b"PK")

    window.bates_box.clear()
    qtbot.keyClicks(window.bates_box, "NOPE0001")
    qtbot.keyClick(window.bates_box, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "NOPE0001" in window.statusBar().currentMessage())


def test_searching_for_one_bates_number_opens_its_page(qtbot, open_window, small_case, tmp_path):
    window = open_window(small_case)
    dialog = _dialog(qtbot, window, make_volume(tmp_path / "VOL001"))
    dialog.ocr.setChecked(False)
    progress = window.run_import(dialog)
    qtbot.addWidget(progress)
    with qtbot.waitSignal(progress.finished_import, timeout=30_000):
        pass
    progress.accept()
    qtbot.waitUntil(window.is_idle)

    window.search("bates:DEF00000002")
    pages = window.viewer.pages
    qtbot.waitUntil(lambda: window.model.rowCount() == 1
                    and window.viewer.title.text().startswith("DEF00000001")
                    and pages.verticalScrollBar().value() > 0 and 1 in pages.pages_in_view, timeout=10_000)
