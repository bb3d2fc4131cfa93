"""What "95 % similar" means, in one place: the share of the larger document's words that stand unchanged,
in the same order, in the other. Words are read as the search index reads them (letters and digits,
lowercased; punctuation, spacing and line breaks do not count), and the words left unchanged are those of
the longest common word sequence, i.e. a word-level comparison (diff) of the two texts. So a 1,000-word memo
with 50 words changed is 95 % similar to the original, and a 1,000-word memo against its first 900 words is
90 % similar. The same comparison marks the changed words in the desktop's side-by-side view.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz.distance import LCSseq

from reviewer.core.search.analysis import WORD

SIMILARITY_HELP = (
    "Similarity is the share of the larger document's words that stand unchanged, in the same order, in "
    "the other (a word-by-word comparison; case, punctuation and line breaks do not count): a 1,000-word "
    "memo with 50 words changed is 95 % similar to the original."
)


def document_words(text: str) -> list[str]:
    """A document's words for comparing: search.analysis.words, read in one pass over the lowercased text."""
    return WORD.findall(text.lower())


def similarity(first: Sequence[str], second: Sequence[str], at_least: float = 0.0) -> float:
    """The share (0–1) of the longer word list's words that stand unchanged in the other; 0 when it is
    below `at_least` (which is then found out quickly)."""
    longest = max(len(first), len(second))
    if not longest:
        return 0.0
    if min(len(first), len(second)) < at_least * longest:
        return 0.0
    needed = math.ceil(at_least * longest - 1e-9)
    common = LCSseq.similarity(first, second, score_cutoff=needed or None)
    return common / longest


@dataclass(frozen=True)
class Comparison:
    """Two texts side by side: character spans of the words that differ in each, and their similarity."""

    left: str
    right: str
    left_changes: list[tuple[int, int]]
    right_changes: list[tuple[int, int]]
    similarity: float  # 0–100


def compare(left: str, right: str) -> Comparison:
    left_spans = [(m.start(), m.end()) for m in WORD.finditer(left)]
    right_spans = [(m.start(), m.end()) for m in WORD.finditer(right)]
    left_words = [left[a:b].lower() for a, b in left_spans]
    right_words = [right[a:b].lower() for a, b in right_spans]
    left_changes: list[tuple[int, int]] = []
    right_changes: list[tuple[int, int]] = []
    for op in LCSseq.opcodes(left_words, right_words):
        if op.tag in ("delete", "replace"):
            left_changes.extend(_merged(left_spans[op.src_start : op.src_end]))
        if op.tag in ("insert", "replace"):
            right_changes.extend(_merged(right_spans[op.dest_start : op.dest_end]))
    return Comparison(left, right, left_changes, right_changes, 100 * similarity(left_words, right_words))


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """A run of changed words as one span, so the gaps between them are marked too."""
    return [(spans[0][0], spans[-1][1])] if spans else []
