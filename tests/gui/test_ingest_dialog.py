"""Adding documents from the desktop: the dialog, the background ingest with its progress, cancelling it,
and the exceptions report at the end."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QDialogButtonBox

from reviewer.ui.dialogs.ingest import AddDocumentsDialog
from tests.helpers import make_pdf


def _dialog(qtbot, sources: list[Path], custodian: str) -> AddDocumentsDialog:
    dialog = AddDocumentsDialog(["okafor-d"])
    qtbot.addWidget(dialog)
    assert not dialog.add_button.isEnabled()
    dialog.add_paths(sources)
    dialog.custodian.setCurrentText(custodian)
    assert dialog.add_button.isEnabled()
    return dialog


def test_adding_documents_shows_progress_then_the_exceptions_report(qtbot, open_window, small_case, tmp_path):
    window = open_window(small_case)
    folder = tmp_path / "new"
    make_pdf(folder / "letter.pdf", ["A letter about the hearing."])
    (folder / "empty.txt").write_bytes(b"")
    dialog = _dialog(qtbot, [folder], "voss-h")
    assert dialog.options().custodian == "voss-h" and dialog.options().jobs >= 2

    progress = window.run_ingest(dialog)
    qtbot.addWidget(progress)
    with qtbot.waitSignal(progress.finished_ingest, timeout=30_000) as finished:
        pass
    outcome = finished.args[0]
    assert (outcome.summary.documents, outcome.summary.exceptions) == (1, 1)
    assert progress.report.isVisible() and progress.report.topLevelItemCount() == 1
    assert progress.report.topLevelItem(0).text(0).endswith("empty.txt")
    assert progress.cancel_button.text() == "Close"
    qtbot.waitUntil(lambda: window.is_idle() and window.model.rowCount() == 8)
    progress.buttons.button(QDialogButtonBox.StandardButton.Cancel).click()
    assert not progress.isVisible()


def test_stopping_an_ingest_ends_it_cleanly(qtbot, open_window, small_case, tmp_path):
    window = open_window(small_case)
    folder = tmp_path / "many"
    for number in range(40):
        (folder / f"note-{number:02d}.txt").parent.mkdir(parents=True, exist_ok=True)
        (folder / f"note-{number:02d}.txt").write_text(f"Note number {number} about the warrant.")
    progress = window.run_ingest(_dialog(qtbot, [folder], "reyes-m"))
    qtbot.addWidget(progress)
    assert progress.running
    with qtbot.waitSignal(progress.finished_ingest, timeout=30_000) as finished:
        progress.cancel_button.click()
        assert progress.cancel_button.text() == "Stopping…"
    summary = finished.args[0].summary
    assert summary.cancelled
    assert summary.documents < 40
    assert "Stopped" in progress.stage.text()
    qtbot.waitUntil(window.is_idle)
    assert window.model.rowCount() == 7 + summary.documents
