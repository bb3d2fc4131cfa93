"""What each searchable field of a document holds, and the postings the index stores for it.

`analyze` turns a document's fields into postings (each word, how often, where) with arrays, in whichever
process has the text: an ingest worker or a rebuild worker. Free of the database and of Whoosh, so that
ingest workers analyse documents with exactly the rules a rebuild from the database uses: a document is
anything with the attributes of models.Document named in Searchable (the recorder's Document, or the
worker's view of what it will record).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from itertools import count
from typing import NamedTuple, Protocol

import numpy as np

from reviewer.core.search.analysis import PART_GAP, WORD, pair
from reviewer.core.search.query import DEFAULT_FIELD

# The default field: the document's text, then the metadata a bare word also searches.
DEFAULT_PARTS = ("text", "subject", "title", "filename", "from", "to", "cc", "bcc")
# The pairs of consecutive common words of the default field, for fast phrases (no positions).
PAIRS_FIELD = "pairs"

_NAME_PARTS = re.compile(r"[^\W_]+")


class Searchable(Protocol):
    @property
    def email_from(self) -> str: ...
    @property
    def email_to(self) -> str: ...
    @property
    def email_cc(self) -> str: ...
    @property
    def email_bcc(self) -> str: ...
    @property
    def subject(self) -> str: ...
    @property
    def author(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def file_name(self) -> str: ...


def file_name_words(name: str) -> str:
    """A file name searchable whole ("memo_v2.pdf") and by the words of its stem ("memo", "v2")."""
    stem = name.rsplit(".", 1)[0] if "." in name else name
    parts = _NAME_PARTS.findall(stem)
    return f"{name} {' '.join(parts)}" if len(parts) > 1 or (parts and parts[0] != name) else name


def field_parts(document: Searchable, text: str) -> dict[str, list[str]]:
    """What each searchable field holds; part 0 of the default field is the document's text itself."""
    values = {
        "from": document.email_from, "to": document.email_to, "cc": document.email_cc,
        "bcc": document.email_bcc, "subject": document.subject, "author": document.author,
        "title": document.title, "filename": file_name_words(document.file_name),
    }
    default = [text] + [values[name] for name in DEFAULT_PARTS[1:]]
    return {DEFAULT_FIELD: default, **{name: [value] for name, value in values.items()}}


def analyze_document(document: Searchable, text: str, common: frozenset[str]) -> Analysis:
    """The postings the index stores for a document."""
    return analyze(field_parts(document, text), common)


class FieldPostings(NamedTuple):
    """One field of one document, analysed: its distinct words, how often each occurs, and (for a
    positional field) each word's positions in turn, ascending — little-endian uint32 arrays."""

    terms: list[str]
    counts: bytes
    positions: bytes


Analysis = dict[str, FieldPostings]


def analyze(fields: Mapping[str, Sequence[str]], common: frozenset[str], pairs_field: str = PAIRS_FIELD,
            pairs_of: str = DEFAULT_FIELD) -> Analysis:
    """The postings of a document whose fields are made of parts (analysis.scan_parts numbers the
    positions alike), plus the pairs of consecutive common words of `pairs_of`, as `pairs_field`."""
    analysis: Analysis = {}
    for name, parts in fields.items():
        tokens: list[str] = []
        positions: list[int] = []
        start = 0
        pairs: list[str] = []
        for number, part in enumerate(parts):
            if number:
                start += PART_GAP
            found = list(map(str.lower, WORD.findall(part))) if part else []
            if not found:
                continue
            tokens += found
            positions += range(start, start + len(found))
            start += len(found)
            if name == pairs_of and common:
                pairs += _common_pairs(found, common)
        if tokens:
            analysis[name] = _group(tokens, positions)
        if pairs:
            counted = Counter(pairs)
            analysis[pairs_field] = FieldPostings(list(counted), _uint32(list(counted.values())), b"")
    return analysis


# Below this many words, grouping them with plain Python is quicker than with arrays.
_SMALL = 48


def _group(tokens: list[str], positions: list[int]) -> FieldPostings:
    """The distinct words in order of first occurrence, their counts and their positions in turn."""
    if len(tokens) < _SMALL:
        groups: dict[str, list[int]] = {}
        for token, position in zip(tokens, positions, strict=True):
            groups.setdefault(token, []).append(position)
        return FieldPostings(list(groups), _uint32([len(spots) for spots in groups.values()]),
                             _uint32([spot for spots in groups.values() for spot in spots]))
    first_seen: dict[str, int] = {}
    # Each token's number is the index of its word's first occurrence (setdefault keeps the first).
    numbers = np.fromiter(map(first_seen.setdefault, tokens, count()), np.int64, len(tokens))
    order = np.argsort(numbers, kind="stable")
    counts = np.bincount(numbers)
    firsts = np.flatnonzero(counts)
    terms = [tokens[i] for i in firsts.tolist()]
    grouped = np.asarray(positions, "<u4")[order]
    return FieldPostings(terms, counts[firsts].astype("<u4").tobytes(), grouped.tobytes())


def _common_pairs(tokens: list[str], common: frozenset[str]) -> list[str]:
    flags = np.fromiter(map(common.__contains__, tokens), bool, len(tokens))
    return [pair(tokens[i], tokens[i + 1]) for i in np.flatnonzero(flags[:-1] & flags[1:]).tolist()]


def _uint32(values: list[int]) -> bytes:
    return np.asarray(values, "<u4").tobytes()
