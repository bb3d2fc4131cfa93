"""Screenshot mode: drive an open main window to a query and a document, wait until it is fully drawn,
and grab it (for the docs, for tests and for support requests)."""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtGui import QImage

from reviewer.core.errors import ReviewerError
from reviewer.ui.main_window import MainWindow

POLL_MS = 20


def capture(window: MainWindow, query: str = "", select: str = "", timeout: float = 60.0) -> QImage:
    deadline = time.monotonic() + timeout
    wait_until(window.is_idle, deadline)
    if query:
        window.search(query)
        wait_until(window.is_idle, deadline)
    if select:
        window.open_control(select)
    else:
        window.document_list.select_row(0)
    wait_until(lambda: window.is_idle() and (window.viewer.is_drawn or window.viewer.document_id is None),
               deadline)
    return window.grab().toImage()


def wait_until(condition: Callable[[], bool], deadline: float) -> None:
    """Run the event loop until `condition()` holds (checked every few milliseconds)."""
    if condition():
        return
    loop = QEventLoop()
    timer = QTimer()
    timer.setInterval(POLL_MS)

    def check() -> None:
        if condition() or time.monotonic() > deadline:
            loop.quit()

    timer.timeout.connect(check)
    timer.start()
    loop.exec()
    timer.stop()
    if not condition():
        raise ReviewerError("The window did not finish drawing in time; nothing was saved.")
