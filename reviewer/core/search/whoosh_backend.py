"""The Whoosh backend: Whoosh stores the index; we evaluate the review query language on its postings.

Text trees are evaluated per segment as set algebra over each word's documents (read a block at a time
and cached), which keeps counts exact and fast for OR-groups, wildcards and common words. Phrases and
w/N take the documents that contain every word (or indexed pair of common words) they need, an
intersection bounded by the rarest, and read word positions only there, checking them with spans.py,
the rules the hit finder uses too; inside an AND they are checked last, only within what the other parts
already allow. Ranking is BM25 (k1=1.2, no length normalisation) over the exact words of the query;
wildcard and fuzzy words count as present or not, as in Whoosh. One searcher lives as long as the
backend and is refreshed when the index changes (reopened when a rebuild replaced it); documents are
named by database id through a docnum→id map read from the doc_id column.
"""

from __future__ import annotations

import heapq
import math
from array import array
from bisect import bisect_left
from collections import OrderedDict
from collections.abc import Collection, Iterable
from pathlib import Path

from whoosh import query as wq
from whoosh.reading import IndexReader
from whoosh.searching import Searcher

from reviewer.core.search.analysis import pair
from reviewer.core.search.index import PAIRS_FIELD, SCHEMA_VERSION, TextIndex, doc_id_column
from reviewer.core.search.query import DEFAULT_FIELD, And, Near, Node, Not, Or, Phrase, Positional, Word
from reviewer.core.search.spans import count_stretches, matches, positive_parts, words_of
from reviewer.core.search.whoosh_postings import deleted, read_positions, read_postings

K1 = 1.2
# Postings kept in memory between queries, counted in documents (8 bytes each).
CACHE_POSTINGS = 4_000_000
CACHE_WORDS = 256
DocSet = frozenset[int] | set[int]


class WhooshBackend:
    name = "whoosh"

    def __init__(self, index_dir: Path) -> None:
        """Open the index as it is; SearchIndexError when it must be repaired first (repair.py)."""
        self._index = TextIndex(index_dir)
        with self._index.steady():
            self._open(*self._index.open_searcher())

    def _open(self, searcher: Searcher, build: str) -> None:
        self._searcher = searcher
        self._build = build
        reader = searcher.reader()
        self._ids: list[int] = doc_id_column(reader)
        leaves = searcher.subsearchers or [(searcher, 0)]
        self._segments = [_Segment(sub.reader(), offset) for sub, offset in leaves]
        self._docnums = {self._ids[docnum]: docnum for docnum in reader.all_doc_ids()}
        self._live = len(self._docnums)

    def _current(self) -> list[_Segment]:
        """The segments of the newest commit; after a rebuild was swapped in, of the new index."""
        with self._index.steady():
            build = self._index.build_id()
            # Whoosh cannot refresh a searcher on an index without documents: that one is opened anew.
            if build != self._build or (not self._ids and not self._searcher.up_to_date()):
                previous = self._searcher
                self._open(*self._index.open_searcher())
                previous.close()
            elif not self._searcher.up_to_date():
                self._open(self._searcher.refresh(), build)
        return self._segments

    def matching(self, node: Node) -> set[int]:
        segments = self._current()
        ids = self._ids
        found: set[int] = set()
        for segment in segments:
            offset = segment.offset
            found.update(ids[offset + docnum] for docnum in segment.evaluate(node, None))
        return found

    def _local(self, segment: _Segment, within: Collection[int]) -> set[int]:
        docnums = self._docnums
        start, end = segment.offset, segment.offset + segment.size
        return {docnums[d] - start for d in within if d in docnums and start <= docnums[d] < end}

    def ranked(self, node: Node, within: Collection[int], limit: int | None) -> list[tuple[int, float]]:
        words = [word for part in positive_parts(node) for word in words_of(part)]
        scores: dict[int, float] = {}
        for segment in self._current():  # refreshes the id maps first
            wanted = self._local(segment, within)
            if wanted:
                for docnum, score in segment.scores(words, wanted, self._live).items():
                    scores[segment.offset + docnum] = score
        ids = self._ids
        order = [(-score, ids[docnum], docnum) for docnum, score in scores.items()]
        best = heapq.nsmallest(limit, order) if limit is not None else sorted(order)
        return [(doc_id, -negative) for negative, doc_id, _docnum in best]

    def hit_count(self, node: Node, within: Collection[int]) -> int:
        parts = positive_parts(node)
        count = 0
        for segment in self._current():
            wanted = self._local(segment, within)
            if not wanted or not parts:
                continue
            positions = segment.positions(parts, wanted)
            for docnum in wanted:
                count += count_stretches(node, _positions_at(positions, docnum))
        return count

    def version(self) -> dict[str, object]:
        self._current()
        return {"engine": self.name, "schema": SCHEMA_VERSION, "build": self._build,
                "generation": self._searcher.reader().generation(), "documents": self._live}

    def close(self) -> None:
        self._searcher.close()


def _positions_at(positions: dict[Word, dict[int, list[int]]], docnum: int):
    def positions_of(word: Word) -> list[int]:
        return positions.get(word, {}).get(docnum, [])

    return positions_of


def _positional(node: Node) -> bool:
    if isinstance(node, Phrase | Near):
        return True
    if isinstance(node, And | Or):
        return any(_positional(child) for child in node.children)
    return isinstance(node, Not) and _positional(node.child)


class _Segment:
    """One index segment, evaluated in its own document numbers."""

    def __init__(self, reader: IndexReader, offset: int) -> None:
        self.reader = reader
        self.offset = offset
        self.size = reader.doc_count_all()
        self.gone = deleted(reader)
        self.common: frozenset[str] = reader.schema[PAIRS_FIELD].analyzer.common
        self._all: frozenset[int] | None = None
        self._postings: OrderedDict[tuple[str, bytes], tuple[array, array]] = OrderedDict()
        self._cached = 0
        self._terms: dict[Word, list[bytes]] = {}
        self._docs: OrderedDict[Word, frozenset[int]] = OrderedDict()

    # --- words --------------------------------------------------------------------------------------------
    def terms(self, word: Word) -> list[bytes]:
        """The indexed terms a query word stands for (one, or the expansion of a wildcard or fuzzy word)."""
        found = self._terms.get(word)
        if found is None:
            found = self._terms[word] = self._expand(word)
        return found

    def _expand(self, word: Word) -> list[bytes]:
        reader, field = self.reader, word.field
        encode = reader.schema[field].to_bytes
        if word.kind == "exact":
            term = encode(word.text)
            return [term] if (field, term) in reader else []
        if word.kind == "fuzzy":
            query: wq.Query = wq.FuzzyTerm(field, word.text, maxdist=word.distance, prefixlength=0)
        elif word.text.endswith("*") and "*" not in word.text[:-1] and "?" not in word.text:
            return list(reader.expand_prefix(field, word.text[:-1]))
        else:
            query = wq.Wildcard(field, word.text)
        expanded = query.expanded_terms(reader)
        return [term if isinstance(term, bytes) else encode(term) for _field, term in expanded]

    def postings(self, field: str, term: bytes) -> tuple[array, array]:
        key = (field, term)
        found = self._postings.get(key)
        if found is not None:
            self._postings.move_to_end(key)
            return found
        found = read_postings(self.reader, field, term, self.gone)
        self._postings[key] = found
        self._cached += len(found[0])
        while self._cached > CACHE_POSTINGS and len(self._postings) > 1:
            _key, (ids, _weights) = self._postings.popitem(last=False)
            self._cached -= len(ids)
        return found

    def _pair_docs(self, first: str, second: str) -> frozenset[int]:
        term = self.reader.schema[PAIRS_FIELD].to_bytes(pair(first, second))
        if (PAIRS_FIELD, term) not in self.reader:
            return frozenset()
        return frozenset(self.postings(PAIRS_FIELD, term)[0])

    def phrase_docs(self, node: Phrase) -> tuple[DocSet, bool]:
        """Documents that may hold the phrase, and whether that is already exact (two plain words whose
        pair is indexed). Indexed pairs stand in for their two words; other words bring their own docs."""
        words = node.words
        paired: set[int] = set()
        sets = []
        if node.field == DEFAULT_FIELD:
            for i, (a, b) in enumerate(zip(words, words[1:], strict=False)):
                if a.kind == b.kind == "exact" and a.text in self.common and b.text in self.common:
                    sets.append(self._pair_docs(a.text, b.text))
                    paired.update((i, i + 1))
        sets += [self.docs(word) for i, word in enumerate(words) if i not in paired]
        sets.sort(key=len)
        return sets[0].intersection(*sets[1:]), len(words) == 2 and len(paired) == 2

    def docs(self, word: Word) -> frozenset[int]:
        found = self._docs.get(word)
        if found is not None:
            self._docs.move_to_end(word)
            return found
        terms = self.terms(word)
        if len(terms) == 1:
            found = frozenset(self.postings(word.field, terms[0])[0])
        else:
            found = frozenset().union(*(self.postings(word.field, term)[0] for term in terms))
        self._docs[word] = found
        if len(self._docs) > CACHE_WORDS:
            self._docs.popitem(last=False)
        return found

    def everything(self) -> frozenset[int]:
        if self._all is None:
            self._all = frozenset(range(self.size)) - self.gone
        return self._all

    # --- evaluation -----------------------------------------------------------------------------------------
    def evaluate(self, node: Node, within: DocSet | None) -> DocSet:
        """The segment's documents matching a text tree, limited to `within` where that saves work."""
        if isinstance(node, Word):
            return self.docs(node)
        if isinstance(node, Phrase):
            candidates, exact = self.phrase_docs(node)
            if within is not None:
                candidates = candidates & within
            return candidates if exact else self.verify(node, candidates)
        if isinstance(node, Near):
            candidates = self.required(node)
            if within is not None:
                candidates = candidates & within
            return self.verify(node, candidates)
        if isinstance(node, Or):
            return frozenset().union(*(self.evaluate(child, within) for child in node.children))
        if isinstance(node, Not):
            return self.everything() - self.evaluate(node.child, None)
        assert isinstance(node, And)
        positive = [child for child in node.children if not isinstance(child, Not)]
        negated = [child.child for child in node.children if isinstance(child, Not)]
        # Cheap parts first; positions are then read only where everything else already matched.
        positive.sort(key=_positional)
        found: DocSet | None = within
        for child in positive:
            part = self.evaluate(child, found)
            found = part if found is None else found & part
            if not found:
                return frozenset()
        if found is None:
            found = self.everything()
        for excluded in negated:
            found = found - self.evaluate(excluded, found)
        return found

    def required(self, node: Positional) -> DocSet:
        """The documents that contain every word a phrase or proximity match needs."""
        if isinstance(node, Word):
            return self.docs(node)
        if isinstance(node, Phrase):
            return self.phrase_docs(node)[0]
        if isinstance(node, Or):
            return frozenset().union(*(self.required(child) for child in node.children))  # type: ignore[arg-type]  # an Or in a positional node holds positional nodes
        if node.negated:
            return self.required(node.left)
        return self.required(node.left) & self.required(node.right)

    def verify(self, node: Phrase | Near, candidates: DocSet) -> DocSet:
        if not candidates:
            return frozenset()
        positions = self.positions([node], candidates)
        return {docnum for docnum in candidates if matches(node, _positions_at(positions, docnum))}

    def positions(self, parts: Iterable[Positional], docnums: DocSet) -> dict[Word, dict[int, list[int]]]:
        """Where each word of `parts` occurs in each of `docnums`."""
        first, last = min(docnums), max(docnums)
        found: dict[Word, dict[int, list[int]]] = {}
        for word in {word for part in parts for word in words_of(part)}:
            per_term = [read_positions(self.reader, word.field, term, docnums, first, last)
                        for term in self.terms(word)]
            if len(per_term) == 1:
                found[word] = per_term[0]
                continue
            merged: dict[int, list[int]] = {}
            for positions in per_term:
                for docnum, spots in positions.items():
                    merged.setdefault(docnum, []).extend(spots)
            for spots in merged.values():
                spots.sort()
            found[word] = merged
        return found

    # --- ranking --------------------------------------------------------------------------------------------
    def scores(self, words: list[Word], wanted: set[int], live: int) -> dict[int, float]:
        scores: dict[int, float] = {}
        for word in dict.fromkeys(words):
            if word.kind != "exact":
                for docnum in self.docs(word) & wanted:
                    scores[docnum] = scores.get(docnum, 0.0) + 1.0
                continue
            for term in self.terms(word):
                ids, weights = self.postings(word.field, term)
                idf = math.log(1 + (live - len(ids) + 0.5) / (len(ids) + 0.5))
                for docnum, tf in _postings_in(ids, weights, wanted):
                    scores[docnum] = scores.get(docnum, 0.0) + idf * tf * (K1 + 1) / (tf + K1)
        return scores


def _postings_in(ids: array, weights: array, wanted: set[int]) -> Iterable[tuple[int, float]]:
    if len(wanted) * 16 < len(ids):  # few wanted documents: look each one up
        for docnum in wanted:
            i = bisect_left(ids, docnum)
            if i < len(ids) and ids[i] == docnum:
                yield docnum, weights[i]
        return
    yield from ((docnum, tf) for docnum, tf in zip(ids, weights, strict=True) if docnum in wanted)
