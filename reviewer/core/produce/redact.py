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
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import pymupdf
from sqlalchemy import delete, select

from reviewer.core.audit import Action, n_documents, recording
from reviewer.core.case import Case
from reviewer.core.choices import DEFAULT_REDACTION_REASON
from reviewer.core.errors import ReviewerError
from reviewer.core.models import Document, Redaction
from reviewer.core.produce import imaging, lettering
from reviewer.core.produce.facts import Mark, as_mark, load_facts
from reviewer.core.progress import CancelToken, Progress, ProgressUpdate, no_progress
from reviewer.core.search.fields import field_parts
from reviewer.core.search.service import SearchService

# Off the page too (no clipping to it): text outside the page is still text in the file.
_TEXT_FLAGS = pymupdf.TEXT_PRESERVE_WHITESPACE
_BATCH = 100
_LARGEST_LABEL = 9.0
_SMALLEST_LABEL = 3.0


class RedactionError(ReviewerError):
    """A redaction that cannot be stored or cannot be burned in as asked."""


# --- the stored redactions ---------------------------------------------------------------------------
def add_rectangle(case: Case, doc_id: int, page: int, rect: tuple[float, float, float, float],
                  reason: str = DEFAULT_REDACTION_REASON) -> Mark:
    """A box on a 1-based page, in PDF points with the origin at the top left of the produced page."""
    x0, x1 = sorted((float(rect[0]), float(rect[2])))
    y0, y1 = sorted((float(rect[1]), float(rect[3])))
    if page < 1:
        raise RedactionError("Pages are numbered from 1.")
    if x1 - x0 < 1 or y1 - y0 < 1:
        raise RedactionError("A redaction box must be at least one point wide and high.")
    return _store(case, reason, [(doc_id, Redaction(page=page, x0=x0, y0=y0, x1=x1, y1=y1))])[0]


def add_phrase(case: Case, doc_ids: Iterable[int], phrase: str, reason: str = DEFAULT_REDACTION_REASON,
               query: str = "") -> list[Mark]:
    """Redact every occurrence of a word or phrase in each of the documents; one redaction per document."""
    phrase = " ".join(phrase.split())
    if not phrase_pattern(phrase):
        raise RedactionError("A text redaction needs a word or phrase with at least one letter or digit.")
    return _store(case, reason, [(doc_id, Redaction(phrase=phrase, query=query)) for doc_id in doc_ids])


def add_hits(case: Case, hits_by_document: Mapping[int, Iterable[str]],
             reason: str = DEFAULT_REDACTION_REASON, query: str = "", progress: Progress = no_progress,
             cancel: CancelToken | None = None) -> int:
    """Redact the stretches of text a search found, per document (each distinct stretch once); how many
    redactions were added. Stretches a document already has as a redaction are skipped."""
    existing: dict[int, set[str]] = {}
    for mark_doc, facts in load_facts(case, hits_by_document).items():
        existing[mark_doc] = {_fold(m.phrase) for m in facts.marks if m.phrase}
    total, redactions = len(hits_by_document), list[tuple[int, Redaction]]()
    for done, (doc_id, stretches) in enumerate(hits_by_document.items(), start=1):
        if cancel is not None:
            cancel.raise_if_cancelled()
        wanted: dict[str, str] = {}
        for stretch in stretches:
            phrase = " ".join(stretch.split())
            if phrase_pattern(phrase) and _fold(phrase) not in existing.get(doc_id, set()):
                wanted.setdefault(_fold(phrase), phrase)
        redactions.extend((doc_id, Redaction(phrase=p, query=query)) for p in wanted.values())
        progress(ProgressUpdate("redact", done, total, {"redactions": len(redactions)}))
    # All of them in one action: one step to undo, and a cancelled run adds none.
    return len(_store(case, reason, redactions))


def add_query_hits(case: Case, search: SearchService, query: str, doc_ids: Iterable[int] | None = None,
                   reason: str = DEFAULT_REDACTION_REASON, progress: Progress = no_progress,
                   cancel: CancelToken | None = None) -> tuple[int, int]:
    """Redact every hit of a search, in the given documents or in every document it finds; how many
    documents had hits and how many redactions were added."""
    node = search.parse(query)
    wanted = sorted(search.matching_ids(node) if doc_ids is None else set(doc_ids))
    stretches: dict[int, list[str]] = {}
    with case.db.reader() as session:
        for done, doc_id in enumerate(wanted, start=1):
            if cancel is not None:
                cancel.raise_if_cancelled()
            document = session.get(Document, doc_id)
            if document is None:
                raise RedactionError(f"There is no document with id {doc_id} in this case.")
            parts = field_parts(document, case.texts.read(document.control, document.id))
            # Each hit's part is the text or a metadata field, with offsets into that part's value.
            hits = search.hit_positions(document.control, node)
            found = [parts[hit.part][0][hit.start:hit.end] for hit in hits]
            if found:
                stretches[doc_id] = found
            progress(ProgressUpdate("find hits", done, len(wanted)))
    return len(stretches), add_hits(case, stretches, reason, query, progress, cancel)


def _store(case: Case, reason: str, redactions: list[tuple[int, Redaction]]) -> list[Mark]:
    """Add the redactions as one reviewer action, each on the audit trail of its document."""
    reason = " ".join(reason.split()) or DEFAULT_REDACTION_REASON
    if len(reason) > 128:
        raise RedactionError("A redaction reason can be at most 128 characters long.")
    if not redactions:
        return []
    with recording(case) as change:
        session = change.session
        controls = dict(session.execute(select(Document.id, Document.control).where(
            Document.id.in_({d for d, _r in redactions}))).all())
        for doc_id, redaction in redactions:
            if doc_id not in controls:
                raise RedactionError(f"There is no document with id {doc_id} in this case.")
            redaction.document_id, redaction.reason = doc_id, reason
            redaction.added, redaction.user = change.at, change.user
            session.add(redaction)
        session.flush()
        change.row_events(Action.ADD_REDACTION, [(r, "", describe(r)) for _d, r in redactions], document=True)
        if len(redactions) == 1:
            [(doc_id, only)] = redactions
            what = f"a box on page {only.page} of" if only.phrase == "" else f'"{only.phrase}" in'
            change.describe(f"redacting {what} {controls[doc_id]} ({reason})")
        else:
            where = controls[redactions[0][0]] if len(controls) == 1 else n_documents(len(controls))
            change.describe(f"adding {len(redactions):,} redactions to {where} ({reason})")
        return [as_mark(redaction) for _doc_id, redaction in redactions]


def describe(redaction: Redaction) -> str:
    """How a redaction reads in the audit trail: 'page 1: 60, 440, 260, 540 (PII)' or '"Ann" (PII)'."""
    if redaction.phrase:
        return f'"{redaction.phrase}" ({redaction.reason})'
    corners = ", ".join(f"{v:g}" for v in (redaction.x0, redaction.y0, redaction.x1, redaction.y1))
    return f"page {redaction.page}: {corners} ({redaction.reason})"


def document_marks(case: Case, doc_id: int) -> list[Mark]:
    """A document's redactions, oldest first."""
    facts = load_facts(case, [doc_id])
    if doc_id not in facts:
        raise RedactionError(f"There is no document with id {doc_id} in this case.")
    return facts[doc_id].marks


def remove(case: Case, doc_id: int, redaction_ids: Iterable[int]) -> int:
    """Take redactions off a document as one reviewer action (undo puts them back exactly as they were);
    how many were removed. An id of another document is an error."""
    wanted = set(redaction_ids)
    with recording(case) as change:
        session = change.session
        found = list(session.scalars(select(Redaction).where(Redaction.document_id == doc_id,
                                                             Redaction.id.in_(wanted))
                                     .order_by(Redaction.id)))
        if {r.id for r in found} != wanted:
            missing = ", ".join(str(i) for i in sorted(wanted - {r.id for r in found}))
            raise RedactionError(f"The document has no redaction {missing}.")
        change.row_events(Action.DELETE_REDACTION, [(r, "", describe(r)) for r in found], document=True)
        session.execute(delete(Redaction).where(Redaction.id.in_(wanted)))
        control = session.scalar(select(Document.control).where(Document.id == doc_id))
        if len(found) == 1:
            what = f"the box on page {found[0].page} of" if found[0].phrase == "" \
                else f'the redaction of "{found[0].phrase}" from'
            change.describe(f"removing {what} {control}")
        elif found:
            change.describe(f"removing {len(found)} redactions from {control}")
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
    # A boundary only where the phrase itself begins or ends with a letter or digit ("(c)" needs none);
    # "_" separates words here, as in file names.
    start = r"(?<![^\W_])" if words[0][0].isalnum() else ""
    end = r"(?![^\W_])" if words[-1][-1].isalnum() else ""
    return re.compile(start + body + end, re.IGNORECASE)


def readable(text: str) -> str:
    """Text as phrases are matched against it: compatibility forms folded, zero-width marks removed."""
    return unicodedata.normalize("NFKC", text).replace("\u200b", "").replace("\u00ad", "")


Quad = tuple[float, float, float, float]


def _glyph(char: dict, size: float, horizontal: bool) -> tuple[Quad, Quad]:
    """Where a character is: `shown` spans its glyph's height on its own line (what a box must cover);
    `core` lies well inside it, so that removing what touches it cannot take characters of the lines
    above and below, whose boxes as MuPDF reckons them overlap this one. Plain tuples: a page has
    thousands of characters and only the matched ones become rectangles."""
    x0, y0, x1, y1 = char["bbox"]
    if horizontal and size > 0:
        baseline = char["origin"][1]
        y0, y1 = baseline - 0.8 * size, baseline + 0.22 * size
    dx, dy = (x1 - x0) * 0.2, (y1 - y0) * 0.3
    core = (x0 + dx, y0 + dy, x1 - dx, y1 - dy)
    if core[2] <= core[0] or core[3] <= core[1]:
        mx, my = (x0 + x1) / 2, (y0 + y1) / 2
        core = (mx - 0.05, my - 0.05, mx + 0.05, my + 0.05)
    return (x0, y0, x1, y1), core


def _union(a: Quad, b: Quad) -> Quad:
    return min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3])


@dataclass
class _PageText:
    """The page's characters in reading order with where each is, so that a match in the text maps back
    to the rectangles it covers."""

    text: str
    # Per character: (line number, raw character, its font size, whether its line runs left to right);
    # None for the breaks between lines.
    chars: list[tuple[int, dict, float, bool] | None]

    @classmethod
    def of(cls, page: pymupdf.Page) -> _PageText:
        text: list[str] = []
        chars: list[tuple[int, dict, float, bool] | None] = []
        line_number = 0
        for block in page.get_text("rawdict", flags=_TEXT_FLAGS)["blocks"]:
            for line in block.get("lines", ()):
                horizontal = abs(line["dir"][1]) < 1e-3 and line["dir"][0] > 0
                for span in line["spans"]:
                    for char in span["chars"]:
                        entry = (line_number, char, span["size"], horizontal)
                        for piece in readable(char["c"]):  # as the leak check will read it
                            text.append(piece)
                            chars.append(entry)
                text.append("\n")
                chars.append(None)
                line_number += 1
        return cls("".join(text), chars)

    def find(self, pattern: re.Pattern[str]) -> list[tuple[Quad, Quad]]:
        """(shown, core) rectangles of every match, one pair per line a match covers."""
        pairs: list[tuple[Quad, Quad]] = []
        for match in pattern.finditer(self.text):
            by_line: dict[int, tuple[Quad, Quad]] = {}
            for entry in self.chars[match.start():match.end()]:
                if entry is None:
                    continue
                line, char, size, horizontal = entry
                shown, core = _glyph(char, size, horizontal)
                if line in by_line:
                    shown, core = _union(by_line[line][0], shown), _union(by_line[line][1], core)
                by_line[line] = (shown, core)
            pairs.extend(pair for _line, pair in sorted(by_line.items()))
        return pairs

    def inside(self, area: pymupdf.Rect) -> str:
        """The characters whose centre lies in `area`, lines separated by newlines."""
        picked = []
        for piece, entry in zip(self.text, self.chars, strict=True):
            if entry is None:
                picked.append("\n")
                continue
            x0, y0, x1, y1 = entry[1]["bbox"]
            if area.x0 <= (x0 + x1) / 2 <= area.x1 and area.y0 <= (y0 + y1) / 2 <= area.y1:
                picked.append(piece)
            elif picked and picked[-1] != " ":
                picked.append(" ")
        return "".join(picked)


@dataclass(frozen=True)
class Box:
    """Where a redaction lands: 1-based page, rectangle, the label shown in it, and which redaction.
    `removal` is what burning clears (for a phrase, a band inside its words), `rect` what it blacks out."""

    page: int
    rect: Quad
    reason: str
    mark_id: int
    removal: Quad


def locate(pdf: pymupdf.Document, marks: list[Mark]) -> list[Box]:
    """Every box the marks make on these pages: what the viewer previews and what burning covers.
    A rectangle on a page the document does not have is an error."""
    boxes: list[Box] = []
    for mark in marks:
        if mark.rect is not None and mark.page is not None and not 1 <= mark.page <= pdf.page_count:
            raise RedactionError(f"A redaction box is on page {mark.page}, but the document has "
                                 f"{pdf.page_count} page{'s' if pdf.page_count != 1 else ''} when produced.")
    phrases = [(mark, phrase_pattern(mark.phrase)) for mark in marks if mark.phrase]
    for page in pdf.pages():
        number = page.number + 1
        for mark in marks:
            if mark.rect is not None and mark.page == number:
                boxes.append(Box(number, mark.rect, mark.reason, mark.id, mark.rect))
        # The page's plain text tells cheaply whether any phrase is on it; only then are its characters
        # read one by one with their positions.
        plain = unicodedata.normalize("NFKC", page.get_text(flags=_TEXT_FLAGS)) if phrases else ""
        if any(pattern.search(plain) for _mark, pattern in phrases if pattern is not None):
            text = _PageText.of(page)
            for mark, pattern in phrases:
                assert pattern is not None
                boxes.extend(Box(number, shown, mark.reason, mark.id, core)
                             for shown, core in text.find(pattern))
    return boxes


def preview(case: Case, doc_id: int) -> tuple[pymupdf.Document, list[Box]]:
    """For the viewer: the document's pages as they will be produced (a PDF's own pages; an email or other
    file as laid out for production) and the boxes its redactions make on them. Rectangles drawn on these
    pages are what add_rectangle stores. The caller closes the document."""
    facts = load_facts(case, [doc_id]).get(doc_id)
    if facts is None:
        raise RedactionError(f"There is no document with id {doc_id} in this case.")
    pdf = imaging.render(case, facts).pdf
    try:
        return pdf, locate(pdf, facts.marks)
    except BaseException:
        pdf.close()
        raise


# --- burning in ------------------------------------------------------------------------------------------
@dataclass
class Burned:
    """What burning removed, for the checks that follow: the phrases that must no longer be readable and
    the text that lay under drawn boxes (so metadata carrying the same words can be masked too)."""

    phrases: list[str] = field(default_factory=list)
    covered_text: list[str] = field(default_factory=list)
    labels: set[str] = field(default_factory=set)
    boxes: int = 0


def burn(pdf: pymupdf.Document, marks: list[Mark]) -> Burned:
    """Apply the marks to the pages for good: content under each box removed, box black, label inside."""
    burned = Burned(phrases=[m.phrase for m in marks if m.phrase],
                    labels={lettering.shown(m.reason) for m in marks})
    by_page: dict[int, list[Box]] = {}
    for box in locate(pdf, marks):
        by_page.setdefault(box.page, []).append(box)
    drawn = {mark.id for mark in marks if mark.rect is not None}
    for number, boxes in by_page.items():
        page = pdf[number - 1]
        if any(box.mark_id in drawn for box in boxes):
            text = _PageText.of(page)
            # A phrase's own words are known; a drawn box's are read off the page.
            burned.covered_text.extend(text.inside(pymupdf.Rect(box.rect))
                                       for box in boxes if box.mark_id in drawn)
        clear(page, [pymupdf.Rect(box.removal) for box in boxes], images=pymupdf.PDF_REDACT_IMAGE_PIXELS,  # type: ignore[attr-defined]  # PyMuPDF adds PDF_* at import
              graphics=pymupdf.PDF_REDACT_LINE_ART_REMOVE_IF_TOUCHED)  # type: ignore[attr-defined]  # PyMuPDF adds PDF_* at import
        for box in boxes:
            rect = pymupdf.Rect(box.rect)
            page.draw_rect(rect, color=None, fill=(0, 0, 0), overlay=True)
            _write_label(page, rect, box.reason)
        burned.boxes += len(boxes)
    return burned


def clear(page: pymupdf.Page, rects: list[pymupdf.Rect], images: int, graphics: int) -> None:
    """Remove the text under the rectangles (and, as asked, image pixels and drawings), leaving no mark.
    In batches: adding a redaction annotation costs MuPDF time in proportion to those already on the page,
    and a common word redacted on a dense page makes hundreds."""
    for start in range(0, len(rects), _BATCH):
        for rect in rects[start:start + _BATCH]:
            page.add_redact_annot(rect, fill=False, cross_out=False)  # type: ignore[arg-type]  # False: no fill; PyMuPDF's hint omits it
        page.apply_redactions(images=images, graphics=graphics, text=pymupdf.PDF_REDACT_TEXT_REMOVE)  # type: ignore[attr-defined]  # PyMuPDF adds PDF_* at import


def _write_label(page: pymupdf.Page, rect: pymupdf.Rect, label: str) -> None:
    """The reason in white inside the box, as large as fits (up to 9 pt); boxes too small for a legible
    label stay plain black."""
    width = lettering.width(label, 1)
    size = min(_LARGEST_LABEL, rect.height * 0.75, (rect.width - 2) / width if width else _LARGEST_LABEL)
    if size < _SMALLEST_LABEL:
        return
    baseline = rect.y0 + (rect.height + size * 0.7) / 2
    lettering.write(page, (rect.x0 + (rect.width - width * size) / 2, baseline), label, size, color=(1, 1, 1))
