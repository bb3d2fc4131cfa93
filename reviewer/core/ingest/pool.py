"""Worker processes for ingest: each reads one input at a time and streams its results back in chunks.

ProcessPoolExecutor cannot stop one task, so this is a small pool of its own: one pipe per worker, one
input per worker at a time. That gives what the pipeline needs:

- a reader that hangs is ended by killing its worker after `file_timeout` seconds without a result
  (members of a container each count as a result), and a fresh worker takes its place;
- a reader that crashes its process is blamed alone: every other input is on a worker of its own;
- a container streams: the worker sends its members in chunks and, past a few unread chunks, waits
  until the main process asks for more, so memory stays flat however large the container;
- Stop is immediate: the workers are killed (they write only atomic, content-addressed files).

Results come back in input order, so control numbers follow the folders.
"""

from __future__ import annotations

import importlib
import multiprocessing
import os
import shutil
import tempfile
import time
import traceback
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

from reviewer.core.ingest.extracted import ExtractionFailed, Reason
from reviewer.core.ingest.walk import InputFile
from reviewer.core.ingest.worker import REMAINDER, ItemResult, WorkerSettings, process_file
from reviewer.core.progress import CancelToken
from reviewer.core.worker_processes import watch_parent

# Inputs read ahead of the one being recorded, per worker, so workers never wait for the recorder.
AHEAD_PER_WORKER = 32
# Chunks of one container held in the main process before its worker is asked to wait.
BUFFERED_CHUNKS = 4
POLL_SECONDS = 0.2

_CRASHED = "The file crashed the reader; it is probably damaged."


@dataclass
class Chunk:
    input: InputFile
    items: list[ItemResult]
    final: bool


@dataclass(frozen=True)
class Task:
    input: InputFile
    skip: frozenset[str] = frozenset()  # members an interrupted run recorded already
    resumed: bool = False  # an interrupted run recorded part of this input


@dataclass
class _Job:
    task: Task
    chunks: deque[Chunk] = field(default_factory=deque)
    received_any: bool = False

    @property
    def input(self) -> InputFile:
        return self.task.input


class _Worker:
    def __init__(self, context: Any, settings: WorkerSettings) -> None:
        self.connection, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child, settings, os.getpid()), daemon=True)
        self.process.start()
        child.close()
        self.job: _Job | None = None
        self.waiting = False  # it sent part of a container and waits to be asked for more
        self.heard = time.monotonic()

    def start(self, job: _Job) -> None:
        self.job, self.waiting, self.heard = job, False, time.monotonic()
        self.connection.send((job.input.path, job.task.skip))

    def go_on(self) -> None:
        self.waiting, self.heard = False, time.monotonic()
        self.connection.send(True)

    def kill(self) -> None:
        self.process.kill()
        self.process.join()
        self.connection.close()

    def stop(self) -> None:
        try:
            self.connection.send(None)
        except OSError:
            pass
        self.process.join(timeout=2)
        if self.process.is_alive():
            self.kill()
        self.connection.close()


class ExtractionPool:
    """`jobs` worker processes; `stream()` hands back each input's chunks in input order."""

    def __init__(self, settings: WorkerSettings, jobs: int, file_timeout: float | None,
                 cancel: CancelToken) -> None:
        self.scratch = Path(tempfile.mkdtemp(prefix="reviewer-ingest-"))
        self.settings = replace(settings, scratch_root=self.scratch)
        self.file_timeout = file_timeout
        self.cancel = cancel
        self.context = _worker_context()
        self.workers = [_Worker(self.context, self.settings) for _ in range(max(1, jobs))]

    def close(self) -> None:
        for worker in self.workers:
            if worker.job is None:
                worker.stop()
            else:
                worker.kill()
        self.workers = []
        shutil.rmtree(self.scratch, ignore_errors=True)

    def __enter__(self) -> ExtractionPool:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def stream(self, todo: Iterable[Task]) -> Iterator[Chunk]:
        """The chunks of every task's input, in order."""
        queue = deque(todo)
        window: deque[_Job] = deque()  # started, in input order, not yet handed on completely
        ahead = AHEAD_PER_WORKER * len(self.workers)
        while queue or window:
            self.cancel.raise_if_cancelled()
            for worker in self.workers:
                if worker.job is None and queue and len(window) < ahead:
                    job = _Job(queue.popleft())
                    window.append(job)
                    self._start(worker, job)
            head = window[0]
            if head.chunks:
                chunk = head.chunks.popleft()
                self._let_go_on(head)
                if chunk.final:
                    window.popleft()
                yield chunk
            else:
                self._wait()

    def _start(self, worker: _Worker, job: _Job) -> None:
        try:
            worker.start(job)
        except OSError:  # it died while idle: a fresh one takes the input
            self._replace(worker).start(job)

    def _let_go_on(self, job: _Job) -> None:
        worker = next((w for w in self.workers if w.job is job), None)
        if worker is not None and worker.waiting and len(job.chunks) < BUFFERED_CHUNKS:
            worker.go_on()

    def _wait(self) -> None:
        busy = [w for w in self.workers if w.job is not None]
        now = time.monotonic()
        timeout = POLL_SECONDS
        if self.file_timeout:
            for worker in busy:
                if not worker.waiting:
                    timeout = min(timeout, max(0.0, worker.heard + self.file_timeout - now))
        ready = wait([w.connection for w in busy] + [w.process.sentinel for w in busy], timeout)
        for worker in busy:
            if worker.connection in ready:
                self._receive(worker)
        for worker in busy:
            if worker.job is not None and not worker.process.is_alive():
                self._lose(worker, ExtractionFailed(Reason.DAMAGED, _CRASHED))
        if self.file_timeout:
            now = time.monotonic()
            for worker in busy:
                if worker.job is not None and not worker.waiting and now - worker.heard > self.file_timeout:
                    detail = (f"The file took longer than {self.file_timeout:g} s to read; its reader was "
                              "stopped. Add it again with a longer time limit per file.")
                    self._lose(worker, ExtractionFailed(Reason.TOO_SLOW, detail))

    def _receive(self, worker: _Worker) -> None:
        job = worker.job
        assert job is not None
        while worker.connection.poll():
            try:
                message = worker.connection.recv()
            except (EOFError, OSError):
                return  # it died; the liveness check blames its input
            if message[0] == "error":
                raise RuntimeError(f"An ingest worker failed on {job.input.path}:\n{message[1]}")
            _, items, final = message
            job.chunks.append(Chunk(job.input, items, final))
            job.received_any = True
            worker.heard = time.monotonic()
            if final:
                worker.job = None
                return
            worker.waiting = True
            self._let_go_on(job)

    def _lose(self, worker: _Worker, failure: ExtractionFailed) -> None:
        """The worker crashed or hung: its input ends with an exception, a fresh worker takes its place."""
        job = worker.job
        assert job is not None
        worker.kill()
        self._replace(worker)
        job.chunks.append(Chunk(job.input, [_lost_item(job, failure)], final=True))

    def _replace(self, worker: _Worker) -> _Worker:
        fresh = _Worker(self.context, self.settings)
        self.workers[self.workers.index(worker)] = fresh
        return fresh


def _lost_item(job: _Job, failure: ExtractionFailed) -> ItemResult:
    """What the ledger says of a lost input: one exception, or, when some of a container's members are
    recorded already, one exception for the members after them."""
    name = job.input.path.name
    if not (job.received_any or job.task.resumed):
        return ItemResult("", None, None, "exception", reason=str(failure), file_name=name)
    member, copy = REMAINDER, 1
    while member in job.task.skip:  # lost once already, in a run this one resumes
        copy += 1
        member = f"{REMAINDER} ({copy})"
    return ItemResult(member, None, 0, "exception", reason=str(failure), file_name=name)


def _worker_context() -> Any:
    """Forking a process that holds SQLite and Whoosh handles is unsafe: spawn clean interpreters (from
    a fork server that has the readers imported already, where there is one)."""
    if os.name == "nt":
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__])
    return context


def _serve(connection: Connection, settings: WorkerSettings, parent_pid: int) -> None:
    """A worker process: read the inputs it is sent until it is sent None."""
    watch_parent(parent_pid)
    for module in settings.reader_modules:
        importlib.import_module(module)

    def send(items: list[ItemResult], final: bool) -> None:
        connection.send(("chunk", items, final))
        if not final and not connection.recv():
            raise SystemExit(0)  # the run is over

    while True:
        try:
            request = connection.recv()
        except (EOFError, OSError):
            return
        if request is None:
            return
        path, skip = request
        try:
            process_file(path, settings, send, skip)
        except Exception:  # a bug, not bad input (readers' failures are caught): the run must hear of it
            connection.send(("error", traceback.format_exc()))
