"""The Whoosh backend: Whoosh stores the index; we evaluate the review query language on its postings.

Text trees are evaluated per segment as set algebra over boolean masks of the segment's documents: a
word's mask comes from its postings (lean.py: one read, array views), so AND, OR, NOT, wildcards and
common words cost array operations, and counts are exact. Phrases and w/N first narrow to the documents
holding every word they need (an indexed pair of common words stands in for its two words), then check
positions over all those documents at once (span_arrays.py, the rules of spans.py), starting from the
rarest word; inside an AND they are checked last, only within what the other parts already allow. w/N
of two words looks up a few occurrences of each document at a time, so that two common words, which
mostly meet early in a document, are decided without looking at every occurrence. A leading wildcard
(*ing) is a prefix lookup in the field's reversed twin. Ranking is BM25 (k1=1.2, no length
normalisation) over the exact words of the query; wildcard and fuzzy words count as present or not, as
in Whoosh. One searcher lives as long as the backend and is refreshed when the index changes (reopened
when a rebuild replaced it); documents are named by database id through each segment's doc_id column.
"""

from __future__ import annotations

import fnmatch
import math
import re
from collections import OrderedDict
from collections.abc import Collection, Iterator
from functools import partial
from pathlib import Path

import numpy as np
from whoosh import query as wq
from whoosh.reading import IndexReader
from whoosh.searching import Searcher

from reviewer.core.search import span_arrays
from reviewer.core.search.analysis import pair
from reviewer.core.search.fields import PAIRS_FIELD
from reviewer.core.search.index import SCHEMA_VERSION, TextIndex, live_doc_ids
from reviewer.core.search.lean import SegmentTerms, reversed_field
from reviewer.core.search.query import DEFAULT_FIELD, And, Near, Node, Not, Or, Phrase, Positional, Word
from reviewer.core.search.spans import count_stretches, positive_parts, words_of

K1 = 1.2
# Postings kept in memory between queries, in bytes of the index's arrays.
CACHE_BYTES = 192 * 1024 * 1024
CACHE_WORDS = 256
# w/N between two words looks up each document's first few occurrences of one of them (the rarer; the left
# one of NOT w/N) first, as two common words usually meet early on, then the next few in the documents
# still undecided, then the rest: where each look ends.
NEAR_LOOKS = (4, 16)
Mask = np.ndarray  # bool, one per document number of a segment
_EMPTY = np.zeros(0, np.int64)  # no keys, no documents


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
        # An index without documents reads as Whoosh's EmptyReader: no segment to evaluate.
        self._segments = [_Segment(leaf) for leaf, _offset in searcher.reader().leaf_readers()
                          if leaf.doc_count_all()]
        self._live = sum(segment.live_count for segment in self._segments)

    def _current(self) -> list[_Segment]:
        """The segments of the newest commit; after a rebuild was swapped in, of the new index."""
        with self._index.steady():
            build = self._index.build_id()
            # Whoosh cannot refresh a searcher on an index without documents: that one is opened anew.
            if build != self._build or (not self._live and not self._searcher.up_to_date()):
                previous = self._searcher
                self._open(*self._index.open_searcher())
                previous.close()
            elif not self._searcher.up_to_date():
                self._open(self._searcher.refresh(), build)
        return self._segments

    def matching(self, node: Node) -> set[int]:
        found = [segment.doc_ids[segment.evaluate(node, None)] for segment in self._current()]
        return set(np.concatenate(found).tolist()) if found else set()

    def ranked(self, node: Node, within: Collection[int], limit: int | None) -> list[tuple[int, float]]:
        words = list(dict.fromkeys(word for part in positive_parts(node) for word in words_of(part)))
        segments = self._current()  # refreshes the segments first
        wanted_ids = np.fromiter(within, np.int64, len(within))
        ids, scores = [], []
        for segment in segments:
            wanted = segment.mask_of(wanted_ids)
            if wanted.any():
                docnums, values = segment.scores(words, wanted, self._live)
                ids.append(segment.doc_ids[docnums].astype(np.int64))
                scores.append(values)
        if not ids:
            return []
        all_ids, all_scores = np.concatenate(ids), np.concatenate(scores)
        order = np.lexsort((all_ids, -all_scores))  # best first; equal scores in the order added
        if limit is not None:
            order = order[:limit]
        return list(zip(all_ids[order].tolist(), all_scores[order].tolist(), strict=True))

    def hit_count(self, node: Node, within: Collection[int]) -> int:
        parts = positive_parts(node)
        if not parts:
            return 0
        wanted_ids = np.fromiter(within, np.int64, len(within))
        count = 0
        for segment in self._current():
            for docnum in np.flatnonzero(segment.mask_of(wanted_ids)).tolist():
                count += count_stretches(node, partial(_positions_in, segment, docnum))
        return count

    def version(self) -> dict[str, object]:
        self._current()
        return {"engine": self.name, "schema": SCHEMA_VERSION, "build": self._build,
                "generation": self._searcher.reader().generation(), "documents": self._live}

    def close(self) -> None:
        self._searcher.close()


def _positional(node: Node) -> bool:
    if isinstance(node, Phrase | Near):
        return True
    if isinstance(node, And | Or):
        return any(_positional(child) for child in node.children)
    return isinstance(node, Not) and _positional(node.child)


class _Term:
    """One term's postings in one segment: document numbers (live ones) and frequencies, and the
    positions, read when first needed."""

    def __init__(self, terms: SegmentTerms, value: bytes, live: Mask | None) -> None:
        self._terms, self._value = terms, value
        ids, tfs = terms.ids_and_counts(value)
        self._kept: np.ndarray | None = None
        if live is not None and not live[ids].all():
            self._kept = live[ids]
            ids, tfs = ids[self._kept], tfs[self._kept]
        self._every_tf = tfs if self._kept is None else None
        self.ids, self.tfs = ids, tfs
        self.size = ids.nbytes + tfs.nbytes
        self._positions: np.ndarray | None = None
        self._starts: np.ndarray | None = None
        self._all_keys: np.ndarray | None = None  # keys of every occurrence, once asked for

    @property
    def positions(self) -> np.ndarray:
        if self._positions is None:
            positions = self._terms.positions(self._value)
            if self._kept is not None:
                _ids, every_tf = self._terms.ids_and_counts(self._value)
                positions = positions[np.repeat(self._kept, every_tf)]
            self._positions = positions
            self.size += positions.nbytes
        return self._positions

    def starts(self) -> np.ndarray:
        """Where each posting's positions begin in `positions`."""
        if self._starts is None:
            self._starts = np.cumsum(self.tfs, dtype=np.int64) - self.tfs
        return self._starts

    def count(self, candidates: Mask) -> int:
        """How many occurrences the candidate documents hold."""
        return int(self.tfs[candidates[self.ids]].sum(dtype=np.int64))

    def all_keys(self) -> np.ndarray:
        """The span_arrays keys of every occurrence, kept for the next query (a common word's are asked
        for again and again)."""
        if self._all_keys is None:
            self._all_keys = span_arrays.keys(np.repeat(self.ids, self.tfs), self.positions)
            self.size += self._all_keys.nbytes
        return self._all_keys

    def keeps_all_keys(self) -> bool:
        return self._all_keys is not None

    def keys(self, candidates: Mask) -> np.ndarray:
        """The span_arrays keys of this term's occurrences in the candidate documents."""
        if candidates[self.ids].all():
            return self.all_keys()
        return self.keys_between(candidates, 0, None)[0]

    def keys_between(self, candidates: Mask, begin: int, end: int | None) -> tuple[np.ndarray, np.ndarray]:
        """The keys of occurrences begin..end-1 (counted from 0, to the last when end is None) of each
        candidate document, and the documents holding occurrences past `end`."""
        chosen = np.flatnonzero(candidates[self.ids])
        every = self.tfs[chosen].astype(np.int64)
        low = np.minimum(every, begin)
        high = every if end is None else np.minimum(every, end)
        counts = high - low
        total = int(counts.sum())
        begins = np.cumsum(counts) - counts
        gather = np.repeat(self.starts()[chosen] + low - begins, counts) + np.arange(total)
        keys = span_arrays.keys(np.repeat(self.ids[chosen], counts), self.positions[gather])
        return keys, self.ids[chosen[high < every]].astype(np.int64)


class _Segment:
    """One index segment, evaluated in its own document numbers."""

    def __init__(self, reader: IndexReader) -> None:
        self.reader = reader
        self.size = reader.doc_count_all()
        ids = live_doc_ids(reader)
        self.doc_ids = ids
        self.live: Mask | None = ids != 0 if reader.has_deletions() else None
        self.live_count = int(self.live.sum()) if self.live is not None else self.size
        self._by_id = np.argsort(ids, kind="stable")
        self._sorted_ids = ids[self._by_id].astype(np.int64)
        common = reader.schema[PAIRS_FIELD].common
        self.common: frozenset[str] = common if common is not None else frozenset()
        self._postings: OrderedDict[tuple[str, bytes], _Term] = OrderedDict()
        self._cached = 0
        self.table = SegmentTerms(reader)
        self._terms: dict[Word, list[tuple[bytes, bytes]]] = {}
        self._docs: OrderedDict[Word, Mask] = OrderedDict()

    def empty(self) -> Mask:
        return np.zeros(self.size, bool)

    def everything(self) -> Mask:
        return self.live.copy() if self.live is not None else np.ones(self.size, bool)

    def mask_of(self, doc_ids: np.ndarray) -> Mask:
        """The documents of this segment among database ids `doc_ids`."""
        mask = self.empty()
        if self.size and len(doc_ids):
            at = np.minimum(np.searchsorted(self._sorted_ids, doc_ids), self.size - 1)
            hit = self._sorted_ids[at] == doc_ids
            mask[self._by_id[at[hit]]] = True
            if self.live is not None:
                mask &= self.live
        return mask

    # --- words --------------------------------------------------------------------------------------------
    def terms(self, word: Word) -> list[tuple[bytes, bytes]]:
        """The indexed terms a query word stands for (one, or the expansion of a wildcard or fuzzy word),
        each with its terms-table value."""
        found = self._terms.get(word)
        if found is None:
            found = self._terms[word] = self._expand(word)
        return found

    def _expand(self, word: Word) -> list[tuple[bytes, bytes]]:
        field, text, table = word.field, word.text, self.table
        encode = self.reader.schema[field].to_bytes
        if word.kind == "exact":
            term = encode(text)
            value = table.value(field, term)
            return [(term, value)] if value is not None else []
        if word.kind == "fuzzy":
            fuzzy = wq.FuzzyTerm(field, text, maxdist=word.distance, prefixlength=0)
            terms = [encode(term) if isinstance(term, str) else term
                     for _field, term in fuzzy.expanded_terms(self.reader)]
            return [(term, value) for term in terms if (value := table.value(field, term)) is not None]
        # A wildcard, as Whoosh's Wildcard reads it (fnmatch), over the terms sharing its literal start;
        # with none but a literal end (*ing), over the reversed twin's terms sharing that end reversed.
        pattern = re.compile(fnmatch.translate(text))
        literal = re.split(r"[*?\[]", text, maxsplit=1)[0]
        tail = re.split(r"[*?\]]", text)[-1]
        if literal or not tail or "[" in text:
            candidates = table.starting(field, encode(literal))
        else:
            candidates = ((encode(term.decode("utf-8", "surrogatepass")[::-1]), value)
                          for term, value in table.starting(reversed_field(field), encode(tail[::-1])))
        return [(term, value) for term, value in candidates
                if pattern.match(term.decode("utf-8", "surrogatepass"))]

    def term(self, field: str, term: bytes, value: bytes) -> _Term:
        key = (field, term)
        found = self._postings.get(key)
        if found is not None:
            self._postings.move_to_end(key)
            return found
        found = self._postings[key] = _Term(self.table, value, self.live)
        self._account(found.size)
        return found

    def _account(self, added: int) -> None:
        """Count bytes newly held by cached postings, dropping the least recently used past the budget."""
        self._cached += added
        while self._cached > CACHE_BYTES and len(self._postings) > 1:
            _key, dropped = self._postings.popitem(last=False)
            self._cached -= dropped.size

    def docs(self, word: Word) -> Mask:
        found = self._docs.get(word)
        if found is not None:
            self._docs.move_to_end(word)
            return found
        found = self.empty()
        for term, value in self.terms(word):
            found[self.term(word.field, term, value).ids] = True
        self._docs[word] = found
        if len(self._docs) > CACHE_WORDS:
            self._docs.popitem(last=False)
        return found

    def _pair_docs(self, first: str, second: str) -> Mask:
        term = self.reader.schema[PAIRS_FIELD].to_bytes(pair(first, second))
        found = self.empty()
        value = self.table.value(PAIRS_FIELD, term)
        if value is not None:
            found[self.term(PAIRS_FIELD, term, value).ids] = True
        return found

    def phrase_docs(self, node: Phrase) -> tuple[Mask, bool]:
        """Documents that may hold the phrase, and whether that is already exact (two plain words whose
        pair is indexed). Indexed pairs stand in for their two words; other words bring their own docs."""
        words = node.words
        paired: set[int] = set()
        found: Mask | None = None
        if node.field == DEFAULT_FIELD:
            for i, (a, b) in enumerate(zip(words, words[1:], strict=False)):
                if a.kind == b.kind == "exact" and a.text in self.common and b.text in self.common:
                    found = _and(found, self._pair_docs(a.text, b.text))
                    paired.update((i, i + 1))
        for i, word in enumerate(words):
            if i not in paired:
                found = _and(found, self.docs(word))
        assert found is not None
        return found, len(words) == 2 and len(paired) == 2

    # --- evaluation -----------------------------------------------------------------------------------------
    def evaluate(self, node: Node, within: Mask | None) -> Mask:
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
            either = self.empty()
            for child in node.children:
                either |= self.evaluate(child, within)
            return either
        if isinstance(node, Not):
            return self.everything() & ~self.evaluate(node.child, None)
        assert isinstance(node, And)
        positive = [child for child in node.children if not isinstance(child, Not)]
        negated = [child.child for child in node.children if isinstance(child, Not)]
        # Cheap parts first; positions are then read only where everything else already matched.
        positive.sort(key=_positional)
        found: Mask | None = within
        for child in positive:
            found = _and(found, self.evaluate(child, found))
            if not found.any():
                return found
        if found is None:
            found = self.everything()
        for excluded in negated:
            found = found & ~self.evaluate(excluded, found)
        return found

    def required(self, node: Positional) -> Mask:
        """The documents that contain every word a phrase or proximity match needs."""
        if isinstance(node, Word):
            return self.docs(node)
        if isinstance(node, Phrase):
            return self.phrase_docs(node)[0]
        if isinstance(node, Or):
            found = self.empty()
            for child in node.children:
                found |= self.required(child)  # type: ignore[arg-type]  # an Or in a positional node holds positional nodes
            return found
        if node.negated:
            return self.required(node.left)
        return self.required(node.left) & self.required(node.right)

    def verify(self, node: Phrase | Near, candidates: Mask) -> Mask:
        found = self.empty()
        if not candidates.any():
            return found
        if isinstance(node, Phrase):
            starts, _ends = self.spans(node, candidates)
            found[span_arrays.documents(starts)] = True
            return found
        if isinstance(node.left, Word) and isinstance(node.right, Word):
            return self.words_near(node.left, node.right, node, candidates)
        near = span_arrays.near_documents(self.spans(node.left, candidates),
                                          self.spans(node.right, candidates), node.distance, node.ordered,
                                          node.negated)
        found[near] = True
        return found

    def words_near(self, left: Word, right: Word, node: Near, candidates: Mask) -> Mask:
        """w/N, pre/N or NOT w/N between two words, a look at a time: the occurrences of the rarer word
        (of the left one, when negated) in the candidate documents are looked up among the other's, a
        few of each document at a time (NEAR_LOOKS), and a document leaves the search as soon as it is
        decided (one occurrence with a partner; negated, one without). A document still undecided has
        every occurrence looked up in the end, so counts are exact."""
        rare_left = node.negated or self.count(left, candidates) <= self.count(right, candidates)
        rarer, other = (left, right) if rare_left else (right, left)
        targets = self.broad_keys(other, candidates)
        found = self.empty()
        undecided = candidates
        for begin, end in zip((0, *NEAR_LOOKS), (*NEAR_LOOKS, None), strict=True):
            looked, more = self.keys_between(rarer, undecided, begin, end)
            if node.negated:
                decided = span_arrays.words_apart_documents(looked, targets, node.distance, node.ordered)
            else:
                pair = (looked, targets) if rare_left else (targets, looked)
                decided = span_arrays.words_near_documents(*pair, node.distance, node.ordered)
            found[decided] = True
            undecided = self.empty()
            undecided[more] = True
            undecided[decided] = False
            if not undecided.any():
                break
        return found & candidates  # the targets may reach beyond the candidates

    def spans(self, node: Positional, candidates: Mask) -> span_arrays.Spans:
        if isinstance(node, Word):
            return span_arrays.word(self.keys(node, candidates))
        if isinstance(node, Phrase):
            return span_arrays.phrase([self.keys(word, candidates) for word in node.words])
        if isinstance(node, Or):
            return span_arrays.union([self.spans(child, candidates) for child in node.children])  # type: ignore[arg-type]  # an Or in a positional node holds positional nodes
        return span_arrays.near(self.spans(node.left, candidates), self.spans(node.right, candidates),
                                node.distance, node.ordered, node.negated)

    def postings_of(self, word: Word) -> Iterator[_Term]:
        """The postings of each term the word stands for; what each newly keeps in memory once used (its
        positions, its keys) is counted against the cache's budget."""
        for term, value in self.terms(word):
            postings = self.term(word.field, term, value)
            size = postings.size
            yield postings
            self._account(postings.size - size)

    def count(self, word: Word, candidates: Mask) -> int:
        """How many times the word occurs in the candidate documents."""
        return sum(postings.count(candidates) for postings in self.postings_of(word))

    def keys(self, word: Word, candidates: Mask) -> np.ndarray:
        """Where the word occurs in the candidate documents (span_arrays keys, ascending)."""
        return _merged([postings.keys(candidates) for postings in self.postings_of(word)])

    def broad_keys(self, word: Word, candidates: Mask) -> np.ndarray:
        """Where the word occurs in the candidate documents and perhaps others: every occurrence of a term
        the candidates hold most of (kept between queries, so a common word's keys are built once)."""
        return _merged([postings.all_keys() if postings.keeps_all_keys()
                        or 2 * postings.count(candidates) >= len(postings.positions)
                        else postings.keys(candidates) for postings in self.postings_of(word)])

    def keys_between(self, word: Word, candidates: Mask, begin: int,
                     end: int | None) -> tuple[np.ndarray, np.ndarray]:
        """The keys of occurrences begin..end-1 of each term of the word in each candidate document, and
        the documents holding more."""
        found = [postings.keys_between(candidates, begin, end) for postings in self.postings_of(word)]
        more = [beyond for _keys, beyond in found]
        return _merged([keys for keys, _beyond in found]), np.concatenate(more) if more else _EMPTY

    def positions_in(self, word: Word, docnum: int) -> list[int]:
        """Where the word occurs in one document, ascending."""
        spots: list[int] = []
        for term, value in self.terms(word):
            postings = self.term(word.field, term, value)
            at = int(np.searchsorted(postings.ids, docnum))
            if at < len(postings.ids) and postings.ids[at] == docnum:
                start = int(postings.starts()[at])
                spots += postings.positions[start:start + int(postings.tfs[at])].tolist()
        return sorted(spots)

    # --- ranking --------------------------------------------------------------------------------------------
    def scores(self, words: list[Word], wanted: Mask, live: int) -> tuple[np.ndarray, np.ndarray]:
        """The wanted documents that hold a query word, and their scores."""
        scores = np.zeros(self.size, np.float64)
        scored = self.empty()
        for word in words:
            if word.kind != "exact":
                present = self.docs(word) & wanted
                scores[present] += 1.0
                scored |= present
                continue
            for term, value in self.terms(word):
                postings = self.term(word.field, term, value)
                idf = math.log(1 + (live - len(postings.ids) + 0.5) / (len(postings.ids) + 0.5))
                chosen = wanted[postings.ids]
                ids = postings.ids[chosen]
                tf = postings.tfs[chosen].astype(np.float64)
                scores[ids] += idf * tf * (K1 + 1) / (tf + K1)
                scored[ids] = True
        docnums = np.flatnonzero(scored)
        return docnums, scores[docnums]


def _positions_in(segment: _Segment, docnum: int, word: Word) -> list[int]:
    return segment.positions_in(word, docnum)


def _merged(keys: list[np.ndarray]) -> np.ndarray:
    """The keys of the terms a word stands for, as one ascending array."""
    if not keys:
        return _EMPTY
    return keys[0] if len(keys) == 1 else np.sort(np.concatenate(keys))


def _and(found: Mask | None, other: Mask) -> Mask:
    return other if found is None else found & other

