"""The desktop offers a member of a shared case what their role may do: a reviewer's window has no ingest,
import, production, batch-set or QC controls; an admin's has them all."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from reviewer.cli import main
from reviewer.core.team import server as team_server
from reviewer.ui.main_window import MainWindow
from tests.databases import PostgresServer
from tests.gui.test_shared_case import shared_small_case  # noqa: F401  (a fixture)

PASSWORD = "the reviewer's password"


def admin_controls(window: MainWindow) -> dict[str, bool]:
    pane = window.batches_pane
    qc_tab = pane.tabs.indexOf(pane.qc_page)
    return {
        "add documents": window.add_documents_action.isVisible() and window.add_documents_action.isEnabled(),
        "import": window.import_action.isVisible(),
        "produce": window.produce_action.isVisible(),
        "analyze": window.analyze_action.isVisible(),
        "new batch set": not pane.new_set_button.isHidden(),
        "assign": not pane.assign_button.isHidden(),
        "QC tab": pane.tabs.isTabVisible(qc_tab),
        "set up prioritized review": not window.prioritize.save.isHidden(),
    }


def test_a_reviewers_window_hides_what_only_an_admin_or_qc_may_do(
        qtbot, open_window: Callable[[Path], MainWindow], shared_small_case: Path,  # noqa: F811
        postgres: PostgresServer, monkeypatch: pytest.MonkeyPatch) -> None:
    admin_window = open_window(shared_small_case)
    qtbot.waitUntil(lambda: admin_window.role_label.text() == f"{postgres.admin}: admin")
    assert set(admin_controls(admin_window).values()) == {True}

    monkeypatch.setattr("getpass.getpass", lambda _prompt="": PASSWORD)
    login = "rita_reviewer"
    assert main(["user-add", str(shared_small_case), login, "--role", "reviewer", "--password-prompt"]) == 0
    monkeypatch.setenv("PGUSER", login)  # Rita's machine
    monkeypatch.setenv("PGPASSWORD", PASSWORD)
    monkeypatch.setattr(team_server, "_known", {})
    window = open_window(shared_small_case)
    qtbot.waitUntil(lambda: window.role_label.text() == f"{login}: reviewer")
    assert set(admin_controls(window).values()) == {False}
    case_menu = window.menuBar().actions()[0].menu()
    assert "&Produce…" not in [a.text() for a in case_menu.actions() if a.isVisible()]
    # What a reviewer does is there: checking out batches and coding.
    assert not window.batches_pane.check_out_button.isHidden()
    assert window.coding.isEnabled()
