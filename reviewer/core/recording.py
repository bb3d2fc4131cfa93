"""The one way documents enter a case: source → record → index, for ingest and imported productions alike.

A source (the ingest pipeline, a production import, the next one to come) hands a `RecordingRun` units of
work; each unit records one input (a file with everything in it, a load-file row) through a
`RecordingTransaction`. The run groups units into transactions of a couple of seconds and keeps the rules
that make a case safe in one place:

- The run holds the case's writer lock, and each transaction is a write session (db.py), which holds the
  case's write lock before anything is read: no other process can record in between.
- Document ids are allocated inside the transaction that records them, from the newest id committed;
  control numbers and ids are unique in the schema as the backstop.
- A document's text file is written inside its transaction, once its id is taken, and made durable (file
  and folder fsync'd, several files at once on worker threads) before the commit that names it. A crash
  before the commit leaves at most an orphan file that the next run's allocation of the same id replaces
  whole.
- The index learns of documents only after their commit, so it never holds an unrecorded document; what a
  crash leaves unindexed, `index_pending` finishes.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor, wait
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from reviewer.core.audit import Action, record_job
from reviewer.core.case import Case, now
from reviewer.core.models import Document, IngestBatch
from reviewer.core.search.fields import Analysis
from reviewer.core.search.index import LiveIndexer
from reviewer.core.store import sync_folder

COMMIT_EVERY_SECONDS = 2.0
COMMIT_EVERY_UNITS = 200  # or items, for a source that weighs its units
# Text files written (and fsync'd) at once: the disk's latency overlaps instead of adding up. Sixteen,
# not four: a journaling file system commits concurrent fsyncs together (20,000 emails: 138 -> 127 s).
_TEXT_WRITERS = ThreadPoolExecutor(16, thread_name_prefix="reviewer-text")


class RecordingTransaction:
    """One database transaction of a recording run: allocate ids, add documents with their text."""

    def __init__(self, case: Case, session: Session, batch_id: int) -> None:
        self.case = case
        self.session = session
        self.batch_id = batch_id
        self.new_document_ids: list[int] = []
        self.analyses: dict[int, Analysis] = {}  # index postings, of documents whose source computed them
        self._next_id: int | None = None
        self._text_writes: list[Future[Path]] = []

    def new_document_id(self) -> int:
        if self._next_id is None:
            self._next_id = (self.session.scalar(select(func.max(Document.id))) or 0) + 1
        doc_id, self._next_id = self._next_id, self._next_id + 1
        return doc_id

    def add_document(self, document: Document, text: str, analysis: Analysis | None = None) -> None:
        """Add a document whose id came from `new_document_id`, and store its text durably; `analysis`
        is its postings for the index when the source computed them (else the indexer does)."""
        self.session.add(document)
        self._text_writes.append(_TEXT_WRITERS.submit(self.case.texts.write, document.control, document.id,
                                                      text))
        self.new_document_ids.append(document.id)
        if analysis is not None:
            self.analyses[document.id] = analysis

    def make_durable(self) -> None:
        """Wait for every text file (each written and fsync'd on a thread of its own, so that the disk
        works on several at once while this thread records), then sync their folders."""
        folders = {write.result() for write in self._text_writes}
        for folder in folders:
            sync_folder(folder)

    def settle(self) -> None:
        """Let every text write started finish, whatever happened: none outlives its transaction."""
        wait(self._text_writes)


Unit = Callable[[RecordingTransaction], Mapping[str, int]]


class RecordingRun:
    """Records units in transactions of a few hundred (or a couple of seconds), then indexes them.

    `add` queues a unit (of `size` items: an ingest chunk weighs its members) and commits when a commit is
    due; `flush` commits what is queued. Both return the counts
    the committed units reported, so a caller's totals only ever include what is safely recorded.
    """

    def __init__(self, case: Case, batch_id: int, commit_every_units: int = COMMIT_EVERY_UNITS,
                 commit_every_seconds: float = COMMIT_EVERY_SECONDS) -> None:
        self.case = case
        self.batch_id = batch_id
        self.indexer = LiveIndexer(case)
        self.commit_every_units = commit_every_units
        self.commit_every_seconds = commit_every_seconds
        self._pending: list[Unit] = []
        self._pending_size = 0
        self._last_commit = time.monotonic()

    def add(self, unit: Unit, size: int = 1) -> Counter[str]:
        self._pending.append(unit)
        self._pending_size += size
        due = time.monotonic() - self._last_commit > self.commit_every_seconds
        if due or self._pending_size >= self.commit_every_units:
            return self.flush()
        return Counter()

    def flush(self) -> Counter[str]:
        totals: Counter[str] = Counter()
        if not self._pending:
            return totals
        with self.case.db.session() as session:
            transaction = RecordingTransaction(self.case, session, self.batch_id)
            try:
                for unit in self._pending:
                    totals.update(unit(transaction))
                transaction.make_durable()
            finally:
                transaction.settle()
        self._pending.clear()
        self._pending_size = 0
        self.indexer.add(transaction.new_document_ids, transaction.analyses)
        self._last_commit = time.monotonic()
        return totals

    def commit_index(self) -> None:
        self.indexer.commit()

    def abandon_index(self) -> None:
        """After a failure: what was not committed to the index stays flagged for `index_pending`."""
        self.indexer.abandon()


def start_batch(case: Case, custodian: str, sources: Iterable[str]) -> int:
    """The ingest batch every ledger row and document of one run belongs to."""
    with case.db.session() as session:
        batch = IngestBatch(started=now(), user=case.user, custodian=custodian,
                            sources="\n".join(sources))
        session.add(batch)
        session.flush()
        return batch.id


def finish_batch(case: Case, batch_id: int, cancelled: bool, job: Action, summary: str) -> None:
    """Close the batch and put the run on the case's audit trail (`job` is Action.INGEST or IMPORT,
    `summary` how the trail names it), in one transaction."""
    with case.db.session() as session:
        batch = session.get(IngestBatch, batch_id)
        assert batch is not None
        batch.finished, batch.cancelled = now(), cancelled
        record_job(session, job, summary + (" (stopped; run it again to resume)" if cancelled else ""),
                   subject=f"batch {batch_id}")
