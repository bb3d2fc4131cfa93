"""GUI test fixtures: real case folders built once per session and copied per test, isolated settings, and
main windows that are closed (workers cancelled and joined) when the test ends."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QSettings

from reviewer.core.case import Case
from reviewer.core.demo import build_demo_case
from reviewer.core.ingest.pipeline import IngestOptions, ingest
from reviewer.ui.app import open_main_window
from reviewer.ui.main_window import MainWindow
from tests.gui.steps import close_window, wait_idle
from tests.helpers import make_email, make_pdf, make_zip, pdf_bytes

HERE = Path(__file__).parent

MEMO_PAGES = [
    "PRIVILEGED AND CONFIDENTIAL\nMemo from counsel on the motion to dismiss.\n"
    "The warrant was executed fifteen days after it was signed.",
    "Second page. The charging deadline passed; the motion to dismiss is strong.\nPrivileged work product.",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # The offscreen platform cannot size windows to their hints or raise them, and says so ("This plugin
    # does not support propagateSizeHints()", "… raise()"): the test platform talking, not Reviewer.
    platform_noise = pytest.mark.qt_log_ignore(r"This plugin does not support (propagateSizeHints|raise)\(\)")
    for item in items:
        if HERE in Path(str(item.path)).parents:
            item.add_marker(platform_noise)


@pytest.fixture(autouse=True)
def isolated_settings(qapp: QCoreApplication, tmp_path: Path) -> Iterator[None]:
    """Each test gets empty settings of its own, never the user's."""
    QCoreApplication.setOrganizationName("ReviewerTests")
    QCoreApplication.setApplicationName("ReviewerTests")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "settings"))
    yield
    QSettings().clear()


def _build(root: Path, sources: list[Path], custodian: str) -> Path:
    with Case.create(root, name="GUI test matter") as case:
        ingest(case, sources, IngestOptions(custodian=custodian, jobs=1))
    return root


@pytest.fixture(scope="session")
def small_case_source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A PDF memo, an email with a PDF attachment, a zip of two notes and a plain text file."""
    files = tmp_path_factory.mktemp("small-files")
    make_pdf(files / "memo.pdf", MEMO_PAGES, author="P. Lindqvist", title="Memo from counsel")
    make_email(files / "mail.eml", "Warrant return", "Please find the warrant return attached.\nSgt. Reyes",
               sender="Marcus Reyes <mreyes@hcso.example>",
               attachments={"return.pdf": pdf_bytes("Warrant return")})
    make_zip(files / "notes.zip", {"a.txt": b"Draft outline of the motion.", "b.txt": b"Impeachment notes."})
    (files / "news.txt").write_text("The treasurer was arrested; the investigator had a grudge.\n")
    return _build(tmp_path_factory.mktemp("small") / "case", [files], "okafor-d")


@pytest.fixture(scope="session")
def demo_case_source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The built-in demo case, built exactly as `reviewer demo` builds it."""
    path, _summary = build_demo_case(tmp_path_factory.mktemp("demo") / "demo-case")
    return path


def _copy(source: Path, tmp_path: Path) -> Path:
    target = tmp_path / "case"
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("case.lock"))
    return target


@pytest.fixture
def small_case(small_case_source: Path, tmp_path: Path) -> Path:
    return _copy(small_case_source, tmp_path)


@pytest.fixture
def demo_case(demo_case_source: Path, tmp_path: Path) -> Path:
    return _copy(demo_case_source, tmp_path)


@pytest.fixture
def open_window(qtbot) -> Callable[[Path], MainWindow]:
    """Open a case's main window, wait until its first result is listed and shown; closed after the test."""

    def opener(path: Path) -> MainWindow:
        window = open_main_window(path)
        qtbot.addWidget(window, before_close_func=partial(close_window, qtbot))
        with qtbot.waitActive(window):
            window.activateWindow()
        wait_idle(qtbot, window)
        return window

    return opener


@pytest.fixture(scope="session")
def matter_case_source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The chronology tests' matter (tests/casebuild_matter.py): a PDF memo, an email, a text note."""
    from tests.casebuild_matter import make_matter

    root = tmp_path_factory.mktemp("matter") / "case"
    with Case.create(root, name="Chronology matter") as case:
        make_matter(case, tmp_path_factory.mktemp("matter-files"))
    return root


@pytest.fixture
def matter_case(matter_case_source: Path, tmp_path: Path) -> Path:
    return _copy(matter_case_source, tmp_path)
