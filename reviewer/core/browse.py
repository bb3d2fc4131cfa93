"""Read-only questions a review screen asks: ordered id lists, pages of rows, facet counts, one document.

Everything here takes ids and returns plain dataclasses, so it is safe to call from any thread with the
case's own sessions. Lists of 100,000+ documents are ordered in SQL; only the rows a screen shows are
ever loaded (`document_rows` for a page of ids).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Select, SQLColumnExpression, func, select
from sqlalchemy.orm import Session

from reviewer.core.analytics import groups as analytics_groups
from reviewer.core.analytics.scores import score_sort_key, visible_scores
from reviewer.core.case import Case
from reviewer.core.db import selected_ids
from reviewer.core.models import (
    Document,
    DocumentCustodian,
    DocumentTag,
    EmailThread,
    ImportedRecord,
    IngestEntry,
    NearDuplicate,
    Tag,
)
from reviewer.core.sql import calendar_month, calendar_year, given_ids, sortable, sortable_nocase
from reviewer.core.team.access import visible_ids

# The date a reviewer sorts and filters by: sent for email, else modified, else created.
DATE = func.coalesce(Document.sent, Document.modified, Document.created)
_SENDER = func.coalesce(func.nullif(Document.email_from, ""), Document.author)
_SUBJECT = func.coalesce(func.nullif(Document.subject, ""), func.nullif(Document.title, ""),
                         Document.file_name)
_TAG_NAMES = (
    select(func.aggregate_strings(Tag.name, ", "))
    .join(DocumentTag, DocumentTag.tag_id == Tag.id)
    .where(DocumentTag.document_id == Document.id)
    .correlate(Document)
    .scalar_subquery()
)

# Column key -> what the list is ordered by when the reviewer sorts on it. Text sorts ignore case.
SORT_KEYS: dict[str, SQLColumnExpression[Any]] = {
    "control": sortable(Document.control),
    "date": DATE,
    "from": sortable_nocase(_SENDER),
    "to": sortable_nocase(Document.email_to),
    "subject": sortable_nocase(_SUBJECT),
    "custodian": sortable_nocase(Document.custodian),
    "type": sortable(Document.kind),
    "pages": Document.pages,
    "tags": sortable(_TAG_NAMES),
    "thread": select(sortable(EmailThread.thread_sort)).where(EmailThread.document_id == Document.id)
    .correlate(Document).scalar_subquery(),
    "inclusive": select(EmailThread.inclusive).where(EmailThread.document_id == Document.id)
    .correlate(Document).scalar_subquery(),
    "near_dup": select(NearDuplicate.near_dup_group).where(NearDuplicate.document_id == Document.id)
    .correlate(Document).scalar_subquery(),
    "similarity": select(NearDuplicate.similarity).where(NearDuplicate.document_id == Document.id,
                                                        NearDuplicate.near_dup_group.is_not(None))
    .correlate(Document).scalar_subquery(),
}

EMAIL_KINDS = frozenset({"eml", "emlx", "msg"})
PAGE_KINDS = frozenset({"pdf", "image"})
UNDATED = "undated"


@dataclass(frozen=True)
class BrowseFilter:
    """Facet choices that narrow the current result; None means "any"."""

    tag_id: int | None = None
    custodian: str | None = None
    kind: str | None = None
    period: str | None = None  # "2023" or "2023-09", or UNDATED

    @property
    def active(self) -> bool:
        return any(value is not None for value in (self.tag_id, self.custodian, self.kind, self.period))


@dataclass(frozen=True)
class DocumentRow:
    """What one line of the document list shows."""

    id: int
    control: str
    date: datetime | None
    sender: str
    recipients: str
    subject: str
    custodian: str
    kind: str
    pages: int | None
    tags: tuple[str, ...]
    # Email threading and near-duplicates (None or "" until analysed, or when not applicable).
    thread_group: int | None = None
    thread_path: str = ""
    inclusive: bool | None = None
    near_dup_group: int | None = None
    similarity: float | None = None
    # The prioritized review's score beside the list (None when there is none, or while validating).
    score: float | None = None


@dataclass(frozen=True)
class TagCount:
    id: int
    name: str
    hotkey: str
    color: str
    count: int


@dataclass(frozen=True)
class Facets:
    """Document counts per facet value within a result (the whole case when the result is None)."""

    total: int
    tags: list[TagCount]
    custodians: list[tuple[str, int]]
    kinds: list[tuple[str, int]]
    months: list[tuple[str, int]]  # ("2023-09", n) oldest first; UNDATED last


@dataclass(frozen=True)
class CodingCounts:
    coded: int
    uncoded: int


@dataclass(frozen=True)
class FamilyMember:
    id: int
    control: str
    name: str
    depth: int
    is_current: bool


@dataclass(frozen=True)
class DocumentDetail:
    """Everything a viewer needs to show one document, read in one go."""

    id: int
    control: str
    display: str  # "page" (PDF or image, rendered), "email" (header block + body) or "text"
    native: Path | None
    text: str
    body_offset: int  # where an email's body starts in `text` (after the header block)
    metadata: list[tuple[str, str]]
    family: list[FamilyMember]
    # A document from an incoming production may come with its native beside the page images.
    produced_native: Path | None = None
    produced_native_name: str = ""


# ---- Ordered id lists ---------------------------------------------------------------------------------


def ordered_ids(case: Case, within: Collection[int] | None = None, browse: BrowseFilter = BrowseFilter(),
                sort: str = "control", descending: bool = False, score_tag: int | None = None) -> list[int]:
    """The ids to list: `within` (a search result, None for the whole case) narrowed by `browse`, ordered
    by the `sort` column (a key of SORT_KEYS, or "score": the prioritized-review score for `score_tag`).
    The whole case is ordered in SQL and `within` picked out of it, which is as fast as it gets for a
    result of any size."""
    with case.db.reader() as session:
        key = score_sort_key(session, score_tag) if sort == "score" else SORT_KEYS[sort]
        if key is None:  # no scores to sort by (none shown, or hidden while validating)
            key = SORT_KEYS["control"]
        order = [key.desc() if descending else key.asc()]
        if key is not SORT_KEYS["control"]:  # control numbers are never empty and unique: read in index order
            # Empty values last in either direction, then a stable tie-break on the id.
            order = [key.is_(None), *order, Document.id.desc() if descending else Document.id.asc()]
        ids = selected_ids(session, _filtered(select(Document.id), browse).order_by(*order))
    visible = visible_ids(case)  # a reviewer given only their batches lists only those
    if visible is not None:
        within = visible if within is None else visible.intersection(within)
    if within is None:
        return list(ids)
    wanted = within if isinstance(within, set | frozenset) else set(within)
    return [i for i in ids if i in wanted]


def _filtered(query: Select[Any], browse: BrowseFilter) -> Select[Any]:
    if browse.tag_id is not None:
        query = query.where(Document.id.in_(select(DocumentTag.document_id).where(
            DocumentTag.tag_id == browse.tag_id)))
    if browse.custodian is not None:
        query = query.where(Document.id.in_(select(DocumentCustodian.document_id).where(
            DocumentCustodian.custodian == browse.custodian)))
    if browse.kind is not None:
        query = query.where(Document.kind == browse.kind)
    if browse.period == UNDATED:
        query = query.where(DATE.is_(None))
    elif browse.period is not None:
        period = calendar_year(DATE) if len(browse.period) == 4 else calendar_month(DATE)
        query = query.where(period == browse.period)
    return query


def controls_to_ids(case: Case, controls: Iterable[str]) -> list[int]:
    """Ids for control numbers, in the order given; unknown control numbers are left out."""
    wanted = [c.strip().upper() for c in controls]
    found: dict[str, int] = {}
    with case.db.reader() as session:
        for start in range(0, len(wanted), 900):
            chunk = wanted[start:start + 900]
            found.update(session.execute(
                select(Document.control, Document.id).where(Document.control.in_(chunk))).all())
    return [found[c] for c in wanted if c in found]


# ---- Rows, counts and facets --------------------------------------------------------------------------


def document_rows(case: Case, ids: Sequence[int], score_tag: int | None = None) -> list[DocumentRow]:
    """Rows for a page of ids, in the same order (missing ids are left out), with their prioritized-review
    scores for `score_tag` when given."""
    with case.db.reader() as session:
        scores = visible_scores(session, score_tag, ids) if score_tag is not None else {}
        documents = session.execute(
            select(Document.id, Document.control, DATE, _SENDER, Document.email_to, _SUBJECT,
                   Document.custodian, Document.kind, Document.pages)
            .where(Document.id.in_(ids))
        ).all()
        tags: dict[int, list[str]] = {}
        for doc_id, name in session.execute(
            select(DocumentTag.document_id, Tag.name).join(Tag, Tag.id == DocumentTag.tag_id)
            .where(DocumentTag.document_id.in_(ids)).order_by(Tag.position, Tag.name)
        ).all():
            tags.setdefault(doc_id, []).append(name)
        analysed = analytics_groups.list_values(session, list(ids))
    by_id = {
        row.id: DocumentRow(row.id, row.control, row[2], row[3] or "", row.email_to, row[5] or "",
                            row.custodian, row.kind, row.pages, tuple(tags.get(row.id, ())),
                            *analysed.get(row.id, (None, "", None, None, None)),
                            score=scores.get(row.id))
        for row in documents
    }
    return [by_id[i] for i in ids if i in by_id]


def coding_counts(case: Case, ids: Collection[int] | None = None) -> CodingCounts:
    """How many documents of a result carry at least one tag, and how many carry none."""
    with case.db.reader() as session:
        tagged = set(selected_ids(session, select(DocumentTag.document_id).distinct()))
        total = len(ids) if ids is not None else (
            session.scalar(select(func.count()).select_from(Document)) or 0)
    coded = len(tagged) if ids is None else sum(1 for i in ids if i in tagged)
    return CodingCounts(coded, total - coded)


def tag_counts(case: Case, ids: Collection[int]) -> dict[int, int]:
    """How many of the documents `ids` carry each tag (tag id -> count; tags on none are left out)."""
    with case.db.reader() as session:
        return dict(session.execute(
            select(DocumentTag.tag_id, func.count())
            .where(DocumentTag.document_id.in_(given_ids(ids)))
            .group_by(DocumentTag.tag_id)).all())


def facets(case: Case, ids: Collection[int] | None = None) -> Facets:
    """Counts per tag, custodian, file type and month within `ids` (the whole case when None)."""
    wanted = set(ids) if ids is not None else None
    with case.db.reader() as session:
        tag_counts = _count(session, DocumentTag.document_id, DocumentTag.tag_id, wanted)
        tags = [TagCount(t.id, t.name, t.hotkey, t.color, tag_counts.get(t.id, 0))
                for t in session.scalars(select(Tag).order_by(Tag.position, Tag.name))]
        custodians = _count(session, DocumentCustodian.document_id, DocumentCustodian.custodian, wanted)
        kinds = _count(session, Document.id, Document.kind, wanted)
        months = _count(session, Document.id, func.coalesce(calendar_month(DATE), UNDATED), wanted)
        total = len(wanted) if wanted is not None else (
            session.scalar(select(func.count()).select_from(Document)) or 0)
    by_count = sorted(custodians.items(), key=lambda kv: (-kv[1], kv[0]))
    dated = sorted((m, n) for m, n in months.items() if m != UNDATED)
    if UNDATED in months:
        dated.append((UNDATED, months[UNDATED]))
    return Facets(total, tags, by_count, sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0])), dated)


def _count(session: Session, doc_id: SQLColumnExpression[int], value: SQLColumnExpression[Any],
           wanted: set[int] | None) -> Counter[Any]:
    """Documents per value, over `wanted` documents or over all of them, counted in SQL."""
    query = select(value, func.count()).group_by(value)
    if wanted is not None:
        query = query.where(doc_id.in_(given_ids(wanted)))
    return Counter(dict(session.execute(query).all()))


# ---- One document -------------------------------------------------------------------------------------


def document_detail(case: Case, doc_id: int) -> DocumentDetail:
    with case.db.reader() as session:
        document = session.get(Document, doc_id)
        if document is None:
            raise LookupError(f"no document with id {doc_id}")
        text = case.texts.read(document.control, document.id)
        native = case.natives.path_for(document.sha256)
        native_path = native if native.is_file() else None
        record = session.scalar(select(ImportedRecord).where(ImportedRecord.document_id == document.id))
        produced = case.natives.path_for(record.native_sha256) if record and record.native_sha256 else None
        if document.kind in PAGE_KINDS and native_path is not None:
            display = "page"
        elif document.kind in EMAIL_KINDS or document.email_from or document.message_id:
            display = "email"
        else:
            display = "text"
        return DocumentDetail(
            id=document.id, control=document.control, display=display, native=native_path, text=text,
            body_offset=email_body_offset(text) if display == "email" else 0,
            metadata=_metadata(document) + _imported_metadata(record),
            family=_family(session, document),
            produced_native=produced if produced and produced.is_file() else None,
            produced_native_name=record.native_name if record else "",
        )


def email_body_offset(text: str) -> int:
    """Where the body starts in an email's extracted text: ingest writes the header block, a blank line,
    then the body (see formats/email_message.email_text)."""
    gap = text.find("\n\n")
    return gap + 2 if gap >= 0 else 0


def _metadata(d: Document) -> list[tuple[str, str]]:
    def when(value: datetime | None) -> str:
        return value.isoformat(sep=" ", timespec="seconds") if value else ""

    custodians = ", ".join(c.custodian for c in d.custodians) or d.custodian
    pairs = [
        ("Control number", d.control), ("File name", d.file_name), ("Type", d.kind), ("MIME type", d.mime),
        ("Size", f"{d.size:,} bytes"), ("Pages", str(d.pages) if d.pages else ""),
        ("Custodians", custodians), ("Source path", d.source_path), ("Author", d.author), ("Title", d.title),
        ("Created", when(d.created)), ("Modified", when(d.modified)), ("From", d.email_from),
        ("To", d.email_to), ("Cc", d.email_cc), ("Bcc", d.email_bcc),
        ("Reply-To", d.email_reply_to or ""), ("Subject", d.subject),
        ("Sent", when(d.sent)), ("Message-ID", d.message_id), ("In-Reply-To", d.in_reply_to),
        ("Flags", d.flags), ("MD5", d.md5), ("SHA-1", d.sha1), ("SHA-256", d.sha256),
        ("Extracted text", f"{d.text_chars:,} characters"), ("Added", when(d.added)),
    ]
    return [(label, value) for label, value in pairs if value]


def _imported_metadata(record: ImportedRecord | None) -> list[tuple[str, str]]:
    """A document from an incoming production keeps every DAT field under the producing party's name."""
    if record is None:
        return []
    fields: dict[str, str] = json.loads(record.fields)
    pairs = [("Bates range", f"{record.beg_bates}–{record.end_bates or record.beg_bates}"),
             ("Imported from", record.volume), ("Produced native", record.native_name)]
    return [(label, value) for label, value in pairs + list(fields.items()) if value]


def _family(session: Session, document: Document) -> list[FamilyMember]:
    """The document's family (parent email or archive and every attachment), parents before children."""
    if document.family_id is None:
        return []
    members = session.execute(
        select(Document.id, Document.control, Document.file_name, Document.subject, Document.parent_id)
        .where(Document.family_id == document.family_id).order_by(Document.id)
    ).all()
    if len(members) < 2:
        return []
    children: dict[int | None, list[Any]] = {}
    for member in members:
        children.setdefault(member.parent_id, []).append(member)
    known = {m.id for m in members}
    roots = [m for m in members if m.parent_id not in known]
    ordered: list[FamilyMember] = []

    def visit(member: Any, depth: int) -> None:
        ordered.append(FamilyMember(member.id, member.control, member.subject or member.file_name, depth,
                                    member.id == document.id))
        for child in children.get(member.id, []):
            visit(child, depth + 1)

    for root in roots:
        visit(root, 0)
    return ordered


# ---- After an ingest ----------------------------------------------------------------------------------


def batch_exceptions(case: Case, batch_id: int) -> list[tuple[str, str]]:
    """(path, reason) of every input of one ingest run that became an exception."""
    with case.db.reader() as session:
        entries = session.scalars(
            select(IngestEntry).where(IngestEntry.batch_id == batch_id, IngestEntry.status == "exception")
            .order_by(IngestEntry.id)).all()
        return [(e.display_path, e.reason) for e in entries]
