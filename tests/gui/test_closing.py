"""One write path, tried as a user would: coding pressed fast and the window closed at once keeps every
write (and its audit event); a close during an ingest stops the ingest cleanly, keeps the coding done
meanwhile, and the ingest resumes; the viewer keeps drawing pages while a production runs."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from reviewer.core import audit, browse, inventory, review
from reviewer.core.case import Case
from reviewer.core.ingest.pipeline import IngestOptions, ingest
from reviewer.core.search import saved
from reviewer.ui.dialogs.ingest import AddDocumentsDialog
from reviewer.ui.tasks import Lane
from tests.gui.steps import search

SEVEN = [name for name, _group, _colour, _key in review.DEFAULT_TAGS]
CTRL = Qt.KeyboardModifier.ControlModifier


def _closed(qtbot, window) -> None:
    qtbot.waitUntil(lambda: window.tasks.is_closed and not window.isVisible(), timeout=30_000)


def _tagged(case_path: Path, tag: str) -> set[int]:
    with Case.open(case_path) as case:
        return {doc_id for doc_id in browse.ordered_ids(case, None, browse.BrowseFilter(), "control", False)
                if tag in review.coding(case, doc_id).tags}


def test_seven_hotkeys_then_ctrl_w_at_once_keep_every_tag(qtbot, open_window, demo_case):
    window = open_window(demo_case)
    table = window.document_list.table
    table.setFocus()
    doc = window.document_list.current_id()
    for key in "1234567":
        qtbot.keyClick(table, key)
    assert window.tasks.pending_on(Lane.WRITE) > 0  # the close below finds writes still queued
    qtbot.keyClick(table, "w", CTRL)
    _closed(qtbot, window)

    with Case.open(demo_case) as case:
        assert sorted(review.coding(case, doc).tags) == sorted(SEVEN)
        tagged_in_audit = [event.after for event in audit.history(case, doc) if not event.undo]
        assert len(tagged_in_audit) == 7
        assert all(any(name in (after or "") for after in tagged_in_audit) for name in SEVEN)
    reopened = open_window(demo_case)
    reopened.document_list.select_id(doc)
    qtbot.waitUntil(lambda: reopened.is_idle() and reopened.coding.tag_boxes[SEVEN[0]].isChecked())
    assert all(reopened.coding.tag_boxes[name].isChecked() for name in SEVEN)


def test_tag_next_tag_undo_then_close_leaves_one_tagged(qtbot, open_window, demo_case):
    before = _tagged(demo_case, review.PRIVILEGED_TAG)
    window = open_window(demo_case)
    search(qtbot, window, "privileged")
    table = window.document_list.table
    table.setFocus()
    first = window.document_list.current_id()
    qtbot.keyClick(table, "2")
    qtbot.keyClick(table, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    second = window.document_list.current_id()
    assert second != first
    qtbot.keyClick(table, "2")
    qtbot.keyClick(table, "z", CTRL)
    qtbot.keyClick(table, "w", CTRL)
    _closed(qtbot, window)

    assert _tagged(demo_case, review.PRIVILEGED_TAG) - before == {first}
    with Case.open(demo_case) as case:
        assert [event.undo for event in audit.history(case, second)] == [False, True]
        assert "privileged" in [entry.query for entry in saved.history(case)]  # recorded on the write lane


def test_closing_during_an_ingest_stops_it_keeps_the_coding_and_it_resumes(qtbot, open_window, demo_case,
                                                                          tmp_path):
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    for number in range(1500):
        (incoming / f"note-{number:04}.txt").write_text(f"Interview note {number}: the witness recalls "
                                                         f"item {number * 7919 % 10007}.\n")
    with Case.open(demo_case) as case:
        demo_documents = len(browse.ordered_ids(case, None, browse.BrowseFilter(), "control", False))
    window = open_window(demo_case)
    chosen = AddDocumentsDialog([], window)
    qtbot.addWidget(chosen)
    chosen.add_paths([incoming])
    chosen.custodian.setCurrentText("Okafor, D.")
    progress = window.run_ingest(chosen)
    qtbot.waitUntil(lambda: (update := progress._progress.latest()) is not None and update.stage == "ingest"
                    and update.done > 0, timeout=30_000)

    window.activateWindow()  # the reviewer clicks back into the main window and goes on coding
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    table = window.document_list.table
    table.setFocus()
    doc = window.document_list.current_id()
    qtbot.keyClick(table, "1")
    qtbot.keyClick(table, "6")
    assert window.tasks.pending_on(Lane.WRITE) == 2
    # Coding is not queued behind the ingest: it lands while the ingest is still running.
    qtbot.waitUntil(lambda: window.coding.tag_boxes["Hot"].isChecked(), timeout=5_000)
    assert progress.running
    qtbot.keyClick(table, "4")
    window.close()
    assert window.isVisible()  # it waits for the ingest to stop and the write to land
    _closed(qtbot, window)

    with Case.open(demo_case) as case:
        assert sorted(review.coding(case, doc).tags) == sorted(["Bias-related", "Hot", "Responsive"])
        assert len(audit.history(case, doc)) == 3
        stopped_at = len(browse.ordered_ids(case, None, browse.BrowseFilter(), "control", False))
        assert demo_documents < stopped_at < demo_documents + 1500
        assert inventory.check(case) == []
        case.acquire_lock()  # the ingest let go of the writer lock
        case.release_lock()
        resumed = ingest(case, [incoming], IngestOptions(custodian="Okafor, D.", jobs=1))
        assert resumed.skipped > 0 and not resumed.cancelled
        everything = len(browse.ordered_ids(case, None, browse.BrowseFilter(), "control", False))
        assert everything == demo_documents + 1500


def test_the_viewer_draws_pages_while_a_production_runs(qtbot, open_window, demo_case, tmp_path):
    window = open_window(demo_case)
    dialog = window.produce()
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: window.tasks.pending == 0)
    dialog.name.setText("Everything")
    dialog.prefix.setText("DEF-")
    dialog.image_format.setCurrentText("tiff")
    dialog.out_dir.setText(str(tmp_path / "out"))
    with qtbot.waitSignal(dialog.previewed, timeout=30_000):
        dialog.next_button.click()
    assert dialog.next_button.isEnabled()
    shown = window.viewer.document_id
    dialog.next_button.click()
    qtbot.waitUntil(lambda: dialog._progress.latest() is not None, timeout=30_000)  # it is producing

    with Case.open(demo_case) as case:
        pdfs = [doc_id for doc_id in window.model.ids if doc_id != shown
                and browse.document_detail(case, doc_id).display == "page"]
    window.open_document(pdfs[0])
    qtbot.waitUntil(lambda: window.viewer.document_id == pdfs[0] and window.viewer.is_drawn, timeout=30_000)
    assert dialog.running  # drawn while the production was still running
    with qtbot.waitSignal(dialog.finished_production, timeout=120_000) as finished:
        pass
    assert finished.args[0] is not None and finished.args[0].documents > 0
