"""The desktop application: Qt set-up (style, icons, settings), the start screen or a case's main window,
the screenshot mode, and showing unexpected errors instead of dying silently."""

from __future__ import annotations

import os
import sys
import traceback
from functools import partial
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QCoreApplication, QEventLoop, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from reviewer.core.case import Case
from reviewer.core.resources import resources_dir
from reviewer.ui import icons, password
from reviewer.ui.dialogs.start_screen import StartScreen
from reviewer.ui.main_window import MainWindow
from reviewer.ui.recent import remember_case
from reviewer.ui.screenshot import capture
from reviewer.ui.tasks import describe_error

ORGANIZATION = "Reviewer"
APPLICATION = "Reviewer"


def prepare(app: QApplication) -> None:
    """Give a QApplication Reviewer's names, style and icon (once; safe to call again)."""
    if app.property("reviewerPrepared"):
        return
    if not QCoreApplication.organizationName():
        app.setOrganizationName(ORGANIZATION)
    if not QCoreApplication.applicationName() or QCoreApplication.applicationName() == "python":
        app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName(APPLICATION)
    # Fusion draws the same everywhere and takes the system's light or dark palette.
    app.setStyle("Fusion")
    app.setStyleSheet((resources_dir() / "style.qss").read_text(encoding="utf-8"))
    app.setWindowIcon(icons.icon("app"))
    app.styleHints().colorSchemeChanged.connect(lambda _scheme: icons.clear_cache())
    password.install(app)  # a shared case's server may ask for one
    app.setProperty("reviewerPrepared", True)


def open_main_window(case_path: Path | str, remember: bool = True) -> MainWindow:
    """Open a case (a case folder or a shared case's case file) in a new main window and show it; needs a
    running QApplication. Without `remember` the window starts from the default layout and leaves the
    saved layout and recent cases alone."""
    app = QApplication.instance()
    assert isinstance(app, QApplication), "open_main_window needs a QApplication"
    prepare(app)
    return show_case(Case.open(case_path), remember)


def show_case(case: Case, remember: bool = True) -> MainWindow:
    """A main window on a case already opened."""
    window = MainWindow(case, remember_layout=remember)
    window.show()
    if remember:
        remember_case(case.location)
    return window


def run(case_path: str | None = None) -> int:
    """`reviewer` (start screen) and `reviewer gui CASE`: run the desktop until its last window closes."""
    app = QApplication(sys.argv[:1])
    prepare(app)
    windows: list[MainWindow] = []
    if case_path:
        # Before the event loop: a missing or locked case is the command's error, said in one sentence.
        windows.append(open_main_window(case_path))
    else:
        start = StartScreen()
        open_chosen_cases(start, windows)
        start.show()
    sys.excepthook = _show_unexpected_error
    return app.exec()


def open_chosen_cases(start: StartScreen, windows: list[MainWindow]) -> None:
    """Open the case the start screen's user chooses in a main window (added to `windows`), then close the
    start screen. The case is opened off the GUI thread: a shared case's server may take seconds to answer
    or ask for a password (password.py shows the question on the GUI thread meanwhile)."""

    def opened(case: Case) -> None:
        try:
            windows.append(show_case(case))
        except BaseException:
            case.close()
            raise
        QTimer.singleShot(0, start.close)

    def not_opened(path: Path, error: BaseException) -> None:
        # A damaged or locked case, a server out of reach: say so and stay on the start screen.
        start.setEnabled(True)
        QMessageBox.warning(start, APPLICATION, f"{path} could not be opened: {describe_error(error)}")

    def open_case(path: Path) -> None:
        start.setEnabled(False)
        start.tasks.run(partial(Case.open, path), opened, partial(not_opened, path))

    start.caseChosen.connect(open_case)


def screenshot(case_path: str, target: Path, query: str = "", select: str = "",
               size: tuple[int, int] = (1440, 900)) -> int:
    """`reviewer gui CASE --screenshot FILE`: open the case off screen, run the query, select a document,
    wait until everything is drawn, save the window as an image and exit."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = QApplication(sys.argv[:1])
    prepare(app)
    # The default layout, so that screenshots look the same on every machine.
    window = open_main_window(case_path, remember=False)
    window.resize(*size)
    try:
        image = capture(window, query, select)
    finally:
        window.close()
        if not window.tasks.is_closed:  # writes still queued: let them run before the process ends
            waiting = QEventLoop()
            window.tasks.closed.connect(waiting.quit)
            waiting.exec()
    if not image.save(str(target)):
        print(f"error: could not write {target}", file=sys.stderr)
        return 1
    return 0


def _show_unexpected_error(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
    """A bug: print it for the terminal and show it, so it can be reported, and keep running."""
    text = "".join(traceback.format_exception(kind, error, tb))
    sys.stderr.write(text)
    if QApplication.instance() is not None:
        box = QMessageBox(QMessageBox.Icon.Critical, APPLICATION,
                          "Something went wrong. Please report this with the details below.")
        box.setDetailedText(text)
        box.exec()
