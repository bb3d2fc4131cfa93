"""Short lines of our own text on produced pages (Bates stamps, endorsements, redaction labels).

The standard Helvetica of every PDF reader costs nothing to use, so it writes whatever it can: Latin-1,
with typographic dashes and quotes shown as their plain forms ("CONFIDENTIAL - PO"). Anything else is
written with an embedded font that has the glyphs, which the caller then subsets; embedding a font on
every single-page PDF of a volume adds 10-30 KB a page.
"""

from __future__ import annotations

import pymupdf

_STANDARD = "helv"
_EMBEDDED = pymupdf.Font("helv")
_WIDE = pymupdf.Font("cjk")  # covers what Helvetica lacks: CJK, and more


_PLAIN = str.maketrans({"\u2013": "-", "\u2014": "-", "\u2212": "-", "\u2018": "'", "\u2019": "'",
                        "\u201c": '"', "\u201d": '"', "\u2026": "..."})


def shown(text: str) -> str:
    """The text as it appears on the page."""
    return text.translate(_PLAIN)


def _standard(text: str) -> bool:
    return all(ord(c) < 256 for c in text)


def _font(text: str) -> pymupdf.Font:
    return _EMBEDDED if all(_EMBEDDED.has_glyph(ord(c)) for c in text) else _WIDE


def width(text: str, size: float) -> float:
    text = shown(text)
    if _standard(text):
        return pymupdf.get_text_length(text, fontname=_STANDARD, fontsize=size)
    return _font(text).text_length(text, fontsize=size)


def write(page: pymupdf.Page, origin: tuple[float, float], text: str, size: float,
          color: tuple[float, float, float] = (0, 0, 0)) -> bool:
    """Write `text` with its baseline starting at `origin`; True when a font had to be embedded."""
    text = shown(text)
    if _standard(text):
        page.insert_text(origin, text, fontname=_STANDARD, fontsize=size, color=color)
        return False
    writer = pymupdf.TextWriter(page.rect, color=color)
    writer.append(origin, text, font=_font(text), fontsize=size)
    writer.write_text(page)
    return True


def write_all(page: pymupdf.Page, pieces: list[tuple[tuple[float, float], str, float]]) -> None:
    """Many short pieces of text (origin, text, size) written at once, as a page of a table needs: one text
    writer per font instead of a text insertion each. The fonts are embedded; the caller subsets them."""
    writers: dict[str, pymupdf.TextWriter] = {}
    for origin, text, size in pieces:
        text = shown(text)
        font = _font(text)
        writer = writers.setdefault(font.name, pymupdf.TextWriter(page.rect))
        writer.append(origin, text, font=font, fontsize=size)
    for writer in writers.values():
        writer.write_text(page)
