"""The one way the desktop runs core work off the GUI thread (after Anki's taskman and CollectionOp).

Work goes to one of three lanes:
  read   queries, searches and loading a document; two threads, so a slow search never holds up the rest
  write  database writes and ingest, one at a time and in the order asked, like Anki's collection ops
  pdf    everything that touches PyMuPDF, on one thread, because MuPDF is not thread-safe
The worker only computes; its result (or error) is handed back on the GUI thread through a queued signal,
so callbacks may touch widgets. Workers get ids and the Case (whose sessions are per call), never ORM
objects. Closing cancels every token handed out and waits for the workers to finish.
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from enum import StrEnum
from functools import partial
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Signal

from reviewer.core.errors import CancelledError, ReviewerError
from reviewer.core.progress import CancelToken, ProgressUpdate

T = TypeVar("T")


class Lane(StrEnum):
    READ = "read"
    WRITE = "write"
    PDF = "pdf"


_THREADS = {Lane.READ: 2, Lane.WRITE: 1, Lane.PDF: 1}


class TaskRunner(QObject):
    """Runs callables on worker lanes and calls back on the GUI thread."""

    # Emitted with a callable from worker threads; the connection queues it onto this object's thread.
    _delivered = Signal(object)
    failed = Signal(str)  # a ReviewerError nobody handled: one sentence for the status bar

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._executors = {lane: ThreadPoolExecutor(count, thread_name_prefix=f"reviewer-{lane}")
                           for lane, count in _THREADS.items()}
        self._tokens: set[CancelToken] = set()
        self._pending = 0
        self._closed = False
        self._delivered.connect(self._run_delivered)

    @property
    def pending(self) -> int:
        """Tasks submitted whose callbacks have not run yet."""
        return self._pending

    def run(self, work: Callable[[], T], on_done: Callable[[T], object] | None = None,
            on_error: Callable[[BaseException], None] | None = None, lane: Lane = Lane.READ,
            cancel: CancelToken | None = None) -> Future[T]:
        """Run `work()` on `lane`; `on_done(result)` or `on_error(exc)` follow on the GUI thread.

        Without `on_error`, a ReviewerError is reported through `failed` and anything else is re-raised on
        the GUI thread, where the application's exception hook shows it: bugs are never swallowed.
        """
        if self._closed:
            raise RuntimeError("the task runner is shut down")
        if cancel is not None:
            self._tokens.add(cancel)
        self._pending += 1
        future = self._executors[lane].submit(work)
        future.add_done_callback(
            lambda f: self._delivered.emit(partial(self._finish, f, on_done, on_error, cancel)))
        return future

    def _run_delivered(self, callback: Callable[[], None]) -> None:
        callback()

    def _finish(self, future: Future[Any], on_done: Callable[[Any], object] | None,
                on_error: Callable[[BaseException], None] | None, cancel: CancelToken | None) -> None:
        self._pending -= 1
        self._tokens.discard(cancel)
        if self._closed or future.cancelled():
            return
        error = future.exception()
        if error is None:
            if on_done is not None:
                on_done(future.result())
        elif on_error is not None:
            on_error(error)
        elif isinstance(error, CancelledError):
            pass
        elif isinstance(error, ReviewerError):
            self.failed.emit(str(error))
        else:
            raise error

    def shutdown(self) -> None:
        """Cancel what can be cancelled, drop queued work and wait for running work to end."""
        if self._closed:
            return
        self._closed = True
        for token in list(self._tokens):
            token.cancel()
        for executor in self._executors.values():
            executor.shutdown(wait=True, cancel_futures=True)


class LatestProgress:
    """A progress sink for core work: keeps only the newest update, for a dialog to poll with a timer
    (one signal per item would flood the GUI thread during a fast ingest)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._latest: ProgressUpdate | None = None

    def __call__(self, update: ProgressUpdate) -> None:
        with self._lock:
            self._latest = update

    def latest(self) -> ProgressUpdate | None:
        with self._lock:
            return self._latest


def describe_error(error: BaseException) -> str:
    """One sentence for errors users can cause; the traceback for bugs (so it can be reported)."""
    if isinstance(error, ReviewerError):
        return str(error)
    return "".join(traceback.format_exception(error)).strip()
