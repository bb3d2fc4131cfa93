"""Long jobs that draw with PyMuPDF (production, import) run in a child process of their own.

MuPDF is set up single-threaded here and calls back into Python for its warnings, so a second thread
using it beside the render lane could corrupt its state; and it never releases the GIL, so a long call on a
thread would freeze the window. A child process has neither problem. The long lane's thread starts the
child and relays its progress; Stop reaches the child through an event, and a child whose parent dies
stops as if Stop had been pressed, so the job can be resumed like any cancelled one.

This module imports no Qt: the child imports it to start, and only needs the core.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import pickle
import queue
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from reviewer.core.case import Case
from reviewer.core.errors import ReviewerError
from reviewer.core.progress import CancelToken, Progress, ProgressUpdate
from reviewer.core.team.server import learn_passwords, passwords_known

T = TypeVar("T")
PROGRESS_INTERVAL = 0.05  # seconds between progress updates sent to the window; it polls every 100 ms
_POLL = 0.1


class JobProcessError(ReviewerError):
    """The job's process ended without an answer (killed, or out of memory)."""


def run_in_child(job: Callable[..., T], case_location: Path, args: tuple[Any, ...], progress: Progress,
                 cancel: CancelToken) -> T:
    """Run `job(Case.open(case_location), *args, progress=..., cancel=...)` in a child process and return
    what it returns, or raise what it raised. Blocks the calling (worker) thread until the child ends.
    A shared case's password, once given in this process, is handed to the child (never to disk)."""
    context = multiprocessing.get_context("spawn")
    messages = context.Queue()
    # A lock-free flag, not an Event: a child that ends while waiting on an Event leaves its condition
    # counting a sleeper that never wakes, and the parent's next set() waits for it forever.
    stop = context.RawValue("b", 0)
    child = context.Process(target=_child_main,
                            args=(job, case_location, args, messages, stop, passwords_known()),
                            name=f"reviewer-{getattr(job, '__name__', 'job')}", daemon=True)
    child.start()
    try:
        while True:
            if cancel.cancelled:
                stop.value = 1
            try:
                kind, payload = messages.get(timeout=_POLL)
            except queue.Empty:
                if child.is_alive():
                    continue
                try:  # its last words may still be on their way through the pipe
                    kind, payload = messages.get(timeout=1.0)
                except queue.Empty:
                    raise JobProcessError(
                        f"The work stopped unexpectedly (exit code {child.exitcode}); nothing is lost "
                        "that was saved: run it again to finish.") from None
            if kind == "progress":
                progress(payload)
            elif kind == "result":
                return payload
            else:
                raise _rebuilt(payload)
    finally:
        stop.value = 1
        child.join(30)
        if child.is_alive():  # pragma: no cover - a child that ignores its stop flag
            child.kill()
            child.join()
        messages.close()


def _child_main(job: Callable[..., Any], case_location: Path, args: tuple[Any, ...],
                messages: multiprocessing.Queue[tuple[str, Any]], stop: Any,
                passwords: dict[str, str]) -> None:
    learn_passwords(passwords)
    cancel = CancelToken()
    threading.Thread(target=_watch, args=(stop, cancel), daemon=True).start()
    last_sent = 0.0

    def progress(update: ProgressUpdate) -> None:
        nonlocal last_sent
        now = time.monotonic()
        if now - last_sent >= PROGRESS_INTERVAL or (update.total and update.done >= update.total):
            last_sent = now
            messages.put(("progress", update))

    try:
        with Case.open(case_location) as case:
            result = job(case, *args, progress=progress, cancel=cancel)
        messages.put(("result", result))
    except BaseException as error:  # every outcome goes back to the window, bugs included
        messages.put(("error", _portable(error)))


def _watch(stop: Any, cancel: CancelToken) -> None:
    """Cancel the job when the window asks, or when the window's process is gone."""
    parent = multiprocessing.parent_process()
    while not stop.value:
        if parent is None:
            time.sleep(_POLL)
        elif multiprocessing.connection.wait([parent.sentinel], _POLL):
            break
    cancel.cancel()


def _portable(error: BaseException) -> tuple[type[BaseException], tuple[Any, ...], dict[str, Any]]:
    """The error as class, args and attributes: pickling an exception calls its class with its args,
    which breaks errors whose constructor takes something else (QcBlocked takes the issues)."""
    if not isinstance(error, ReviewerError):
        error.add_note("In the job's process:\n" + "".join(traceback.format_exception(error)).rstrip())
    state = (type(error), error.args, dict(error.__dict__))
    try:
        pickle.dumps(state)
    except Exception:
        kind = ReviewerError if isinstance(error, ReviewerError) else RuntimeError
        return kind, (str(error),), {"__notes__": getattr(error, "__notes__", [])}
    return state


def _rebuilt(state: tuple[type[BaseException], tuple[Any, ...], dict[str, Any]]) -> BaseException:
    kind, args, attributes = state
    error = kind.__new__(kind)
    BaseException.__init__(error, *args)
    error.__dict__.update(attributes)
    return error
