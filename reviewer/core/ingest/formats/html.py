"""HTML pages: visible text, title and author, in whichever encoding the page really uses.

The text is read in one forward pass over the markup, without building a tree: time is linear in the
page's size whatever its nesting or damage (benchmarks/hostile_inputs.py times 100,000 and 1,000,000 nested
elements), and a tree builder's depth limit cannot silently cut the text short.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from reviewer.core.ingest.extracted import ExtractContext, Extraction, Flag
from reviewer.core.ingest.formats.plain import (
    bom_encoding,
    check_not_empty,
    decode_text,
    text_codec,
    utf16_without_bom,
)

# Browsers look for the declaration in the first kilobyte; real pages put long comments or scripts first.
_DECLARATION_WINDOW = 64 * 1024
_DECLARED_CHARSET = re.compile(
    rb"""<meta[^>]*?charset\s*=\s*["']?\s*([a-z0-9_.:\-]+)|<\?xml[^>]*?encoding\s*=\s*["']([a-z0-9_.:\-]+)""",
    re.IGNORECASE,
)
# The HTML standard reads these labels as Windows-1252, and so does every browser; the Latin-1 codec would
# turn its curly quotes and dashes into control characters. A UTF-16 label found by this ASCII scan cannot
# be true (the scan would not have found it), so such pages are read as UTF-8.
_LABEL_OVERRIDES = {
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "utf-16": "utf-8",
    "utf-16le": "utf-8",
    "utf-16be": "utf-8",
}
# Content of these is not shown. Script, style and the like are raw text (no tags inside, up to their own
# end tag); a template is ordinary markup that is never rendered.
_RAW_TEXT = frozenset(("script", "style", "noframes", "xmp", "iframe", "noembed", "textarea", "title"))
_HIDDEN = frozenset(("script", "style", "noframes", "xmp", "iframe", "noembed", "template"))
_BLOCKS = frozenset(
    "address article aside blockquote caption dd div dl dt fieldset figcaption figure footer form h1 h2 h3 "
    "h4 h5 h6 header hr li main nav ol p pre section table title tr ul".split()
)
_CELLS = frozenset(("td", "th"))
_SPACES = re.compile(r"[^\S\n]+")
_BLANK_LINES = re.compile(r"\n{3,}")
_TAG_NAME = re.compile(r"<(/?)([A-Za-z][^\t\n\f\r />]*)")
_TAG_END_OR_QUOTE = re.compile(r"[>\"']")
_ATTRIBUTE = re.compile(r"""([^\s"'>/=]+)\s*(?:=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?""")
_RAW_TEXT_END = {name: re.compile(rf"</{name}[\t\n\f\r />]", re.IGNORECASE) for name in _RAW_TEXT}


def _declared_label(data: bytes) -> str | None:
    match = _DECLARED_CHARSET.search(data[:_DECLARATION_WINDOW])
    if match is None:
        return None
    label = (match.group(1) or match.group(2)).decode("ascii").lower()
    return _LABEL_OVERRIDES.get(label, label)


def decode_html(data: bytes, flags: list[Flag] | None = None) -> str:
    """BOM, then a UTF-16 byte pattern, then the page's own declaration if it decodes, then detection.

    A declared charset no codec knows (`x-unknown`, `rot13`) is set aside for detection, and `flags`, when
    given, gets CHARSET_GUESSED.
    """
    bom = bom_encoding(data)
    if bom is not None:
        encoding, skip = bom
        return data[skip:].decode(encoding, errors="replace")
    utf16 = utf16_without_bom(data)
    if utf16 is not None:
        return data.decode(utf16, errors="replace")
    label = _declared_label(data)
    declared = text_codec(label) if label else None
    if label and declared is None and flags is not None and Flag.CHARSET_GUESSED not in flags:
        flags.append(Flag.CHARSET_GUESSED)
    if declared is not None:
        try:
            return data.decode(declared)
        except UnicodeDecodeError:
            # Pages often declare UTF-8 while saved in a legacy code page; trust the bytes instead.
            pass
    return decode_text(data)


class _Page:
    """What a browser would show of a page, with line breaks where blocks end, and its title and author.

    A single forward scan with `find` and anchored matches: every step moves on, and a construct left
    open (a comment, a quote, a tag) runs to the end of the page as browsers read it, so the work is
    linear in the page's length whatever it holds.
    """

    def __init__(self, markup: str) -> None:
        self.markup = markup
        self.pieces: list[str] = []
        self.title = ""
        self.author = ""
        self.hidden = 0  # open <template> elements

    def read(self) -> None:
        markup, position = self.markup, 0
        while position < len(markup):
            opening = markup.find("<", position)
            if opening < 0:
                self._text(markup[position:])
                return
            self._text(markup[position:opening])
            position = self._markup_at(opening)

    def _markup_at(self, opening: int) -> int:
        """Handle the markup that starts at `opening`; where reading goes on (the page's length: stop)."""
        markup = self.markup
        if markup.startswith("<!--", opening):
            return self._after(markup.find("-->", opening + 4), 3)
        if markup.startswith(("<!", "<?"), opening):
            return self._after(markup.find(">", opening), 1)  # doctype, CDATA, processing instruction
        name_match = _TAG_NAME.match(markup, opening)
        if name_match is None:
            if markup.startswith("</", opening):
                return self._after(markup.find(">", opening), 1)
            self._text("<")
            return opening + 1
        closing, name = bool(name_match.group(1)), name_match.group(2).lower()
        end = self._tag_end(name_match.end())
        if end < 0:
            return len(markup)
        if closing:
            self._end_tag(name)
            return end + 1
        self._start_tag(name, markup[name_match.end() : end])
        if name in _RAW_TEXT and not markup[end - 1] == "/":
            return self._raw_text(name, end + 1)
        return end + 1

    def _after(self, found: int, length: int) -> int:
        return len(self.markup) if found < 0 else found + length

    def _tag_end(self, position: int) -> int:
        """Where the tag whose attributes start at `position` ends: its ">" outside quotes, or -1."""
        markup = self.markup
        while True:
            match = _TAG_END_OR_QUOTE.search(markup, position)
            if match is None:
                return -1
            if match.group() == ">":
                return match.start()
            quote_end = markup.find(match.group(), match.end())
            if quote_end < 0:
                return -1
            position = quote_end + 1

    def _raw_text(self, name: str, position: int) -> int:
        match = _RAW_TEXT_END[name].search(self.markup, position)
        content_end = match.start() if match else len(self.markup)
        content = self.markup[position:content_end]
        if name == "title":
            self.title = self.title or " ".join(html.unescape(content).split())
            self._text(content)
        elif name == "textarea":
            self._text(content)
        if match is None:
            return len(self.markup)
        self._end_tag(name)
        return self._after(self.markup.find(">", match.start()), 1)

    def _start_tag(self, name: str, attributes: str) -> None:
        if name == "template":
            self.hidden += 1
        elif name == "br" or name in _BLOCKS:
            self.pieces.append("\n")
        elif name == "meta" and not self.author:
            values = {
                match.group(1).lower(): match.group(2) or match.group(3) or match.group(4) or ""
                for match in _ATTRIBUTE.finditer(attributes)
            }
            if values.get("name", "").strip().lower() == "author":
                self.author = html.unescape(values.get("content", "")).strip()

    def _end_tag(self, name: str) -> None:
        if name == "template":
            self.hidden = max(self.hidden - 1, 0)
        elif name in _BLOCKS:
            self.pieces.append("\n")
        elif name in _CELLS:
            self.pieces.append(" ")

    def _text(self, text: str) -> None:
        if text and not self.hidden:
            self.pieces.append(html.unescape(text))


def html_to_text(markup: str) -> tuple[str, str, str]:
    """Visible text, title and author of an HTML page."""
    page = _Page(markup)
    page.read()
    lines = (_SPACES.sub(" ", line).strip() for line in "".join(page.pieces).split("\n"))
    text = _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
    return text, page.title, page.author


def extract(path: Path, context: ExtractContext) -> Extraction:
    check_not_empty(path)
    flags: list[Flag] = []
    text, title, author = html_to_text(decode_html(path.read_bytes(), flags))
    if not text:
        flags.append(Flag.NO_TEXT)
    return Extraction(text=text, mime="text/html", title=title, author=author, flags=flags)
