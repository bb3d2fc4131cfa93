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
from collections.abc import Sequence
from dataclasses import dataclass
from fnmatch import translate
from functools import lru_cache
from pathlib import Path

import pymupdf

from reviewer.core.ingest.formats.plain import PAGE_BREAK
from reviewer.core.search.analysis import WORD, Token, part_tokens
from reviewer.core.search.index import DEFAULT_PARTS
from reviewer.core.search.query import DEFAULT_FIELD, Node, Word
from reviewer.core.search.spans import hit_stretches

Rect = tuple[float, float, float, float]


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


class DocumentWords:
    """The words of one document, field by field, able to say where any query word occurs."""

    def __init__(self, fields: dict[str, list[str]]) -> None:
        self.tokens = {name: part_tokens(parts) for name, parts in fields.items()}
        self._by_text: dict[str, dict[str, list[int]]] = {}
        for name, tokens in self.tokens.items():
            index: dict[str, list[int]] = defaultdict(list)
            for token in tokens:
                index[token.text].append(token.pos)
            self._by_text[name] = index
        self._positions = {name: {token.pos: token for token in tokens}
                           for name, tokens in self.tokens.items()}

    def positions_of(self, word: Word) -> list[int]:
        index = self._by_text.get(word.field, {})
        if word.kind == "exact":
            return index.get(word.text, [])
        if word.kind == "wildcard":
            pattern = _wildcard_pattern(word.text)
            chosen = [text for text in index if pattern.match(text)]
        else:
            limit = word.distance
            chosen = [text for text in index if edit_distance(text, word.text, limit) <= limit]
        return sorted(pos for text in chosen for pos in index[text])

    def token(self, name: str, pos: int) -> Token:
        return self._positions[name][pos]


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


def find_hits(node: Node, fields: dict[str, list[str]]) -> list[Hit]:
    """Every hit of a query in a document given its searchable fields (index.field_parts), text first."""
    document = DocumentWords(fields)
    found = []
    for name, first_pos, last_pos in hit_stretches(node, document.positions_of):
        first, last = document.token(name, first_pos), document.token(name, last_pos)
        found.append(Hit(DEFAULT_PARTS[first.part] if name == DEFAULT_FIELD else name, first.start, last.end))
    return sorted(found, key=lambda hit: (hit.part != DEFAULT_PARTS[0], hit.part, hit.start, hit.end))


# --- PDF pages and rectangles ----------------------------------------------------------------------------
def place_on_pdf_pages(path: Path, text: str, hits: list[Hit]) -> list[Hit]:
    """Add page numbers and rectangles to the text hits of a PDF whose text was extracted page by page."""
    page_starts = [0] + [match.end() for match in re.finditer(PAGE_BREAK, text)]
    by_page: dict[int, list[Hit]] = defaultdict(list)
    others = []
    for hit in hits:
        if hit.part == DEFAULT_PARTS[0]:
            by_page[bisect_right(page_starts, hit.start) - 1].append(hit)
        else:
            others.append(hit)
    placed: list[Hit] = []
    with pymupdf.open(path) as pdf:
        for number, page_hits in sorted(by_page.items()):
            offset = page_starts[number]
            end = page_starts[number + 1] - 1 if number + 1 < len(page_starts) else len(text)
            stored = [(m.group(0).lower(), m.start(), m.end()) for m in WORD.finditer(text, offset, end)]
            layout = _layout_words(pdf[number]) if number < pdf.page_count else []
            # Rectangles only when the page still reads as it did at ingest (not OCR'd, not replaced).
            same = [word for word, _s, _e in stored] == [word for word, _r in layout]
            for hit in page_hits:
                rects: tuple[Rect, ...] = ()
                if same:
                    chosen = [i for i, (_w, s, e) in enumerate(stored) if s >= hit.start and e <= hit.end]
                    rects = tuple(rect for i in chosen for rect in layout[i][1])
                placed.append(Hit(hit.part, hit.start, hit.end, number + 1, _merge_lines(rects)))
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


def _merge_lines(rects: tuple[Rect, ...]) -> tuple[Rect, ...]:
    """The words of a phrase on one line become one rectangle."""
    merged: list[Rect] = []
    for rect in rects:
        if merged and abs(merged[-1][1] - rect[1]) < 1 and abs(merged[-1][3] - rect[3]) < 1:
            merged[-1] = _union([merged[-1], rect])
        else:
            merged.append(rect)
    return tuple(merged)


# --- snippets ---------------------------------------------------------------------------------------------
def make_snippet(text: str, hits: list[Hit], context: int = 70, fragments: int = 3) -> Snippet:
    """A few stretches of the text around its first hits (or its opening when the hits are elsewhere)."""
    body = [hit for hit in hits if hit.part == DEFAULT_PARTS[0]]
    if not body:
        return _squeeze(text, 0, min(len(text), 2 * context), [])
    windows: list[list[int]] = []
    for hit in body:
        start, end = max(0, hit.start - context), min(len(text), hit.end + context)
        if windows and start <= windows[-1][1]:
            windows[-1][1] = max(windows[-1][1], end)
        elif len(windows) < fragments:
            windows.append([start, end])
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
