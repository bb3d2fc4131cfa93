"""The Whoosh backend: review-query text trees translated to Whoosh queries, with exact phrases and w/N.

Whoosh's own phrase slop is ordered and off by one for w/N, so phrases and proximity are a query of our
own: Whoosh's boolean machinery finds the documents that contain every word needed (skipping by the
rarest), and only there are word positions read and checked with spans.py, the same rules the hit finder
uses. One searcher lives as long as the backend and is refreshed when the index changes; documents are
named by database id through an in-memory docnum→id map read from the doc_id column.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from pathlib import Path
from typing import Any

from whoosh import query as wq
from whoosh.matching import NullMatcher, WrappingMatcher
from whoosh.reading import IndexReader
from whoosh.searching import Searcher

from reviewer.core.search.index import SCHEMA_VERSION, TextIndex
from reviewer.core.search.query import And, Near, Node, Not, Or, Phrase, Positional, Word
from reviewer.core.search.spans import hit_stretches, positive_parts, spans_of


class WhooshBackend:
    name = "whoosh"

    def __init__(self, index_dir: Path) -> None:
        self._index = TextIndex(index_dir).open()
        self._searcher = self._index.searcher()
        self._load_ids()

    def _load_ids(self) -> None:
        reader = self._searcher.reader()
        self._ids: list[int] = list(reader.column_reader("doc_id"))
        self._docnums = {self._ids[docnum]: docnum for docnum in reader.all_doc_ids()}

    def _current(self) -> Searcher:
        if not self._searcher.up_to_date():
            self._searcher = self._searcher.refresh()
            self._load_ids()
        return self._searcher

    def matching(self, node: Node) -> set[int]:
        searcher = self._current()
        ids = self._ids
        return {ids[docnum] for docnum in searcher.docs_for_query(translate(node))}

    def ranked(self, node: Node, within: Collection[int], limit: int | None) -> list[tuple[int, float]]:
        searcher = self._current()
        allowed = {self._docnums[doc_id] for doc_id in within if doc_id in self._docnums}
        if not allowed:
            return []
        # Within documents already known to match, word scores rank as well as the full query and skip
        # the position checks.
        results = searcher.search(translate(node, scoring=True), limit=limit, filter=allowed)
        return [(self._ids[docnum], score) for docnum, score in results.items()]

    def hit_count(self, node: Node, within: Collection[int]) -> int:
        parts = positive_parts(node)
        if not parts:
            return 0
        searcher = self._current()
        wanted = sorted(self._docnums[doc_id] for doc_id in within if doc_id in self._docnums)
        count = 0
        for sub, offset in _leaves(searcher):
            end = offset + sub.doc_count_all()
            local = [docnum - offset for docnum in wanted if offset <= docnum < end]
            if not local:
                continue
            positions = _Positions(sub.reader(), parts)
            for docnum in local:
                count += len(hit_stretches(node, positions.at(docnum)))
        return count

    def version(self) -> dict[str, object]:
        searcher = self._current()
        return {"engine": self.name, "schema": SCHEMA_VERSION, "generation": self._index.latest_generation(),
                "documents": searcher.doc_count()}

    def close(self) -> None:
        self._searcher.close()


def _leaves(searcher: Searcher) -> list[tuple[Searcher, int]]:
    return searcher.subsearchers if searcher.subsearchers else [(searcher, 0)]


# --- translation ---------------------------------------------------------------------------------------
def translate(node: Node, scoring: bool = False) -> wq.Query:
    """The Whoosh query for a text-only tree; with `scoring`, phrases and w/N become their words (for
    ranking documents already known to match)."""
    return _translate(node, scoring).normalize()


def _translate(node: Node, scoring: bool) -> wq.Query:
    if isinstance(node, Word):
        return _word_query(node)
    if isinstance(node, Phrase | Near):
        return _required(node) if scoring else PositionalQuery(node)
    if isinstance(node, And):
        return wq.And([_translate(child, scoring) for child in node.children])
    if isinstance(node, Or):
        return wq.Or([_translate(child, scoring) for child in node.children])
    if isinstance(node, Not):
        return wq.Not(_translate(node.child, scoring))
    raise TypeError(f"{type(node).__name__} is not a text query")


def _word_query(word: Word) -> wq.Query:
    if word.kind == "fuzzy":
        return wq.FuzzyTerm(word.field, word.text, maxdist=word.distance, prefixlength=0)
    if word.kind == "wildcard":
        stem = word.text[:-1]
        if word.text.endswith("*") and "*" not in stem and "?" not in stem:
            return wq.Prefix(word.field, stem)
        return wq.Wildcard(word.field, word.text)
    return wq.Term(word.field, word.text)


def _required(node: Positional) -> wq.Query:
    """A query for the documents that contain every word a positional match needs."""
    if isinstance(node, Word):
        return _word_query(node)
    if isinstance(node, Phrase):
        return wq.And([_word_query(word) for word in node.words])
    if isinstance(node, Or):
        return wq.Or([_required(child) for child in node.children])  # type: ignore[arg-type]
    if node.negated:
        return _required(node.left)
    return wq.And([_required(node.left), _required(node.right)])


class PositionalQuery(wq.Query):
    """A phrase or proximity expression, matched exactly by word positions (spans.py)."""

    def __init__(self, node: Phrase | Near) -> None:
        self.node = node
        self.candidates = _required(node).normalize()
        self.boost = 1.0

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PositionalQuery) and other.node == self.node

    def __hash__(self) -> int:
        return hash(self.node)

    def __repr__(self) -> str:
        return f"PositionalQuery({self.node!r})"

    def field(self) -> None:
        return None  # never merged or deduplicated with plain term queries by Whoosh's normalize()

    def estimate_size(self, ixreader: IndexReader) -> int:
        return self.candidates.estimate_size(ixreader)

    def estimate_min_size(self, ixreader: IndexReader) -> int:
        return 0

    def matcher(self, searcher: Searcher, context: Any = None) -> Any:
        child = self.candidates.matcher(searcher, context)
        if not child.is_active():
            return NullMatcher()
        return _PositionalMatcher(child, self.node, _Positions(searcher.reader(), [self.node]))


class _PositionalMatcher(WrappingMatcher):
    """Stays on the candidate documents where the positional expression really has a match."""

    def __init__(self, child: Any, node: Phrase | Near, positions: _Positions) -> None:
        super().__init__(child)
        self._node = node
        self._positions = positions
        self._find_next()

    def _find_next(self) -> None:
        child = self.child
        while child.is_active() and not spans_of(self._node, self._positions.at(child.id())):
            child.next()

    def next(self) -> None:  # type: ignore[override]
        self.child.next()
        self._find_next()

    def skip_to(self, target: int) -> None:  # type: ignore[override]
        self.child.skip_to(target)
        self._find_next()

    def all_ids(self) -> Any:
        while self.is_active():
            yield self.id()
            self.next()

    def supports_block_quality(self) -> bool:
        # Skipping blocks by score would land on candidates whose positions were never checked.
        return False

    def replace(self, minquality: float = 0) -> Any:
        return self if self.is_active() else NullMatcher()

    def copy(self) -> _PositionalMatcher:
        return _PositionalMatcher(self.child.copy(), self._node, self._positions.fresh())


class _Positions:
    """Word positions in one segment, read from postings as matchers move forward through documents."""

    def __init__(self, reader: IndexReader, parts: Sequence[Positional]) -> None:
        self._reader = reader
        self._parts = parts
        self._words = sorted({word for part in parts for word in _words_of(part)}, key=repr)
        self._postings = {word: [reader.postings(word.field, term) for term in _terms(reader, word)]
                          for word in self._words}

    def fresh(self) -> _Positions:
        return _Positions(self._reader, self._parts)

    def at(self, docnum: int) -> Any:
        cached: dict[Word, list[int]] = {}

        def positions_of(word: Word) -> list[int]:
            found = cached.get(word)
            if found is None:
                found = cached[word] = self._read(word, docnum)
            return found

        return positions_of

    def _read(self, word: Word, docnum: int) -> list[int]:
        found: list[int] = []
        matchers = self._postings.get(word, ())
        for matcher in matchers:
            if matcher.is_active() and matcher.id() < docnum:
                matcher.skip_to(docnum)
            if matcher.is_active() and matcher.id() == docnum:
                found.extend(matcher.value_as("positions"))
        if len(matchers) > 1:
            found.sort()
        return found


def _words_of(node: Positional) -> list[Word]:
    if isinstance(node, Word):
        return [node]
    if isinstance(node, Phrase):
        return list(node.words)
    if isinstance(node, Or):
        return [word for child in node.children for word in _words_of(child)]  # type: ignore[arg-type]
    return _words_of(node.left) + _words_of(node.right)


def _terms(reader: IndexReader, word: Word) -> list[bytes]:
    if word.kind == "exact":
        term = reader.schema[word.field].to_bytes(word.text)
        return [term] if (word.field, term) in reader else []
    return [term for _field, term in _word_query(word).expanded_terms(reader)]
