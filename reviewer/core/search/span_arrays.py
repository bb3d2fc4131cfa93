"""Phrase, w/N, pre/N and NOT w/N over every candidate document at once, with arrays.

The rules are spans.py's (which the hit finder applies to one document); here they run on all the
documents of a segment together. A word occurrence is a key, `document << 32 | position`, so a sorted
array of keys holds a word's positions in every document, and a span is a pair of keys (first and last
word it covers). Positions never reach 2**31 and the gap between the parts of a field is wider than any
distance, so key arithmetic never carries a match from one document into another.

Only spans are needed to decide whether a document matches; the words a match is made of (what the
viewer highlights) are spans.py's business.
"""

from __future__ import annotations

import numpy as np

SHIFT = 32
Spans = tuple[np.ndarray, np.ndarray]  # first and last key of each span, sorted by first key


def keys(docnums: np.ndarray, positions: np.ndarray) -> np.ndarray:
    return (docnums.astype(np.int64) << SHIFT) | positions.astype(np.int64)


def documents(keys_: np.ndarray) -> np.ndarray:
    """The document numbers of some keys (ascending, as every key array here is), each once."""
    return distinct(keys_ >> SHIFT)


def distinct(ascending: np.ndarray) -> np.ndarray:
    """Each value of an ascending array once: one pass, no sort and no hashing (np.unique does either)."""
    if len(ascending) < 2:
        return ascending
    first = np.empty(len(ascending), bool)
    first[0] = True
    np.not_equal(ascending[1:], ascending[:-1], out=first[1:])
    return ascending[first]


def contains(sorted_keys: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """For each wanted key, whether it is in `sorted_keys`."""
    at = np.searchsorted(sorted_keys, wanted)
    found = at < len(sorted_keys)
    found[found] = sorted_keys[at[found]] == wanted[found]
    return found


def word(keys_: np.ndarray) -> Spans:
    return keys_, keys_


def phrase(words: list[np.ndarray]) -> Spans:
    """Where the words occur one after the other: checked from the word with the fewest occurrences."""
    rarest = min(range(len(words)), key=lambda i: len(words[i]))
    starts = words[rarest] - rarest
    for offset, occurrences in enumerate(words):
        if offset != rarest and len(starts):
            starts = starts[contains(occurrences, starts + offset)]
    return starts, starts + (len(words) - 1)


def union(children: list[Spans]) -> Spans:
    firsts = np.concatenate([first for first, _last in children])
    lasts = np.concatenate([last for _first, last in children])
    order = np.lexsort((lasts, firsts))
    firsts, lasts = firsts[order], lasts[order]
    distinct = np.ones(len(firsts), bool)
    distinct[1:] = (firsts[1:] != firsts[:-1]) | (lasts[1:] != lasts[:-1])
    return firsts[distinct], lasts[distinct]


class _Partners:
    """For each left span, the right spans within `distance` after it (and, unordered, before it)."""

    def __init__(self, left: Spans, right: Spans, distance: int, ordered: bool) -> None:
        first, last = left
        self.right_firsts, self.right_lasts = right
        self.after_from = np.searchsorted(self.right_firsts, last + 1, "left")
        self.after_to = np.searchsorted(self.right_firsts, last + distance, "right")
        self.count = self.after_to - self.after_from
        self.ordered = ordered
        if not ordered:
            self.by_last = np.argsort(self.right_lasts, kind="stable")
            lasts = self.right_lasts[self.by_last]
            self.before_from = np.searchsorted(lasts, first - distance, "left")
            self.before_to = np.searchsorted(lasts, first - 1, "right")
            self.count = self.count + (self.before_to - self.before_from)

    def pairs(self) -> tuple[np.ndarray, np.ndarray]:
        """(left index, right index) of every partnership."""
        lefts, rights = [], []
        Side = tuple[np.ndarray, np.ndarray, np.ndarray | None]
        sides: list[Side] = [(self.after_from, self.after_to, None)]
        if not self.ordered:
            sides.append((self.before_from, self.before_to, self.by_last))
        for begin, end, order in sides:
            sizes = end - begin
            left = np.repeat(np.arange(len(sizes)), sizes)
            steps = np.arange(len(left)) - np.repeat(np.cumsum(sizes) - sizes, sizes)
            right = np.repeat(begin, sizes) + steps
            lefts.append(left)
            rights.append(right if order is None else order[right])
        return np.concatenate(lefts), np.concatenate(rights)


def near(left: Spans, right: Spans, distance: int, ordered: bool, negated: bool) -> Spans:
    """Each left span joined with each right span within `distance`; when negated, the left spans
    that have none (spans.near)."""
    if not len(left[0]):
        return left
    partners = _Partners(left, right, distance, ordered)
    if negated:
        alone = partners.count == 0
        return left[0][alone], left[1][alone]
    lefts, rights = partners.pairs()
    firsts = np.minimum(left[0][lefts], right[0][rights])
    lasts = np.maximum(left[1][lefts], right[1][rights])
    return union([(firsts, lasts)])


def near_documents(left: Spans, right: Spans, distance: int, ordered: bool, negated: bool) -> np.ndarray:
    """The documents where `near` has a span, without building the joined spans. A match is a pair, so
    it is looked for from the side with fewer spans (NOT w/N asks about each left span: from the left)."""
    if not len(left[0]) or (not negated and not len(right[0])):
        return np.zeros(0, np.int64)
    if negated or len(left[0]) <= len(right[0]):
        partners = _Partners(left, right, distance, ordered)
        found = partners.count == 0 if negated else partners.count > 0
        return documents(left[0][found])
    # From the right, with every key negated (order reversed): a left span ending 1..N before a right
    # one starts becomes one starting 1..N after it ends, which is what _Partners looks for.
    mirrored = _Partners((-right[1], -right[0]), _by_first((-left[1], -left[0])), distance, ordered)
    return documents(right[0][mirrored.count > 0])


def words_near_documents(left: np.ndarray, right: np.ndarray, distance: int, ordered: bool) -> np.ndarray:
    """`near_documents` of two words (spans of one position): one search per occurrence of the rarer."""
    if not len(left) or not len(right):
        return np.zeros(0, np.int64)
    if len(left) <= len(right):  # each left occurrence: a right one 1..N after (or, unordered, before)
        return documents(left[partnered(left, right, distance, ordered, True)])
    # each right occurrence: a left one 1..N before (or, unordered, after)
    return documents(right[partnered(right, left, distance, ordered, False)])


def words_apart_documents(left: np.ndarray, right: np.ndarray, distance: int, ordered: bool) -> np.ndarray:
    """`near_documents` of two words, negated: where some left occurrence has no right one within N."""
    if not len(right):
        return documents(left)
    return documents(left[~partnered(left, right, distance, ordered, True)])


def partnered(queries: np.ndarray, targets: np.ndarray, distance: int, ordered: bool,
              after: bool) -> np.ndarray:
    """For each query occurrence, whether a target occurrence lies 1..N after it (`after`; before it
    otherwise; either way round when unordered), never the query occurrence itself: one search each."""
    if ordered:
        low = queries + 1 if after else queries - distance
        high = queries + distance if after else queries - 1
        at = np.minimum(np.searchsorted(targets, low), len(targets) - 1)
        return (targets[at] >= low) & (targets[at] <= high)
    # Unordered: the first target at or after q - N; if that is q itself (a word near itself), the next.
    at = np.minimum(np.searchsorted(targets, queries - distance), len(targets) - 1)
    first = targets[at]
    following = targets[np.minimum(at + 1, len(targets) - 1)]
    near = (first >= queries - distance) & (first <= queries + distance) & (first != queries)
    near |= (first == queries) & (at + 1 < len(targets)) & (following <= queries + distance)
    return near


def _by_first(spans: Spans) -> Spans:
    order = np.argsort(spans[0], kind="stable")
    return spans[0][order], spans[1][order]
