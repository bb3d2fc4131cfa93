"""Ingest orchestration: walk the inputs, extract in worker processes, record and index in this one.

Crash safety: results are recorded in database transactions every couple of seconds, after their
originals and text are safely on disk; a container (mailbox, archive) is recorded member by member and
gets its own ledger entry only with its last member, so a run killed inside it resumes at the member
where it stopped. The index is brought up to date from the database (`Document.indexed`), so a kill at
any moment leaves a case that reopens, and running the same ingest again skips what is done and
finishes the rest.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import delete, exists, select
from sqlalchemy.orm import aliased

from reviewer.core.audit import Action
from reviewer.core.case import Case
from reviewer.core.casebuild import people_build
from reviewer.core.choices import DEFAULT_FILE_TIMEOUT
from reviewer.core.errors import CancelledError, ReviewerError
from reviewer.core.ingest.extracted import Flag, Limits
from reviewer.core.ingest.pool import Chunk, ExtractionPool, Task
from reviewer.core.ingest.recorder import InputRecording, Recorder
from reviewer.core.ingest.walk import InputFile, shown_path, walk_inputs
from reviewer.core.ingest.worker import ItemResult, WorkerSettings
from reviewer.core.models import Document, IngestEntry
from reviewer.core.progress import CancelToken, Progress, ProgressUpdate, no_progress
from reviewer.core.recording import RecordingRun, RecordingTransaction, Unit, finish_batch, start_batch
from reviewer.core.search.index import index_pending
from reviewer.core.team.access import require_role

COMMIT_EVERY_ITEMS = 500
READER_MODULES_VARIABLE = "REVIEWER_READER_MODULES"


@dataclass
class IngestOptions:
    custodian: str = ""
    custodian_from_folder: bool = False
    jobs: int | None = None
    passwords: list[str] = field(default_factory=list)
    limits: Limits = field(default_factory=Limits)
    ocr: bool = True
    # Seconds a reader may go without producing a result (a container's members each count) before it is
    # stopped and the file recorded as an exception; None or 0 waits for ever.
    file_timeout: float | None = DEFAULT_FILE_TIMEOUT


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
    require_role(case, "admin", "ingest documents")
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
        plan = _plan(case, inputs)
        summary.inputs, summary.skipped = len(inputs), len(inputs) - len(plan.tasks)
        try:
            _run(case, plan, options, summary, progress, cancel)
        except CancelledError:
            summary.cancelled = True
        finally:
            index_pending(case)  # documents whose index commit a crash or error prevented
            finish_batch(case, batch_id, summary.cancelled, Action.INGEST, _describe(batch_id, summary))
        if not summary.cancelled:
            # Imported only now: a run that is stopped never pays for the analytics' libraries.
            from reviewer.core.analytics import run as analytics

            summary.cancelled = not analytics.refresh(case, progress, cancel, options.jobs)
        people_build.after_run(case, progress, cancel)
    summary.seconds = time.monotonic() - started
    return summary


def _describe(batch_id: int, summary: IngestSummary) -> str:
    return (f"ingest batch {batch_id}: {summary.documents:,} documents, {summary.duplicates:,} duplicates, "
            f"{summary.exceptions:,} exceptions")


@dataclass
class _Plan:
    """What this run still has to do: tasks in input order, and the container documents that runs
    interrupted inside a container left (their members are resumed, not read again)."""

    tasks: list[Task]
    resumed_roots: dict[tuple[str, str], int]


def _plan(case: Case, inputs: list[InputFile]) -> _Plan:
    """Inputs already recorded as a document or duplicate are skipped; earlier exceptions are tried again
    (a password may have been supplied since), their old ledger rows replaced. A container whose own
    entry is missing was interrupted: its recorded members are skipped and the rest read."""
    top = aliased(IngestEntry)

    def no_top_entry(custodian, source):
        return ~exists().where(top.member_path == "", top.custodian == custodian, top.source_path == source)

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
        recorded_members: dict[tuple[str, str], set[str]] = {}
        for custodian, source, member in session.execute(
            select(IngestEntry.custodian, IngestEntry.source_path, IngestEntry.member_path).where(
                IngestEntry.member_path != "",
                no_top_entry(IngestEntry.custodian, IngestEntry.source_path),
            )
        ):
            recorded_members.setdefault((custodian, source), set()).add(member)
        resumed_roots = {
            (custodian, source): doc_id
            for doc_id, custodian, source in session.execute(
                select(Document.id, Document.custodian, Document.source_path).where(
                    Document.parent_id.is_(None), Document.container_id.is_(None),
                    Document.flags.contains(Flag.CONTAINER.value),
                    no_top_entry(Document.custodian, Document.source_path),
                )
            )
        }
    tasks = []
    for item in inputs:
        key = (item.custodian, item.source)
        if key in done:
            continue
        resumed = key in recorded_members or key in resumed_roots
        tasks.append(Task(item, frozenset(recorded_members.get(key, ())), resumed))
    return _Plan(tasks, resumed_roots)


def _run(case: Case, plan: _Plan, options: IngestOptions, summary: IngestSummary,
         progress: Progress, cancel: CancelToken) -> None:
    run = RecordingRun(case, summary.batch_id, commit_every_units=COMMIT_EVERY_ITEMS)
    settings = WorkerSettings(store_root=case.natives.root, passwords=options.passwords,
                              limits=options.limits, ocr=options.ocr, reader_modules=_reader_modules(),
                              index_common=run.indexer.common)
    chunks = _ChunkRecorder(Recorder(case, summary.batch_id), plan.resumed_roots)
    jobs = options.jobs or os.cpu_count() or 1
    total = len(plan.tasks)
    processed = 0
    members = 0

    def report(message: str = "") -> None:
        progress(ProgressUpdate("ingest", processed, total, summary.counts(), message))

    report()
    try:
        # Pipes, devices and links out of the input are listed on the ledger without ever being opened.
        for task in (t for t in plan.tasks if t.input.refusal):
            _accumulate(summary, run.add(chunks.unit(Chunk(task.input, [_refused(task.input)], final=True))))
            processed += 1
        readable = [t for t in plan.tasks if not t.input.refusal]
        if readable:  # (no worker processes to start when everything is done already)
            with ExtractionPool(settings, jobs, options.file_timeout, cancel) as pool:
                for chunk in pool.stream(readable):
                    _accumulate(summary, run.add(chunks.unit(chunk), size=len(chunk.items)))
                    if chunk.final:
                        processed += 1
                        members = 0
                        report()
                    else:
                        members += len(chunk.items)
                        report(f"Reading {chunk.input.name}: {members:,} items so far…")
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


def _reader_modules() -> tuple[str, ...]:
    """Extra reader modules for the workers to import (comma-separated; tests use it for a reader
    that hangs)."""
    value = os.environ.get(READER_MODULES_VARIABLE, "")
    return tuple(name.strip() for name in value.split(",") if name.strip())


def _accumulate(summary: IngestSummary, counts: Mapping[str, int]) -> None:
    summary.documents += counts.get("document", 0)
    summary.duplicates += counts.get("duplicate", 0)
    summary.exceptions += counts.get("exception", 0)


def _refused(item_input: InputFile) -> ItemResult:
    return ItemResult("", None, None, "exception", reason=item_input.refusal, file_name=item_input.name)


class _ChunkRecorder:
    """Turns the pool's chunks into recording units. Chunks arrive in input order; the input being
    recorded keeps its InputRecording across chunks (and across transactions) until its last chunk."""

    def __init__(self, recorder: Recorder, resumed_roots: dict[tuple[str, str], int]) -> None:
        self.recorder = recorder
        self.resumed_roots = resumed_roots
        self.recording: InputRecording | None = None

    def unit(self, chunk: Chunk) -> Unit:
        def record(transaction: RecordingTransaction) -> dict[str, int]:
            if self.recording is None:
                source = (chunk.input.custodian, chunk.input.source)
                self.recording = InputRecording(resumed_root=self.resumed_roots.get(source))
            counts = self.recorder.record(transaction, chunk.input, chunk.items, self.recording, chunk.final)
            if chunk.final:
                self.recording = None
            return counts

        return record
