"""The case's Whoosh index: schema, one writer, adding documents, and opening it for reading.

The index holds no text (it is read from the text store when needed) and no review state or structured
metadata: tags, custodians, dates, types and pages are answered from SQLite, so coding a document never
touches the index. It is always rebuildable from the database: repair.py checks it when a case is opened
and repairs it explicitly, before the first search; a search never repairs, it raises SearchIndexError.

Fields: the default field (text, subject, title, file name, addresses as parts), each metadata text field,
each with a reversed twin for leading wildcards, and the pairs of common words that make phrases of
frequent words one lookup. Their postings are computed ahead (fields.analyze_document, in the process
that has the text) and written by segments.py in Reviewer's own codec (lean.py).

Crash safety: Whoosh publishes a commit by renaming its table of contents, so a writer killed mid-commit
leaves the previous generation intact, and what a commit no longer needs is deleted only once no reader
can still be using it (retiring.py: on a shared case other machines read the index too). Documents are
flagged `indexed` in the database only after the index commit, and repair.py reconciles the two in both
directions. An index is complete once its version record is written (`seal`), after the commit that holds
its documents. An index of another version is never written to: repair rebuilds it from the database,
documents added meanwhile included.
"""

from __future__ import annotations

import json
import shutil
import uuid
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import numpy as np
from sqlalchemy import select, update
from whoosh import index as whoosh_index
from whoosh.fields import Schema
from whoosh.reading import IndexReader
from whoosh.searching import Searcher

from reviewer.core.errors import ReviewerError
from reviewer.core.models import Document
from reviewer.core.progress import CancelToken, Progress, ProgressUpdate, no_progress
from reviewer.core.search import locking
from reviewer.core.search.analysis import COMMON_ENGLISH, words
from reviewer.core.search.fields import PAIRS_FIELD, Analysis, analyze_document, field_parts
from reviewer.core.search.lean import DocIdField, LeanText, doc_id_array, reversed_field
from reviewer.core.search.query import DEFAULT_FIELD, TEXT_FIELDS
from reviewer.core.search.segments import LeanWriter
from reviewer.core.search.span_arrays import distinct

__all__ = ["field_parts"]  # where the hit finder, redaction and tests have always found it

SCHEMA_VERSION = 7
VERSION_FILE = "reviewer-index.json"
BATCH_SIZE = 2000
# Incremental additions leave a segment per commit; past this many, the smallest are merged.
MAX_SEGMENTS = 8
# A swap takes two renames; a reader waiting longer than this for one has met a stuck lock, not a swap.
SWAP_WAIT_SECONDS = 30.0

# A rebuild learns the case's common words from this many documents, and keeps this many.
COMMON_SAMPLE = 5000
COMMON_COUNT = 200
COMMON_MIN_SAMPLE = 100


def build_schema(common: frozenset[str] = COMMON_ENGLISH) -> Schema:
    text_fields = (DEFAULT_FIELD, *TEXT_FIELDS)
    return Schema(
        doc_id=DocIdField(),
        **{name: LeanText(positional=True) for name in text_fields},
        **{reversed_field(name): LeanText(positional=True) for name in text_fields},
        **{PAIRS_FIELD: LeanText(positional=False, common=common)},
    )


def common_words(case) -> frozenset[str]:
    """The words in most documents of a sample of the case: the ones whose pairs are indexed."""
    with case.db.reader() as session:
        sample = session.execute(select(Document.id, Document.control).order_by(Document.id)
                                 .limit(COMMON_SAMPLE)).all()
    if len(sample) < COMMON_MIN_SAMPLE:
        return COMMON_ENGLISH
    counts: Counter[str] = Counter()
    for doc_id, control in sample:
        counts.update(set(words(case.texts.read(control, doc_id))))
    return frozenset(word for word, _n in counts.most_common(COMMON_COUNT))


class SearchIndexError(ReviewerError):
    """The search index cannot be searched until it is repaired. `reason` completes "The search index …"."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"The search index {reason}; reopen the case to repair it, or run "
                         "`reviewer reindex CASE`.")
        self.reason = reason


class TextIndex:
    """The Whoosh index in one folder: the case's live `index/`, or a rebuild beside it (repair.py)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    @property
    def swap_lock(self) -> Path:
        return self.directory.with_name(f"{self.directory.name}.swap.lock")

    def steady(self) -> AbstractContextManager[None]:
        """Hold while opening or refreshing a searcher: a rebuilt index is not swapped in meanwhile."""
        return locking.holding(self.swap_lock, timeout=SWAP_WAIT_SECONDS)

    def exists(self) -> bool:
        """Whether the folder holds an index: a table of contents (Whoosh's own check reads it whole,
        which every query would pay for)."""
        return any(self.directory.glob(f"_{whoosh_index._DEF_INDEX_NAME}_*.toc"))

    def build_id(self) -> str:
        """Which build this is (a rebuild has a new one), from the version record written when it was
        complete; SearchIndexError when the index is missing, incomplete or from another version."""
        if not self.exists():
            raise SearchIndexError("is missing")
        try:
            record = json.loads((self.directory / VERSION_FILE).read_text())
        except (OSError, ValueError):
            raise SearchIndexError("has no version record") from None
        if record.get("schema_version") != SCHEMA_VERSION:
            raise SearchIndexError(f"was built by another version of Reviewer (schema "
                                   f"{record.get('schema_version')}, need {SCHEMA_VERSION})")
        return str(record.get("build", ""))

    def open_searcher(self) -> tuple[Searcher, str]:
        """A searcher on the index's latest generation and the build it belongs to (call inside
        `steady`); SearchIndexError says why it cannot be searched."""
        build = self.build_id()
        try:
            return self.open().searcher(), build
        except Exception as exc:  # any failure to read the table of contents means damaged files
            raise SearchIndexError(f"is damaged ({type(exc).__name__}: {exc})") from None

    def open(self) -> whoosh_index.Index:
        return whoosh_index.open_dir(str(self.directory))

    def create_empty(self, common: frozenset[str] = COMMON_ENGLISH) -> whoosh_index.Index:
        """A new index with no documents and no version record yet (see `seal`)."""
        if self.directory.exists():
            shutil.rmtree(self.directory)
        self.directory.mkdir(parents=True)
        return whoosh_index.create_in(str(self.directory), build_schema(common))

    def seal(self) -> None:
        """Write the version record, with a new build id: from now on the index counts as complete."""
        record = {"schema_version": SCHEMA_VERSION, "build": uuid.uuid4().hex}
        (self.directory / VERSION_FILE).write_text(json.dumps(record))

    def open_or_create(self) -> whoosh_index.Index:
        if not self.exists():
            created = self.create_empty()
            self.seal()
            return created
        return self.open()

    def writable(self) -> bool:
        """Whether documents may be added: a missing index is created; one of another version or with
        a damaged record is left for repair to rebuild (from the database, so nothing is lost)."""
        if not self.exists():
            self.open_or_create()
            return True
        try:
            self.build_id()
        except SearchIndexError:
            return False
        return True

    def common(self) -> frozenset[str]:
        """The words whose pairs this index holds (an analysis for it must use the same)."""
        common = self.open().schema[PAIRS_FIELD].common
        assert common is not None
        return common

    @contextmanager
    def writing(self, merge_written: bool = True) -> Iterator[LeanWriter]:
        """One writer; committed only when the block succeeds, cancelled (nothing written) otherwise."""
        writer = LeanWriter(self.open_or_create())
        try:
            yield writer
        except BaseException:
            writer.cancel()
            raise
        writer.commit(MAX_SEGMENTS, merge_written)

    def doc_ids(self) -> np.ndarray:
        """The database ids of the documents in the index, in order."""
        with self.steady():
            searcher, _build = self.open_searcher()
        with searcher:
            return _live_doc_ids(searcher.reader())


def live_doc_ids(reader: IndexReader) -> np.ndarray:
    """The database id of each document of a segment reader, 0 for a deleted one."""
    ids = doc_id_array(reader)
    if reader.has_deletions():
        ids = ids.copy()
        ids[np.fromiter(reader.segment().deleted_docs(), np.int64)] = 0
    return ids


def _live_doc_ids(reader: IndexReader) -> np.ndarray:
    """The database ids of the documents not deleted, in order (reads every segment: also a damage
    check)."""
    leaves = [live_doc_ids(leaf) for leaf, _offset in reader.leaf_readers()]
    ids = np.concatenate(leaves).astype(np.int64) if leaves else np.zeros(0, np.int64)
    return distinct(np.sort(ids[ids != 0]))


def index_pending(case, progress: Progress = no_progress, cancel: CancelToken | None = None,
                  batch_size: int = BATCH_SIZE) -> int:
    """Add every document not yet in the index (after an ingest, or a crash between the two commits)."""
    index = TextIndex(case.index_dir)
    if not index.writable():
        return 0
    with case.db.reader() as session:
        pending = session.scalars(
            select(Document.id).where(Document.indexed.is_(False)).order_by(Document.id)
        ).all()
    if not pending:
        return 0
    common = index.common()
    done = 0
    progress(ProgressUpdate("index", 0, len(pending)))
    for start in range(0, len(pending), batch_size):
        if cancel is not None:
            cancel.raise_if_cancelled()
        chunk = pending[start:start + batch_size]
        with index.writing() as writer:
            for document, text in load_documents(case, chunk):
                writer.add(document.id, analyze_document(document, text, common))
        mark_indexed(case, chunk)
        done += len(chunk)
        progress(ProgressUpdate("index", done, len(pending)))
    return done


class LiveIndexer:
    """Indexes documents as ingest records them, so indexing overlaps extraction in the worker processes.

    Ingest workers analyse each document (`common` is the index's, for them to use); what comes without
    an analysis is read back and analysed here. One writer stays open across batches and is committed
    every `commit_every` documents and at the end; documents are flagged `indexed` only after their
    commit, so a kill loses nothing the next run (index_pending) does not pick up. An index that repair
    must rebuild is left alone: the rebuild takes every document from the database.
    """

    def __init__(self, case, commit_every: int = 20_000) -> None:
        self.case = case
        self.index = TextIndex(case.index_dir)
        self.commit_every = commit_every
        self.writer: LeanWriter | None = None
        self.uncommitted: list[int] = []
        self.enabled = self.index.writable()
        self.common = self.index.common() if self.enabled else None

    def add(self, ids: Sequence[int], analyses: Mapping[int, Analysis] | None = None) -> None:
        if not ids or not self.enabled:
            return
        assert self.common is not None
        if self.writer is None:
            self.writer = LeanWriter(self.index.open())
        analyses = analyses or {}
        missing = [doc_id for doc_id in ids if doc_id not in analyses]
        loaded = {document.id: analyze_document(document, text, self.common)
                  for document, text in load_documents(self.case, missing)} if missing else {}
        for doc_id in ids:
            self.writer.add(doc_id, analyses[doc_id] if doc_id in analyses else loaded[doc_id])
        self.uncommitted.extend(ids)
        if len(self.uncommitted) >= self.commit_every:
            self.commit()

    def commit(self) -> None:
        if self.writer is None:
            return
        self.writer.commit(MAX_SEGMENTS)
        self.writer = None
        mark_indexed(self.case, self.uncommitted)
        self.uncommitted = []

    def abandon(self) -> None:
        """Drop what is not committed; those documents stay flagged for the next index_pending."""
        if self.writer is not None:
            self.writer.cancel()
        self.writer = None
        self.uncommitted = []


def load_documents(case, ids: Sequence[int]) -> list[tuple[Document, str]]:
    with case.db.reader() as session:
        documents = session.scalars(select(Document).where(Document.id.in_(ids)).order_by(Document.id)).all()
        return [(document, case.texts.read(document.control, document.id)) for document in documents]


def mark_indexed(case, ids: Sequence[int]) -> None:
    with case.db.session() as session:
        for start in range(0, len(ids), 10_000):
            chunk = ids[start:start + 10_000]
            session.execute(update(Document).where(Document.id.in_(chunk)).values(indexed=True))
