"""Opening a case in the desktop checks its search index first: a damaged index is repaired (with a
progress dialog that says what was wrong) before the first search, and a sound one shows nothing."""

from __future__ import annotations

from pathlib import Path

from reviewer.ui.dialogs.index_repair import IndexRepairDialog
from tests.gui.steps import search


def _damage(case_root: Path) -> None:
    segment = max((case_root / "index").glob("*.seg"), key=lambda p: p.stat().st_size)
    segment.write_bytes(segment.read_bytes()[: segment.stat().st_size // 2])


def test_a_damaged_index_is_repaired_before_the_first_search(qtbot, open_window, small_case):
    _damage(small_case)
    window = open_window(small_case)
    dialog = window.index_repair
    assert isinstance(dialog, IndexRepairDialog)
    assert dialog.isVisible()
    assert dialog.outcome is not None and not isinstance(dialog.outcome, BaseException)
    assert "damaged" in (dialog.outcome.message or "")
    assert dialog.report.topLevelItemCount() == 1
    assert "rebuilt from the database" in dialog.report.topLevelItem(0).text(0)
    search(qtbot, window, "warrant")
    assert window.result.query == "warrant"
    assert len(window.model.ids) >= 2
    assert dialog.cancel_button.text() == "Close"
    dialog.cancel_button.click()
    qtbot.waitUntil(lambda: not dialog.isVisible())


def test_a_sound_index_opens_without_a_dialog(open_window, small_case):
    window = open_window(small_case)
    assert window.index_repair.outcome is not None
    assert window.index_repair.outcome.message is None
    assert not window.index_repair.isVisible()
