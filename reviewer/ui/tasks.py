"""The one way the desktop runs core work off the GUI thread (after Anki's taskman and CollectionOp).

Work goes to one of four lanes:
  read   queries, searches and loading a document; two threads, so a slow search never holds up the rest
  write  every short write a user makes (coding, notes, undo, saved searches, search history), one at a
         time and in the order asked, like Anki's collection ops; never behind a long job
  pdf    the render lane: everything that touches PyMuPDF in this process, on one thread, because MuPDF
         is not thread-safe
  long   ingest, import and production, one at a time, each with a cancel token; a long job that writes
         holds the case's writer lock, which coding does not need, so coding stays instant meanwhile
  model  retraining a prioritized review's model (in a child process), one at a time, beside a long job;
         cancelled on close like one (a training is derived data: the next one starts over)
  watch  asking the case what other reviewers changed (team_sync.py), on a thread of its own so that the
         window keeps up even while both read threads are busy with slow searches
The worker only computes; its result (or error) is handed back on the GUI thread through a queued signal,
so callbacks may touch widgets. Workers get ids and the Case (whose sessions are per call), never ORM
objects.

Closing (`close`) never drops a write: it cancels every token handed out (so long jobs stop cleanly and
can be resumed), drops the reads and renders still queued, lets the queued writes run, and emits `closed`
once every lane is empty, without blocking the GUI thread meanwhile.
"""

from __future__ import annotations

import threading
import traceback
from collections import Counter
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from enum import StrEnum
from functools import partial
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Qt, Signal

from reviewer.core.errors import CancelledError, ReviewerError
from reviewer.core.progress import CancelToken, ProgressUpdate

T = TypeVar("T")


class Lane(StrEnum):
    READ = "read"
    WRITE = "write"
    PDF = "pdf"
    LONG = "long"
    MODEL = "model"
    WATCH = "watch"


_THREADS = {Lane.READ: 2, Lane.WRITE: 1, Lane.PDF: 1, Lane.LONG: 1, Lane.MODEL: 1, Lane.WATCH: 1}
# What closing drops: work that only shows something, or (long jobs) that stops at its cancel token and
# resumes when run again. Writes are never on this list.
_DROPPED_ON_CLOSE = (Lane.READ, Lane.PDF, Lane.LONG, Lane.MODEL, Lane.WATCH)


class TaskRunner(QObject):
    """Runs callables on worker lanes and calls back on the GUI thread."""

    # Emitted with a callable from worker threads; the connection queues it onto this object's thread.
    _delivered = Signal(object)
    failed = Signal(str)  # a ReviewerError nobody handled: one sentence for the status bar
    closed = Signal()  # after `close`: every lane is empty and the workers have stopped

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._executors = {lane: ThreadPoolExecutor(count, thread_name_prefix=f"reviewer-{lane}")
                           for lane, count in _THREADS.items()}
        self._tokens: set[CancelToken] = set()
        self._waiting: dict[Lane, set[Future[Any]]] = {lane: set() for lane in Lane}
        self._undelivered: Counter[Lane] = Counter()
        self._closing = False
        self._closed = False
        self._delivered.connect(self._run_delivered, Qt.ConnectionType.QueuedConnection)

    @property
    def pending(self) -> int:
        """Tasks submitted whose callbacks have not run yet."""
        return self._undelivered.total()

    def pending_on(self, lane: Lane) -> int:
        return self._undelivered[lane]

    @property
    def is_closing(self) -> bool:
        return self._closing

    @property
    def is_closed(self) -> bool:
        return self._closed

    def run(self, work: Callable[[], T], on_done: Callable[[T], object] | None = None,
            on_error: Callable[[BaseException], None] | None = None, lane: Lane = Lane.READ,
            cancel: CancelToken | None = None) -> Future[T]:
        """Run `work()` on `lane`; `on_done(result)` or `on_error(exc)` follow on the GUI thread.

        Without `on_error`, a ReviewerError is reported through `failed` and anything else is re-raised on
        the GUI thread, where the application's exception hook shows it: bugs are never swallowed.
        While closing, writes are still taken (and run); anything else comes back already cancelled.
        """
        if self._closed:
            raise RuntimeError("the task runner is shut down")
        if self._closing and lane is not Lane.WRITE:
            refused: Future[T] = Future()
            refused.cancel()
            return refused
        if cancel is not None:
            self._tokens.add(cancel)
        future = self._executors[lane].submit(work)
        self._undelivered[lane] += 1
        self._waiting[lane].add(future)
        future.add_done_callback(
            lambda f: self._delivered.emit(partial(self._finish, lane, f, on_done, on_error, cancel)))
        return future

    def write_and_say(self, work: Callable[[], T], said: Callable[[T], str], show: Callable[[str], None],
                      then: Callable[[], object] | None = None,
                      refused: Callable[[], object] | None = None) -> Future[T]:
        """A short write on the write lane whose outcome a pane states in one sentence: `said(result)`, or
        the error's own sentence, handed to `show`; then `then` after success, `refused` after failure."""
        def done(result: T) -> None:
            show(said(result))
            if then is not None:
                then()

        def failed(error: BaseException) -> None:
            show(describe_error(error))
            if refused is not None:
                refused()

        return self.run(work, done, failed, lane=Lane.WRITE)

    def _run_delivered(self, callback: Callable[[], None]) -> None:
        callback()

    def _finish(self, lane: Lane, future: Future[Any], on_done: Callable[[Any], object] | None,
                on_error: Callable[[BaseException], None] | None, cancel: CancelToken | None) -> None:
        self._undelivered[lane] -= 1
        self._waiting[lane].discard(future)
        self._tokens.discard(cancel)
        try:
            self._deliver(lane, future, on_done, on_error)
        finally:
            if self._closing and not self._closed and not self.pending:
                self._finish_closing()

    def _deliver(self, lane: Lane, future: Future[Any], on_done: Callable[[Any], object] | None,
                 on_error: Callable[[BaseException], None] | None) -> None:
        if future.cancelled():
            return
        error = future.exception()
        if self._closing:
            # The window is going away and results have nowhere to show; but a write that failed, or a
            # bug anywhere, is still raised for the exception hook, never swallowed.
            if error is not None and not isinstance(error, CancelledError) and (
                    lane is Lane.WRITE or not isinstance(error, ReviewerError)):
                raise error
            return
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

    def close(self) -> None:
        """Start closing without blocking: cancel every token (long jobs stop at their next unit of work),
        drop queued reads, renders and long jobs, keep every write. `closed` follows once all is done
        (at once when nothing was pending)."""
        if self._closing:
            return
        self._closing = True
        self._cancel_droppable()
        if not self.pending:
            self._finish_closing()

    def shutdown(self) -> None:
        """Close and wait here for the running work and the queued writes to end (for owners that have no
        event loop left to wait in)."""
        if self._closed:
            return
        self._closing = True
        self._cancel_droppable()
        self._finish_closing()

    def _cancel_droppable(self) -> None:
        for token in list(self._tokens):
            token.cancel()
        for lane in _DROPPED_ON_CLOSE:
            for future in list(self._waiting[lane]):
                future.cancel()  # only queued work can be cancelled; running work ends by itself

    def _finish_closing(self) -> None:
        self._closed = True
        for executor in self._executors.values():
            executor.shutdown(wait=True)  # writes included: queued writes run before this returns
        self.closed.emit()


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
