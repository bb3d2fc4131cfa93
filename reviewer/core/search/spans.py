"""Where phrases and proximity match inside one document, given the positions of its words.

The one definition of phrase, w/N, pre/N and NOT w/N, used by the index (positions from postings) and by
the hit finder (positions from the stored text), so that counting, matching and highlighting agree.

A span is (start, end, marks): the first and last word position it covers and the positions of the
words that make the match (what the viewer highlights). Two spans are "within N words" when they do not
overlap and the gap from the end of one to the start of the other is at most N positions: for two single
words, positions differ by at most N, i.e. at most N-1 words between them.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence

from reviewer.core.search.query import And, Near, Node, Or, Phrase, Positional, Word

Span = tuple[int, int, tuple[int, ...]]
Stretch = tuple[str, int, int]  # field, first and last word position of a highlighted stretch
PositionsOf = Callable[[Word], Sequence[int]]


def positive_parts(node: Node) -> list[Positional]:
    """The words, phrases and proximity expressions whose matches are hits: those not under a NOT."""
    if isinstance(node, Word | Phrase | Near):
        return [node]
    if isinstance(node, And | Or):
        return [part for child in node.children for part in positive_parts(child)]
    return []


def words_of(node: Positional) -> list[Word]:
    """Every word an expression needs positions of (both sides of a w/N, negated or not)."""
    if isinstance(node, Word):
        return [node]
    if isinstance(node, Phrase):
        return list(node.words)
    if isinstance(node, Or):
        return [word for child in node.children for word in words_of(child)]  # type: ignore[arg-type]
    return words_of(node.left) + words_of(node.right)


def field_of(node: Positional) -> str:
    while not isinstance(node, Word):
        node = node.words[0] if isinstance(node, Phrase) else node.left if isinstance(node, Near) \
            else node.children[0]  # type: ignore[assignment]  # an Or in a positional node holds positional nodes
    return node.field


def hit_stretches(node: Node, positions_of: PositionsOf) -> set[Stretch]:
    """The hits of a query in one document: each stretch of consecutive matched words (a word, a phrase,
    each side of a proximity match) once, however many parts of the query find it."""
    found: set[Stretch] = set()
    for part in positive_parts(node):
        name = field_of(part)
        for _start, _end, marks in spans_of(part, positions_of):
            found.update((name, first, last) for first, last in _runs(marks))
    return found


def count_stretches(node: Node, positions_of: PositionsOf) -> int:
    """len(hit_stretches(node, positions_of)), without building every stretch when each hit is one word
    (a common word in a huge document has hundreds of thousands)."""
    words = [part for part in positive_parts(node) if isinstance(part, Word)]
    if len(words) != len(positive_parts(node)):
        return len(hit_stretches(node, positions_of))
    by_field: dict[str, set[int]] = {}
    for word in words:
        by_field.setdefault(word.field, set()).update(positions_of(word))
    return sum(len(positions) for positions in by_field.values())


def _runs(marks: Sequence[int]) -> list[tuple[int, int]]:
    runs: list[list[int]] = []
    for pos in sorted(set(marks)):
        if runs and pos == runs[-1][1] + 1:
            runs[-1][1] = pos
        else:
            runs.append([pos, pos])
    return [(first, last) for first, last in runs]


def spans_of(node: Positional, positions_of: PositionsOf) -> list[Span]:
    """Every match of a word, phrase, OR-group or proximity expression, sorted by start."""
    if isinstance(node, Word):
        return [(p, p, (p,)) for p in positions_of(node)]
    if isinstance(node, Phrase):
        return phrase(node, positions_of)
    if isinstance(node, Or):
        merged: set[Span] = set()
        for child in node.children:
            assert isinstance(child, Word | Phrase | Near | Or)
            merged.update(spans_of(child, positions_of))
        return sorted(merged)
    left = spans_of(node.left, positions_of)
    if not left:
        return []
    return near(left, spans_of(node.right, positions_of), node.distance, node.ordered, node.negated)


def phrase(node: Phrase, positions_of: PositionsOf) -> list[Span]:
    starts = _phrase_starts(node, positions_of)
    length = len(node.words)
    return [(start, start + length - 1, tuple(range(start, start + length))) for start in sorted(starts)]


def _phrase_starts(node: Phrase, positions_of: PositionsOf) -> set[int]:
    """Where the phrase starts: positions of its first word whose followers sit at the next positions."""
    starts = set(positions_of(node.words[0]))
    for offset, word in enumerate(node.words[1:], start=1):
        if not starts:
            break
        starts.intersection_update([p - offset for p in positions_of(word)])
    return starts


def near(left: list[Span], right: list[Span], distance: int, ordered: bool, negated: bool) -> list[Span]:
    """Pairs of a left and a right span within `distance` (right after left when ordered), joined into one
    span; when negated, the left spans that have no such partner."""
    by_start = sorted(right)
    starts = [span[0] for span in by_start]
    by_end = sorted(right, key=lambda span: span[1])
    ends = [span[1] for span in by_end]
    found: set[Span] = set()
    kept: list[Span] = []
    for a_start, a_end, a_marks in left:
        partners = by_start[bisect_left(starts, a_end + 1):bisect_right(starts, a_end + distance)]
        if not ordered:
            partners += by_end[bisect_left(ends, a_start - distance):bisect_right(ends, a_start - 1)]
        if negated:
            if not partners:
                kept.append((a_start, a_end, a_marks))
            continue
        for b_start, b_end, b_marks in partners:
            found.add((min(a_start, b_start), max(a_end, b_end), tuple(sorted(a_marks + b_marks))))
    return kept if negated else sorted(found)


def matches(node: Positional, positions_of: PositionsOf) -> bool:
    """Whether the expression has at least one match; stops at the first one it finds."""
    if isinstance(node, Word):
        return bool(positions_of(node))
    if isinstance(node, Or):
        return any(matches(child, positions_of) for child in node.children)  # type: ignore[arg-type]  # an Or in a positional node holds positional nodes
    if isinstance(node, Phrase):
        return bool(_phrase_starts(node, positions_of))
    if isinstance(node.left, Word) and isinstance(node.right, Word) and not node.negated:
        return _words_near(positions_of(node.left), positions_of(node.right), node.distance, node.ordered)
    left = spans_of(node.left, positions_of)
    if not left:
        return False
    right = spans_of(node.right, positions_of)
    if node.negated:
        return bool(near(left, right, node.distance, node.ordered, True))
    starts = sorted(span[0] for span in right)
    ends = sorted(span[1] for span in right)
    for a_start, a_end, _marks in left:
        after = bisect_left(starts, a_end + 1)
        if after < len(starts) and starts[after] <= a_end + node.distance:
            return True
        if not node.ordered:
            before = bisect_left(ends, a_start - node.distance)
            if before < len(ends) and ends[before] <= a_start - 1:
                return True
    return False


def _words_near(left: Sequence[int], right: Sequence[int], distance: int, ordered: bool) -> bool:
    """Two sorted position lists walked together: is some right position within `distance` of some left
    position (after it, when ordered), and not the same word?"""
    j, count = 0, len(right)
    for a in left:
        low = a + 1 if ordered else a - distance
        while j < count and right[j] < low:
            j += 1
        k = j
        while k < count and right[k] <= a + distance:
            if right[k] != a:
                return True
            k += 1
    return False
