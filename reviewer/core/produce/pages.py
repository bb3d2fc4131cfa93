"""One document made ready to produce: its pages rendered, redactions burned in, hidden content dealt
with, and the text that goes with them taken from those same pages.

The order matters. Redactions are burned first, so whatever lay under a box (visible or not) is gone
before anything reads the page. Covered text and text outside the page are then removed (visible.py),
and for a redacted document the text for its text file is read (an invisible OCR layer is kept there, as
it is what the page shows). Last, invisible text is removed from the page that will be produced, unless
the page is produced as a picture of itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from reviewer.core.case import Case
from reviewer.core.produce import imaging, visible
from reviewer.core.produce.facts import DocumentFacts
from reviewer.core.produce.redact import Burned, burn
from reviewer.core.produce.stamping import SourcePage, picture_of


@dataclass
class PreparedDocument:
    pages: list[SourcePage]
    text: str  # for a redacted document, read from the redacted pages
    method: str  # how it was rendered (imaging.Rendering.method)
    burned: Burned = field(default_factory=Burned)
    pictures: int = 0  # pages produced as pictures of themselves

    def close(self) -> None:
        for pdf in {id(p.pdf): p.pdf for p in self.pages}.values():
            pdf.close()


def prepare(case: Case, facts: DocumentFacts, redacted: bool, plain_text: bool = False) -> PreparedDocument:
    """The document's cleaned pages; with `redacted`, its redactions burned in; with `plain_text`, made
    from its text in the plain layout. A damaged PDF that MuPDF opens but cannot work through is produced
    from its extracted text instead, unless boxes were drawn on its pages (they would land elsewhere).
    Raises ImagingError with the reason (the caller names the document)."""
    rendering = imaging.render(case, facts, plain_text)
    try:
        return _cleaned(case, facts, rendering, redacted)
    except imaging.MUPDF_ERRORS as error:
        rendering.pdf.close()
        drawn = redacted and any(mark.rect is not None for mark in facts.marks)
        if rendering.method != "original" or drawn:
            raise imaging.ImagingError(f"MuPDF could not work through its pages ({error})") from error
        text = case.texts.read(facts.control, facts.id)
        return _cleaned(case, facts, imaging.Rendering(imaging.text_pages(text), "text"), redacted)


def _cleaned(case: Case, facts: DocumentFacts, rendering: imaging.Rendering,
             redacted: bool) -> PreparedDocument:
    pdf = rendering.pdf
    if pdf.page_count == 0:
        pdf.new_page(width=imaging.LETTER.width, height=imaging.LETTER.height)
    as_pictures = visible.flatten_annotations(pdf)
    burned = burn(pdf, facts.marks) if redacted else Burned()
    pages: list[SourcePage] = []
    texts: list[str] = []
    pictures = 0
    for page in pdf.pages():
        hidden = visible.hidden_text(page)
        picture = picture_of(page) if as_pictures or hidden.needs_picture else None
        if picture is None or redacted:  # a picture leaves the page's text behind unless it is read
            visible.remove_text(page, hidden.covered + hidden.outside)
        if redacted:
            texts.append(page.get_text())
        if picture is None:
            visible.remove_text(page, hidden.invisible)
            # MuPDF cannot take text out of every kind of content (some form XObjects keep theirs); what
            # stays hidden in the page goes out as a picture instead.
            if hidden and visible.hidden_text(page):
                picture = picture_of(page)
        pictures += picture is not None
        pages.append(SourcePage(pdf, page.number, picture))
    text = "\f".join(texts) if redacted else case.texts.read(facts.control, facts.id)
    return PreparedDocument(pages, text, rendering.method, burned, pictures)


def slip_sheet(lines: list[str]) -> PreparedDocument:
    """A one-page statement standing in for a document (withheld, or produced natively)."""
    pdf = imaging.slip_sheet(lines)
    return PreparedDocument([SourcePage(pdf, 0)], "\n".join(lines) + "\n", "slip sheet")
