"""What producing needs to know about documents, read once into plain values (no ORM objects leave here).

Productions, previews and the privilege log all start from these facts, so the same document is described
the same way everywhere: its metadata, custodians, attachments' names, privilege coding and redactions.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select

from reviewer.core.case import Case
from reviewer.core.models import Document, DocumentCustodian, DocumentTag, PrivilegeEntry, Redaction, Tag
from reviewer.core.review import PRIVILEGED_TAG
from reviewer.core.sql import given_ids

_CHUNK = 10_000
PRIVILEGED_ATTACHMENT = "[privileged attachment]"


@dataclass(frozen=True)
class Mark:
    """One stored redaction: a rectangle on a page (1-based) or a phrase, with the label its box shows."""

    id: int
    reason: str
    page: int | None = None
    rect: tuple[float, float, float, float] | None = None
    phrase: str = ""
    query: str = ""
    user: str = ""
    added: datetime | None = None


@dataclass
class DocumentFacts:
    id: int
    control: str
    parent_id: int | None
    family_root: int
    kind: str
    mime: str
    ext: str
    file_name: str
    sha256: str
    md5: str
    sha1: str
    pages: int | None
    custodian: str
    custodians: list[str]
    author: str
    title: str
    created: datetime | None
    modified: datetime | None
    email_from: str
    email_to: str
    email_cc: str
    email_bcc: str
    subject: str
    sent: datetime | None
    flags: str
    privileged: bool = False  # tagged "Privileged"
    privilege_basis: str = ""
    privilege_description: str = ""
    marks: list[Mark] = field(default_factory=list)
    # Direct children's file names; a privileged attachment's name may say what it is about, so it is never
    # shown (not even in the header of an email that is produced).
    attachments: list[str] = field(default_factory=list)

    @property
    def is_email(self) -> bool:
        return self.kind in ("eml", "emlx", "msg")

    @property
    def date(self) -> datetime | None:
        return self.sent or self.modified or self.created


def load_facts(case: Case, doc_ids: Iterable[int]) -> dict[int, DocumentFacts]:
    """Facts for the given documents, by id (unknown ids are left out)."""
    wanted = sorted(set(doc_ids))
    facts: dict[int, DocumentFacts] = {}
    with case.db.reader() as session:
        for start in range(0, len(wanted), _CHUNK):
            ids = given_ids(wanted[start:start + _CHUNK])
            for d in session.scalars(select(Document).where(Document.id.in_(ids))):
                facts[d.id] = DocumentFacts(
                    id=d.id, control=d.control, parent_id=d.parent_id, family_root=d.family_id or d.id,
                    kind=d.kind, mime=d.mime, ext=d.ext, file_name=d.file_name, sha256=d.sha256, md5=d.md5,
                    sha1=d.sha1, pages=d.pages, custodian=d.custodian, custodians=[], author=d.author,
                    title=d.title, created=d.created, modified=d.modified, email_from=d.email_from,
                    email_to=d.email_to, email_cc=d.email_cc, email_bcc=d.email_bcc, subject=d.subject,
                    sent=d.sent, flags=d.flags,
                )
            for doc_id, custodian in session.execute(
                select(DocumentCustodian.document_id, DocumentCustodian.custodian)
                .where(DocumentCustodian.document_id.in_(ids)).order_by(DocumentCustodian.id)
            ):
                facts[doc_id].custodians.append(custodian)
            for doc_id in session.scalars(
                select(DocumentTag.document_id).join(Tag)
                .where(DocumentTag.document_id.in_(ids), func.lower(Tag.name) == PRIVILEGED_TAG.lower())
            ):
                facts[doc_id].privileged = True
            for doc_id, basis, description in session.execute(
                select(PrivilegeEntry.document_id, PrivilegeEntry.basis, PrivilegeEntry.description)
                .where(PrivilegeEntry.document_id.in_(ids))
            ):
                facts[doc_id].privilege_basis, facts[doc_id].privilege_description = basis, description
            for redaction in session.scalars(
                select(Redaction).where(Redaction.document_id.in_(ids)).order_by(Redaction.id)
            ):
                facts[redaction.document_id].marks.append(as_mark(redaction))
            names: dict[int, list[str]] = defaultdict(list)
            privileged = (select(DocumentTag.document_id).join(Tag)
                          .where(func.lower(Tag.name) == PRIVILEGED_TAG.lower()))
            for parent_id, name, hidden in session.execute(
                select(Document.parent_id, Document.file_name, Document.id.in_(privileged))
                .where(Document.parent_id.in_(ids)).order_by(Document.id)
            ):
                assert parent_id is not None  # only attachments were selected
                names[parent_id].append(PRIVILEGED_ATTACHMENT if hidden else name)
            for parent_id, children in names.items():
                facts[parent_id].attachments = children
    for fact in facts.values():
        if not fact.custodians:
            fact.custodians = [fact.custodian] if fact.custodian else []
    return facts


def as_mark(redaction: Redaction) -> Mark:
    rect = None
    if redaction.page is not None:
        assert (redaction.x0 is not None and redaction.y0 is not None and redaction.x1 is not None
                and redaction.y1 is not None)
        rect = (redaction.x0, redaction.y0, redaction.x1, redaction.y1)
    return Mark(id=redaction.id, reason=redaction.reason, page=redaction.page, rect=rect,
                phrase=redaction.phrase, query=redaction.query, user=redaction.user, added=redaction.added)
