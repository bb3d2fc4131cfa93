"""The desktop beside other reviewers on a shared case: their coding shows up in the window within seconds
(list, counts, coding pane); coding on a view they changed since is refused in the coding pane, naming
them and their value; when the server goes away, a banner says so in one sentence, coding is refused
visibly (nothing half-done, a typed note kept), and once the server is back coding works again."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from reviewer.core import review
from reviewer.core.case import Case
from reviewer.core.models import AuditEvent
from reviewer.core.team.share import share
from reviewer.ui.main_window import MainWindow
from tests import postgres_server
from tests.databases import PostgresServer, open_as
from tests.gui.steps import control_of_file, row_of_control

SEEN_WITHIN_MS = 5_000


def shared_copy(source: Path, server: PostgresServer, folder: Path) -> Path:
    case_file = folder / "team.reviewer"
    share(source, server.address(server.new_database()), folder / "store", case_file)
    return case_file


def open_memo(qtbot, open_window, case_file: Path) -> tuple[MainWindow, int]:
    window = open_window(case_file)
    window.document_list.table.setFocus()
    window.document_list.select_row(row_of_control(window, control_of_file(window, "memo.pdf")))
    qtbot.waitUntil(lambda: window.is_idle() and window.coding.heading.text().startswith("DOC-"))
    doc_id = window.document_list.current_id()
    assert doc_id is not None
    return window, doc_id


def tag_box(window: MainWindow, name: str):
    return window.coding.tag_boxes[name]


def test_another_reviewers_coding_appears_within_seconds_and_a_stale_change_is_refused(
        qtbot, open_window, small_case_source: Path, postgres: PostgresServer, tmp_path: Path) -> None:
    case_file = shared_copy(small_case_source, postgres, tmp_path)
    window, memo = open_memo(qtbot, open_window, case_file)
    row = window.document_list.table.currentIndex().row()
    coded_before = window.coded_label.text()
    assert not tag_box(window, "Hot").isChecked()
    bob = open_as(case_file, "bob", postgres)
    try:
        started = time.monotonic()
        review.tag_documents(bob, [memo], "Hot")
        qtbot.waitUntil(lambda: tag_box(window, "Hot").isChecked(), timeout=SEEN_WITHIN_MS)
        qtbot.waitUntil(lambda: "Hot" in window.model.row_data(row).tags, timeout=SEEN_WITHIN_MS)
        qtbot.waitUntil(lambda: window.coded_label.text() != coded_before, timeout=SEEN_WITHIN_MS)
        assert time.monotonic() - started < SEEN_WITHIN_MS / 1000

        # Between two of the window's looks Bob takes "Hot" off and puts it back. The key pressed here to
        # take off the "Hot" the window showed would remove the one Bob just added: refused, naming him.
        window.watcher.stop()
        qtbot.waitUntil(lambda: not window.watcher.asking and window.is_idle())
        review.tag_documents(bob, [memo], "Hot", add=False)
        review.tag_documents(bob, [memo], "Hot")
        qtbot.keyClick(window.document_list.table, "6")  # Hot
        qtbot.waitUntil(lambda: window.coding.notice.isVisible() and window.is_idle())
        assert 'bob added "Hot"' in window.coding.notice.text()
        assert review.coding(bob, memo).tags == ["Hot"]

        # Two privilege descriptions: Bob's was first; the window's is refused and both are shown.
        review.set_privilege(bob, [memo], "Attorney-Client", "advice on the plea")
        window.coding.basis.setCurrentText("Work Product")
        window.coding.description.setText("trial notes")
        window.coding.save_privilege.click()
        qtbot.waitUntil(lambda: "recorded the privilege" in window.coding.notice.text() and window.is_idle())
        notice = window.coding.notice.text()
        assert 'bob recorded the privilege "Attorney-Client: advice on the plea"' in notice
        assert 'Yours was "Work Product: trial notes"' in notice
        assert window.coding.description.text() == "advice on the plea"  # the coding as it now is
        assert review.coding(bob, memo).privilege_description == "advice on the plea"
    finally:
        bob.close()


@pytest.fixture
def own_server() -> Iterator[tuple[Path, PostgresServer]]:
    """A server of this test's own, to stop and start again."""
    folder, url = postgres_server.start()
    try:
        yield folder, PostgresServer(url)
    finally:
        postgres_server.stop(folder)


def tag_events(case_file: Path) -> int:
    with Case.open(case_file) as case, case.db.reader() as session:
        return int(session.scalar(select(func.count()).select_from(AuditEvent)
                                  .where(AuditEvent.action == "tag")) or 0)


def test_an_unreachable_server_shows_a_banner_and_refuses_coding_without_losing_it(
        qtbot, open_window, small_case_source: Path, own_server: tuple[Path, PostgresServer],
        tmp_path: Path) -> None:
    folder, server = own_server
    case_file = shared_copy(small_case_source, server, tmp_path)
    tagged = tag_events(case_file)
    window, memo = open_memo(qtbot, open_window, case_file)
    table, coding = window.document_list.table, window.coding
    assert not window.offline_banner.isVisible()

    # The server goes away between two of the window's looks: the keypress's write is refused, visibly.
    window.watcher.stop()
    qtbot.waitUntil(lambda: not window.watcher.asking and window.is_idle())
    postgres_server.halt(folder)
    qtbot.keyClick(table, "6")
    qtbot.waitUntil(lambda: coding.notice.isVisible(), timeout=SEEN_WITHIN_MS)
    assert "nothing of the interrupted action was saved" in coding.notice.text()

    # The window notices: one sentence across the top, coding paused, the document still readable.
    window.watcher.start()
    qtbot.waitUntil(window.offline_banner.isVisible, timeout=SEEN_WITHIN_MS)
    message = window.offline_banner.label.text()
    assert message.startswith("The case database") and "cannot be reached" in message
    assert message.count(". ") == 0
    assert not tag_box(window, "Hot").isEnabled() and not coding.add_note.isEnabled()
    assert window.viewer.document_id == memo
    qtbot.keyClick(table, "6")  # refused at once, with the reason, and nothing queued
    assert coding.notice.text().startswith("Not saved: The case database")
    coding.note_text.setPlainText("Call the deputy.")
    coding._add_note()
    assert coding.note_text.toPlainText() == "Call the deputy."  # kept, not lost

    # The server is back: the banner goes, coding works again, and the refused actions never landed.
    postgres_server.resume(folder)
    qtbot.waitUntil(lambda: not window.offline_banner.isVisible(), timeout=SEEN_WITHIN_MS * 2)
    qtbot.waitUntil(lambda: tag_box(window, "Hot").isEnabled() and window.is_idle())
    assert tag_events(case_file) == tagged
    qtbot.keyClick(table, "6")
    qtbot.waitUntil(lambda: tag_box(window, "Hot").isChecked() and window.is_idle(), timeout=SEEN_WITHIN_MS)
    coding.add_note.click()
    qtbot.waitUntil(lambda: coding.notes.count() == 1 and window.is_idle(), timeout=SEEN_WITHIN_MS)
    assert tag_events(case_file) == tagged + 1
