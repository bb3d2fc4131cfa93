"""The case's Whoosh index: schema, one writer, health check and rebuild from the database.

The index holds no text (it is read from the text store when needed) and no review state or structured
metadata: tags, custodians, dates, types and pages are answered from SQLite, so coding a document never
touches the index. It is always rebuildable from the database, so a damaged, outdated or incomplete index
is detected when search opens it and repaired from the database, never trusted silently.

Fields: the default field (text, subject, title, file name, addresses as parts), each metadata text field,
and the pairs of common words (analysis.PairsTokenizer) that make phrases of frequent words one lookup.
Positions are stored as raw arrays (PositionArray), because phrases and w/N read them per candidate.

Crash safety: Whoosh publishes a commit by renaming its table of contents, so a writer killed mid-commit
leaves the previous generation intact; documents are flagged `indexed` in the database only after the
index commit, and `ensure_ready` reconciles the two in both directions.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
from array import array
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import select, update
from whoosh import index as whoosh_index
from whoosh.fields import ID, NUMERIC, TEXT, Schema
from whoosh.formats import Positions
from whoosh.system import _INT_SIZE, pack_uint
from whoosh.writing import IndexWriter

from reviewer.core.errors import CaseLockedError
from reviewer.core.models import Document
from reviewer.core.progress import CancelToken, Progress, ProgressUpdate, no_progress
from reviewer.core.search.analysis import COMMON_ENGLISH, PairsTokenizer, PartsTokenizer, join_parts, words
from reviewer.core.search.query import DEFAULT_FIELD, TEXT_FIELDS

SCHEMA_VERSION = 6
VERSION_FILE = "reviewer-index.json"
BATCH_SIZE = 2000
# Incremental additions leave a segment per batch; past this many, merge them so queries stay fast.
MAX_SEGMENTS = 8

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


class TextIndex:
    """The Whoosh index of one case folder."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def health(self) -> str | None:
        """None when the index can be used, else why it must be rebuilt."""
        version_file = self.directory / VERSION_FILE
        if not whoosh_index.exists_in(str(self.directory)):
            return "the search index is missing"
        try:
            recorded = json.loads(version_file.read_text()).get("schema_version")
        except (OSError, ValueError):
            return "the search index has no version record"
        if recorded != SCHEMA_VERSION:
            return f"the search index was built by another version (schema {recorded}, need {SCHEMA_VERSION})"
        try:
            self.doc_ids()
        except Exception as exc:  # any read failure means the files are damaged
            return f"the search index is damaged ({type(exc).__name__}: {exc})"
        return None

    def open(self) -> whoosh_index.Index:
        return whoosh_index.open_dir(str(self.directory))

    def create_empty(self, common: frozenset[str] = COMMON_ENGLISH) -> whoosh_index.Index:
        if self.directory.exists():
            shutil.rmtree(self.directory)
        self.directory.mkdir(parents=True)
        created = whoosh_index.create_in(str(self.directory), build_schema(common))
        (self.directory / VERSION_FILE).write_text(json.dumps({"schema_version": SCHEMA_VERSION}))
        return created

    def open_or_create(self) -> whoosh_index.Index:
        if not whoosh_index.exists_in(str(self.directory)):
            return self.create_empty()
        return self.open()

    @contextmanager
    def writing(self, merge_all: bool = False) -> Iterator[IndexWriter]:
        """One writer; committed only when the block succeeds, cancelled (nothing written) otherwise."""
        index = self.open_or_create()
        writer = index.writer(limitmb=256)
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

    def doc_count(self) -> int:
        with self.open().searcher() as searcher:
            return searcher.doc_count()

    def doc_ids(self) -> set[int]:
        """The database ids of the documents in the index (reads every segment: also a damage check)."""
        with self.open().searcher() as searcher:
            reader = searcher.reader()
            column = list(reader.column_reader("doc_id"))
            return {column[docnum] for docnum in reader.all_doc_ids()}

    def controls(self) -> set[str]:
        with self.open().searcher() as searcher:
            return {fields["control"] for fields in searcher.all_stored_fields()}


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
            done += TextIndex.add(writer, _load(case, chunk))
        _mark_indexed(case, chunk)
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
            self.writer = self.index.open_or_create().writer(limitmb=256)
        TextIndex.add(self.writer, _load(self.case, ids))
        self.uncommitted.extend(ids)
        if len(self.uncommitted) >= self.commit_every:
            self.commit()

    def commit(self) -> None:
        if self.writer is None:
            return
        segments = len(self.index.open().reader().leaf_readers()) if self.index.directory.exists() else 0
        self.writer.commit(optimize=segments >= MAX_SEGMENTS)
        self.writer = None
        _mark_indexed(self.case, self.uncommitted)
        self.uncommitted = []

    def abandon(self) -> None:
        """Drop what is not committed; those documents stay flagged for the next index_pending."""
        if self.writer is not None:
            self.writer.cancel()
        self.writer = None
        self.uncommitted = []


def rebuild(case, progress: Progress = no_progress, cancel: CancelToken | None = None,
            batch_size: int = BATCH_SIZE) -> int:
    """Throw the index away and build it again from the database and text store, as one segment."""
    index = TextIndex(case.index_dir)
    index.create_empty(common_words(case))
    with case.db.session() as session:
        session.execute(update(Document).values(indexed=False))
        ids = session.scalars(select(Document.id).order_by(Document.id)).all()
    progress(ProgressUpdate("reindex", 0, len(ids)))
    done = 0
    with index.writing(merge_all=True) as writer:
        for start in range(0, len(ids), batch_size):
            if cancel is not None:
                cancel.raise_if_cancelled()
            done += TextIndex.add(writer, _load(case, ids[start:start + batch_size]))
            progress(ProgressUpdate("reindex", done, len(ids)))
        progress(ProgressUpdate("reindex", done, len(ids), message="Writing the index…"))
    _mark_indexed(case, ids)
    return done


def ensure_ready(case, progress: Progress = no_progress,
                 cancel: CancelToken | None = None) -> str | None:
    """Make the index safe to search: rebuild it when damaged or outdated, reconcile it with the database
    and add what is missing. Returns what was repaired (None when nothing was), for the user to see."""
    index = TextIndex(case.index_dir)
    problem = index.health()
    if problem:
        with _writer_lock(case, problem):
            rebuild(case, progress, cancel)
        return f"{problem[0].upper()}{problem[1:]}; it was rebuilt from the database."
    with case.db.reader() as session:
        flagged = set(session.scalars(select(Document.id).where(Document.indexed.is_(True))).all())
        pending = session.scalar(select(Document.id).where(Document.indexed.is_(False)).limit(1))
    in_index = index.doc_ids()
    lost = flagged - in_index
    if in_index - flagged - _unflagged(case):
        with _writer_lock(case, "the search index holds documents the database does not"):
            rebuild(case, progress, cancel)
        return "The search index held documents the database does not; it was rebuilt from the database."
    if not lost and pending is None:
        return None
    try:
        with case.writing():
            if lost:
                with case.db.session() as session:
                    session.execute(update(Document).where(Document.id.in_(lost)).values(indexed=False))
            added = index_pending(case, progress, cancel)
    except CaseLockedError:
        return None  # the writer holding the lock (an ingest) is indexing these documents right now
    return f"Added {added:,} documents that were missing from the search index." if added else None


def _unflagged(case) -> set[int]:
    with case.db.reader() as session:
        return set(session.scalars(select(Document.id).where(Document.indexed.is_(False))).all())


@contextmanager
def _writer_lock(case, problem: str) -> Iterator[None]:
    try:
        case.acquire_lock()
    except CaseLockedError:
        raise CaseLockedError(f"{problem[0].upper()}{problem[1:]} and must be rebuilt, but another "
                              "Reviewer window or command is changing the case; try again when it has "
                              "finished.") from None
    try:
        yield
    finally:
        case.release_lock()


def _load(case, ids: Sequence[int]) -> list[tuple[Document, str]]:
    with case.db.reader() as session:
        documents = session.scalars(select(Document).where(Document.id.in_(ids)).order_by(Document.id)).all()
        return [(document, case.texts.read(document.control, document.id)) for document in documents]


def _mark_indexed(case, ids: Sequence[int]) -> None:
    with case.db.session() as session:
        for start in range(0, len(ids), 10_000):
            chunk = ids[start:start + 10_000]
            session.execute(update(Document).where(Document.id.in_(chunk)).values(indexed=True))
