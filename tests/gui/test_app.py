"""The application's entry points: the start screen, `reviewer gui --screenshot`, bare `reviewer`, and the
task runner every pane relies on."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from functools import partial

import pytest
from PySide6.QtGui import QImage

from reviewer import cli
from reviewer.core.errors import ReviewerError
from reviewer.core.progress import CancelToken, ProgressUpdate
from reviewer.ui import app
from reviewer.ui.dialogs.start_screen import StartScreen
from reviewer.ui.recent import recent_cases, remember_case
from reviewer.ui.tasks import Lane, LatestProgress, TaskRunner


def test_start_screen_lists_recent_cases_and_opens_one(qtbot, small_case, tmp_path):
    remember_case(tmp_path / "gone")  # a case that no longer exists is not offered
    remember_case(small_case)
    assert recent_cases() == [small_case]
    screen = StartScreen()
    qtbot.addWidget(screen)
    assert screen.recent.count() == 1
    with qtbot.waitSignal(screen.caseChosen) as chosen:
        screen.recent.itemActivated.emit(screen.recent.item(0))
    assert chosen.args == [small_case]


def test_opening_a_case_remembers_it(open_window, small_case):
    window = open_window(small_case)
    assert window.windowTitle() == "GUI test matter — Reviewer"
    assert recent_cases() == [small_case]


def test_screenshot_command_saves_the_drawn_window(small_case, tmp_path):
    target = tmp_path / "shot.png"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path / "config")}
    command = [sys.executable, "-m", "reviewer", "gui", str(small_case), "--screenshot", str(target),
               "--query", "warrant", "--select", "DOC-000001"]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    image = QImage(str(target))
    assert (image.width(), image.height()) == (1440, 900)


def test_bare_reviewer_opens_the_start_screen(monkeypatch):
    opened: list[object] = []
    monkeypatch.setattr(app, "run", lambda case_path=None: opened.append(case_path) or 0)
    assert cli.main([]) == 0
    assert opened == [None]


def test_task_runner_calls_back_on_the_gui_thread(qtbot):
    runner = TaskRunner()
    gui = threading.current_thread()
    seen: list[object] = []
    runner.run(lambda: threading.current_thread() is not gui,
               lambda off_thread: seen.append((off_thread, threading.current_thread() is gui)))
    runner.run(lambda: 1 / 0, on_error=lambda error: seen.append((type(error), threading.current_thread())),
               lane=Lane.WRITE)
    with qtbot.waitSignal(runner.failed) as failed:
        runner.run(_raise_reviewer_error, lane=Lane.PDF)
    qtbot.waitUntil(lambda: runner.pending == 0)
    # The work ran off the GUI thread; its callbacks ran on it.
    assert seen == [(True, True), (ZeroDivisionError, gui)] and failed.args == ["Not today."]
    runner.shutdown()


def test_task_runner_shutdown_runs_queued_writes_and_drops_queued_reads():
    runner = TaskRunner()
    reads_gate, write_gate = threading.Event(), threading.Event()
    ran: list[object] = []
    for _ in range(2):  # both read threads busy, one read queued
        runner.run(lambda: reads_gate.wait(10))
    runner.run(lambda: ran.append("read"))
    runner.run(lambda: write_gate.wait(10), lane=Lane.WRITE)  # a write running, five queued behind it
    for number in range(5):
        runner.run(partial(ran.append, number), lane=Lane.WRITE)
    # The running work ends only once shutdown has begun: what is queued then must still run (writes)
    # or be dropped (reads).
    threading.Timer(0.2, reads_gate.set).start()
    threading.Timer(0.5, write_gate.set).start()
    runner.shutdown()
    assert ran == [0, 1, 2, 3, 4]


def test_closing_the_task_runner_drains_writes_without_blocking_and_stops_long_jobs(qtbot):
    runner = TaskRunner()
    gate = threading.Event()
    ran: list[object] = []
    long_job = CancelToken()
    runner.run(partial(_until_cancelled, long_job), lane=Lane.LONG, cancel=long_job)
    runner.run(lambda: gate.wait(10), lane=Lane.WRITE)
    runner.run(partial(ran.append, "write"), lane=Lane.WRITE)
    runner.run(lambda: gate.wait(10), lane=Lane.PDF)
    runner.run(partial(ran.append, "render"), lane=Lane.PDF)
    with qtbot.waitSignal(runner.closed, timeout=10_000):
        runner.close()
        assert long_job.cancelled and not runner.is_closed  # the GUI thread is not held up meanwhile
        runner.run(partial(ran.append, "late write"), lane=Lane.WRITE)  # e.g. a keypress while closing
        assert runner.run(partial(ran.append, "late read")).cancelled()
        gate.set()
    assert ran == ["write", "late write"] and runner.pending == 0


def test_a_render_completes_while_a_long_job_runs(qtbot):
    runner = TaskRunner()
    stop = CancelToken()
    runner.run(partial(_until_cancelled, stop), lane=Lane.LONG, cancel=stop)
    drawn: list[int] = []
    runner.run(lambda: 42, drawn.append, lane=Lane.PDF)
    qtbot.waitUntil(lambda: drawn == [42], timeout=5_000)
    assert runner.pending_on(Lane.LONG) == 1  # the long job is still running
    runner.shutdown()


def test_task_runner_shutdown_cancels_running_work():
    runner = TaskRunner()
    token = CancelToken()
    started = threading.Event()

    def work() -> None:
        started.set()
        while not token.cancelled:
            token_wait.wait(0.01)

    token_wait = threading.Event()
    runner.run(work, lane=Lane.WRITE, cancel=token)
    started.wait(5)
    runner.shutdown()  # returns only once the work has seen the cancel and stopped
    assert token.cancelled
    with pytest.raises(RuntimeError):
        runner.run(lambda: None)


def test_latest_progress_keeps_only_the_newest_update():
    progress = LatestProgress()
    assert progress.latest() is None
    progress(ProgressUpdate("ingest", 1, 10))
    progress(ProgressUpdate("ingest", 2, 10))
    assert progress.latest() == ProgressUpdate("ingest", 2, 10)


def _until_cancelled(token: CancelToken) -> None:
    deadline = time.monotonic() + 10
    while not token.cancelled and time.monotonic() < deadline:
        time.sleep(0.01)


def _raise_reviewer_error() -> None:
    raise ReviewerError("Not today.")


