"""Redactions: stored in the case (the original is never touched) and burned into pages at production.

A redaction is either a rectangle on a page of the document as produced (imaging.render gives those
pages; for a PDF they are its own pages) or a phrase, which covers every occurrence of the phrase on the
produced pages. A phrase matches whole words, ignoring letter case and how the words are spaced or broken
over lines: "Ann" covers "ANN" and "Ann's" but not "Annual". Every hit of a search becomes the phrases it
found in each document, so the same rule applies to them.

Burning removes the text, the image pixels and the vector drawings under each box (PyMuPDF
apply_redactions), paints the box black and writes its label in it, so nothing under a box can be read
back from the page, only seen as redacted.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

import pymupdf
from sqlalchemy import delete, select

from reviewer.core.case import Case, current_user, now
from reviewer.core.errors import ReviewerError
from reviewer.core.models import Document, Redaction
from reviewer.core.produce.facts import Mark, as_mark, load_facts
from reviewer.core.progress import CancelToken, Progress, ProgressUpdate, no_progress

DEFAULT_REASON = "Redacted"
_LABEL_FONT = pymupdf.Font("helv")
_LARGEST_LABEL = 9.0
_SMALLEST_LABEL = 3.0


class RedactionError(ReviewerError):
    """A redaction that cannot be stored or cannot be burned in as asked."""


# --- the stored redactions ---------------------------------------------------------------------------
def add_rectangle(case: Case, doc_id: int, page: int, rect: tuple[float, float, float, float],
                  reason: str = DEFAULT_REASON) -> Mark:
    """A box on a 1-based page, in PDF points with the origin at the top left of the produced page."""
    x0, x1 = sorted((float(rect[0]), float(rect[2])))
    y0, y1 = sorted((float(rect[1]), float(rect[3])))
    if page < 1:
        raise RedactionError("Pages are numbered from 1.")
    if x1 - x0 < 1 or y1 - y0 < 1:
        raise RedactionError("A redaction box must be at least one point wide and high.")
    return _store(case, reason, [(doc_id, Redaction(page=page, x0=x0, y0=y0, x1=x1, y1=y1))])[0]


def add_phrase(case: Case, doc_ids: Iterable[int], phrase: str, reason: str = DEFAULT_REASON,
               query: str = "") -> list[Mark]:
    """Redact every occurrence of a word or phrase in each of the documents; one redaction per document."""
    phrase = " ".join(phrase.split())
    if not phrase_pattern(phrase):
        raise RedactionError("A text redaction needs a word or phrase with at least one letter or digit.")
    return _store(case, reason, [(doc_id, Redaction(phrase=phrase, query=query)) for doc_id in doc_ids])


def add_hits(case: Case, hits_by_document: dict[int, Iterable[str]], reason: str = DEFAULT_REASON,
             query: str = "", progress: Progress = no_progress, cancel: CancelToken | None = None) -> int:
    """Redact the stretches of text a search found, per document (each distinct stretch once); how many
    redactions were added. Stretches a document already has as a redaction are skipped."""
    existing: dict[int, set[str]] = {}
    for mark_doc, facts in load_facts(case, hits_by_document).items():
        existing[mark_doc] = {_fold(m.phrase) for m in facts.marks if m.phrase}
    total, added = len(hits_by_document), 0
    for done, (doc_id, stretches) in enumerate(hits_by_document.items(), start=1):
        if cancel is not None:
            cancel.raise_if_cancelled()
        wanted: dict[str, str] = {}
        for stretch in stretches:
            phrase = " ".join(stretch.split())
            if phrase_pattern(phrase) and _fold(phrase) not in existing.get(doc_id, set()):
                wanted.setdefault(_fold(phrase), phrase)
        if wanted:
            added += len(_store(case, reason, [(doc_id, Redaction(phrase=p, query=query)) for p in wanted.values()]))
        progress(ProgressUpdate("redact", done, total, {"redactions": added}))
    return added


def _store(case: Case, reason: str, redactions: list[tuple[int, Redaction]]) -> list[Mark]:
    reason = " ".join(reason.split()) or DEFAULT_REASON
    if len(reason) > 128:
        raise RedactionError("A redaction reason can be at most 128 characters long.")
    at, user = now(), current_user()
    with case.db.session() as session:
        known = set(session.scalars(select(Document.id).where(Document.id.in_({d for d, _r in redactions}))))
        for doc_id, redaction in redactions:
            if doc_id not in known:
                raise RedactionError(f"There is no document with id {doc_id} in this case.")
            redaction.document_id, redaction.reason, redaction.added, redaction.user = doc_id, reason, at, user
            session.add(redaction)
        session.flush()
        return [as_mark(redaction) for _doc_id, redaction in redactions]


def document_marks(case: Case, doc_id: int) -> list[Mark]:
    """A document's redactions, oldest first."""
    facts = load_facts(case, [doc_id])
    if doc_id not in facts:
        raise RedactionError(f"There is no document with id {doc_id} in this case.")
    return facts[doc_id].marks


def remove(case: Case, doc_id: int, redaction_ids: Iterable[int]) -> int:
    """Take redactions off a document; how many were removed. An id of another document is an error."""
    wanted = set(redaction_ids)
    with case.db.session() as session:
        found = set(session.scalars(select(Redaction.id).where(Redaction.document_id == doc_id,
                                                                Redaction.id.in_(wanted))))
        if found != wanted:
            missing = ", ".join(str(i) for i in sorted(wanted - found))
            raise RedactionError(f"The document has no redaction {missing}.")
        session.execute(delete(Redaction).where(Redaction.id.in_(found)))
    return len(found)


# --- finding phrases on pages --------------------------------------------------------------------------
def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def phrase_pattern(phrase: str) -> re.Pattern[str] | None:
    """The whole-word, any-case, any-spacing pattern of a phrase; None when it has no letter or digit."""
    words = unicodedata.normalize("NFKC", phrase).split()
    if not any(ch.isalnum() for word in words for ch in word):
        return None
    body = r"\s+".join(re.escape(word) for word in words)
    # A boundary only where the phrase itself begins or ends with a letter or digit ("(c)" needs none).
    start = r"(?<!\w)" if re.match(r"\w", words[0]) else ""
    end = r"(?!\w)" if re.search(r"\w$", words[-1]) else ""
    return re.compile(start + body + end, re.IGNORECASE)


def readable(text: str) -> str:
    """Text as phrases are matched against it: compatibility forms folded, zero-width marks removed."""
    return unicodedata.normalize("NFKC", text).replace("\u200b", "").replace("\u00ad", "")


@dataclass
class _PageText:
    """The page's characters in reading order with their boxes, so that a match in the text maps back to
    the rectangles it covers."""

    text: str
    boxes: list[tuple[int, pymupdf.Rect] | None]  # (line number, char box) per character; None between lines

    @classmethod
    def of(cls, page: pymupdf.Page) -> _PageText:
        chars: list[str] = []
        boxes: list[tuple[int, pymupdf.Rect] | None] = []
        line_number = 0
        for block in page.get_text("rawdict", flags=pymupdf.TEXT_PRESERVE_WHITESPACE)["blocks"]:
            for line in block.get("lines", ()):
                for span in line["spans"]:
                    for char in span["chars"]:
                        folded = unicodedata.normalize("NFKC", char["c"])
                        for piece in folded:
                            chars.append(piece)
                            boxes.append((line_number, pymupdf.Rect(char["bbox"])))
                chars.append("\n")
                boxes.append(None)
                line_number += 1
        return cls("".join(chars), boxes)

    def rects(self, start: int, end: int) -> list[pymupdf.Rect]:
        """One rectangle per line the stretch start…end covers."""
        by_line: dict[int, pymupdf.Rect] = {}
        for box in self.boxes[start:end]:
            if box is not None:
                line, rect = box
                by_line[line] = by_line[line] | rect if line in by_line else pymupdf.Rect(rect)
        return [rect for _line, rect in sorted(by_line.items())]

    def find(self, pattern: re.Pattern[str]) -> list[pymupdf.Rect]:
        return [rect for match in pattern.finditer(self.text) for rect in self.rects(match.start(), match.end())]

    def inside(self, area: pymupdf.Rect) -> str:
        """The characters whose centre lies in `area`, lines separated by newlines."""
        picked = []
        for char, box in zip(self.text, self.boxes, strict=True):
            if box is None:
                picked.append("\n")
            elif area.contains(pymupdf.Point((box[1].x0 + box[1].x1) / 2, (box[1].y0 + box[1].y1) / 2)):
                picked.append(char)
            elif picked and picked[-1] != " ":
                picked.append(" ")
        return "".join(picked)


@dataclass(frozen=True)
class Box:
    """Where a redaction lands: 1-based page, rectangle, the label shown in it, and which redaction."""

    page: int
    rect: tuple[float, float, float, float]
    reason: str
    mark_id: int


def locate(pdf: pymupdf.Document, marks: list[Mark]) -> list[Box]:
    """Every box the marks make on these pages: what the viewer previews and what burning covers.
    A rectangle on a page the document does not have is an error."""
    boxes: list[Box] = []
    for mark in marks:
        if mark.rect is not None and mark.page is not None and not 1 <= mark.page <= pdf.page_count:
            raise RedactionError(f"A redaction box is on page {mark.page}, but the document has "
                                 f"{pdf.page_count} page{'s' if pdf.page_count != 1 else ''} when produced.")
    phrases = [(mark, phrase_pattern(mark.phrase)) for mark in marks if mark.phrase]
    for page in pdf:
        number = page.number + 1  # type: ignore[operator]
        for mark in marks:
            if mark.rect is not None and mark.page == number:
                boxes.append(Box(number, mark.rect, mark.reason, mark.id))
        if phrases:
            text = _PageText.of(page)
            for mark, pattern in phrases:
                assert pattern is not None
                boxes.extend(Box(number, tuple(rect), mark.reason, mark.id) for rect in text.find(pattern))
    return boxes


# --- burning in ------------------------------------------------------------------------------------------
@dataclass
class Burned:
    """What burning removed, for the checks that follow: the phrases that must no longer be readable and
    the text that lay under the boxes (so metadata carrying the same words can be masked too)."""

    phrases: list[str] = field(default_factory=list)
    covered_text: list[str] = field(default_factory=list)
    labels: set[str] = field(default_factory=set)
    boxes: int = 0


def burn(pdf: pymupdf.Document, marks: list[Mark]) -> Burned:
    """Apply the marks to the pages for good: content under each box removed, box black, label inside."""
    burned = Burned(phrases=[m.phrase for m in marks if m.phrase], labels={_label_text(m.reason) for m in marks})
    by_page: dict[int, list[Box]] = {}
    for box in locate(pdf, marks):
        by_page.setdefault(box.page, []).append(box)
    for number, boxes in by_page.items():
        page = pdf[number - 1]
        text = _PageText.of(page)
        for box in boxes:
            rect = pymupdf.Rect(box.rect)
            burned.covered_text.append(text.inside(rect))
            page.add_redact_annot(rect, fill=(0, 0, 0), cross_out=False)
        page.apply_redactions(images=pymupdf.PDF_REDACT_IMAGE_PIXELS,
                              graphics=pymupdf.PDF_REDACT_LINE_ART_REMOVE_IF_TOUCHED,
                              text=pymupdf.PDF_REDACT_TEXT_REMOVE)
        for box in boxes:
            _write_label(page, pymupdf.Rect(box.rect), _label_text(box.reason))
        burned.boxes += len(boxes)
    return burned


def _label_text(reason: str) -> str:
    return reason if all(_LABEL_FONT.has_glyph(ord(c)) for c in reason) else \
        "".join(c if _LABEL_FONT.has_glyph(ord(c)) else "?" for c in reason)


def _write_label(page: pymupdf.Page, rect: pymupdf.Rect, label: str) -> None:
    """The reason in white inside the box, as large as fits (up to 9 pt); boxes too small for a legible
    label stay plain black."""
    width = _LABEL_FONT.text_length(label, fontsize=1)
    size = min(_LARGEST_LABEL, rect.height * 0.75, (rect.width - 2) / width if width else _LARGEST_LABEL)
    if size < _SMALLEST_LABEL:
        return
    writer = pymupdf.TextWriter(page.rect, color=(1, 1, 1))
    baseline = rect.y0 + (rect.height + size * 0.7) / 2
    writer.append(pymupdf.Point(rect.x0 + (rect.width - width * size) / 2, baseline), label, font=_LABEL_FONT,
                  fontsize=size)
    writer.write_text(page)
