"""Ingest orchestration: walk the inputs, extract in worker processes, record and index in this one.

Crash safety: each input file (with everything inside it) is recorded in one database transaction,
after its originals and text are safely on disk; the index is brought up to date from the database
(`Document.indexed`), so a kill at any moment leaves a case that reopens, and running the same ingest
again skips what is done and finishes the rest.
"""

from __future__ import annotations

import os
import time
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from sqlalchemy import delete, select

from reviewer.core.audit import Action
from reviewer.core.case import Case
from reviewer.core.errors import CancelledError, ReviewerError
from reviewer.core.ingest.extracted import ExtractionFailed, Limits, Reason
from reviewer.core.ingest.recorder import Recorder
from reviewer.core.ingest.walk import InputFile, shown_path, walk_inputs
from reviewer.core.ingest.worker import ItemResult, WorkerSettings, init_worker, process_file, process_input
from reviewer.core.models import IngestEntry
from reviewer.core.progress import CancelToken, Progress, ProgressUpdate, no_progress
from reviewer.core.recording import RecordingRun, finish_batch, start_batch
from reviewer.core.search.index import index_pending


@dataclass
class IngestOptions:
    custodian: str = ""
    custodian_from_folder: bool = False
    jobs: int | None = None
    passwords: list[str] = field(default_factory=list)
    limits: Limits = field(default_factory=Limits)
    ocr: bool = True


@dataclass
class IngestSummary:
    inputs: int = 0
    skipped: int = 0
    documents: int = 0
    duplicates: int = 0
    exceptions: int = 0
    cancelled: bool = False
    seconds: float = 0.0
    batch_id: int = 0

    def add(self, other: IngestSummary) -> None:
        """Fold another run into this one (several folders ingested as one step)."""
        for name in ("inputs", "skipped", "documents", "duplicates", "exceptions"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.cancelled = self.cancelled or other.cancelled
        self.seconds += other.seconds

    def counts(self) -> dict[str, int]:
        return {"documents": self.documents, "duplicates": self.duplicates, "exceptions": self.exceptions}


def ingest(case: Case, paths: Iterable[Path | str], options: IngestOptions | None = None,
           progress: Progress = no_progress, cancel: CancelToken | None = None) -> IngestSummary:
    """Ingest files and folders into the case. Cancelling stops cleanly; the next run resumes."""
    options = options or IngestOptions()
    cancel = cancel or CancelToken()
    started = time.monotonic()
    sources = [Path(p) for p in paths]
    missing = [str(p) for p in sources if not p.exists()]
    if missing:
        raise ReviewerError(f"Not found: {', '.join(missing)}")
    with case.writing():
        index_pending(case)  # finish what a killed run left unindexed
        batch_id = start_batch(case, options.custodian, (shown_path(str(p.absolute())) for p in sources))
        summary = IngestSummary(batch_id=batch_id)
        progress(ProgressUpdate("scan", message="Looking for files…"))
        inputs = walk_inputs(sources, options.custodian, options.custodian_from_folder)
        todo = _not_yet_done(case, inputs)
        summary.inputs, summary.skipped = len(inputs), len(inputs) - len(todo)
        try:
            _run(case, todo, options, summary, progress, cancel)
        except CancelledError:
            summary.cancelled = True
        finally:
            index_pending(case)  # documents whose index commit a crash or error prevented
            finish_batch(case, batch_id, summary.cancelled, Action.INGEST, _describe(batch_id, summary))
    summary.seconds = time.monotonic() - started
    return summary


def _describe(batch_id: int, summary: IngestSummary) -> str:
    return (f"ingest batch {batch_id}: {summary.documents:,} documents, {summary.duplicates:,} duplicates, "
            f"{summary.exceptions:,} exceptions")


def _not_yet_done(case: Case, inputs: list[InputFile]) -> list[InputFile]:
    """Inputs already recorded as a document or duplicate are skipped; earlier exceptions are tried again
    (a password may have been supplied since), their old ledger rows replaced."""
    with case.db.session() as session:
        rows = session.execute(
            select(IngestEntry.custodian, IngestEntry.source_path, IngestEntry.status).where(
                IngestEntry.member_path == ""
            )
        ).all()
        done: set[tuple[str, str]] = set()
        failed: set[tuple[str, str]] = set()
        for custodian, source, status in rows:
            (failed if status == "exception" else done).add((custodian, source))
        retry = [i for i in inputs if (i.custodian, i.source) in failed]
        for item in retry:
            session.execute(
                delete(IngestEntry).where(IngestEntry.custodian == item.custodian,
                                          IngestEntry.source_path == item.source)
            )
    return [i for i in inputs if (i.custodian, i.source) not in done]


def _run(case: Case, todo: list[InputFile], options: IngestOptions, summary: IngestSummary,
         progress: Progress, cancel: CancelToken) -> None:
    settings = WorkerSettings(store_root=case.natives.root, passwords=options.passwords,
                              limits=options.limits, ocr=options.ocr)
    recorder = Recorder(case, summary.batch_id)
    run = RecordingRun(case, summary.batch_id)
    jobs = options.jobs or os.cpu_count() or 1
    total = len(todo)
    processed = 0

    def report() -> None:
        progress(ProgressUpdate("ingest", processed, total, summary.counts()))

    report()
    try:
        # Pipes, devices and links out of the input are listed on the ledger without ever being opened.
        for item_input in (i for i in todo if i.refusal):
            _accumulate(summary, run.add(partial(recorder.record, item_input=item_input,
                                                 items=[_refused(item_input)])))
            processed += 1
        readable = [i for i in todo if not i.refusal]
        for item_input, items in _extract_in_order(readable, settings, jobs, cancel):
            _accumulate(summary, run.add(partial(recorder.record, item_input=item_input, items=items)))
            processed += 1
            report()
        _accumulate(summary, run.flush())
    except CancelledError:
        _accumulate(summary, run.flush())  # what was extracted before the stop is kept
        raise
    except BaseException:
        run.abandon_index()
        raise
    finally:
        report()
        progress(ProgressUpdate("index", message="Updating the search index…"))
        run.commit_index()
    cancel.raise_if_cancelled()


def _accumulate(summary: IngestSummary, counts: Mapping[str, int]) -> None:
    summary.documents += counts.get("document", 0)
    summary.duplicates += counts.get("duplicate", 0)
    summary.exceptions += counts.get("exception", 0)


def _refused(item_input: InputFile) -> ItemResult:
    return ItemResult("", None, None, "exception", reason=item_input.refusal, file_name=item_input.name)


def _extract_in_order(todo: list[InputFile], settings: WorkerSettings, jobs: int,
                      cancel: CancelToken) -> Iterator[tuple[InputFile, list[ItemResult]]]:
    """Extraction results in input order (so control numbers follow the folders), a few files ahead."""
    if jobs <= 1:
        for item_input in todo:
            cancel.raise_if_cancelled()
            yield item_input, process_file(item_input.path, settings)
        return
    # Far enough ahead that the workers keep extracting while this process records and indexes.
    window = jobs * 32
    queue = deque(todo)
    in_flight: deque[tuple[InputFile, Future[list[ItemResult]]]] = deque()
    pool = _new_pool(settings, jobs)
    try:
        while queue or in_flight:
            while queue and len(in_flight) < window and not cancel.cancelled:
                item_input = queue.popleft()
                in_flight.append((item_input, pool.submit(process_input, item_input.path)))
            if cancel.cancelled:
                for _, future in in_flight:
                    future.cancel()
                cancel.raise_if_cancelled()
            item_input, future = in_flight.popleft()
            try:
                yield item_input, future.result()
            except BrokenProcessPool:
                # A reader crashed its process (native code on a malformed file). Find the culprit by
                # running each file that was in flight alone, then carry on with a fresh pool.
                pool.shutdown(wait=False, cancel_futures=True)
                suspects = [item_input] + [i for i, _ in in_flight]
                in_flight.clear()
                for suspect in suspects:
                    yield suspect, _isolated(suspect, settings)
                pool = _new_pool(settings, jobs)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _new_pool(settings: WorkerSettings, jobs: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(max_workers=jobs, initializer=init_worker, initargs=(settings, os.getpid()),
                               mp_context=_spawn_safe_context())


def _spawn_safe_context():
    """Forking a process that holds SQLite and Whoosh handles is unsafe; spawn clean interpreters."""
    import multiprocessing

    return multiprocessing.get_context("spawn" if os.name == "nt" else "forkserver")


def _isolated(item_input: InputFile, settings: WorkerSettings) -> list[ItemResult]:
    with _new_pool(settings, 1) as pool:
        try:
            return pool.submit(process_input, item_input.path).result()
        except BrokenProcessPool:
            failure = ExtractionFailed(Reason.DAMAGED, "The file crashed the reader; it is probably damaged.")
            return [ItemResult("", None, None, "exception", reason=str(failure),
                               file_name=item_input.name)]
