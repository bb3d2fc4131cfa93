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

WORD = re.compile(r"\w+(?:[.'@-]\w+)*")
MAX_DISTANCE = 1000
PART_GAP = 2 * MAX_DISTANCE


def words(text: str) -> list[str]:
    return list(map(str.lower, WORD.findall(text)))


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

