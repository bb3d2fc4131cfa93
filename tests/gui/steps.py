"""What GUI tests do again and again: wait for the window's work, search as a person types, find rows."""

from __future__ import annotations

from reviewer.core import browse
from reviewer.core.case import Case
from reviewer.ui.main_window import MainWindow


def wait_idle(qtbot, window: MainWindow) -> None:
    qtbot.waitUntil(window.is_idle, timeout=10_000)


def close_window(qtbot, window: MainWindow) -> None:
    """Close as a user does and wait until the window has really gone (its writes drained)."""
    window.close()
    qtbot.waitUntil(lambda: window.tasks.is_closed and not window.isVisible(), timeout=30_000)


def search(qtbot, window: MainWindow, query: str) -> None:
    box = window.search_pane.box
    box.clear()
    qtbot.keyClicks(box, query)
    qtbot.keyClick(box, "\r")
    qtbot.waitUntil(lambda: window.result.query == query.strip() and window.is_idle(), timeout=10_000)


def row_of_control(window: MainWindow, control: str) -> int:
    model = window.model
    for row in range(model.rowCount()):
        data = model.row_data(row)
        if data is not None and data.control == control:
            return row
    raise AssertionError(f"{control} is not listed")


def control_of_file(window: MainWindow, file_fragment: str) -> str:
    """The control number of the listed document whose file name or subject contains `file_fragment`."""
    with Case.open(window.case.location) as case:
        for row in browse.document_rows(case, window.model.ids):
            detail = browse.document_detail(case, row.id)
            if file_fragment in dict(detail.metadata).get("File name", ""):
                return row.control
    raise AssertionError(f"no listed document named like {file_fragment!r}")
