"""The desktop's conversation views: the Conversation tab's tree, the Near-duplicates tab's side-by-side
difference, the list's analytics columns, "Inclusive emails only", and coding a whole thread as one undo."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLabel

from reviewer.core import review
from reviewer.core.analytics import run
from reviewer.core.case import Case
from reviewer.core.ingest.pipeline import IngestOptions, ingest
from reviewer.ui.dialogs.analyze import AnalyzeDialog, AnalyzeProgressDialog
from reviewer.ui.models.document_table import COLUMNS
from tests.gui.steps import search, wait_idle
from tests.mail_threads import ADA, BEN, CY, as_text, changed, gmail_quote, prose, write_mail

HEARING = "The hearing on the motion to dismiss moved to Thursday at ten; bring the warrant file."
REPLY = "I will bring the warrant file and the deputy statements to the hearing."


@pytest.fixture
def analysed_case(tmp_path: Path) -> Path:
    folder = tmp_path / "files"
    write_mail(folder / "1.eml", ADA, BEN, "Hearing moved", HEARING, "h1@quill")
    write_mail(
        folder / "2.eml",
        BEN,
        f"{ADA}, {CY}",
        "Re: Hearing moved",
        f"{REPLY}\n\n{gmail_quote(ADA, 0, HEARING)}",
        "h2@ortiz",
        "h1@quill",
        ["h1@quill"],
        hours=1,
    )
    write_mail(folder / "3.eml", CY, BEN, "Re: Budget", "Approved.", "b2@park", "lost@x", ["lost@x"], hours=3)
    memo = prose(400, seed=5)
    (folder / "memo-a.txt").write_text(as_text(memo))
    (folder / "memo-b.txt").write_text(as_text(changed(memo, 0.05, seed=6)))
    with Case.create(tmp_path / "case", name="Conversations") as case:
        ingest(case, [folder], IngestOptions(jobs=1))
    return tmp_path / "case"


def _control(window, file_name: str) -> str:
    with Case.open(window.case.root) as case:
        from reviewer.core import inventory

        return next(r["control"] for r in inventory.document_rows(case) if r["file_name"] == file_name)


def test_conversation_tab_shows_the_tree_and_opens_a_message(qtbot, open_window, analysed_case: Path) -> None:
    window = open_window(analysed_case)
    first, second, budget = (_control(window, n) for n in ("1.eml", "2.eml", "3.eml"))
    search(qtbot, window, f"control:{second}")
    tab = window.conversation
    qtbot.waitUntil(
        lambda: [e.control for e in tab.entries if e.kind == "message"] == [first, second], timeout=10_000
    )
    root = tab.topLevelItem(0)
    assert root.text(0) == first and root.child(0).text(0) == second
    assert root.child(0).text(2).startswith("✔") and root.text(2) == ""
    assert root.child(0).font(0).bold()
    with qtbot.waitSignal(window.viewer.openRequested, timeout=5_000) as opened:
        tab.itemClicked.emit(root, 0)
    assert opened.args == [review.resolve_controls(window.case, [first])[0]]
    search(qtbot, window, f"control:{budget}")
    qtbot.waitUntil(lambda: bool(tab.entries) and tab.entries[0].kind == "missing", timeout=10_000)
    assert tab.topLevelItem(0).text(0) == "(missing)" and tab.topLevelItem(0).font(0).italic()


def test_near_duplicates_tab_marks_the_changed_words(qtbot, open_window, analysed_case: Path) -> None:
    window = open_window(analysed_case)
    variant = _control(window, "memo-b.txt")
    search(qtbot, window, f"control:{variant}")
    tab = window.near_duplicates
    qtbot.waitUntil(
        lambda: tab.members.topLevelItemCount() == 2 and tab.comparison is not None, timeout=10_000
    )
    assert tab.members.topLevelItem(1).text(1) == "95 %"
    comparison = tab.comparison
    assert len(comparison.right_changes) >= 10 and comparison.similarity == pytest.approx(95.0)
    # Exactly the 20 words the test changed are marked on each side (5 % of 400), every edit among them.
    marked = [word for a, b in comparison.right_changes for word in comparison.right[a:b].split()]
    assert len(marked) == 20 and {w for w in marked if w.startswith("edit6x")} == {
        f"edit6x{n}" for n in range(20)
    }
    assert sum(len(comparison.left[a:b].split()) for a, b in comparison.left_changes) == 20
    assert len(tab.right.extraSelections()) == len(comparison.right_changes)
    assert "95 % similar" in tab.caption.text()


def test_columns_inclusive_only_and_coding_a_whole_thread(qtbot, open_window, analysed_case: Path) -> None:
    window = open_window(analysed_case)
    first, second = _control(window, "1.eml"), _control(window, "2.eml")
    model = window.model
    columns = [c.key for c in __import__("reviewer.ui.models.document_table", fromlist=["COLUMNS"]).COLUMNS]
    rows = {model.row_data(r).control: r for r in range(model.rowCount())}
    assert model.index(rows[second], columns.index("inclusive")).data() == "✔"
    assert model.index(rows[first], columns.index("inclusive")).data() == "–"
    assert model.index(rows[second], columns.index("thread")).data().endswith("· 1.1")
    listed = model.rowCount()
    window.inclusive_only_action.trigger()
    qtbot.waitUntil(lambda: model.rowCount() == listed - 1 and window.is_idle(), timeout=10_000)
    assert first not in {model.row_data(r).control for r in range(model.rowCount())}
    window.inclusive_only_action.trigger()
    qtbot.waitUntil(lambda: model.rowCount() == listed and window.is_idle(), timeout=10_000)
    search(qtbot, window, f"control:{second}")
    window.coding.threads.setChecked(True)
    window.apply_hotkey("6")  # Hot, on the whole thread
    wait_idle(qtbot, window)
    tagged = {c for c, r in ((_c, 0) for _c in (first, second))}
    ids = review.resolve_controls(window.case, sorted(tagged))
    assert all("Hot" in review.coding(window.case, i).tags for i in ids)
    window.undo()
    wait_idle(qtbot, window)
    assert not any("Hot" in review.coding(window.case, i).tags for i in ids)


def test_analyze_from_the_case_menu_with_a_new_threshold_and_stop(
    qtbot, open_window, analysed_case: Path, tmp_path: Path
) -> None:
    """A memo with 15 % of its words changed is no near-duplicate at 90 %; analyzing again at 80 % from
    the Case menu groups it, and the list shows the group. Stop leaves threads and groups as they were."""
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "memo-c.txt").write_text(as_text(changed(prose(400, seed=5), 0.15, seed=7)))
    with Case.open(analysed_case) as case:
        ingest(case, [extra], IngestOptions(jobs=1))
    window = open_window(analysed_case)
    model = window.model
    near = [c.key for c in COLUMNS].index("near_dup")
    memo = _control(window, "memo-c.txt")

    def group_shown() -> str:
        row = next(r for r in range(model.rowCount()) if model.row_data(r).control == memo)
        return model.index(row, near).data()

    assert group_shown() == ""
    assert "Anal&yze conversations and near-duplicates…" in [
        a.text() for a in window.menuBar().actions()[0].menu().actions()
    ]

    # Stop straight away: the analysis ends, says so, and changes nothing.
    stopped = window.run_analysis(run.AnalysisSettings(80, True))
    qtbot.addWidget(stopped)
    with qtbot.waitSignal(stopped.finished_analysis, timeout=60_000) as finished:
        stopped.cancel_button.click()
        assert stopped.cancel_button.text() == "Stopping…"
    assert finished.args == [None] and stopped.stage.text() == "Stopped"
    assert stopped.cancel_button.text() == "Close"
    assert run.current_settings(window.case) == run.AnalysisSettings(90, False)
    stopped.cancel_button.click()

    # The menu's dialog: the threshold, what similarity means, emails or not; then the run.
    seen: list[str] = []

    def fill_in() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, AnalyzeDialog):
            QTimer.singleShot(50, fill_in)
            return
        seen.extend(label.text() for label in dialog.findChildren(QLabel))
        assert dialog.threshold.value() == 90 and not dialog.emails.isChecked()
        dialog.threshold.setValue(80)
        dialog.analyze_button.click()

    QTimer.singleShot(0, fill_in)
    window.analyze_action.trigger()
    qtbot.waitUntil(lambda: bool(window.findChildren(AnalyzeProgressDialog)[1:]), timeout=10_000)
    progress = window.findChildren(AnalyzeProgressDialog)[-1]
    assert any("share of the larger document's words" in text for text in seen)
    if progress.running:
        with qtbot.waitSignal(progress.finished_analysis, timeout=60_000):
            pass
    assert progress.stage.text().startswith("Done")
    report = {
        progress.report.topLevelItem(i).text(0): progress.report.topLevelItem(i).text(1)
        for i in range(progress.report.topLevelItemCount())
    }
    assert report["Near-duplicate groups"] == "1" and report["Emails"] == "3"
    assert run.current_settings(window.case) == run.AnalysisSettings(80, False)
    qtbot.waitUntil(lambda: window.is_idle() and group_shown() != "", timeout=10_000)
