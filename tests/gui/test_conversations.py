"""The desktop's conversation views: the Conversation tab's tree, the Near-duplicates tab's side-by-side
difference, the list's analytics columns, "Inclusive emails only", and coding a whole thread as one undo."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewer.core import review
from reviewer.core.case import Case
from reviewer.core.ingest.pipeline import IngestOptions, ingest
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
