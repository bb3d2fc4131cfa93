"""Keep only what a reader of the original can see: no hidden text, annotations or metadata goes out.

Hidden text comes in three kinds. Invisible text (render mode 3, fully transparent, or OCR's
GlyphLessFont) is the text layer of a scan: it is what the page shows, so it goes into the produced text
file but not into the produced PDF. Text outside the page is removed. Covered text lies under an opaque
image or filled shape drawn after it (a "redaction" made by pasting a black box over words): it is removed
too, and because deciding that a cover is opaque can be wrong, such a page is produced as a picture of
itself, made before anything was removed, so what it shows is exactly what the original shows.
Documents with layers that are switched off are produced as pictures too.
Annotations and form fields that are visible are made part of the page; hidden ones are dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pymupdf

from reviewer.core.produce.redact import clear

# Covers drawn in these ways hide what lies under them when opaque.
_COVERS = frozenset({"fill-path", "fill-image", "fill-shade", "fill-imgmask"})
_TEXT = frozenset({"fill-text", "stroke-text"})
_HIDDEN_ANNOTATION = pymupdf.PDF_ANNOT_IS_HIDDEN | pymupdf.PDF_ANNOT_IS_NO_VIEW  # type: ignore[attr-defined]  # PyMuPDF adds PDF_* at import
# Page keys that carry an application's private copy of the content or descriptions of it.
_PRIVATE_KEYS = ("Metadata", "PieceInfo", "Thumb", "AF")


def flatten_annotations(pdf: pymupdf.Document) -> bool:
    """Make visible annotations and filled-in form fields part of their pages, drop hidden ones and any
    redaction marks the original carried (applying those would change the document by someone else's
    hand); True when the document has layers switched off and must be produced as pictures."""
    if not pdf.is_pdf:
        return False
    for page in pdf.pages():
        for annotation in list(page.annots()):
            if annotation.type[0] == pymupdf.PDF_ANNOT_REDACT or annotation.flags & _HIDDEN_ANNOTATION:  # type: ignore[attr-defined]  # PyMuPDF adds PDF_* at import
                page.delete_annot(annotation)
    pdf.bake(annots=True, widgets=True)
    return any(not layer["on"] for layer in pdf.get_ocgs().values())


@dataclass
class Hidden:
    """Where a page has text a reader cannot see, as thin rectangles through the characters' middles
    (so removing them touches nothing else)."""

    invisible: list[pymupdf.Rect] = field(default_factory=list)
    covered: list[pymupdf.Rect] = field(default_factory=list)
    outside: list[pymupdf.Rect] = field(default_factory=list)
    entangled: bool = False  # invisible text lies on visible text: removing one would take the other

    @property
    def needs_picture(self) -> bool:
        return bool(self.covered) or self.entangled

    def __bool__(self) -> bool:
        return bool(self.invisible or self.covered or self.outside)


def hidden_text(page: pymupdf.Page) -> Hidden:
    log = page.get_bboxlog()
    opaque_fills = {d["seqno"] for d in page.get_drawings() if d.get("fill") is not None
                    and (d.get("fill_opacity") is None or d["fill_opacity"] >= 1)}
    masked_images = {tuple(round(v, 1) for v in info["bbox"]) for info in page.get_image_info()
                     if info.get("has-mask")}
    # Plain tuples: this test runs for every span against every cover, and pymupdf.Rect is slow at it.
    covers = [
        (number, tuple(rect)) for number, (kind, rect) in enumerate(log)
        if kind in _COVERS and (kind != "fill-path" or number in opaque_fills)
        and (kind != "fill-image" or tuple(round(v, 1) for v in rect) not in masked_images)
    ]
    visible_area = page.rect
    found = Hidden()
    invisible_boxes: list[pymupdf.Rect] = []
    shown_boxes: list[pymupdf.Rect] = []
    for span in page.get_texttrace():
        horizontal = abs(span["dir"][1]) < 1e-3
        bbox = pymupdf.Rect(span["bbox"])
        if span["type"] == 3 or span["opacity"] == 0 or span["font"].endswith("GlyphLessFont"):
            found.invisible.extend(_through(span["chars"], horizontal))
            invisible_boxes.append(bbox)
        elif any(number > span["seqno"] and _contains(cover, span["bbox"]) for number, cover in covers):
            found.covered.extend(_through(span["chars"], horizontal))
        elif not visible_area.contains(bbox):
            outside = [c for c in span["chars"] if not visible_area.intersects(c[3])]
            found.outside.extend(_through(outside, horizontal))
            shown_boxes.append(bbox & visible_area)
        else:
            shown_boxes.append(bbox)
    shown = _Bands(shown_boxes)
    found.entangled = any(shown.any(hidden, _overlap) for hidden in invisible_boxes)
    found.invisible, found.covered, found.outside = (
        _joined(rects, shown) for rects in (found.invisible, found.covered, found.outside)
    )
    return found


def _contains(outer: tuple[float, ...], inner: tuple[float, ...]) -> bool:
    """pymupdf.Rect.contains for two rectangles as tuples."""
    return outer[0] <= inner[0] <= inner[2] <= outer[2] and outer[1] <= inner[1] <= inner[3] <= outer[3]


def _overlap(a: pymupdf.Rect, b: pymupdf.Rect) -> bool:
    common = a & b
    return not common.is_empty and common.get_area() > 0.1 * min(a.get_area(), b.get_area())


def _touch(a: pymupdf.Rect, b: pymupdf.Rect) -> bool:
    return not (a & b).is_empty


class _Bands:
    """Rectangles filed by horizontal band, so that asking what a rectangle meets looks at its neighbours
    only: a scanned page with an OCR layer has a thousand words."""

    HEIGHT = 24.0

    def __init__(self, rects: list[pymupdf.Rect]) -> None:
        self.bands: dict[int, list[pymupdf.Rect]] = {}
        for rect in rects:
            for band in self._bands(rect):
                self.bands.setdefault(band, []).append(rect)

    def _bands(self, rect: pymupdf.Rect) -> range:
        return range(int(rect.y0 // self.HEIGHT), int(rect.y1 // self.HEIGHT) + 1)

    def any(self, rect: pymupdf.Rect, test) -> bool:
        return any(test(rect, other) for band in self._bands(rect) for other in self.bands.get(band, ()))


def _joined(rects: list[pymupdf.Rect], shown: _Bands) -> list[pymupdf.Rect]:
    """Thin rectangles on one line joined into one where nothing visible lies between them: every removal
    is a redaction annotation, and MuPDF's cost grows with the square of their number on a page."""
    joined: list[pymupdf.Rect] = []
    for rect in sorted(rects, key=lambda r: (round(r.y0, 1), r.x0)):
        last = joined[-1] if joined else None
        if last is not None and abs(last.y0 - rect.y0) < 0.5 and abs(last.y1 - rect.y1) < 0.5:
            candidate = last | rect
            if not shown.any(candidate, _touch):
                joined[-1] = candidate
                continue
        joined.append(rect)
    return joined


def _through(chars: list[tuple], horizontal: bool) -> list[pymupdf.Rect]:
    """For a horizontal run, one thin rectangle from its first character's middle to its last's; for other
    runs, a dot on each character."""
    centres = []
    for char in chars:
        box = pymupdf.Rect(char[3])
        if box.is_empty:  # zero-width glyphs: the origin marks them
            box = pymupdf.Rect(char[2], char[2]) + (-0.1, -0.1, 0.1, 0.1)
        centres.append(pymupdf.Point((box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2))
    if not centres:
        return []
    if horizontal:
        left = min(centres, key=lambda c: c.x)
        right = max(centres, key=lambda c: c.x)
        return [pymupdf.Rect(left.x - 0.05, left.y - 0.05, right.x + 0.05, left.y + 0.05)]
    return [pymupdf.Rect(c, c) + (-0.05, -0.05, 0.05, 0.05) for c in centres]


def remove_text(page: pymupdf.Page, rects: list[pymupdf.Rect]) -> None:
    """Delete the characters at these spots, leaving images and drawings as they are."""
    clear(page, rects, images=pymupdf.PDF_REDACT_IMAGE_NONE, graphics=pymupdf.PDF_REDACT_LINE_ART_NONE)  # type: ignore[attr-defined]  # PyMuPDF adds PDF_* at import


def strip_private_data(pdf: pymupdf.Document) -> None:
    """No document information, XMP or per-object metadata, application data or thumbnails."""
    pdf.set_metadata({})
    pdf.del_xml_metadata()
    for xref in range(1, pdf.xref_length()):
        for key in _PRIVATE_KEYS:
            if pdf.xref_get_key(xref, key)[0] != "null":
                pdf.xref_set_key(xref, key, "null")
