"""Every document as PDF pages, ready to be redacted and stamped: what the receiving party will see.

PDFs are taken as they are. Emails get a header block (From, To, Cc, Bcc, Date, Subject, Attachments)
above their body. Word processing and presentation files are converted by LibreOffice when it is
installed; everything else that has text, and anything a converter cannot open, is set as its extracted
text in a readable page layout. Images become pages (re-encoded from their pixels, so nothing of the
file but the picture comes along). Rendering is deterministic: the same document always gives the same
pages, so a rectangle drawn on a page in the viewer lands on the same words when it is burned in.

The original is read from the evidence store and never written; the returned PDF lives in memory.
"""

from __future__ import annotations

import html
import io
import re
import shutil
import subprocess
import tempfile
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pymupdf
from PIL import Image, ImageSequence

from reviewer.core.case import Case
from reviewer.core.errors import ReviewerError
from reviewer.core.produce.facts import DocumentFacts

pymupdf.TOOLS.mupdf_display_errors(False)
pymupdf.TOOLS.mupdf_display_warnings(False)

LETTER = pymupdf.paper_rect("letter")
_TEXT_AREA = LETTER + (54, 54, -54, -54)
_IMAGE_MARGIN = 18
# LibreOffice reads these faithfully; HTML is left to the text rendering because LibreOffice would fetch
# the remote images a message links to.
_OFFICE_KINDS = frozenset({"docx", "pptx", "rtf", "legacy"})
_OFFICE_TIMEOUT_SECONDS = 180
_MONOSPACED_KINDS = frozenset({"text", "csv"})
# Words longer than this are broken so that a line of base64 or a long URL stays on the page.
_LONGEST_WORD = 70
_PAGE_BREAK = "\f"
_LINE_BREAKS = re.compile(r"\r\n|[\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")


# What MuPDF raises on damaged files, in its various layers.
MUPDF_ERRORS = (pymupdf.mupdf.FzErrorBase, RuntimeError, ValueError)


TEXT_LAYOUT_FAILED = "its text could not be laid out on pages completely"


class ImagingError(ReviewerError):
    """A document could not be turned into pages."""


@dataclass
class Rendering:
    pdf: pymupdf.Document
    method: str  # "original", "email", "libreoffice", "text", "image", "placeholder"


def render(case: Case, facts: DocumentFacts, plain_text: bool = False) -> Rendering:
    """The document's pages as they are to be produced; with `plain_text`, its extracted text in the
    plain layout (for a document that cannot be imaged otherwise)."""
    if plain_text:
        return Rendering(plain_text_pages(case.texts.read(facts.control, facts.id)), "plain text")
    original = case.natives.path_for(facts.sha256)
    if facts.kind == "pdf":
        pdf = _open_pdf(original.read_bytes())
        if pdf is not None:
            return Rendering(pdf, "original")
    elif facts.is_email:
        text = case.texts.read(facts.control, facts.id)
        return Rendering(email_pages(facts, text), "email")
    elif facts.kind == "image":
        pdf = _image_pages(original)
        if pdf is not None:
            return Rendering(pdf, "image")
    elif facts.kind in _OFFICE_KINDS and shutil.which("soffice"):
        pdf = _libreoffice_pages(original, facts.ext)
        if pdf is not None:
            return Rendering(pdf, "libreoffice")
    elif facts.kind in ("zip", "mbox", "pst"):
        lines = ["Container file", facts.file_name, "Its contents are produced as the documents that follow."]
        return Rendering(slip_sheet(lines), "placeholder")
    text = case.texts.read(facts.control, facts.id)
    return Rendering(text_pages(text, monospaced=facts.kind in _MONOSPACED_KINDS), "text")


def problem(case: Case, facts: DocumentFacts) -> str | None:
    """Why the document cannot be made into pages, or None: its rendering is made (and thrown away) and a
    PDF's pages are read through, as a production will. A PDF MuPDF opens but cannot read through is
    produced from its text (pages.prepare), so it is that text that must then lay out."""
    try:
        rendering = render(case, facts)
    except ImagingError as error:
        return str(error)
    except MUPDF_ERRORS as error:
        return f"MuPDF could not render it ({_short(error)})"
    try:
        if rendering.method == "original":
            for page in rendering.pdf.pages():
                page.get_text("text")
    except MUPDF_ERRORS:
        try:
            text_pages(case.texts.read(facts.control, facts.id)).close()
        except ImagingError as error:
            return f"its PDF cannot be read through and {error}"
    finally:
        rendering.pdf.close()
    return None


def _short(error: BaseException) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0][:200]


def _open_pdf(data: bytes) -> pymupdf.Document | None:
    """The PDF, or None when it cannot be read (damaged beyond repair, or encrypted with a password the
    case does not keep); such a document is produced from the text that ingest extracted."""
    try:
        pdf = pymupdf.open(stream=data, filetype="pdf")
    except MUPDF_ERRORS:
        return None
    if pdf.needs_pass or pdf.page_count == 0:
        pdf.close()
        return None
    return pdf


# --- emails ------------------------------------------------------------------------------------------
_HEADER_LABELS = ("From", "To", "Cc", "Bcc", "Date", "Subject")


def email_pages(facts: DocumentFacts, text: str) -> pymupdf.Document:
    header = [
        ("From", facts.email_from), ("To", facts.email_to), ("Cc", facts.email_cc), ("Bcc", facts.email_bcc),
        ("Date", _email_date(facts.sent)), ("Subject", facts.subject),
        ("Attachments", "; ".join(facts.attachments)),
    ]
    header = [(label, printable(value)) for label, value in header]
    rows = "".join(f"<p class=h><b>{label}:</b> {_escape_line(value)}</p>" for label, value in header)
    body = printable(email_body(text))
    shown = "\n".join(f"{label}: {value}" for label, value in header) + "\n" + body
    css = "div{font-family:sans-serif} p{margin:0} p.h{margin-bottom:2px} hr{margin:8px 0}"
    return _flow(f"<div>{rows}</div><hr><div>{_paragraphs(body)}</div>", css, expected=shown)


def email_body(text: str) -> str:
    """The body of an email's extracted text: ingest puts the header lines first, then a blank line."""
    lines = text.split("\n")
    count = 0
    while count < len(lines) and any(lines[count].startswith(f"{label}: ") for label in _HEADER_LABELS):
        count += 1
    if count and (count == len(lines) or not lines[count].strip()):
        return "\n".join(lines[count + 1:])
    return text


def _email_date(sent: datetime | None) -> str:
    """Like "Tuesday, March 5, 2024 2:30 PM UTC", spelled out by hand: %-d is not portable."""
    if sent is None:
        return ""
    return f"{sent:%A, %B} {sent.day}, {sent.year} {sent.hour % 12 or 12}:{sent:%M %p} UTC"


# --- text -------------------------------------------------------------------------------------------
def text_pages(text: str, monospaced: bool = False) -> pymupdf.Document:
    """Extracted text set on letter pages, line for line. A form feed (a page break in text taken from
    paged formats) becomes a blank line: MuPDF's layout drops whatever follows a forced page break."""
    family = "monospace" if monospaced else "sans-serif"
    text = printable(text.replace(_PAGE_BREAK, "\n\n"))
    css = f"div{{font-family:{family}}} p{{margin:0}}"
    return _flow(f"<div>{_paragraphs(text)}</div>", css, expected=text)


def slip_sheet(lines: list[str]) -> pymupdf.Document:
    """One letter page with a short statement in large type, centred (withheld documents, natives)."""
    pdf = pymupdf.open()
    page = pdf.new_page(width=LETTER.width, height=LETTER.height)
    body = "".join(f"<p>{_escape_line(printable(line))}</p>" for line in lines if line)
    page.insert_htmlbox(LETTER + (72, 250, -72, -250), body,
                        css="p{text-align:center; font-family:sans-serif; font-size:20px; margin:0 0 12px 0}")
    return pdf


def printable(text: str) -> str:
    """The text as a page can show it. MuPDF's layout sets control and format characters, surrogates and
    private-use or unassigned code points as nothing (and a page that lacks them would then look
    incomplete), so they are taken out first: those that end a line (vertical tab, the Unicode line and
    paragraph separators, …) become line breaks, a tab becomes four spaces, and the rest are dropped."""
    text = _LINE_BREAKS.sub("\n", text.replace("\t", "    "))
    return "".join(c for c in text if c in "\n " or unicodedata.category(c)[0] != "C")


def _paragraphs(text: str) -> str:
    """Printable text as HTML paragraphs, one a line."""
    return "".join(f"<p>{_escape_line(line)}</p>" for line in text.split("\n"))


def _escape_line(line: str) -> str:
    """A printable line as HTML that keeps its indentation and runs of spaces, with over-long words broken."""
    line = re.sub(rf"\S{{{_LONGEST_WORD}}}(?=\S)", lambda m: m.group(0) + "\u200b", line)
    # MuPDF's HTML reader decodes entities twice ("&amp;nbsp;" shows as a space); an ampersand alone in
    # its own element survives both.
    escaped = html.escape(line, quote=False).replace("&amp;", "<span>&amp;</span>")
    escaped = re.sub(r"^ +", lambda m: "&nbsp;" * len(m.group(0)), escaped)
    return escaped.replace("  ", " &nbsp;") or "&nbsp;"


def _flow(body: str, css: str, expected: str) -> pymupdf.Document:
    """HTML flowed onto as many letter pages as it needs.

    MuPDF's layout occasionally gives up after a page whose last line ends exactly on the bottom margin and
    reports everything left as fitting (or runs a line past the margin); that is caught by checking the
    result against the text it should hold and laid out again with the margin nudged, so a document is
    never produced with text missing.
    """
    for nudge in (0.0, 0.37, 1.13, 3.71, 11.3):
        pdf = _try_flow(body, css, _TEXT_AREA + (0, 0, 0, -nudge))
        if pdf is not None and _holds(pdf, expected):
            return pdf
    raise ImagingError(TEXT_LAYOUT_FAILED)


def _try_flow(body: str, css: str, area: pymupdf.Rect) -> pymupdf.Document | None:
    story = pymupdf.Story(html=body, user_css=css, em=10)
    buffer = io.BytesIO()
    writer = pymupdf.DocumentWriter(buffer)
    more = True
    while more:
        device = writer.begin_page(LETTER)
        more, filled = story.place(area)
        story.draw(device)
        writer.end_page()
        if filled[3] > LETTER.y1 - _IMAGE_MARGIN:  # off the page; a line into the margin is still shown
            writer.close()
            return None
    writer.close()
    return pymupdf.open(stream=buffer.getvalue(), filetype="pdf")


def _holds(pdf: pymupdf.Document, expected: str) -> bool:
    def letters(text: str) -> int:
        return sum(1 for c in unicodedata.normalize("NFKC", text) if not c.isspace() and c != "\u200b")

    wanted = letters(expected)
    # A few characters (emoji, unassigned code points) have no glyph in any font MuPDF carries.
    return sum(letters(page.get_text()) for page in pdf.pages()) >= wanted - max(3, wanted // 100)


# --- plain text -------------------------------------------------------------------------------------
def plain_text_pages(text: str) -> pymupdf.Document:
    """Text set line by line in Courier, wrapped at the margin, without the HTML layout: what a document
    whose text that layout cannot set completely is imaged with when the production says so. Characters
    are drawn in the order they are stored (right-to-left script is not reordered) and one that no font
    MuPDF carries has a glyph for is shown as "?"; the text file keeps every character."""
    lines = _wrapped(printable(text.replace(_PAGE_BREAK, "\n")).split("\n"))
    step = _PLAIN_SIZE * 1.25
    per_page = int(_TEXT_AREA.height // step)
    pdf = pymupdf.open()
    for start in range(0, max(len(lines), 1), per_page):
        page = pdf.new_page(width=LETTER.width, height=LETTER.height)
        writer = pymupdf.TextWriter(page.rect)
        y = _TEXT_AREA.y0 + _PLAIN_SIZE
        for line in lines[start:start + per_page]:
            x = _TEXT_AREA.x0
            for font, run in _font_runs(line):
                writer.append((x, y), run, font=font, fontsize=_PLAIN_SIZE)
                x += font.text_length(run, fontsize=_PLAIN_SIZE)
            y += step
        writer.write_text(page)
    return pdf


def _wrapped(lines: list[str]) -> list[str]:
    """Each line broken into pieces that fit the text area's width (at a space where there is one)."""
    wrapped = []
    for line in lines:
        while True:
            width, cut = 0.0, len(line)
            for index, char in enumerate(line):
                width += _glyph(char)[2]
                if width > _TEXT_AREA.width:
                    cut = index
                    break
            if cut == len(line):
                wrapped.append(line)
                break
            space = line.rfind(" ", 0, cut)
            cut = space + 1 if space > 0 else max(cut, 1)
            wrapped.append(line[:cut].rstrip())
            line = line[cut:]
    return wrapped


def _font_runs(line: str) -> list[tuple[pymupdf.Font, str]]:
    runs: list[tuple[pymupdf.Font, str]] = []
    for char in line:
        font, char, _width = _glyph(char)
        if runs and runs[-1][0] is font:
            runs[-1] = (font, runs[-1][1] + char)
        else:
            runs.append((font, char))
    return runs


_PLAIN_SIZE = 9.0
_PLAIN_FONTS = [pymupdf.Font("cour"), pymupdf.Font("cjk")]
_SCRIPT_FONTS = range(1, 40)  # MuPDF's Noto fonts by script (Hebrew, Arabic, Devanagari, Thai, …)
_GLYPHS: dict[str, tuple[pymupdf.Font, str, float]] = {}


def _glyph(char: str) -> tuple[pymupdf.Font, str, float]:
    """How a character is drawn: the first of Courier, Droid Sans Fallback and MuPDF's script fonts that
    has it (else Courier's "?"), the character drawn, and its width. The script fonts are loaded the
    first time a character needs them."""
    found = _GLYPHS.get(char)
    if found is None:
        code = ord(char)
        font = next((f for f in _PLAIN_FONTS if f.has_glyph(code)), None)
        while font is None and len(_PLAIN_FONTS) < 2 + len(_SCRIPT_FONTS):
            _PLAIN_FONTS.append(pymupdf.Font(script=_SCRIPT_FONTS[len(_PLAIN_FONTS) - 2]))
            font = _PLAIN_FONTS[-1] if _PLAIN_FONTS[-1].has_glyph(code) else None
        shown = char if font is not None else "?"
        font = font or _PLAIN_FONTS[0]
        found = _GLYPHS[char] = (font, shown, font.text_length(shown, fontsize=_PLAIN_SIZE))
    return found


# --- images -----------------------------------------------------------------------------------------
def _image_pages(path: Path) -> pymupdf.Document | None:
    """One page per page of a TIFF (the first frame of anything else: an animated GIF is one picture), each
    fitted on a letter page turned to suit it; None if it cannot be decoded."""
    pdf = pymupdf.open()
    try:
        with Image.open(path) as image:
            for frame in ImageSequence.Iterator(image) if image.format == "TIFF" else [image]:
                data, size = _encoded_pixels(frame)
                landscape = size[0] > size[1]
                page = pdf.new_page(width=LETTER.height if landscape else LETTER.width,
                                    height=LETTER.width if landscape else LETTER.height)
                page.insert_image(page.rect + (_IMAGE_MARGIN, _IMAGE_MARGIN, -_IMAGE_MARGIN, -_IMAGE_MARGIN),
                                  stream=data, keep_proportion=True)
    except (OSError, ValueError, Image.DecompressionBombError):
        pdf.close()
        return None
    return pdf


def _encoded_pixels(frame: Image.Image) -> tuple[bytes, tuple[int, int]]:
    """The frame's pixels alone (no EXIF, no comments), as PNG for line art and JPEG for pictures."""
    buffer = io.BytesIO()
    if frame.mode in ("1", "L", "P", "LA", "PA"):
        frame.convert("L" if frame.mode != "1" else "1").save(buffer, format="PNG")
    else:
        frame.convert("RGB").save(buffer, format="JPEG", quality=88)
    return buffer.getvalue(), frame.size


# --- LibreOffice ------------------------------------------------------------------------------------
def _libreoffice_pages(path: Path, ext: str) -> pymupdf.Document | None:
    """The file converted by a headless LibreOffice with its own throwaway profile (so it neither meets a
    running LibreOffice nor remembers anything); None when it fails or takes too long."""
    with tempfile.TemporaryDirectory(prefix="reviewer-office-") as scratch:
        folder = Path(scratch)
        source = folder / f"document.{ext or 'bin'}"
        shutil.copyfile(path, source)
        try:
            subprocess.run(
                ["soffice", f"-env:UserInstallation={(folder / 'profile').as_uri()}", "--headless",
                 "--norestore", "--convert-to", "pdf", "--outdir", str(folder / "out"), str(source)],
                capture_output=True, timeout=_OFFICE_TIMEOUT_SECONDS, check=False,
            )
        except (OSError, subprocess.TimeoutExpired):
            return None
        converted = folder / "out" / "document.pdf"
        return _open_pdf(converted.read_bytes()) if converted.is_file() else None
