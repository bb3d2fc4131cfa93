"""Reading a Whoosh segment's postings a block at a time.

Whoosh's matchers spend several Python calls on every posting, which is what made counts of common words,
OR-groups and wildcards slow on large cases. The whoosh3 codec stores postings in blocks of up to 128
(ids, weights, values); reading a block's arrays whole costs a few C-level operations. These helpers do
that for the codec's leaf matcher and fall back to the public matcher API for anything else (terms
stored inline, another codec), so they stay correct if Whoosh changes underneath.
"""

from __future__ import annotations

from array import array
from collections.abc import Collection, Iterator
from typing import Any

from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import IndexReader


def _leaf(reader: IndexReader, field: str, term: bytes) -> Any:
    matcher = reader.postings(field, term)
    # Deleted documents are removed by the caller, cheaper than Whoosh's per-posting filter.
    return matcher.child if isinstance(matcher, FilterMatcher) else matcher


def _is_block_matcher(matcher: Any) -> bool:
    needed = ("_read_ids", "_read_weights", "_read_values", "_next_block", "_maxid", "_atend")
    return all(hasattr(matcher, name) for name in needed)


def _blocks(matcher: Any) -> Iterator[Any]:
    """The matcher positioned on each of its blocks in turn."""
    while matcher.is_active():
        yield matcher
        matcher._next_block()


def deleted(reader: IndexReader) -> frozenset[int]:
    return frozenset(reader.deleted_docs_set) if reader.has_deletions() else frozenset()


def read_postings(reader: IndexReader, field: str, term: bytes, gone: frozenset[int]) -> tuple[array, array]:
    """Every live document (segment docnum) containing a term, ascending, and the term's frequency in each."""
    ids, weights = array("I"), array("f")
    matcher = _leaf(reader, field, term)
    if _is_block_matcher(matcher):
        for block in _blocks(matcher):
            block._read_ids()
            block._read_weights()
            ids.extend(block._ids)
            weights.extend(block._weights)
    else:
        while matcher.is_active():
            ids.append(matcher.id())
            weights.append(matcher.weight())
            matcher.next()
    if gone:
        keep = [i for i, docnum in enumerate(ids) if docnum not in gone]
        ids, weights = array("I", (ids[i] for i in keep)), array("f", (weights[i] for i in keep))
    return ids, weights


def read_positions(reader: IndexReader, field: str, term: bytes, wanted: Collection[int],
                   first: int, last: int) -> dict[int, list[int]]:
    """The word positions of a term in each of the `wanted` documents that contain it; `first` and `last`
    are the smallest and largest wanted docnums (blocks outside them are not decoded)."""
    decode = reader.schema[field].format.decode_positions
    found: dict[int, list[int]] = {}
    matcher = _leaf(reader, field, term)
    if not _is_block_matcher(matcher):
        while matcher.is_active():
            if matcher.id() in wanted:
                found[matcher.id()] = matcher.value_as("positions")
            matcher.next()
        return found
    for block in _blocks(matcher):
        if block._maxid < first:
            continue
        block._read_ids()
        hits = [(i, docnum) for i, docnum in enumerate(block._ids) if docnum in wanted]
        if hits:
            block._read_values()
            values = block._values
            for i, docnum in hits:
                found[docnum] = decode(values[i])
        if block._maxid >= last:
            break
    return found
