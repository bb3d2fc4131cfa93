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
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import delete, select

from reviewer.core.case import Case, current_user, now
from reviewer.core.errors import CancelledError, ReviewerError
from reviewer.core.ingest.extracted import ExtractionFailed, Limits, Reason
from reviewer.core.ingest.recorder import Recorder
from reviewer.core.ingest.walk import InputFile, shown_path, walk_inputs
from reviewer.core.ingest.worker import ItemResult, WorkerSettings, init_worker, process_file, process_input
from reviewer.core.models import IngestBatch, IngestEntry
from reviewer.core.progress import CancelToken, Progress, ProgressUpdate, no_progress
from reviewer.core.search.index import LiveIndexer, index_pending

COMMIT_EVERY_SECONDS = 2.0
COMMIT_EVERY_INPUTS = 200


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
    paths = [Path(p) for p in paths]
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise ReviewerError(f"Not found: {', '.join(missing)}")
    with case.writing():
        index_pending(case)  # finish what a killed run left unindexed
        batch_id = _start_batch(case, options, paths)
        summary = IngestSummary(batch_id=batch_id)
        progress(ProgressUpdate("scan", message="Looking for files…"))
        inputs = walk_inputs(paths, options.custodian, options.custodian_from_folder)
        todo = _not_yet_done(case, inputs)
        summary.inputs, summary.skipped = len(inputs), len(inputs) - len(todo)
        try:
            _run(case, todo, options, summary, progress, cancel)
        except CancelledError:
            summary.cancelled = True
        finally:
            index_pending(case)  # documents whose index commit a crash or error prevented
            _finish_batch(case, batch_id, summary.cancelled)
    summary.seconds = time.monotonic() - started
    return summary


def _start_batch(case: Case, options: IngestOptions, paths: list[Path]) -> int:
    with case.db.session() as session:
        batch = IngestBatch(started=now(), user=current_user(), custodian=options.custodian,
                            sources="\n".join(shown_path(str(p.absolute())) for p in paths))
        session.add(batch)
        session.flush()
        return batch.id


def _finish_batch(case: Case, batch_id: int, cancelled: bool) -> None:
    with case.db.session() as session:
        batch = session.get(IngestBatch, batch_id)
        assert batch is not None
        batch.finished, batch.cancelled = now(), cancelled


def _not_yet_done(case: Case, inputs: list[InputFile]) -> list[InputFile]:
    """Inputs already recorded as a document or duplicate are skipped; earlier exceptions are tried again
    (a password may have been supplied since), their old ledger rows replaced."""
    with case.db.session() as session:
        rows = session.execute(
            select(IngestEntry.custodian, IngestEntry.source_path, IngestEntry.status).where(
                IngestEntry.member_path == ""
            )
        ).all()
        done, failed = set(), set()
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
    indexer = LiveIndexer(case)
    writer = _BatchWriter(case, recorder, indexer)
    jobs = options.jobs or os.cpu_count() or 1
    total = len(todo)
    processed = 0

    def report() -> None:
        progress(ProgressUpdate("ingest", processed, total, summary.counts()))

    report()
    try:
        # Pipes, devices and links out of the input are listed on the ledger without ever being opened.
        for item_input in (i for i in todo if i.refusal):
            _accumulate(summary, writer.add(item_input, [_refused(item_input)]))
            processed += 1
        readable = [i for i in todo if not i.refusal]
        for item_input, items in _extract_in_order(readable, settings, jobs, cancel):
            _accumulate(summary, writer.add(item_input, items))
            processed += 1
            report()
        _accumulate(summary, writer.flush())
    except CancelledError:
        _accumulate(summary, writer.flush())  # what was extracted before the stop is kept
        raise
    except BaseException:
        indexer.abandon()
        raise
    finally:
        report()
        progress(ProgressUpdate("index", message="Updating the search index…"))
        indexer.commit()
    cancel.raise_if_cancelled()


def _accumulate(summary: IngestSummary, counts: dict[str, int]) -> None:
    summary.documents += counts["document"]
    summary.duplicates += counts["duplicate"]
    summary.exceptions += counts["exception"]


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


def _spawn_safe_context():  # noqa: ANN202
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


class _BatchWriter:
    """Records inputs in transactions of a few hundred, so a kill loses at most a couple of seconds."""

    def __init__(self, case: Case, recorder: Recorder, indexer: LiveIndexer) -> None:
        self.case = case
        self.recorder = recorder
        self.indexer = indexer
        self.pending: list[tuple[InputFile, list[ItemResult]]] = []
        self.last_commit = time.monotonic()

    def add(self, item_input: InputFile, items: list[ItemResult]) -> dict[str, int]:
        counts = {"document": 0, "duplicate": 0, "exception": 0}
        self.pending.append((item_input, items))
        due = time.monotonic() - self.last_commit > COMMIT_EVERY_SECONDS
        if due or len(self.pending) >= COMMIT_EVERY_INPUTS:
            counts = self.flush()
        return counts

    def flush(self) -> dict[str, int]:
        totals = {"document": 0, "duplicate": 0, "exception": 0}
        if not self.pending:
            return totals
        new_ids: list[int] = []
        with self.case.db.session() as session:
            for item_input, items in self.pending:
                outcome = self.recorder.record(session, item_input, items)
                new_ids.extend(outcome.new_document_ids)
                for key, value in outcome.counts.items():
                    totals[key] += value
        self.pending.clear()
        self.indexer.add(new_ids)  # after the database commit: the index never holds an unrecorded document
        self.last_commit = time.monotonic()
        return totals
