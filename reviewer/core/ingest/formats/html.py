"""HTML pages: visible text, title and author, in whichever encoding the page really uses."""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from bs4 import BeautifulSoup

from reviewer.core.ingest.extracted import ExtractContext, Extraction, Flag
from reviewer.core.ingest.formats.plain import bom_encoding, check_not_empty, decode_text, utf16_without_bom

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
_NOT_TEXT = ("script", "style", "template", "noframes")
_BLOCKS = frozenset(
    "address article aside blockquote caption dd div dl dt fieldset figcaption figure footer form h1 h2 h3 "
    "h4 h5 h6 header hr li main nav ol p pre section table title tr ul".split()
)
_SPACES = re.compile(r"[^\S\n]+")
_BLANK_LINES = re.compile(r"\n{3,}")


def _declared_encoding(data: bytes) -> str | None:
    match = _DECLARED_CHARSET.search(data[:_DECLARATION_WINDOW])
    if match is None:
        return None
    label = (match.group(1) or match.group(2)).decode("ascii").lower()
    label = _LABEL_OVERRIDES.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def decode_html(data: bytes) -> str:
    """BOM, then a UTF-16 byte pattern, then the page's own declaration if it decodes, then detection."""
    bom = bom_encoding(data)
    if bom is not None:
        codec, skip = bom
        return data[skip:].decode(codec, errors="replace")
    encoding = utf16_without_bom(data)
    if encoding is not None:
        return data.decode(encoding, errors="replace")
    declared = _declared_encoding(data)
    if declared is not None:
        try:
            return data.decode(declared)
        except UnicodeDecodeError:
            # Pages often declare UTF-8 while saved in a legacy code page; trust the bytes instead.
            pass
    return decode_text(data)


def html_to_text(markup: str) -> tuple[str, str, str]:
    """Visible text, title and author of an HTML page."""
    soup = BeautifulSoup(markup, "lxml")
    title = soup.title.get_text(" ", strip=True) if soup.title else ""
    author_meta = soup.find("meta", attrs={"name": re.compile(r"^author$", re.IGNORECASE)})
    author = str(author_meta.get("content") or "").strip() if author_meta is not None else ""
    for element in soup(_NOT_TEXT):
        element.decompose()
    for line_break in soup("br"):
        line_break.replace_with("\n")
    # Block elements end a line in the rendered page; without this, adjacent paragraphs run together.
    for block in soup.find_all(_BLOCKS):
        block.insert_before("\n")
        block.insert_after("\n")
    for cell in soup.find_all(("td", "th")):
        cell.insert_after(" ")
    lines = (_SPACES.sub(" ", line).strip() for line in soup.get_text().split("\n"))
    text = _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
    return text, title, author


def extract(path: Path, context: ExtractContext) -> Extraction:
    check_not_empty(path)
    text, title, author = html_to_text(decode_html(path.read_bytes()))
    return Extraction(
        text=text, mime="text/html", title=title, author=author, flags=[] if text else [Flag.NO_TEXT]
    )
