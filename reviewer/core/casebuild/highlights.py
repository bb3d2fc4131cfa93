"""Highlights: passages of documents marked as mattering, filed under issues with a comment.

A highlight is a character span of the document's extracted text, so it can be found, shown and quoted
whatever the document is. On a PDF it also keeps the rectangles its words cover on the pages the viewer
shows (the stored original), within a point or two of the words: the stored text of a PDF was extracted
page by page, and each of its words is placed on its page (search.hits.words_on_page).

Making one is two steps, so that the desktop can run each where it belongs: placing it (reading the PDF,
PyMuPDF's lane) and storing it (the write lane). Storing, changing and deleting are reviewer actions, one
undo step each. A highlight that a fact cites can be deleted: the fact keeps citing its document and page.
"""

from __future__ import annotations

import json
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import pymupdf
from sqlalchemy import select
from sqlalchemy.orm import Session

from reviewer.core import browse
from reviewer.core.audit import Action, recording
from reviewer.core.case import Case
from reviewer.core.casebuild import issues as issue_tree
from reviewer.core.casebuild import trail
from reviewer.core.errors import ReviewerError
from reviewer.core.models import Document, FactSource, Highlight, HighlightIssue
from reviewer.core.produce.redact import phrase_pattern
from reviewer.core.search.hits import Rect, merge_lines, page_span, page_starts, words_on_page

NO_ISSUE_COLOR = "#ffd400"
LONGEST_TEXT = 20_000  # characters of the passage kept with a highlight (the span always covers it all)
PageRect = tuple[int, float, float, float, float]  # 1-based page, x0, y0, x1, y1 in points


class HighlightError(ReviewerError):
    """A highlight that cannot be made or found."""


@dataclass(frozen=True)
class Placement:
    """Where a highlight will be: its span of the text, the passage, and on PDF pages its rectangles."""

    document_id: int
    start: int
    end: int
    text: str
    page: int | None = None
    rects: tuple[PageRect, ...] = ()


@dataclass(frozen=True)
class HighlightInfo:
    id: int
    document_id: int
    control: str
    start: int
    end: int
    text: str
    page: int | None
    rects: tuple[PageRect, ...]
    comment: str
    issues: tuple[str, ...]  # names, in tree order
    issue_ids: tuple[int, ...]
    color: str  # of its first issue
    user: str
    added: datetime


# --- placing -----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Source:
    control: str
    text: str
    pdf: str | None  # the stored original, when its pages are shown (a PDF or an image)


def _source(case: Case, doc_id: int) -> _Source:
    """The document's text, and its stored original when the viewer shows its pages (browse decides)."""
    try:
        detail = browse.document_detail(case, doc_id)
    except LookupError:
        raise HighlightError(f"There is no document with id {doc_id} in this case.") from None
    paged = detail.display == "page" and detail.native is not None
    return _Source(detail.control, detail.text, str(detail.native) if paged else None)


def place_span(case: Case, doc_id: int, start: int, end: int) -> Placement:
    """A highlight of text[start:end] (what a reviewer selected in the text or email view)."""
    source = _source(case, doc_id)
    if not 0 <= start < end <= len(source.text) or not source.text[start:end].strip():
        raise HighlightError(f"Select some text of {source.control} to highlight.")
    rects = _span_rects(source, start, end)
    return Placement(doc_id, start, end, _passage(source.text[start:end]), rects[0][0] if rects else None,
                     rects)


def place_phrase(case: Case, doc_id: int, phrase: str, occurrence: int = 1) -> tuple[Placement, int]:
    """A highlight of the `occurrence`-th place the words of `phrase` appear (any letter case, any spacing or
    line break between them, whole words), and how many places there are."""
    source = _source(case, doc_id)
    pattern = phrase_pattern(phrase)
    if pattern is None:
        raise HighlightError("A highlight needs words with at least one letter or digit.")
    found = list(pattern.finditer(source.text))
    if not found:
        raise HighlightError(f'"{" ".join(phrase.split())}" is not in the text of {source.control}.')
    if not 1 <= occurrence <= len(found):
        raise HighlightError(f'"{" ".join(phrase.split())}" appears {len(found)} time'
                             f'{"s" if len(found) != 1 else ""} in {source.control}; there is no '
                             f"occurrence {occurrence}.")
    match = found[occurrence - 1]
    return place_span(case, doc_id, match.start(), match.end()), len(found)


def place_rect(case: Case, doc_id: int, page: int, rect: Rect) -> Placement:
    """A highlight of the words inside a rectangle dragged on a page (1-based, PDF points from the page's
    top left). With no words there (a picture, a signature), the rectangle itself is the highlight."""
    source = _source(case, doc_id)
    if source.pdf is None:
        raise HighlightError(f"{source.control} has no pages to draw on; select its text instead.")
    x0, x1 = sorted((float(rect[0]), float(rect[2])))
    y0, y1 = sorted((float(rect[1]), float(rect[3])))
    area = pymupdf.Rect(x0, y0, x1, y1)
    if area.width < 1 or area.height < 1:
        raise HighlightError("A highlight box must be at least one point wide and high.")
    starts = page_starts(source.text)
    with pymupdf.open(source.pdf) as pdf:
        if not 1 <= page <= pdf.page_count:
            raise HighlightError(f"{source.control} has no page {page} (it has {pdf.page_count}).")
        on_page = pdf[page - 1]
        lo, hi = page_span(starts, source.text, page - 1) if page - 1 < len(starts) else (0, 0)
        words = words_on_page(on_page, source.text, lo, hi) if hi > lo else None
        if words is not None:
            chosen = [(s, e, rects) for s, e, rects in words if any(_centre_in(r, area) for r in rects)]
            if chosen:
                start, end = chosen[0][0], chosen[-1][1]
                boxes = merge_lines(tuple(r for _s, _e, rects in chosen for r in rects))
                return Placement(doc_id, start, end, _passage(source.text[start:end]), page,
                                 tuple((page, *box) for box in boxes))
        else:
            laid_out = [w for w in on_page.get_text("words") if _centre_in(tuple(w[:4]), area)]
            if laid_out:
                boxes = merge_lines(tuple(tuple(w[:4]) for w in laid_out))
                passage = " ".join(w[4] for w in laid_out)
                found = phrase_pattern(passage)
                match = found.search(source.text, lo, hi) if found is not None and hi > lo else None
                start, end = (match.start(), match.end()) if match else (lo, lo)
                return Placement(doc_id, start, end, _passage(passage), page,
                                 tuple((page, *box) for box in boxes))
    return Placement(doc_id, lo, lo, "", page, ((page, x0, y0, x1, y1),))


def _span_rects(source: _Source, start: int, end: int) -> tuple[PageRect, ...]:
    if source.pdf is None:
        return ()
    starts = page_starts(source.text)
    first, last = bisect_right(starts, start) - 1, bisect_right(starts, end - 1) - 1
    placed: list[PageRect] = []
    with pymupdf.open(source.pdf) as pdf:
        for number in range(first, min(last, pdf.page_count - 1) + 1):
            lo, hi = page_span(starts, source.text, number)
            a, b = max(start, lo), min(end, hi)
            if a >= b or not source.text[a:b].strip():
                continue
            words = words_on_page(pdf[number], source.text, lo, hi)
            if words is not None:
                rects = merge_lines(tuple(r for s, e, on_lines in words if s < b and e > a for r in on_lines))
            else:
                rects = _first_found(pdf[number], source.text[a:b])
            placed.extend((number + 1, *rect) for rect in rects)
    return tuple(placed)


def _first_found(page: pymupdf.Page, passage: str) -> tuple[Rect, ...]:
    """The rectangles of the first place MuPDF's own search finds the passage on a page whose text no longer
    lines up with the stored text: a hit's lines run down the page, so a rectangle level with or above the
    one before begins the next hit."""
    found: list[Rect] = []
    for rect in page.search_for(" ".join(passage.split())):
        if found and rect.y0 <= found[-1][1] + 0.5:
            break
        found.append((rect.x0, rect.y0, rect.x1, rect.y1))
    return tuple(found)


def _centre_in(rect: Sequence[float], area: pymupdf.Rect) -> bool:
    return area.x0 <= (rect[0] + rect[2]) / 2 <= area.x1 and area.y0 <= (rect[1] + rect[3]) / 2 <= area.y1


def _passage(text: str) -> str:
    passage = " ".join(text.split())
    return passage if len(passage) <= LONGEST_TEXT else passage[:LONGEST_TEXT - 1] + "…"


# --- storing -----------------------------------------------------------------------------------------------
def add_highlight(case: Case, placement: Placement, issues: Iterable[str | int] = (),
                  comment: str = "") -> HighlightInfo:
    """Store a placed highlight under the issues given (ids, numbers or names) with a comment."""
    comment = comment.strip()
    with recording(case) as change:
        session = change.session
        control = session.scalar(select(Document.control).where(Document.id == placement.document_id))
        if control is None:
            raise HighlightError(f"There is no document with id {placement.document_id} in this case.")
        chosen = issue_tree.resolve(session, issues)
        highlight = Highlight(
            document_id=placement.document_id, span_start=placement.start, span_end=placement.end,
            text=placement.text, page=placement.page, comment=comment, added=change.at, user=change.user,
            rects=json.dumps([[p, *(round(v, 2) for v in box)] for p, *box in placement.rects]),
        )
        session.add(highlight)
        session.flush()
        trail.added(change, Action.ADD_HIGHLIGHT, [highlight], subject=control, text=_describe(highlight),
                    document=True)
        trail.linked(change, [HighlightIssue(highlight_id=highlight.id, issue_id=i.id) for i in chosen])
        where = f"page {placement.page} of {control}" if placement.page else control
        change.describe(f"highlighting {_quoted(placement.text) or 'a box'} on {where}")
        return _infos(session, [highlight.id])[0]


def edit_highlight(case: Case, highlight_id: int, issues: Iterable[str | int] | None = None,
                   comment: str | None = None) -> HighlightInfo:
    """Change a highlight's issues (the whole set) or its comment."""
    with recording(case) as change:
        session = change.session
        highlight = _get(session, highlight_id)
        control = session.scalar(select(Document.control).where(Document.id == highlight.document_id)) or ""
        changed = []
        if comment is not None and trail.edited(change, Action.EDIT_HIGHLIGHT, highlight,
                                                {"comment": comment.strip()}, subject=control,
                                                document_id=highlight.document_id):
            changed.append("comment")
        if issues is not None:
            wanted = {i.id for i in issue_tree.resolve(session, issues)}
            links = list(session.scalars(select(HighlightIssue)
                                         .where(HighlightIssue.highlight_id == highlight_id)))
            have = {link.issue_id for link in links}
            trail.unlinked(change, [link for link in links if link.issue_id not in wanted])
            trail.linked(change, [HighlightIssue(highlight_id=highlight_id, issue_id=i)
                                  for i in sorted(wanted - have)])
            if wanted != have:
                changed.append("issues")
        if changed:
            change.describe(f"changing the {' and '.join(changed)} of highlight {highlight_id} on {control}")
        session.flush()
        return _infos(session, [highlight_id])[0]


def delete_highlights(case: Case, highlight_ids: Iterable[int]) -> int:
    """Delete highlights; how many. A fact citing one keeps citing its document and page."""
    wanted = sorted(set(highlight_ids))
    with recording(case) as change:
        session = change.session
        rows = list(session.scalars(select(Highlight).where(Highlight.id.in_(wanted)).order_by(Highlight.id)))
        missing = sorted(set(wanted) - {row.id for row in rows})
        if missing:
            raise HighlightError(f"There is no highlight {', '.join(map(str, missing))} in this case.")
        sources = list(session.scalars(select(FactSource).where(FactSource.highlight_id.in_(wanted))))
        for source in sources:
            trail.edited(change, Action.EDIT_SOURCE, source, {"highlight_id": None})
        session.flush()
        trail.unlinked(change, list(session.scalars(select(HighlightIssue)
                                                   .where(HighlightIssue.highlight_id.in_(wanted)))))
        controls = dict(session.execute(select(Document.id, Document.control)
                                        .where(Document.id.in_({r.document_id for r in rows}))).all())
        for row in rows:
            trail.removed(change, Action.DELETE_HIGHLIGHT, [row], subject=controls[row.document_id],
                          text=_describe(row), document=True)
        if len(rows) == 1:
            change.describe(f"deleting the highlight {_quoted(rows[0].text) or 'box'} on "
                            f"{controls[rows[0].document_id]}")
        elif rows:
            change.describe(f"deleting {len(rows)} highlights")
        return len(rows)


# --- reading -----------------------------------------------------------------------------------------------
def list_highlights(case: Case, doc_id: int | None = None, issue: str | None = None) -> list[HighlightInfo]:
    """Highlights in document order then reading order; of one document, or under an issue (and its
    sub-issues)."""
    with case.db.reader() as session:
        query = select(Highlight.id).join(Document, Document.id == Highlight.document_id)
        if doc_id is not None:
            query = query.where(Highlight.document_id == doc_id)
        if issue is not None:
            chosen = issue_tree.with_subissues(session, [issue_tree.resolve(session, [issue])[0].id])
            query = query.where(Highlight.id.in_(select(HighlightIssue.highlight_id)
                                                 .where(HighlightIssue.issue_id.in_(chosen))))
        ids = list(session.scalars(query.order_by(Document.control, Highlight.page, Highlight.span_start,
                                                  Highlight.id)))
        return _infos(session, ids)


def get_highlight(case: Case, highlight_id: int) -> HighlightInfo:
    with case.db.reader() as session:
        _get(session, highlight_id)
        return _infos(session, [highlight_id])[0]


def _get(session: Session, highlight_id: int) -> Highlight:
    highlight = session.get(Highlight, highlight_id)
    if highlight is None:
        raise HighlightError(f"There is no highlight {highlight_id} in this case.")
    return highlight


def _infos(session: Session, ids: list[int]) -> list[HighlightInfo]:
    """Highlights by id, in the order given, with their issues in tree order."""
    if not ids:
        return []
    order = {issue.id: (index, issue) for index, issue in enumerate(issue_tree.tree(session))}
    issues: dict[int, list[int]] = defaultdict(list)
    rows: dict[int, Highlight] = {}
    controls: dict[int, str] = {}
    for start in range(0, len(ids), 10_000):
        chunk = ids[start:start + 10_000]
        for link in session.scalars(select(HighlightIssue).where(HighlightIssue.highlight_id.in_(chunk))):
            issues[link.highlight_id].append(link.issue_id)
        for row, control in session.execute(select(Highlight, Document.control)
                                            .join(Document, Document.id == Highlight.document_id)
                                            .where(Highlight.id.in_(chunk))):
            rows[row.id], controls[row.id] = row, control
    found = []
    for highlight_id in ids:
        row = rows[highlight_id]
        mine = sorted((order[i] for i in issues[highlight_id] if i in order), key=lambda pair: pair[0])
        found.append(HighlightInfo(
            id=row.id, document_id=row.document_id, control=controls[row.id], start=row.span_start,
            end=row.span_end, text=row.text, page=row.page,
            rects=stored_rects(row),
            comment=row.comment, issues=tuple(issue.name for _i, issue in mine),
            issue_ids=tuple(issue.id for _i, issue in mine),
            color=mine[0][1].color if mine else NO_ISSUE_COLOR, user=row.user, added=row.added,
        ))
    return found


def stored_rects(highlight: Highlight) -> tuple[PageRect, ...]:
    """A highlight's rectangles as stored: (page, x0, y0, x1, y1) each."""
    return tuple((int(p), float(x0), float(y0), float(x1), float(y1))
                 for p, x0, y0, x1, y1 in json.loads(highlight.rects or "[]"))


def _describe(highlight: Highlight) -> str:
    where = f"page {highlight.page}: " if highlight.page else ""
    return f"{where}{_quoted(highlight.text)}" if highlight.text else f"{where}a box"


def _quoted(text: str, longest: int = 60) -> str:
    if not text:
        return ""
    return f'"{text}"' if len(text) <= longest else f'"{text[:longest - 1]}…"'
