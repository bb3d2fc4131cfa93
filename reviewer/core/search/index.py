"""The case's Whoosh index: schema, one writer, adding documents, and opening it for reading.

The index holds no text (it is read from the text store when needed) and no review state or structured
metadata: tags, custodians, dates, types and pages are answered from SQLite, so coding a document never
touches the index. It is always rebuildable from the database: repair.py checks it when a case is opened
and repairs it explicitly, before the first search; a search never repairs, it raises SearchIndexError.

Fields: the default field (text, subject, title, file name, addresses as parts), each metadata text field,
and the pairs of common words (analysis.PairsTokenizer) that make phrases of frequent words one lookup.
Positions are stored as raw arrays (PositionArray), because phrases and w/N read them per candidate.

Crash safety: Whoosh publishes a commit by renaming its table of contents, so a writer killed mid-commit
leaves the previous generation intact, and what a commit no longer needs is deleted only once no reader
can still be using it (retiring.py: on a shared case other machines read the index too). Documents are
flagged `indexed` in the database only after the index commit, and repair.py reconciles the two in both
directions. An index is complete once its version record is written (`seal`), after the commit that holds
its documents.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
import uuid
from array import array
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

from sqlalchemy import select, update
from whoosh import index as whoosh_index
from whoosh.fields import ID, NUMERIC, TEXT, Schema
from whoosh.formats import Positions
from whoosh.reading import IndexReader
from whoosh.searching import Searcher
from whoosh.system import _INT_SIZE, pack_uint
from whoosh.writing import IndexWriter

from reviewer.core.errors import ReviewerError
from reviewer.core.models import Document
from reviewer.core.progress import CancelToken, Progress, ProgressUpdate, no_progress
from reviewer.core.search import locking
from reviewer.core.search.analysis import COMMON_ENGLISH, PairsTokenizer, PartsTokenizer, join_parts, words
from reviewer.core.search.query import DEFAULT_FIELD, TEXT_FIELDS
from reviewer.core.search.retiring import open_writer

SCHEMA_VERSION = 6
VERSION_FILE = "reviewer-index.json"
BATCH_SIZE = 2000
# Incremental additions leave a segment per batch; past this many, merge them so queries stay fast.
MAX_SEGMENTS = 8
# A swap takes two renames; a reader waiting longer than this for one has met a stuck lock, not a swap.
SWAP_WAIT_SECONDS = 30.0

# The default field: the document's text, then the metadata a bare word also searches.
DEFAULT_PARTS = ("text", "subject", "title", "filename", "from", "to", "cc", "bcc")
# The word pairs of the default field (analysis.PairsTokenizer), for fast phrases.
PAIRS_FIELD = "pairs"
# A rebuild learns the case's common words from this many documents, and keeps this many.
COMMON_SAMPLE = 5000
COMMON_COUNT = 200
COMMON_MIN_SAMPLE = 100

_NAME_PARTS = re.compile(r"[^\W_]+")


class PositionArray(Positions):
    """Word positions stored as a little-endian array of 32-bit integers. Phrases and w/N read the positions
    of every candidate document; this decodes in one C call, several times faster than Whoosh's pickled
    gaps between positions."""

    def encode(self, poslist: list[int]) -> bytes:
        positions = array("I", poslist)
        if sys.byteorder != "little":
            positions.byteswap()
        return pack_uint(len(positions)) + positions.tobytes()

    def decode_positions(self, valuestring: bytes) -> array:
        positions = array("I", valuestring[_INT_SIZE:])
        if sys.byteorder != "little":
            positions.byteswap()
        return positions


def build_schema(common: frozenset[str] = COMMON_ENGLISH) -> Schema:
    def positional() -> TEXT:
        field = TEXT(analyzer=PartsTokenizer(), phrase=True, stored=False)
        field.format = PositionArray(field_boost=field.format.field_boost)
        return field

    return Schema(
        doc_id=NUMERIC(int, bits=64, signed=False, stored=True, unique=True, sortable=True),
        control=ID(stored=True),
        **{DEFAULT_FIELD: positional()},
        **{name: positional() for name in TEXT_FIELDS},
        **{PAIRS_FIELD: TEXT(analyzer=PairsTokenizer(common), phrase=False, stored=False)},
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


def file_name_words(name: str) -> str:
    """A file name searchable whole ("memo_v2.pdf") and by the words of its stem ("memo", "v2")."""
    stem = name.rsplit(".", 1)[0] if "." in name else name
    parts = _NAME_PARTS.findall(stem)
    return f"{name} {' '.join(parts)}" if len(parts) > 1 or (parts and parts[0] != name) else name


def field_parts(document: Document, text: str) -> dict[str, list[str]]:
    """What each searchable field holds; part 0 of the default field is the document's text itself."""
    values = {
        "from": document.email_from, "to": document.email_to, "cc": document.email_cc,
        "bcc": document.email_bcc, "subject": document.subject, "author": document.author,
        "title": document.title, "filename": file_name_words(document.file_name),
    }
    default = [text] + [values[name] for name in DEFAULT_PARTS[1:]]
    return {DEFAULT_FIELD: default, **{name: [value] for name, value in values.items()}}


def _record(document: Document, text: str) -> dict[str, object]:
    record: dict[str, object] = {"doc_id": document.id, "control": document.control}
    for name, parts in field_parts(document, text).items():
        if any(parts):
            record[name] = join_parts(parts)
    if DEFAULT_FIELD in record:
        record[PAIRS_FIELD] = record[DEFAULT_FIELD]
    return record


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

    def build_id(self) -> str:
        """Which build this is (a rebuild has a new one), from the version record written when it was
        complete; SearchIndexError when the index is missing, incomplete or from another version."""
        if not whoosh_index.exists_in(str(self.directory)):
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
        if not whoosh_index.exists_in(str(self.directory)):
            created = self.create_empty()
            self.seal()
            return created
        return self.open()

    @contextmanager
    def writing(self, merge_all: bool = False) -> Iterator[IndexWriter]:
        """One writer; committed only when the block succeeds, cancelled (nothing written) otherwise."""
        index = self.open_or_create()
        writer = open_writer(index)
        try:
            yield writer
        except BaseException:
            writer.cancel()
            raise
        writer.commit(optimize=merge_all or len(index.reader().leaf_readers()) >= MAX_SEGMENTS)

    @staticmethod
    def add(writer: IndexWriter, documents: Sequence[tuple[Document, str]]) -> int:
        for document, text in documents:
            writer.update_document(**_record(document, text))
        return len(documents)

    def doc_ids(self) -> set[int]:
        """The database ids of the documents in the index."""
        with self.steady():
            searcher, _build = self.open_searcher()
        with searcher:
            return _live_doc_ids(searcher.reader())


def doc_id_column(reader: IndexReader) -> list[int]:
    """The database id of every document number (an index without documents has no column at all)."""
    if reader.doc_count_all() == 0:
        return []
    return list(reader.column_reader("doc_id"))


def _live_doc_ids(reader: IndexReader) -> set[int]:
    """The database ids of the documents not deleted (reads every segment: also a damage check)."""
    column = doc_id_column(reader)
    return {column[docnum] for docnum in reader.all_doc_ids()}


def index_pending(case, progress: Progress = no_progress, cancel: CancelToken | None = None,
                  batch_size: int = BATCH_SIZE) -> int:
    """Add every document not yet in the index (after an ingest, or a crash between the two commits)."""
    with case.db.reader() as session:
        pending = session.scalars(
            select(Document.id).where(Document.indexed.is_(False)).order_by(Document.id)
        ).all()
    index = TextIndex(case.index_dir)
    done = 0
    progress(ProgressUpdate("index", 0, len(pending)))
    for start in range(0, len(pending), batch_size):
        if cancel is not None:
            cancel.raise_if_cancelled()
        chunk = pending[start:start + batch_size]
        with index.writing() as writer:
            done += TextIndex.add(writer, load_documents(case, chunk))
        mark_indexed(case, chunk)
        progress(ProgressUpdate("index", done, len(pending)))
    return done


class LiveIndexer:
    """Indexes documents as ingest records them, so indexing overlaps extraction in the worker processes.

    One writer stays open across batches and is committed every `commit_every` documents and at the end;
    documents are flagged `indexed` only after their commit, so a kill loses nothing the next run
    (index_pending) does not pick up.
    """

    def __init__(self, case, commit_every: int = 20_000) -> None:
        self.case = case
        self.index = TextIndex(case.index_dir)
        self.commit_every = commit_every
        self.writer: IndexWriter | None = None
        self.uncommitted: list[int] = []

    def add(self, ids: Sequence[int]) -> None:
        if not ids:
            return
        if self.writer is None:
            self.writer = open_writer(self.index.open_or_create())
        TextIndex.add(self.writer, load_documents(self.case, ids))
        self.uncommitted.extend(ids)
        if len(self.uncommitted) >= self.commit_every:
            self.commit()

    def commit(self) -> None:
        if self.writer is None:
            return
        segments = len(self.index.open().reader().leaf_readers()) if self.index.directory.exists() else 0
        self.writer.commit(optimize=segments >= MAX_SEGMENTS)
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
