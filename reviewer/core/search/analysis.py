"""What a searchable word is: one definition shared by the index, the query parser and the hit finder,
so that what the viewer highlights is exactly what the index matched.

Words are runs of letters and digits, joined by . ' @ - inside a word (so "o'brien", "u.s.a",
"ada@quill-law.example" and "2018-04-01" are one word each), lowercased, never stemmed, no stop words.

The default field joins several parts of a document (body text, subject, title, file name, addresses).
Between parts the word position jumps by PART_GAP, which is larger than any w/N allows, so no phrase or
proximity match can start in the subject and end in the body.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from whoosh.analysis import Token as WhooshToken
from whoosh.analysis import Tokenizer

WORD = re.compile(r"\w+(?:[.'@-]\w+)*")
MAX_DISTANCE = 1000
PART_GAP = 2 * MAX_DISTANCE
# Separates the parts of the default field inside the one string Whoosh hands to a tokenizer.
PART_BREAK = "\x1e"


def words(text: str) -> list[str]:
    return [match.group(0).lower() for match in WORD.finditer(text)]


def is_one_word(text: str) -> bool:
    return WORD.fullmatch(text) is not None


def scan_parts(parts: Sequence[str]) -> Iterator[tuple[str, int, int, int, int]]:
    """The words of a field made of parts, lazily: (word, position in the field, part number, start, end),
    the character span being in the part. The positions are the ones the index gives them."""
    pos = 0
    for number, part in enumerate(parts):
        if number:
            pos += PART_GAP
        for match in WORD.finditer(part):
            yield match.group(0).lower(), pos, number, match.start(), match.end()
            pos += 1


def join_parts(parts: Sequence[str]) -> str:
    return PART_BREAK.join(part.replace(PART_BREAK, " ") for part in parts)


class PartsTokenizer(Tokenizer):
    """A Whoosh tokenizer for `join_parts` strings that numbers positions exactly like `scan_parts`."""

    def __call__(self, value: str, positions: bool = False, chars: bool = False, keeporiginal: bool = False,
                 removestops: bool = True, start_pos: int = 0, start_char: int = 0, tokenize: bool = True,
                 mode: str = "", **kwargs: object) -> Iterator[WhooshToken]:
        token = WhooshToken(positions, chars, removestops=removestops, mode=mode, **kwargs)
        parts = value.split(PART_BREAK)
        offsets = _part_offsets(parts) if chars else []
        for text, pos, part, start, end in scan_parts(parts):
            token.text = text
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = text
            if positions:
                token.pos = start_pos + pos
            if chars:
                token.startchar = start_char + offsets[part] + start
                token.endchar = start_char + offsets[part] + end
            yield token


def pair(first: str, second: str) -> str:
    """The indexed term for two words that follow each other (no word contains a space)."""
    return f"{first} {second}"


# The most frequent English words: the pairs a new case indexes until a rebuild learns its own.
COMMON_ENGLISH = frozenset("""
a about after all also an and any are as at be been but by can could did do does for from had has have he
her him his how i if in into is it its may me more must my no not of on or our out over said shall she so
some such than that the their them then there these they this to under up upon us was we were what when
where which who will with would you your
""".split())


class PairsTokenizer(Tokenizer):
    """Two consecutive words as one term when both are among the case's common words. A phrase of common
    words ("in the", "of the board") is then a lookup instead of a position check in nearly every
    document; a phrase with a rarer word is checked only where that word occurs, which is few documents.
    At most len(common)² distinct pairs, so the index stays small. Pairs never span two parts."""

    def __init__(self, common: frozenset[str]) -> None:
        self.common = common

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PairsTokenizer) and other.common == self.common

    def __call__(self, value: str, positions: bool = False, chars: bool = False, keeporiginal: bool = False,
                 removestops: bool = True, start_pos: int = 0, start_char: int = 0, tokenize: bool = True,
                 mode: str = "", **kwargs: object) -> Iterator[WhooshToken]:
        token = WhooshToken(positions, chars, removestops=removestops, mode=mode, **kwargs)
        common = self.common
        previous: tuple[str, int] | None = None
        for text, pos, part, _start, _end in scan_parts(value.split(PART_BREAK)):
            if previous is not None and previous[1] == part and text in common and previous[0] in common:
                token.text = pair(previous[0], text)
                token.boost = 1.0
                token.stopped = False
                if keeporiginal:
                    token.original = token.text
                if positions:
                    token.pos = start_pos + pos - 1
                yield token
            previous = (text, part)


def _part_offsets(parts: Sequence[str]) -> list[int]:
    offsets, offset = [], 0
    for part in parts:
        offsets.append(offset)
        offset += len(part) + len(PART_BREAK)
    return offsets
