"""A prioritized review and its validation in the desktop, driven as a reviewer would: set the question up,
decide the first relevant document with its tag key, review the queue with the tag key and 0, watch the
model retrain in the background and the gain curve grow, undo, then draw a sample and decide it blind."""

from __future__ import annotations

from pathlib import Path

from reviewer.core.analytics import prioritize, validation
from reviewer.core.case import Case
from reviewer.core.search.repair import rebuild
from reviewer.ui.models.document_table import COLUMNS
from tests.labelled import make_labelled_case

QUESTION = "Relevant to motion to dismiss"  # hotkey 3
SCORE_COLUMN = next(number for number, column in enumerate(COLUMNS) if column.key == "score")


def test_prioritized_review_and_blind_validation_in_the_desktop(qtbot, open_window, tmp_path: Path) -> None:
    case, labels = make_labelled_case(tmp_path / "case", 300, prevalence=0.1, seed=4)
    with case, case.writing():
        rebuild(case)
    window = open_window(tmp_path / "case")
    pane = window.prioritize
    window.docks["prioritize"].raise_()
    pane.question.setCurrentText(QUESTION)
    qtbot.waitUntil(window.is_idle, timeout=60_000)
    assert "not set up" in pane.figures.text()
    pane.retrain_every.setValue(5)
    pane.save.click()
    qtbot.waitUntil(lambda: window.is_idle() and pane.save.text() == "Save choices", timeout=60_000)

    # The first relevant document, decided by its tag key in the ordinary coding path.
    first = min(doc for doc, relevant in labels.items() if relevant)
    table = window.document_list.table
    table.setFocus()
    window.document_list.select_id(first)
    qtbot.waitUntil(window.is_idle, timeout=60_000)
    qtbot.keyClick(table, "3")
    # Deciding made a training due: it runs on the model lane, in a child process, without blocking.
    qtbot.waitUntil(lambda: window.is_idle() and "model version 1" in pane.figures.text(), timeout=60_000)
    assert "1 relevant found in 1 reviewed" in pane.figures.text()

    pane.active.click()  # prioritized mode: the queue serves the best-scoring document
    qtbot.waitUntil(lambda: window.is_idle() and pane.served is not None, timeout=60_000)
    decided = []
    for _ in range(8):
        served = pane.served
        assert window.document_list.current_id() == served
        row = window.model.row_data(table.currentIndex().row())
        assert row is not None and row.score is not None
        shown = window.model.data(window.model.index(table.currentIndex().row(), SCORE_COLUMN))
        assert shown == f"{row.score:.0f}"
        qtbot.keyClick(table, "3" if labels[served] else "0")
        qtbot.waitUntil(lambda served=served: window.is_idle() and pane.served != served, timeout=60_000)
        decided.append(served)
    qtbot.waitUntil(lambda: window.is_idle() and "model version 2" in pane.figures.text(), timeout=60_000)
    assert len(pane.curve.curve) == 9 and pane.curve.curve[-1] == 1 + sum(labels[d] for d in decided)
    assert pane.suggestion.text().startswith("Keep reviewing")

    # Ctrl+Z takes back the last decision, tag and all.
    with Case.open(tmp_path / "case") as opened:
        before = prioritize.state(opened, QUESTION).reviewed
    window.undo()
    qtbot.waitUntil(window.is_idle, timeout=60_000)
    with Case.open(tmp_path / "case") as opened:
        assert prioritize.state(opened, QUESTION).reviewed == before - 1

    # Validation: a sample of the unreviewed, served blind.
    pane.sample_size.setValue(6)
    pane.draw_sample(seed=5)
    qtbot.waitUntil(lambda: window.is_idle() and "being decided" in pane.validation_status.text(),
                    timeout=60_000)
    with Case.open(tmp_path / "case") as opened:
        sample = validation.result(opened, QUESTION)
    controls = [d.control for d in sample.documents]
    for _ in range(len(controls)):
        served = pane.served
        row = window.model.row_data(table.currentIndex().row())
        assert row is not None and row.control in controls and row.score is None  # scores hidden
        qtbot.keyClick(table, "3" if labels[served] else "0")
        qtbot.waitUntil(lambda served=served: window.is_idle() and pane.served != served, timeout=60_000)
    qtbot.waitUntil(lambda: window.is_idle() and pane.validation_status.text() == "", timeout=60_000)
    pane.write_report(tmp_path / "validation.pdf")
    qtbot.waitUntil(window.is_idle, timeout=60_000)
    assert (tmp_path / "validation.pdf").stat().st_size > 1000
    assert '"recall"' in (tmp_path / "validation.json").read_text()
    row = window.model.row_data(table.currentIndex().row())
    assert row is not None and row.score is not None  # no longer blind
