"""Writing the index: segments from analysed documents, merged as arrays, published by Whoosh's TOC.

A segment is written whole from documents whose postings were computed ahead (analysis.py): the
postings of every field are grouped by term with a few array operations and written term by term in
the LeanCodec layout (lean.py). Merging segments concatenates each term's arrays (renumbering documents
and dropping deleted ones), streamed term by term, so memory stays flat whatever the index's size.

Publishing is Whoosh's own: a writer holds the index's write lock, writes its segments under new names
no reader looks at, and commits by writing the next table of contents (TOC) generation — a rename,
atomic — then retires the files the new generation no longer names (retiring.py: removed once no reader
can still be on them, on a shared case readers on other machines included). A reader sees the old
generation or the new one, never a half-written segment, and a writer killed at any moment leaves only
unnamed files that a later commit removes.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from itertools import count, groupby
from operator import itemgetter
from pathlib import Path
from typing import Any

import numpy as np
from whoosh.codec.whoosh3 import STORED_COLUMN, W3Codec, W3Segment
from whoosh.fields import Schema
from whoosh.formats import Positions
from whoosh.index import TOC, FileIndex, LockError
from whoosh.reading import SegmentReader
from whoosh.system import pack_ushort

from reviewer.core.search.fields import PAIRS_FIELD, Analysis, FieldPostings
from reviewer.core.search.lean import (
    DOC_IDS,
    UINT,
    LeanCodec,
    LeanText,
    SegmentTerms,
    TermsTableWriter,
    doc_id_array,
    release_pages,
    reversed_field,
    term_info,
    term_infos,
)
from reviewer.core.search.retiring import retire_unused

CODEC = LeanCodec()
# A merge lets go of the source pages it has read each time it has written this many bytes.
RELEASE_BYTES = 64 * 2**20
# A writer's documents become a segment on disk once their postings and positions reach this many (kept
# as arrays, about 12 MB; writing them out needs about 100 MB for a moment).
FLUSH_POSTINGS = 1_500_000


def indexed_fields(schema: Schema) -> list[tuple[str, bool, bool]]:
    """(name, positional, has a reversed twin) of each field written from analyses, in schema order."""
    names = set(schema.names())
    return [(name, isinstance(field.format, Positions), reversed_field(name) in names)
            for name, field in schema.items()
            if isinstance(field, LeanText) and not name.endswith(reversed_field(""))]


def encode_term_text(term: str) -> bytes:
    return term.encode("utf-8", "surrogatepass")


class _SegmentFiles:
    """The files of one new segment: terms table, postings, columns; then assembled into one file."""

    def __init__(self, storage: Any, indexname: str) -> None:
        self.storage = storage
        self.segment = CODEC.new_segment(storage, indexname)
        self.terms = TermsTableWriter(self.segment.create_file(storage, W3Codec.TERMS_EXT))
        self.fieldmap: dict[str, int] = {}
        self.terms.extras["fieldmap"] = self.fieldmap
        self.postfile = self.segment.create_file(storage, W3Codec.POSTS_EXT)
        self.offset = 0  # where the next postings go
        self.lengths: dict[str, int] = {}

    def write(self, data: bytes | memoryview) -> int:
        """Append postings; returns where they start."""
        start = self.offset
        self.postfile.write(data)
        self.offset += len(data)
        return start

    def add_field(self, name: str, terms: list[bytes], values: list[bytes], reverse: bool) -> None:
        """The terms of a field (sorted) with their terms-table values, and its reversed twin: each term
        spelled backwards, naming the same postings."""
        if not terms:
            return
        self.fieldmap[name] = len(self.fieldmap)
        prefix = pack_ushort(self.fieldmap[name])
        self.terms.add_sorted([prefix + term for term in terms], values)
        if reverse:
            self.fieldmap[reversed_field(name)] = len(self.fieldmap)
            prefix = pack_ushort(self.fieldmap[reversed_field(name)])
            backwards = sorted(zip((encode_term_text(term.decode("utf-8", "surrogatepass")[::-1])
                                    for term in terms), values, strict=True))
            self.terms.add_sorted([prefix + term for term, _value in backwards],
                                  [value for _term, value in backwards])

    def finish(self, doc_ids: np.ndarray) -> W3Segment:
        self.terms.close()
        self.postfile.close()
        segment, storage = self.segment, self.storage
        with storage.create_file(W3Codec.column_filename(segment, "doc_id")) as column:
            column.write(doc_ids.astype(DOC_IDS, copy=False).tobytes())
        with storage.create_file(W3Codec.column_filename(segment, "_stored")) as stored:
            STORED_COLUMN.writer(stored).finish(len(doc_ids))
        segment.set_doc_count(len(doc_ids))
        segment._fieldlengths = defaultdict(int, self.lengths)
        segment.create_compound_file(storage)
        return segment

    def discard(self) -> None:
        for closing in (self.terms, self.postfile):
            try:
                closing.close()
            except Exception:
                pass
        remove_files(self.storage, [self.segment])


def remove_files(storage: Any, segments: Iterable[W3Segment]) -> None:
    for segment in segments:
        for name in segment.list_files(storage):
            try:
                storage.delete_file(name)
            except OSError:
                pass


def _uint_bytes(values: np.ndarray) -> memoryview:
    return memoryview(values.astype(UINT, copy=False).tobytes())


class _FieldPostingsBuffer:
    """One field's postings of many documents, kept compact until the segment is written: each term
    string is replaced by a number (the term's first sighting), so a document costs a few small arrays
    rather than a Python string per distinct word."""

    def __init__(self) -> None:
        self.first_number: dict[str, int] = {}
        self.next_number = 0
        self.docnums: list[int] = []
        self.per_doc: list[int] = []
        self.numbers: list[np.ndarray] = []
        self.counts: list[bytes] = []
        self.positions: list[bytes] = []

    def add(self, docnum: int, postings: FieldPostings) -> None:
        size = len(postings.terms)
        self.docnums.append(docnum)
        self.per_doc.append(size)
        self.numbers.append(np.fromiter(map(self.first_number.setdefault, postings.terms,
                                            count(self.next_number)), np.int32, size))
        self.next_number += size
        self.counts.append(postings.counts)
        self.positions.append(postings.positions)


class SegmentBuilder:
    """The documents of a segment to be written, each reduced to arrays as it is added (so analyses
    need not be held whole: a document costs a few small arrays, not a string per distinct word)."""

    def __init__(self, schema: Schema) -> None:
        self.fields = indexed_fields(schema)
        self.buffers = {name: _FieldPostingsBuffer() for name, _positional, _reverse in self.fields}
        self.doc_ids: list[int] = []
        self.postings = 0  # how many postings and positions it holds

    def add(self, doc_id: int, analysis: Analysis) -> None:
        docnum = len(self.doc_ids)
        self.doc_ids.append(doc_id)
        for name, postings in analysis.items():
            if name in self.buffers:
                self.buffers[name].add(docnum, postings)
                self.postings += len(postings.terms) + len(postings.positions) // 4

    def write(self, storage: Any, indexname: str) -> W3Segment:
        """A new segment holding the documents added (document number = order added); not published."""
        out = _SegmentFiles(storage, indexname)
        try:
            for name, positional, reverse in self.fields:
                if self.buffers[name].docnums:
                    _write_field(out, name, self.buffers.pop(name), positional, reverse)
            return out.finish(np.asarray(self.doc_ids, DOC_IDS))
        except BaseException:
            out.discard()
            raise


def write_segment(storage: Any, indexname: str, schema: Schema,
                  documents: Iterable[tuple[int, Analysis]]) -> W3Segment:
    """A new segment holding `documents` (database id, analysis), which may be a generator: only one
    analysis is ever whole in memory. Not published."""
    builder = SegmentBuilder(schema)
    for doc_id, analysis in documents:
        builder.add(doc_id, analysis)
    return builder.write(storage, indexname)


def _write_field(out: _SegmentFiles, name: str, buffer: _FieldPostingsBuffer, positional: bool,
                 reverse: bool) -> None:
    """Group the postings of every document by term and lay them out for the file, with arrays."""
    docnums = np.asarray(buffer.docnums, np.int64)
    per_doc = np.asarray(buffer.per_doc, np.int64)
    numbers = np.concatenate(buffer.numbers)
    counts = np.frombuffer(b"".join(buffer.counts), UINT)
    first_number = buffer.first_number
    vocabulary = sorted(first_number)  # code point order is UTF-8 byte order
    rank = np.empty(buffer.next_number, np.int32)
    rank[np.fromiter(map(first_number.__getitem__, vocabulary), np.int64, len(vocabulary))] = \
        np.arange(len(vocabulary), dtype=np.int32)
    ranks = rank[numbers]
    del rank, numbers
    order = np.argsort(ranks, kind="stable")  # by term, then document (entries come in document order)
    ids = np.repeat(docnums, per_doc)[order]
    tfs = counts[order].astype(np.int64)
    starts = np.searchsorted(ranks[order], np.arange(len(vocabulary)))
    ends = np.append(starts[1:], len(order))
    weights = np.add.reduceat(tfs, starts)
    maxima = np.maximum.reduceat(tfs, starts)
    out.lengths[name] = int(tfs.sum())
    pos_ends = np.cumsum(weights)
    if positional:
        positions = np.frombuffer(b"".join(buffer.positions), UINT)
        old_starts = np.cumsum(counts, dtype=np.int64) - counts.astype(np.int64)
        new_starts = np.cumsum(tfs) - tfs
        gather = np.repeat(old_starts[order] - new_starts, tfs) + np.arange(len(positions))
    # Each term's postings: its document numbers, their frequencies, then (positional) its positions.
    sizes = 2 * (ends - starts) + (weights if positional else 0)
    offsets = np.cumsum(sizes) - sizes
    layout = np.empty(int(sizes.sum()), UINT)
    df = ends - starts
    at_ids = np.repeat(offsets - starts, df) + np.arange(len(ids))
    layout[at_ids] = ids
    layout[at_ids + np.repeat(df, df)] = tfs
    if positional:
        at_positions = np.repeat(offsets + 2 * df - (pos_ends - weights), weights)
        layout[at_positions + np.arange(len(at_positions))] = positions[gather]
    base = out.write(layout.tobytes())
    values = term_infos(df, weights, maxima, ids[starts], ids[ends - 1], base + 4 * offsets, 4 * sizes)
    out.add_field(name, [encode_term_text(term) for term in vocabulary], values, reverse)


# --- merging ----------------------------------------------------------------------------------------------
class _Source:
    """One segment being merged: where its live documents go in the merged segment."""

    def __init__(self, storage: Any, schema: Schema, segment: W3Segment, base: int) -> None:
        self.reader = SegmentReader(storage, schema, segment)
        self.table = SegmentTerms(self.reader)
        size = segment.doc_count_all()
        self.keep: np.ndarray | None = None
        self.doc_ids = doc_id_array(self.reader)
        self.renumber = np.arange(base, base + size, dtype=np.int64)
        if segment.has_deletions():
            self.keep = np.ones(size, bool)
            self.keep[list(segment.deleted_docs())] = False
            self.doc_ids = self.doc_ids[self.keep]
            self.renumber = np.full(size, -1, np.int64)
            self.renumber[self.keep] = np.arange(base, base + len(self.doc_ids))
        self.live = len(self.doc_ids)

    def terms(self, field: str) -> Iterator[tuple[bytes, bytes]]:
        """The field's terms in order, each with its raw terms-table value."""
        return self.table.starting(field, b"")

    def postings(self, value: bytes) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """A term's document numbers in the merged segment, frequencies, and which postings are kept."""
        ids, tfs = self.table.ids_and_counts(value)
        if self.keep is None:
            return self.renumber[ids], tfs, None
        kept = self.keep[ids]
        return self.renumber[ids[kept]], tfs[kept], kept

    def positions(self, value: bytes, kept: np.ndarray | None) -> np.ndarray:
        """A term's positions, of the kept postings only."""
        positions = self.table.positions(value)
        if kept is None:
            return positions
        _ids, every_tf = self.table.ids_and_counts(value)
        return positions[np.repeat(kept, every_tf)]

    def release(self) -> None:
        release_pages(self.reader)

    def close(self) -> None:
        self.reader.close()


def merge_segments(storage: Any, indexname: str, schema: Schema, segments: Sequence[W3Segment]) -> W3Segment:
    """One new segment holding the live documents of `segments`, in their order; not published."""
    sources: list[_Source] = []
    base = 0
    try:
        for segment in segments:
            sources.append(_Source(storage, schema, segment, base))
            base += sources[-1].live
        out = _SegmentFiles(storage, indexname)
        try:
            for name, positional, reverse in indexed_fields(schema):
                _merge_field(out, name, sources, positional, reverse)
            return out.finish(np.concatenate([source.doc_ids for source in sources]))
        except BaseException:
            out.discard()
            raise
    finally:
        for source in sources:
            source.close()


def _terms_of(source: _Source, number: int, field: str) -> Iterator[tuple[bytes, int, bytes]]:
    for term, value in source.terms(field):
        yield term, number, value


def _merge_field(out: _SegmentFiles, name: str, sources: list[_Source], positional: bool,
                 reverse: bool) -> None:
    """Each term's postings from every source in turn, renumbered, streamed a term at a time."""
    streams = [_terms_of(source, number, name) for number, source in enumerate(sources)]
    terms: list[bytes] = []
    values: list[bytes] = []
    total = 0
    release_at = out.offset + RELEASE_BYTES
    for term, group in groupby(heapq.merge(*streams), key=itemgetter(0)):
        if out.offset >= release_at:
            for source in sources:
                source.release()
            release_at = out.offset + RELEASE_BYTES
        pieces = []
        for _term, number, value in group:
            ids, tfs, kept = sources[number].postings(value)
            if len(ids):
                pieces.append((sources[number], value, ids, tfs, kept))
        if not pieces:
            continue  # every document holding it was deleted
        ids = np.concatenate([piece[2] for piece in pieces]) if len(pieces) > 1 else pieces[0][2]
        tfs = np.concatenate([piece[3] for piece in pieces]) if len(pieces) > 1 else pieces[0][3]
        start = out.write(_uint_bytes(ids))
        out.write(_uint_bytes(tfs))
        if positional:
            for source, value, _ids, _tfs, kept in pieces:
                out.write(source.positions(value, kept).tobytes())
        weight = int(tfs.sum())
        total += weight
        terms.append(term)
        values.append(term_info(len(ids), weight, int(tfs.max()), int(ids[0]), int(ids[-1]), start,
                                out.offset - start))
    out.lengths[name] = total
    out.add_field(name, terms, values, reverse)


# --- the writer -------------------------------------------------------------------------------------------
class LeanWriter:
    """The one writer of an index (Whoosh's write lock): documents in, segments out, one commit.

    Documents are buffered as arrays (SegmentBuilder) and written as a segment when their postings reach
    FLUSH_POSTINGS, or segments written elsewhere (rebuild workers) are handed in whole. `commit`
    merges what this writer wrote into one segment (and, past `max_segments`, the smallest of the
    others with it), marks older copies of re-added documents deleted, and publishes one new TOC
    generation; `cancel` removes everything it wrote. A rebuild merges its workers' segments itself,
    in parallel (`replace_written`), and commits them as they are (`merge_written=False`).
    """

    def __init__(self, index: FileIndex) -> None:
        self.lock = index.lock("WRITELOCK")
        if not self.lock.acquire():
            raise LockError
        try:
            toc = index._read_toc()
        except BaseException:
            self.lock.release()
            raise
        self.storage = index.storage
        self.indexname = index.indexname
        self.schema: Schema = toc.schema
        self.generation = toc.generation + 1
        self.segments: list[W3Segment] = list(toc.segments)
        self.written: list[W3Segment] = []
        self.building = SegmentBuilder(self.schema)
        self.added_ids: list[np.ndarray] = []

    @property
    def common(self) -> frozenset[str]:
        return self.schema[PAIRS_FIELD].common

    def add(self, doc_id: int, analysis: Analysis) -> None:
        self.building.add(doc_id, analysis)
        if self.building.postings >= FLUSH_POSTINGS:
            self.flush()

    def add_segment(self, segment: W3Segment, doc_ids: np.ndarray) -> None:
        self.written.append(segment)
        self.added_ids.append(doc_ids)

    def replace_written(self, parts: Sequence[W3Segment], merged: W3Segment) -> None:
        """`merged` (written elsewhere from `parts`, which this writer holds) takes their place."""
        at = self.written.index(parts[0])
        self.written[at:at + len(parts)] = [merged]
        remove_files(self.storage, parts)

    def flush(self) -> None:
        building, self.building = self.building, SegmentBuilder(self.schema)
        if building.doc_ids:
            segment = building.write(self.storage, self.indexname)
            self.add_segment(segment, np.asarray(building.doc_ids, DOC_IDS))

    def commit(self, max_segments: int = 8, merge_written: bool = True) -> None:
        try:
            self.flush()
            self._delete_older_copies()
            kept = [segment for segment in self.segments if segment.doc_count()]
            fresh = self.written
            if merge_written:
                if len(kept) + min(1, len(fresh)) > max_segments:
                    by_size = sorted(kept, key=lambda segment: segment.doc_count())
                    merged = by_size[:len(kept) + min(1, len(fresh)) - max_segments // 2]
                    kept = [segment for segment in kept if segment not in merged]
                    fresh = [*merged, *fresh]
                if len(fresh) > 1 or (fresh and fresh[0].has_deletions()):
                    fresh = [merge_segments(self.storage, self.indexname, self.schema, fresh)]
            final = kept + fresh
            TOC(self.schema, final, self.generation).write(self.storage, self.indexname)
        except BaseException:
            self.cancel()
            raise
        retire_unused(Path(self.storage.folder), self.indexname, self.generation, final)
        self.lock.release()

    def _delete_older_copies(self) -> None:
        """Documents added again (an interrupted run indexed them already) replace their older copy."""
        if not self.added_ids or not self.segments:
            return
        added = np.concatenate(self.added_ids)
        for segment in self.segments:
            reader = SegmentReader(self.storage, self.schema, segment)
            try:
                again = np.flatnonzero(np.isin(doc_id_array(reader), added))
            finally:
                reader.close()
            for docnum in again.tolist():
                segment.delete_document(docnum)

    def cancel(self) -> None:
        remove_files(self.storage, self.written)
        self.written = []
        self.lock.release()

