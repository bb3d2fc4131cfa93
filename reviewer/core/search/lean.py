"""Reviewer's own Whoosh codec: postings written whole, per term, as arrays the search reads in one call.

Whoosh stays the index (its segments, terms tables, columns, table of contents and write lock); only
the postings of a term are laid out differently. Whoosh's own codec pickles every block of 128 postings
and decodes them one Python object at a time, which is what made indexing and phrase checks slow. Here a
term's postings are three little-endian uint32 arrays back to back, written once by segments.py from
postings computed ahead (analysis.py, in worker processes):

    document numbers (ascending) | term frequency in each | word positions of each, concatenated

A positional field has the third array; the pairs field does not. Reading a term is one file read and
three `numpy.frombuffer` views. The codec's `postings_reader` still answers Whoosh's matcher API, so
Whoosh's own tools (term expansion, its searcher) keep working on these segments.

Each text field also has a reversed twin ("text" → "text~r"): every word spelled backwards, pointing at
the same postings, so a leading wildcard (*ing) is a prefix lookup instead of a scan of every term.
"""

from __future__ import annotations

import mmap
import struct
from array import array
from collections.abc import Iterator
from typing import Any
from zlib import crc32

import numpy as np
from whoosh.codec.whoosh3 import W3Codec, W3Segment, W3TermInfo, W3TermsReader
from whoosh.columns import Column
from whoosh.fields import FieldType
from whoosh.filedb.compound import CompoundStorage
from whoosh.filedb.filestore import OverlayStorage
from whoosh.filedb.filetables import HashWriter, OrderedHashWriter
from whoosh.filedb.structfile import StructFile
from whoosh.formats import Frequency, Positions
from whoosh.matching import ListMatcher
from whoosh.reading import IndexReader
from whoosh.system import pack_ushort
from whoosh.util.numlists import GrowableArray

UINT = np.dtype("<u4")
DOC_IDS = np.dtype("<u8")
REVERSED_SUFFIX = "~r"
_LENGTHS = struct.Struct("!ii")


def reversed_field(field: str) -> str:
    return field + REVERSED_SUFFIX


class LeanCodec(W3Codec):
    """Whoosh's segment layout with whole-term array postings (see the module docstring)."""

    def postings_reader(self, dbfile: Any, terminfo: W3TermInfo, format_: Any, term: Any = None,
                        scorer: Any = None) -> ListMatcher:
        offset, length = terminfo.extent()
        length = length[0] if isinstance(length, tuple) else length  # Whoosh reads it back as a 1-tuple
        df = terminfo.doc_frequency()
        raw = dbfile.get(offset, length)
        ids, tfs = np.frombuffer(raw, UINT, df), np.frombuffer(raw, UINT, df, 4 * df)
        positions = np.frombuffer(raw, UINT, offset=8 * df) if isinstance(format_, Positions) else None
        values: list[bytes] | None = None
        if positions is not None:
            ends = np.cumsum(tfs, dtype=np.int64)
            values = [chunk.tobytes() for chunk in np.split(positions, ends[:-1])] if len(ids) else []
        return ListMatcher(ids.tolist(), tfs.astype(float).tolist(), values, format_, scorer=scorer,
                           term=term, terminfo=terminfo)

    def new_segment(self, storage: Any, indexname: str) -> W3Segment:
        return W3Segment(self, indexname)

    def terms_reader(self, storage: Any, segment: W3Segment) -> W3TermsReader:
        terms = segment.make_filename(self.TERMS_EXT)
        return W3TermsReader(self, open_in_place(storage, terms), storage.file_length(terms),
                             open_in_place(storage, segment.make_filename(self.POSTS_EXT)))


class _InPlace:
    """Reading a file inside a memory-mapped compound segment where it lies (Whoosh's BufferFile copies
    it into memory whole: the whole index, for a searcher)."""

    def __init__(self, view: memoryview) -> None:
        self.view: memoryview | None = view
        self.position = 0

    def read(self, size: int = -1) -> bytes:
        assert self.view is not None
        end = len(self.view) if size < 0 else min(len(self.view), self.position + size)
        data = self.view[self.position:end].tobytes()
        self.position = end
        return data

    def readline(self, size: int = -1) -> bytes:  # pickle asks for it
        assert self.view is not None
        end = len(self.view) if size < 0 else min(len(self.view), self.position + size)
        found = bytes(self.view[self.position:end]).find(b"\n")
        return self.read(end - self.position if found < 0 else found + 1)

    def seek(self, position: int, whence: int = 0) -> int:
        assert self.view is not None
        self.position = position if whence == 0 else self.position + position if whence == 1 \
            else len(self.view) + position
        return self.position

    def tell(self) -> int:
        return self.position

    def close(self) -> None:
        self.view = None


def open_in_place(storage: Any, name: str) -> StructFile:
    """A segment file, read in place when its segment is a memory-mapped compound file."""
    compound = storage.a if isinstance(storage, OverlayStorage) else storage
    if isinstance(compound, CompoundStorage) and compound._source is not None and name in compound._dir:
        offset, length = compound.range(name)
        return StructFile(_InPlace(memoryview(compound._source)[offset:offset + length]), name=name)
    return storage.open_file(name)


def release_pages(reader: IndexReader) -> None:
    """Let go of the pages of a segment's memory-mapped compound file that this process has read: they
    stay in the system's file cache, but no longer count in this process's memory (a merge reads every
    term and posting of its sources once, which would otherwise make it as large as its sources)."""
    storage = reader.storage()
    compound = storage.a if isinstance(storage, OverlayStorage) else storage
    source = getattr(compound, "_source", None) if isinstance(compound, CompoundStorage) else None
    if source is not None and hasattr(mmap, "MADV_DONTNEED"):
        source.madvise(mmap.MADV_DONTNEED)


def buffer_of(dbfile: StructFile) -> memoryview | None:
    """The bytes of a file opened by `open_in_place`, to read arrays from without copying."""
    return dbfile.file.view if isinstance(dbfile.file, _InPlace) else None


# Whoosh's W3TermInfo as bytes: flags, total weight, document frequency, min and max length (unused: 0),
# max weight, first and last document, then where the postings are (offset, length).
_TERM_INFO = struct.Struct("!BfIBBfIIqi")
_TERM_INFO_ARRAY = np.dtype([("flags", "u1"), ("weight", ">f4"), ("df", ">u4"), ("minlength", "u1"),
                             ("maxlength", "u1"), ("maxweight", ">f4"), ("minid", ">u4"), ("maxid", ">u4"),
                             ("offset", ">i8"), ("length", ">i4")])


def term_info(df: int, weight: float, maxweight: float, minid: int, maxid: int, offset: int,
              length: int) -> bytes:
    """The terms-table value of a term whose postings were written at `offset` (W3TermInfo.to_bytes)."""
    return _TERM_INFO.pack(0, weight, df, 0, 0, maxweight, minid, maxid, offset, length)


def term_infos(df: np.ndarray, weight: np.ndarray, maxweight: np.ndarray, minid: np.ndarray,
               maxid: np.ndarray, offset: np.ndarray, length: np.ndarray) -> list[bytes]:
    """`term_info` of many terms at once."""
    packed = np.zeros(len(df), _TERM_INFO_ARRAY)
    packed["weight"], packed["df"], packed["maxweight"] = weight, df, maxweight
    packed["minid"], packed["maxid"], packed["offset"], packed["length"] = minid, maxid, offset, length
    raw = packed.tobytes()
    size = _TERM_INFO.size
    return [raw[i:i + size] for i in range(0, len(raw), size)]


def term_extent(value: bytes) -> tuple[int, int, int]:
    """(document frequency, offset, length) of a terms-table value written by `term_info`."""
    fields = _TERM_INFO.unpack(value)
    return fields[2], fields[8], fields[9]


class TermsTableWriter(OrderedHashWriter):
    """Whoosh's terms table (an ordered hash file), written a field at a time: the same file, with the
    per-key work done in bulk (CRC-32 hashes, one write per field, hash tables placed with arrays)."""

    def __init__(self, dbfile: Any) -> None:
        HashWriter.__init__(self, dbfile, hashtype=1)
        self.index = GrowableArray("H")
        self.lastkey = b""

    def add_sorted(self, keys: list[bytes], values: list[bytes]) -> None:
        if not keys:
            return
        if keys[0] <= self.lastkey:
            raise ValueError("Keys must increase")
        records = [b"".join((_LENGTHS.pack(len(key), len(value)), key, value))
                   for key, value in zip(keys, values, strict=True)]
        sizes = np.fromiter(map(len, records), np.int64, len(records))
        positions = self.dbfile.tell() + np.cumsum(sizes) - sizes
        self.dbfile.write(b"".join(records))
        hashes = list(map(crc32, keys))
        for h, position in zip(hashes, positions.tolist(), strict=True):
            self.buckets[h & 255].append((h, position))
        self.index.extend(positions.tolist())
        self.lastkey = keys[-1]

    def _write_hashes(self) -> None:
        # Linear probing from each key's home slot; keys whose home is free go there in one step.
        dbfile = self.dbfile
        for entries in self.buckets:
            numslots = 2 * len(entries)
            self.directory.append((dbfile.tell(), numslots))
            if not entries:
                continue
            hashes = np.fromiter((h for h, _ in entries), np.int64, len(entries))
            where = np.fromiter((p for _, p in entries), np.int64, len(entries))
            table_hash = np.zeros(numslots, np.int64)
            table_where = np.zeros(numslots, np.int64)
            homes = (hashes >> 8) % numslots
            _slots, first = np.unique(homes, return_index=True)
            placed = np.zeros(len(entries), bool)
            placed[first] = True
            table_hash[homes[first]], table_where[homes[first]] = hashes[first], where[first]
            for i in np.flatnonzero(~placed).tolist():
                slot = int(homes[i])
                while table_where[slot]:
                    slot = (slot + 1) % numslots
                table_hash[slot], table_where[slot] = hashes[i], where[i]
            table = np.zeros(numslots, np.dtype([("hash", ">u4"), ("where", ">i8")]))
            table["hash"], table["where"] = table_hash, table_where
            dbfile.write(table.tobytes())


class SegmentTerms:
    """A segment reader's terms table and postings file, read directly: a term's raw table value, the
    terms of a field in order from a prefix, and a term's arrays. (Whoosh's own reader decodes each
    value into an object and looks a term up again to read it.)"""

    def __init__(self, reader: IndexReader) -> None:
        table = reader._terms  # the segment's W3TermsReader
        self._index = table._tindex
        self._fields = table._fieldmap
        self._postfile = table._postfile
        self._buffer = buffer_of(table._postfile)

    def _array(self, offset: int, count: int) -> np.ndarray:
        if self._buffer is not None:
            return np.frombuffer(self._buffer, UINT, count, offset)
        return np.frombuffer(self._postfile.get(offset, 4 * count), UINT)

    def value(self, field: str, term: bytes) -> bytes | None:
        if field not in self._fields:
            return None
        return self._index.get(pack_ushort(self._fields[field]) + term)

    def starting(self, field: str, prefix: bytes) -> Iterator[tuple[bytes, bytes]]:
        """(term, value) of each term of `field` that starts with `prefix`, in order."""
        if field not in self._fields:
            return
        start = pack_ushort(self._fields[field]) + prefix
        for key, value in self._index.items_from(start):
            if not key.startswith(start):
                return
            yield key[2:], value

    def ids_and_counts(self, value: bytes) -> tuple[np.ndarray, np.ndarray]:
        df, offset, _length = term_extent(value)
        return self._array(offset, df), self._array(offset + 4 * df, df)

    def positions(self, value: bytes) -> np.ndarray:
        df, offset, length = term_extent(value)
        return self._array(offset + 8 * df, (length - 8 * df) // 4)


class RawPositions(Positions):
    """Positions as a raw little-endian uint32 array (the value Whoosh's matcher API hands out)."""

    def encode(self, poslist: list[int]) -> bytes:
        return np.asarray(poslist, UINT).tobytes()

    def decode_positions(self, valuestring: bytes) -> array:
        return array("I", np.frombuffer(valuestring, UINT).tolist())


class _WrittenField(FieldType):
    """A field Whoosh reads but never writes (segments.py does): no analyser, nothing stored."""

    def __init__(self, format_: Any, column_type: Column | None, indexed: bool) -> None:
        self.format, self.column_type, self.indexed = format_, column_type, indexed
        self.analyzer = self.vector = None
        self.scorable = self.stored = self.unique = self.spelling = False


class LeanText(_WrittenField):
    """A text field whose postings come computed (fields.analyze). `common` (the pairs field only)
    holds the words whose consecutive pairs it indexes."""

    def __init__(self, positional: bool, common: frozenset[str] | None = None) -> None:
        super().__init__(RawPositions() if positional else Frequency(), None, indexed=True)
        self.common = common

    def index(self, value: Any, **kwargs: Any) -> Any:
        raise TypeError("Reviewer's index fields are written by reviewer.core.search.segments")

    def to_bytes(self, value: str | bytes) -> bytes:
        return value if isinstance(value, bytes) else value.encode("utf-8", "surrogatepass")

    def from_bytes(self, bytestring: bytes) -> str:
        return bytestring.decode("utf-8", "surrogatepass")

    def self_parsing(self) -> bool:
        return False

    def sortable_terms(self, ixreader: IndexReader, fieldname: str) -> Any:
        return ixreader.lexicon(fieldname)


class DocIdColumn(Column):
    """The database id of every document number of a segment, as one little-endian uint64 array."""

    reversible = False

    def writer(self, dbfile: Any) -> Any:
        raise TypeError("Reviewer's index columns are written by reviewer.core.search.segments")

    def reader(self, dbfile: Any, basepos: int, length: int, doccount: int) -> Any:
        return _DocIdReader(np.frombuffer(dbfile.get(basepos, length), DOC_IDS).copy())


class _DocIdReader:
    def __init__(self, ids: np.ndarray) -> None:
        self.ids = ids

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, docnum: int) -> int:
        return int(self.ids[docnum])

    def __iter__(self) -> Any:
        return iter(self.ids.tolist())

    def sort_key(self, docnum: int) -> int:
        return self[docnum]

    def is_reversed(self) -> bool:
        return False

    def close(self) -> None:
        pass


class DocIdField(_WrittenField):
    """The document's database id: a column only (nothing is searched by it)."""

    def __init__(self) -> None:
        super().__init__(None, DocIdColumn(), indexed=False)

    def to_column_value(self, value: int) -> int:
        return value

    def from_column_value(self, value: int) -> int:
        return value


def doc_id_array(reader: IndexReader) -> np.ndarray:
    """The database id of every document number of a segment reader."""
    if reader.doc_count_all() == 0:
        return np.zeros(0, DOC_IDS)
    column = reader.column_reader("doc_id", translate=False)
    return column.ids if isinstance(column, _DocIdReader) else np.fromiter(column, DOC_IDS)
