"""Where a query hits inside one document: character offsets in its text, page and rectangles in a PDF,
and the snippet a result list shows.

Hits are found in the stored text with the same word rules and span rules as the index (analysis.py,
spans.py), so the viewer highlights exactly what matched and the hit count in a search term report is
the number of places a reviewer can jump to.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from fnmatch import translate
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from reviewer.core.ingest.extracted import PAGE_BREAK
from reviewer.core.search.analysis import WORD, scan_parts
from reviewer.core.search.fields import DEFAULT_PARTS
from reviewer.core.search.query import DEFAULT_FIELD, Node, Or, Phrase, Positional, Word
from reviewer.core.search.spans import PositionsOf, Stretch, hit_stretches, positive_parts, words_of

if TYPE_CHECKING:
    import pymupdf

Rect = tuple[float, float, float, float]
# The text is read in stretches of this many characters at first, doubling up to the largest.
FIRST_CHUNK = 1 << 14
LARGEST_CHUNK = 1 << 22
# How many verdicts on words a wildcard or fuzzy query keeps before starting afresh (bounds memory).
VERDICTS_KEPT = 100_000
_SPACE = re.compile(r"\s")


@dataclass(frozen=True)
class Hit:
    """One highlighted stretch. `part` is "text" for the document's text (offsets into its extracted text),
    else the metadata field it is in (subject, from, filename…). PDFs add the 1-based page and the
    rectangles (PDF points, one per line the hit covers)."""

    part: str
    start: int
    end: int
    page: int | None = None
    rects: tuple[Rect, ...] = ()


@dataclass(frozen=True)
class Snippet:
    text: str
    marks: tuple[tuple[int, int], ...]  # hit offsets within `text`


class _FieldWords:
    """Where the query's words occur in one field of a document. Only those words are kept, never every
    word of the text, so memory follows the number of occurrences, not the size of the document."""

    def __init__(self, words: Iterable[Word]) -> None:
        self.exact = {word.text for word in words if word.kind == "exact"}
        self.loose = [word for word in words if word.kind != "exact"]
        self._verdicts: dict[str, bool] = {}
        self.positions: dict[str, list[int]] = defaultdict(list)
        self.where: dict[int, tuple[int, int, int]] = {}  # position -> part, start, end

    @property
    def wants_any(self) -> bool:
        return bool(self.exact or self.loose)

    def wanted(self, text: str) -> bool:
        if text in self.exact:
            return True
        if not self.loose:
            return False
        verdict = self._verdicts.get(text)
        if verdict is None:
            if len(self._verdicts) >= VERDICTS_KEPT:
                self._verdicts.clear()
            verdict = self._verdicts[text] = any(_loosely(word, text) for word in self.loose)
        return verdict

    def add(self, text: str, pos: int, part: int, start: int, end: int) -> None:
        if self.wanted(text):
            self.positions[text].append(pos)
            self.where[pos] = (part, start, end)

    def positions_of(self, word: Word) -> Sequence[int]:
        if word.kind == "exact":
            return self.positions.get(word.text, ())
        return sorted(pos for text, found in self.positions.items() if _loosely(word, text) for pos in found)


def _loosely(word: Word, text: str) -> bool:
    if word.kind == "wildcard":
        return _wildcard_pattern(word.text).match(text) is not None
    return edit_distance(text, word.text, word.distance) <= word.distance


@lru_cache(maxsize=256)
def _wildcard_pattern(pattern: str) -> re.Pattern[str]:
    return re.compile(translate(pattern))


def edit_distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance (insert, delete, substitute), as Whoosh's fuzzy automaton counts it;
    anything above `limit` is reported as limit + 1."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i]
        for j, char_b in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return min(previous[-1], limit + 1)


def find_hits(node: Node, fields: dict[str, list[str]], limit: int | None = None) -> list[Hit]:
    """The hits of a query in a document given its searchable fields (index.field_parts): the text's in
    reading order, then the metadata's. With `limit`, only the first `limit` hits of the text, found by
    reading no more of it than they need: a snippet of a huge document never reads it whole."""
    words: dict[str, list[Word]] = defaultdict(list)
    for part in positive_parts(node):
        for word in words_of(part):
            words[word.field].append(word)
    text, *metadata = fields[DEFAULT_FIELD]
    found = _text_hits(node, text, _FieldWords(words[DEFAULT_FIELD]), limit)
    # The metadata is short: read whole, with the text left out (its part keeps its place and gap).
    rest = {name: _FieldWords(words[name]) for name in fields}
    for name, parts in {**fields, DEFAULT_FIELD: ["", *metadata]}.items():
        if rest[name].wants_any:
            for scanned in scan_parts(parts):
                rest[name].add(*scanned)
    others = _as_hits(hit_stretches(node, _positions_in(rest)), rest)
    return found + sorted(others, key=lambda hit: (hit.part, hit.start, hit.end))


def _text_hits(node: Node, text: str, field: _FieldWords, limit: int | None) -> list[Hit]:
    """The text's hits in reading order, the first `limit` of them (all when None)."""
    if not field.wants_any or limit == 0:
        return []
    fields = {DEFAULT_FIELD: field}
    positions_of = _positions_in(fields)
    # A match can span this many positions, and a NOT w/N needs this much text after a word to be sure:
    # stretches starting further back than that from what was read are settled, and none can come before.
    reach = max((_reach(part) for part in positive_parts(node)), default=1)
    pos = 0
    for start, end in _chunks(text):
        pos = _read(text, start, end, pos, field)
        if limit is not None and field.where:
            stretches = hit_stretches(node, positions_of)
            settled = sorted(s for s in stretches if s[1] + reach <= pos)
            if len(settled) >= limit:
                return _as_hits(settled[:limit], fields)
    everything = sorted(hit_stretches(node, positions_of))
    return _as_hits(everything if limit is None else everything[:limit], fields)


def _chunks(text: str) -> Iterator[tuple[int, int]]:
    """Stretches of the text that begin and end between words, growing (few hits need little text)."""
    start, size = 0, FIRST_CHUNK
    while start < len(text):
        end = start + size
        if end < len(text):
            space = _SPACE.search(text, end)
            end = space.start() if space else len(text)
        end = min(end, len(text))
        yield start, end
        start, size = end, min(size * 2, LARGEST_CHUNK)


def _read(text: str, start: int, end: int, pos: int, field: _FieldWords) -> int:
    """Add the wanted words of text[start:end], numbered from `pos`; the position after its last word.
    A stretch that holds none of the query's exact words (and no wildcard is asked for) is only counted."""
    if not field.loose:
        lowered = text[start:end].lower()
        if not any(word in lowered for word in field.exact):
            return pos + len(WORD.findall(text, start, end))
    for match in WORD.finditer(text, start, end):
        field.add(match.group(0).lower(), pos, 0, match.start(), match.end())
        pos += 1
    return pos


def _positions_in(fields: dict[str, _FieldWords]) -> PositionsOf:
    def positions_of(word: Word) -> Sequence[int]:
        field = fields.get(word.field)
        return field.positions_of(word) if field is not None else ()

    return positions_of


def _as_hits(stretches: Iterable[Stretch], fields: dict[str, _FieldWords]) -> list[Hit]:
    hits = []
    for name, first, last in stretches:
        where = fields[name].where
        part, start, _end = where[first]
        end = where[last][2]
        hits.append(Hit(DEFAULT_PARTS[part] if name == DEFAULT_FIELD else name, start, end))
    return hits


def _reach(node: Positional) -> int:
    """How many positions a match of the expression can take up, with the room a NOT w/N looks into."""
    if isinstance(node, Word):
        return 1
    if isinstance(node, Phrase):
        return len(node.words)
    if isinstance(node, Or):
        return max(_reach(child) for child in node.children)  # type: ignore[arg-type]
    return _reach(node.left) + node.distance + _reach(node.right)


# --- PDF pages and rectangles ----------------------------------------------------------------------------
# A word of the stored text on a PDF page: its offsets in the text and its rectangle on each line it is on.
PageWord = tuple[int, int, tuple[Rect, ...]]


def page_starts(text: str) -> list[int]:
    """Where each page begins in the text of a PDF, which was extracted page by page."""
    return [0] + [match.end() for match in re.finditer(PAGE_BREAK, text)]


def page_span(starts: list[int], text: str, number: int) -> tuple[int, int]:
    """The offsets of 0-based page `number` in the text (without the page break that ends it)."""
    return starts[number], starts[number + 1] - 1 if number + 1 < len(starts) else len(text)


def words_on_page(page: pymupdf.Page, text: str, start: int, end: int) -> list[PageWord] | None:
    """The words of text[start:end] (one page of it) with where each lies on `page`; None when the page no
    longer reads as it did at ingest (OCR'd, or replaced), so its words cannot be placed."""
    stored = [(m.group(0).lower(), m.start(), m.end()) for m in WORD.finditer(text, start, end)]
    layout = _layout_words(page)
    if [word for word, _s, _e in stored] != [word for word, _r in layout]:
        return None
    return [(s, e, tuple(rects)) for (_w, s, e), (_l, rects) in zip(stored, layout, strict=True)]


def place_on_pdf_pages(path: Path, text: str, hits: list[Hit]) -> list[Hit]:
    """Add page numbers and rectangles to the text hits of a PDF whose text was extracted page by page."""
    starts = page_starts(text)
    by_page: dict[int, list[Hit]] = defaultdict(list)
    others = []
    for hit in hits:
        if hit.part == DEFAULT_PARTS[0]:
            by_page[bisect_right(starts, hit.start) - 1].append(hit)
        else:
            others.append(hit)
    placed: list[Hit] = []
    import pymupdf  # only where hits are placed on PDF pages: searching needs no PDF library

    with pymupdf.open(path) as pdf:
        for number, page_hits in sorted(by_page.items()):
            words = words_on_page(pdf[number], text, *page_span(starts, text, number)) \
                if number < pdf.page_count else None
            for hit in page_hits:
                rects = () if words is None else tuple(
                    rect for s, e, on_lines in words if s >= hit.start and e <= hit.end for rect in on_lines)
                placed.append(Hit(hit.part, hit.start, hit.end, number + 1, merge_lines(rects)))
    return placed + others


def _layout_words(page: pymupdf.Page) -> list[tuple[str, list[Rect]]]:
    """The page's words in reading order with the rectangle of each line piece they occupy."""
    chars: list[str] = []
    boxes: list[tuple[int, Rect] | None] = []
    line_number = 0
    for block in page.get_text("rawdict")["blocks"]:
        for line in block.get("lines", ()):
            for span in line["spans"]:
                for char in span["chars"]:
                    chars.append(char["c"])
                    boxes.append((line_number, tuple(char["bbox"])))
            chars.append("\n")
            boxes.append(None)
            line_number += 1
    joined = "".join(chars)
    words = []
    for match in WORD.finditer(joined):
        per_line: dict[int, list[Rect]] = defaultdict(list)
        for box in boxes[match.start():match.end()]:
            if box is not None:
                per_line[box[0]].append(box[1])
        words.append((match.group(0).lower(), [_union(rects) for _line, rects in sorted(per_line.items())]))
    return words


def _union(rects: Sequence[Rect]) -> Rect:
    return (min(r[0] for r in rects), min(r[1] for r in rects),
            max(r[2] for r in rects), max(r[3] for r in rects))


def merge_lines(rects: tuple[Rect, ...]) -> tuple[Rect, ...]:
    """The words of a phrase on one line become one rectangle."""
    merged: list[Rect] = []
    for rect in rects:
        if merged and abs(merged[-1][1] - rect[1]) < 1 and abs(merged[-1][3] - rect[3]) < 1:
            merged[-1] = _union([merged[-1], rect])
        else:
            merged.append(rect)
    return tuple(merged)


# --- snippets ---------------------------------------------------------------------------------------------
# The hits a snippet is made from: its few stretches never show more.
SNIPPET_HITS = 100


def make_snippet(text: str, hits: list[Hit], context: int = 70, fragments: int = 3,
                 longest: int = 400) -> Snippet:
    """A few stretches of the text around its first hits (or its opening when the hits are elsewhere).
    Nearby hits share a stretch, but no stretch grows past `longest` characters, however dense the hits."""
    body = [hit for hit in hits if hit.part == DEFAULT_PARTS[0]]
    if not body:
        return _squeeze(text, 0, min(len(text), 2 * context), [])
    windows: list[list[int]] = []
    for hit in body:
        start, end = max(0, hit.start - context), min(len(text), hit.end + context)
        if windows and start <= windows[-1][1] and end - windows[-1][0] <= longest:
            windows[-1][1] = max(windows[-1][1], end)
        elif len(windows) < fragments:
            windows.append([max(start, windows[-1][1]) if windows else start, end])
        else:
            break  # the hits are in reading order: none of the rest is shown
    pieces: list[str] = []
    marks: list[tuple[int, int]] = []
    length = 0
    for start, end in windows:
        inside = [(h.start, h.end) for h in body if h.start >= start and h.end <= end]
        piece = _squeeze(text, start, end, inside)
        if pieces:
            length += len(" … ")
        marks.extend((length + a, length + b) for a, b in piece.marks)
        pieces.append(piece.text)
        length += len(piece.text)
    return Snippet(" … ".join(pieces), tuple(marks))


def _squeeze(text: str, start: int, end: int, marks: list[tuple[int, int]]) -> Snippet:
    """text[start:end] on one line with runs of white space made single, marks moved to match."""
    out: list[str] = []
    where: dict[int, int] = {}
    for index in range(start, end):
        where[index] = len(out)
        char = text[index]
        if char.isspace():
            if out and out[-1] != " ":
                out.append(" ")
        else:
            out.append(char)
    where[end] = len(out)
    squeezed = "".join(out)
    stripped = squeezed.strip()
    shift = len(squeezed) - len(squeezed.lstrip())
    moved = tuple((where[a] - shift, where[b] - shift) for a, b in marks)
    return Snippet(stripped, moved)
