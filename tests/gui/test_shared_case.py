"""A shared case in the desktop: opened from its case file (`reviewer gui`, the start screen), searched and
coded on the PostgreSQL server, and the password asked for in a dialog when the server wants one."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QInputDialog, QMessageBox

from reviewer.core import audit, inventory, review
from reviewer.core.analytics import run
from reviewer.core.case import Case
from reviewer.core.team import server as team_server
from reviewer.core.team.share import share
from reviewer.ui.app import open_chosen_cases, prepare
from reviewer.ui.dialogs.start_screen import StartScreen
from reviewer.ui.main_window import MainWindow
from reviewer.ui.recent import recent_cases, remember_case
from tests.databases import PostgresServer
from tests.gui.steps import close_window, control_of_file, row_of_control, search, wait_idle


@pytest.fixture
def shared_small_case(small_case_source: Path, postgres: PostgresServer, tmp_path: Path) -> Path:
    """The small GUI case, shared on the suite's server; its case file."""
    case_file = tmp_path / "small.reviewer"
    share(small_case_source, postgres.address(postgres.new_database()), tmp_path / "store", case_file)
    return case_file


def test_a_shared_case_opens_from_its_case_file_searches_and_codes_on_the_server(
        qtbot, open_window, shared_small_case: Path, postgres: PostgresServer) -> None:
    window = open_window(shared_small_case)
    assert window.windowTitle() == f"GUI test matter — shared, as {postgres.admin} — Reviewer"
    assert window.model.rowCount() == 7
    search(qtbot, window, "dismiss")
    assert window.search_pane.count.text() == "1 document matches"
    memo = control_of_file(window, "memo.pdf")
    table = window.document_list.table
    table.setFocus()
    window.document_list.select_row(row_of_control(window, memo))
    qtbot.waitUntil(lambda: window.viewer.is_drawn and window.is_idle())
    qtbot.keyClick(table, "2")  # Privileged
    qtbot.waitUntil(lambda: window.is_idle() and window.coding.tag_boxes["Privileged"].isChecked())
    with Case.open(shared_small_case) as case:  # another client of the same server sees it
        assert review.coding(case, window.document_list.current_id()).tags == ["Privileged"]
        assert audit.trail(case, limit=1)[0].user == postgres.admin
    assert recent_cases() == [shared_small_case]


def test_analysis_of_a_shared_case_runs_in_its_child_process_on_the_server(
        qtbot, open_window, shared_small_case: Path) -> None:
    window = open_window(shared_small_case)
    progress = window.run_analysis(run.AnalysisSettings(90, False))
    qtbot.addWidget(progress)
    if progress.running:
        with qtbot.waitSignal(progress.finished_analysis, timeout=120_000):
            pass
    assert progress.stage.text().startswith("Done"), progress.stage.text()
    with Case.open(shared_small_case) as case:  # another client sees the threads it wrote
        assert sum(1 for row in inventory.document_rows(case) if row["thread_group"]) >= 1


def test_reviewer_gui_takes_a_case_file(shared_small_case: Path, tmp_path: Path) -> None:
    target = tmp_path / "shot.png"
    done = subprocess.run([sys.executable, "-m", "reviewer", "gui", str(shared_small_case), "--screenshot",
                           str(target), "--query", "warrant"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert target.stat().st_size > 10_000


def test_the_start_screen_opens_a_shared_case_and_asks_for_the_password_in_a_dialog(
        qtbot, shared_small_case: Path, postgres: PostgresServer, monkeypatch: pytest.MonkeyPatch) -> None:
    postgres.create_login("dana", "dana's password")
    monkeypatch.setenv("PGUSER", "dana")
    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.setenv("PGPASSFILE", "/dev/null")
    monkeypatch.setattr(team_server, "_known", {})
    monkeypatch.setattr(team_server, "_keyring_lookup", lambda _server, _user: None)  # not this machine's
    remember_case(shared_small_case)
    prepare(QApplication.instance())  # as `reviewer` does: the password dialog is installed
    start = StartScreen()
    qtbot.addWidget(start)
    assert start.recent.item(0).text().endswith(str(shared_small_case))
    windows: list[MainWindow] = []
    open_chosen_cases(start, windows)
    asked: list[str] = []
    refused: list[str] = []

    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, QInputDialog):
            asked.append(dialog.labelText())
            dialog.setTextValue("dana's password")
            dialog.accept()
        elif isinstance(dialog, QMessageBox):  # the case was not opened: fail, rather than wait for ever
            refused.append(dialog.text())
            dialog.reject()

    # The dialog runs its own event loop, so answer it from a timer, as a person would from the keyboard.
    typist = QTimer()
    typist.timeout.connect(answer)
    typist.start(50)
    start.recent.itemActivated.emit(start.recent.item(0))  # opened on a worker thread, which asks
    qtbot.waitUntil(lambda: bool(windows or refused), timeout=30_000)
    typist.stop()
    assert not refused, refused
    window = windows[0]
    try:
        wait_idle(qtbot, window)
        assert asked and asked[0].startswith("Password of dana on the case database server")
        assert window.case.user == "dana" and "as dana" in window.windowTitle()
        qtbot.waitUntil(lambda: not start.isVisible())
    finally:
        close_window(qtbot, window)
