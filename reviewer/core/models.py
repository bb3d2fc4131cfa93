"""The case database schema (SQLAlchemy 2 typed ORM). Grow it only through Alembic migrations."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    func,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Stable constraint names so that batch migrations on SQLite can find and alter them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """The schema, the same on SQLite and PostgreSQL. Text that evidence or a load file supplies (control
    and Bates numbers, custodians, extensions, MIME types) is Text: SQLite never enforced a length, and
    PostgreSQL would refuse a longer value mid-ingest. File sizes are 64-bit."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Setting(Base):
    """Case-wide settings: name, control-number prefix, creation time."""

    __tablename__ = "setting"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text, default="")


class IngestBatch(Base):
    """One `ingest` run: who started it, with which options, and whether it finished."""

    __tablename__ = "ingest_batch"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    started: Mapped[datetime] = mapped_column(DateTime)
    finished: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    user: Mapped[str] = mapped_column(String(128), default="")
    custodian: Mapped[str] = mapped_column(Text, default="")
    sources: Mapped[str] = mapped_column(Text, default="")
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False)


class Document(Base):
    """A reviewable item: a loose file, an email, an attachment or a container member."""

    __tablename__ = "document"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    control: Mapped[str] = mapped_column(Text, unique=True)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("ingest_batch.id"), nullable=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("document.id"), nullable=True, index=True)
    # A mailbox (MBOX/PST) holds its messages without making them attachments: they are their own families.
    container_id: Mapped[int | None] = mapped_column(ForeignKey("document.id"), nullable=True)
    family_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)

    md5: Mapped[str] = mapped_column(String(32))
    sha1: Mapped[str] = mapped_column(String(40))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    dedup_key: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(BigInteger)

    custodian: Mapped[str] = mapped_column(Text, default="", index=True)
    source_path: Mapped[str] = mapped_column(Text)
    file_name: Mapped[str] = mapped_column(Text, default="")
    ext: Mapped[str] = mapped_column(Text, default="", index=True)
    mime: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(32), default="")
    pages: Mapped[int | None] = mapped_column(Integer, nullable=True)
    text_chars: Mapped[int] = mapped_column(Integer, default=0)
    flags: Mapped[str] = mapped_column(Text, default="")

    author: Mapped[str] = mapped_column(Text, default="")
    title: Mapped[str] = mapped_column(Text, default="")
    created: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    modified: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)

    email_from: Mapped[str] = mapped_column(Text, default="")
    email_to: Mapped[str] = mapped_column(Text, default="")
    email_cc: Mapped[str] = mapped_column(Text, default="")
    email_bcc: Mapped[str] = mapped_column(Text, default="")
    # None only on documents ingested before Reply-To was recorded: building people reads it from originals.
    email_reply_to: Mapped[str | None] = mapped_column(Text, nullable=True, default="")
    subject: Mapped[str] = mapped_column(Text, default="")
    sent: Mapped[datetime | None] = mapped_column(DateTime, nullable=True, index=True)
    message_id: Mapped[str] = mapped_column(Text, default="")
    in_reply_to: Mapped[str] = mapped_column(Text, default="")
    references: Mapped[str] = mapped_column(Text, default="")

    indexed: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    added: Mapped[datetime] = mapped_column(DateTime)

    children: Mapped[list[Document]] = relationship(
        foreign_keys=[parent_id], back_populates="parent", order_by="Document.id"
    )
    parent: Mapped[Document | None] = relationship(
        foreign_keys=[parent_id], back_populates="children", remote_side=[id]
    )
    custodians: Mapped[list[DocumentCustodian]] = relationship(
        back_populates="document", order_by="DocumentCustodian.id", cascade="all, delete-orphan"
    )

    @property
    def date(self) -> datetime | None:
        """The date a reviewer sorts by: sent for email, else modified, else created."""
        return self.sent or self.modified or self.created


class DocumentCustodian(Base):
    """Every custodian a document (or an exact duplicate of it) was found under."""

    __tablename__ = "document_custodian"
    __table_args__ = (UniqueConstraint("document_id", "custodian"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"))
    custodian: Mapped[str] = mapped_column(Text)

    document: Mapped[Document] = relationship(back_populates="custodians")


class IngestEntry(Base):
    """The ledger: one row per input file or container member, ending as document, duplicate or exception."""

    __tablename__ = "ingest_entry"
    __table_args__ = (
        UniqueConstraint("custodian", "source_path", "member_path", name="uq_ingest_entry_item"),
        Index("ix_ingest_entry_status", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("ingest_batch.id"), nullable=True)
    custodian: Mapped[str] = mapped_column(Text, default="")
    source_path: Mapped[str] = mapped_column(Text)
    member_path: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16))  # document | duplicate | exception
    reason: Mapped[str] = mapped_column(Text, default="")
    document_id: Mapped[int | None] = mapped_column(ForeignKey("document.id"), nullable=True)
    sha256: Mapped[str] = mapped_column(String(64), default="")
    size: Mapped[int] = mapped_column(BigInteger, default=0)
    kind: Mapped[str] = mapped_column(String(32), default="")
    added: Mapped[datetime] = mapped_column(DateTime)

    @property
    def display_path(self) -> str:
        return f"{self.source_path}!{self.member_path}" if self.member_path else self.source_path


class Tag(Base):
    """A coding choice (Bias-related, Privileged, …) with its group, colour and number-key hotkey."""

    __tablename__ = "tag"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    group: Mapped[str] = mapped_column(String(128), default="")
    color: Mapped[str] = mapped_column(String(16), default="#808080")
    hotkey: Mapped[str] = mapped_column(String(8), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)


class DocumentTag(Base):
    __tablename__ = "document_tag"
    __table_args__ = (UniqueConstraint("document_id", "tag_id"), Index("ix_document_tag_tag", "tag_id"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"))
    tag_id: Mapped[int] = mapped_column(ForeignKey("tag.id", ondelete="CASCADE"))
    added: Mapped[datetime] = mapped_column(DateTime)
    user: Mapped[str] = mapped_column(String(128), default="")


class Note(Base):
    __tablename__ = "note"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    added: Mapped[datetime] = mapped_column(DateTime)
    user: Mapped[str] = mapped_column(String(128), default="")


class SavedSearch(Base):
    """A named query, re-run live; usable inside another query as saved:"NAME"."""

    __tablename__ = "saved_search"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(256), unique=True)
    query: Mapped[str] = mapped_column(Text)
    added: Mapped[datetime] = mapped_column(DateTime)
    user: Mapped[str] = mapped_column(String(128), default="")


class SearchHistory(Base):
    """Every query run in the case, newest last, with its hit count."""

    __tablename__ = "search_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    query: Mapped[str] = mapped_column(Text)
    hits: Mapped[int] = mapped_column(Integer, default=0)
    ran: Mapped[datetime] = mapped_column(DateTime)
    user: Mapped[str] = mapped_column(String(128), default="")


class PrivilegeEntry(Base):
    """Why a document is privileged: the basis and the description that goes on the privilege log."""

    __tablename__ = "privilege_entry"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"), unique=True)
    basis: Mapped[str] = mapped_column(String(32))
    description: Mapped[str] = mapped_column(Text, default="")
    added: Mapped[datetime] = mapped_column(DateTime)
    user: Mapped[str] = mapped_column(String(128), default="")


class AuditGroup(Base):
    """One reviewer action (a keypress, a batch over a selection, a command): the unit that undo reverses."""

    __tablename__ = "audit_group"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime)
    user: Mapped[str] = mapped_column(String(128), default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    # Unique, so that two windows undoing at once cannot both reverse the same action.
    undo_of: Mapped[int | None] = mapped_column(ForeignKey("audit_group.id"), nullable=True, unique=True)
    # False for the run of a long job (an ingest batch, an import, a production): on record, never undone.
    undoable: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


class AuditEvent(Base):
    """One change to one document, tag, redaction, saved search, attorney or setting, before → after, kept
    for the life of the case."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime)
    user: Mapped[str] = mapped_column(String(128), default="")
    # No cascade: a document's audit trail must not vanish silently.
    document_id: Mapped[int | None] = mapped_column(ForeignKey("document.id"), nullable=True, index=True)
    action: Mapped[str] = mapped_column(String(32))
    # Plain ids, not foreign keys: the trail outlives the tags and notes it mentions.
    tag_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    note_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    before: Mapped[str] = mapped_column(Text, default="")
    after: Mapped[str] = mapped_column(Text, default="")
    group_id: Mapped[int] = mapped_column(ForeignKey("audit_group.id"), index=True)
    # What the event is about when that is not a document's coding or a tag: a setting's key, a saved
    # search's name, an attorney, a production volume.
    subject: Mapped[str] = mapped_column(Text, default="", server_default="")
    # The redaction, saved search or attorney row the event added or removed (a plain id, like tag_id),
    # and that whole row as JSON, so that undo puts it back exactly as it was, under the same id.
    subject_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    detail: Mapped[str] = mapped_column(Text, default="", server_default="")


class Redaction(Base):
    """A box to burn into a document when it is produced: a rectangle drawn on a page, or a phrase whose
    every occurrence on the produced pages is covered. The original is never touched."""

    __tablename__ = "redaction"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"), index=True)
    # A rectangle has a 1-based page and PDF-point corners on the page as produced; a phrase has neither.
    page: Mapped[int | None] = mapped_column(Integer, nullable=True)
    x0: Mapped[float | None] = mapped_column(Float, nullable=True)
    y0: Mapped[float | None] = mapped_column(Float, nullable=True)
    x1: Mapped[float | None] = mapped_column(Float, nullable=True)
    y1: Mapped[float | None] = mapped_column(Float, nullable=True)
    phrase: Mapped[str] = mapped_column(Text, default="")
    query: Mapped[str] = mapped_column(Text, default="")  # the search whose hits this phrase came from
    reason: Mapped[str] = mapped_column(String(128))
    added: Mapped[datetime] = mapped_column(DateTime)
    user: Mapped[str] = mapped_column(String(128), default="")


class Production(Base):
    """One production volume: its Bates numbering, the choices it was made with, and where it was written."""

    __tablename__ = "production"
    # Backstop for the range check made inside the recording transaction: no two runs start on one number.
    __table_args__ = (UniqueConstraint("prefix", "first_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(256), unique=True)
    volume: Mapped[str] = mapped_column(String(64))
    prefix: Mapped[str] = mapped_column(String(64), index=True)
    digits: Mapped[int] = mapped_column(Integer)
    first_number: Mapped[int] = mapped_column(Integer)
    last_number: Mapped[int] = mapped_column(Integer)
    image_format: Mapped[str] = mapped_column(String(8))
    endorsement: Mapped[str] = mapped_column(Text, default="")
    query: Mapped[str] = mapped_column(Text, default="")
    options: Mapped[str] = mapped_column(Text, default="")  # the remaining choices, as JSON
    out_dir: Mapped[str] = mapped_column(Text)
    created: Mapped[datetime] = mapped_column(DateTime)
    user: Mapped[str] = mapped_column(String(128), default="")


class ProductionDocument(Base):
    """How one document went out in one production: its place, Bates range, family range and treatment."""

    __tablename__ = "production_document"
    # A Bates number names one produced document, whichever production it went out in.
    __table_args__ = (UniqueConstraint("production_id", "document_id"), UniqueConstraint("beg_bates"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    production_id: Mapped[int] = mapped_column(ForeignKey("production.id", ondelete="CASCADE"))
    # No cascade: what was produced stays on record.
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    treatment: Mapped[str] = mapped_column(String(16))
    first_number: Mapped[int] = mapped_column(Integer)
    last_number: Mapped[int] = mapped_column(Integer)
    beg_bates: Mapped[str] = mapped_column(String(96))
    end_bates: Mapped[str] = mapped_column(String(96))
    beg_attach: Mapped[str] = mapped_column(String(96))
    end_attach: Mapped[str] = mapped_column(String(96))


class Attorney(Base):
    """A person marked as counsel: an address, a name, or a whole @domain; flagged on the privilege log."""

    __tablename__ = "attorney"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    identity: Mapped[str] = mapped_column(String(320), unique=True)
    added: Mapped[datetime] = mapped_column(DateTime)
    user: Mapped[str] = mapped_column(String(128), default="")


class ImportedRecord(Base):
    """One DAT row of an incoming production: the producing party's numbers and every field as received."""

    __tablename__ = "imported_record"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"), unique=True)
    beg_bates: Mapped[str] = mapped_column(Text, unique=True)
    end_bates: Mapped[str] = mapped_column(Text, default="")
    beg_attach: Mapped[str] = mapped_column(Text, default="")
    end_attach: Mapped[str] = mapped_column(Text, default="")
    volume: Mapped[str] = mapped_column(Text, default="")  # the DAT it came from, for the paralegal
    fields: Mapped[str] = mapped_column(Text, default="{}")  # every DAT field by its own name, as JSON
    native_sha256: Mapped[str] = mapped_column(String(64), default="")
    native_name: Mapped[str] = mapped_column(Text, default="")
    added: Mapped[datetime] = mapped_column(DateTime)
    updated: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class PageBates(Base):
    """The Bates number stamped on one page of an imported document (page_number is 1-based)."""

    __tablename__ = "page_bates"
    __table_args__ = (UniqueConstraint("document_id", "page_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"))
    page_number: Mapped[int] = mapped_column(Integer)
    bates: Mapped[str] = mapped_column(Text, index=True)


# --- email threading and near-duplicates ---
# Derived data: recomputed by reviewer.core.analytics after every ingest and import and by `reviewer analyze`;
# never a reviewer action, so never on the audit trail (a run the user starts is, as a long job).


class TextFingerprint(Base):
    """What the analytics read from a document's text, kept so that later runs read only new documents: the
    messages its body holds (for threading) and its MinHash signature (for near-duplicates)."""

    __tablename__ = "text_fingerprint"

    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"), primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    message: Mapped[bool] = mapped_column(Boolean, default=False)  # an email, or a message given as text
    segments: Mapped[str] = mapped_column(Text, default="")  # its messages as JSON (see analytics.threads)
    words: Mapped[int | None] = mapped_column(Integer, nullable=True)  # None: no signature computed yet
    signature: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)  # None: never groups


class EmailThread(Base):
    """A document's place in its email conversation. Attachments carry their email's group."""

    __tablename__ = "email_thread"

    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"), primary_key=True)
    thread_group: Mapped[int] = mapped_column(Integer, index=True)
    thread_path: Mapped[str] = mapped_column(String(512), default="")  # 0001.0002.0001: root → this message
    thread_sort: Mapped[str] = mapped_column(String(530), default="", index=True)  # group, then path
    thread_indent: Mapped[int] = mapped_column(Integer, default=0)
    email_action: Mapped[str] = mapped_column(String(16), default="")  # "" for attachments
    inclusive: Mapped[bool | None] = mapped_column(Boolean, nullable=True)  # None for attachments
    inclusive_reason: Mapped[str] = mapped_column(String(16), default="")
    missing: Mapped[str] = mapped_column(String(16), default="")  # its parent: referenced | quoted
    missing_label: Mapped[str] = mapped_column(Text, default="")  # what is known of the missing parent
    duplicate_of: Mapped[int | None] = mapped_column(Integer, nullable=True)  # the document standing for it


class NearDuplicate(Base):
    """A document's near-duplicate group (None: none), the group's principal and the similarity to it."""

    __tablename__ = "near_duplicate"

    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"), primary_key=True)
    near_dup_group: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    principal_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    similarity: Mapped[float | None] = mapped_column(Float, nullable=True)  # 0–100, to the principal


class AnalysisRun(Base):
    """One run of the analytics: which, with which settings, and whether it finished. The newest finished
    near-duplicate run's settings are the ones later incremental runs use."""

    __tablename__ = "analysis_run"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    started: Mapped[datetime] = mapped_column(DateTime)
    finished: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    user: Mapped[str] = mapped_column(String(128), default="")
    threshold: Mapped[int] = mapped_column(Integer, default=90)
    include_emails: Mapped[bool] = mapped_column(Boolean, default=False)
    documents: Mapped[int] = mapped_column(Integer, default=0)


# --- batches and QC (team review) ---


class BatchSet(Base):
    """An admin's division of a review into batches: the query it was made from and how it was cut."""

    __tablename__ = "batch_set"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(256), unique=True)
    prefix: Mapped[str] = mapped_column(String(64), unique=True)  # batches are PREFIX-001, PREFIX-002, …
    query: Mapped[str] = mapped_column(Text, default="")
    size: Mapped[int] = mapped_column(Integer)
    families: Mapped[bool] = mapped_column(Boolean, default=False)  # whole families, never split
    threads: Mapped[bool] = mapped_column(Boolean, default=False)  # whole email threads too
    ordering: Mapped[str] = mapped_column(String(16))  # control | date | custodian
    created: Mapped[datetime] = mapped_column(DateTime)
    user: Mapped[str] = mapped_column(String(128), default="")


class BatchSetTag(Base):
    """A tag that marks a document of the set reviewed; a set with none counts any tag."""

    __tablename__ = "batch_set_tag"
    __table_args__ = (UniqueConstraint("batch_set_id", "tag_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_set_id: Mapped[int] = mapped_column(ForeignKey("batch_set.id", ondelete="CASCADE"))
    # A plain id, not a foreign key: a review tag deleted and brought back by undo (under the same id) is
    # the set's review tag again; while it is gone, no document carries it.
    tag_id: Mapped[int] = mapped_column(Integer)


class Batch(Base):
    """One batch of a set: its status (not started, in progress, completed) and the reviewer who has it."""

    __tablename__ = "batch"
    __table_args__ = (UniqueConstraint("batch_set_id", "number"), Index("ix_batch_status", "status"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_set_id: Mapped[int] = mapped_column(ForeignKey("batch_set.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(96), unique=True)
    status: Mapped[str] = mapped_column(String(16))
    assignee: Mapped[str] = mapped_column(String(128), default="")
    checked_out: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    completed: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class BatchDocument(Base):
    """A document's place in a batch; within one set a document is in exactly one batch."""

    __tablename__ = "batch_document"
    __table_args__ = (UniqueConstraint("batch_set_id", "document_id"),
                      Index("ix_batch_document_batch", "batch_id", "position"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_set_id: Mapped[int] = mapped_column(ForeignKey("batch_set.id", ondelete="CASCADE"))
    batch_id: Mapped[int] = mapped_column(ForeignKey("batch.id", ondelete="CASCADE"))
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)


class QcBatch(Base):
    """A random sample of one reviewer's completed decisions, for a second reviewer to confirm or overturn.
    The seed and the pool's size are kept, so the draw can be repeated and defended."""

    __tablename__ = "qc_batch"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(96), unique=True)
    reviewer: Mapped[str] = mapped_column(String(128))  # whose decisions are checked
    seed: Mapped[int] = mapped_column(Integer)
    asked: Mapped[str] = mapped_column(String(32))  # what was asked for: "50" or "10%"
    pool: Mapped[int] = mapped_column(Integer)  # how many documents the sample was drawn from
    created: Mapped[datetime] = mapped_column(DateTime)
    user: Mapped[str] = mapped_column(String(128), default="")


class QcDocument(Base):
    """One sampled document: the reviewer's coding when drawn, and the QC reviewer's decision on it."""

    __tablename__ = "qc_document"
    __table_args__ = (UniqueConstraint("qc_batch_id", "document_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    qc_batch_id: Mapped[int] = mapped_column(ForeignKey("qc_batch.id", ondelete="CASCADE"))
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"), index=True)
    # The batch the decision was made in (kept for the report; the batch set may be deleted later).
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("batch.id", ondelete="SET NULL"), nullable=True)
    position: Mapped[int] = mapped_column(Integer)
    coding: Mapped[str] = mapped_column(Text)  # the reviewer's coding as drawn (JSON: tags, privilege)
    decision: Mapped[str] = mapped_column(String(16), default="")  # "" | confirmed | overturned
    decided_by: Mapped[str] = mapped_column(String(128), default="")
    decided_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    coding_after: Mapped[str] = mapped_column(Text, default="")  # the coding QC left (JSON), when overturned


# --- prioritized review (continuous active learning) and its validation ---

class ReviewQuestion(Base):
    """A tag reviewed in prioritized order, with the choices its review was set up with. Keyed by the tag's
    id as a plain number (like the audit trail), so that undoing a tag's deletion brings its review back."""

    __tablename__ = "review_question"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tag_id: Mapped[int] = mapped_column(Integer, unique=True)
    retrain_every: Mapped[int] = mapped_column(Integer)  # decisions between two trainings
    seed_query: Mapped[str] = mapped_column(Text, default="")
    seed: Mapped[int] = mapped_column(Integer)  # every random choice of the review derives from it
    propagate: Mapped[str] = mapped_column(String(32), default="")  # "" or an expansion rule: "families"
    random_share: Mapped[float] = mapped_column(Float)  # of the queue, drawn at random from the unreviewed
    target_recall: Mapped[float] = mapped_column(Float)  # what the stopping suggestion aims at
    created: Mapped[datetime] = mapped_column(DateTime)
    user: Mapped[str] = mapped_column(String(128), default="")


class ReviewDecision(Base):
    """A reviewer's decision on one document for one question: relevant (the tag is on) or not relevant.
    Written only through the audit trail's decide events, so undo reverses it with the tag."""

    __tablename__ = "review_decision"
    __table_args__ = (UniqueConstraint("tag_id", "document_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tag_id: Mapped[int] = mapped_column(Integer)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"), index=True)
    relevant: Mapped[bool] = mapped_column(Boolean)
    at: Mapped[datetime] = mapped_column(DateTime)
    user: Mapped[str] = mapped_column(String(128), default="")


class ReviewModel(Base):
    """One training of a question's model: what it learned from, so that it can be made again exactly
    (the decisions as of audit event `audit_upto`, the documents up to `documents_upto`, the seed)."""

    __tablename__ = "review_model"
    __table_args__ = (UniqueConstraint("tag_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tag_id: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer)
    trained: Mapped[datetime] = mapped_column(DateTime)
    user: Mapped[str] = mapped_column(String(128), default="")
    decisions: Mapped[int] = mapped_column(Integer)
    positives: Mapped[int] = mapped_column(Integer)
    seed_positives: Mapped[int] = mapped_column(Integer)  # unreviewed hits of the seed search
    presumed_negatives: Mapped[int] = mapped_column(Integer)  # unreviewed documents taken as not relevant
    scored: Mapped[int] = mapped_column(Integer)
    audit_upto: Mapped[int] = mapped_column(Integer)
    documents_upto: Mapped[int] = mapped_column(Integer)
    seed: Mapped[int] = mapped_column(Integer)
    seconds: Mapped[float] = mapped_column(Float)
    parameters: Mapped[str] = mapped_column(Text, default="{}")  # features and learner, as JSON


class ReviewScore(Base):
    """The newest model's score (0-100) of one document for one question; recomputed at every training."""

    __tablename__ = "review_score"
    __table_args__ = (Index("ix_review_score_tag_score", "tag_id", "score"),)

    tag_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"), primary_key=True)
    score: Mapped[float] = mapped_column(Float)
    version: Mapped[int] = mapped_column(Integer)


class ReviewServed(Base):
    """A document the prioritized queue served: at random or as the best score, with the review's state
    then (what the richness estimate is built from)."""

    __tablename__ = "review_served"
    __table_args__ = (UniqueConstraint("tag_id", "document_id", "random"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tag_id: Mapped[int] = mapped_column(Integer)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"), index=True)
    random: Mapped[bool] = mapped_column(Boolean)
    served: Mapped[datetime] = mapped_column(DateTime)
    model_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    score: Mapped[float | None] = mapped_column(Float, nullable=True)
    unreviewed: Mapped[int] = mapped_column(Integer)  # documents not yet decided when it was served
    found: Mapped[int] = mapped_column(Integer)  # documents decided relevant when it was served


class ValidationRound(Base):
    """An elusion test: a random sample of the documents left unreviewed, drawn once, with the review's
    figures as they stood at the draw."""

    __tablename__ = "validation_round"
    __table_args__ = (UniqueConstraint("tag_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tag_id: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)  # 1, 2, … per question
    seed: Mapped[int] = mapped_column(Integer)
    families: Mapped[int] = mapped_column(Integer)  # how many families (top-level documents) were drawn
    confidence: Mapped[float | None] = mapped_column(Float, nullable=True)  # when the size came from them
    margin: Mapped[float | None] = mapped_column(Float, nullable=True)
    drawn: Mapped[datetime] = mapped_column(DateTime)
    user: Mapped[str] = mapped_column(String(128), default="")
    model_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    population: Mapped[int] = mapped_column(Integer)  # documents under review
    reviewed: Mapped[int] = mapped_column(Integer)
    found: Mapped[int] = mapped_column(Integer)  # decided relevant
    discard: Mapped[int] = mapped_column(Integer)  # not yet decided: what the sample is drawn from
    discard_families: Mapped[int] = mapped_column(Integer)
    abandoned: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class ValidationDocument(Base):
    """One document of a validation sample, in the order drawn; attachments follow their family's draw."""

    __tablename__ = "validation_document"
    __table_args__ = (UniqueConstraint("round_id", "document_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("validation_round.id", ondelete="CASCADE"))
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    family_root: Mapped[int] = mapped_column(Integer)


# --- highlights, issues and facts (the chronology) ---
class Issue(Base):
    """One of the case's legal issues, in a tree numbered 1, 1.1, … by position among its siblings."""

    __tablename__ = "issue"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # No cascade: deleting an issue is an action that records (and removes) its sub-issues itself.
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("issue.id"), nullable=True, index=True)
    name: Mapped[str] = mapped_column(String(256), unique=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    color: Mapped[str] = mapped_column(String(16), default="#808080")
    added: Mapped[datetime] = mapped_column(DateTime)
    user: Mapped[str] = mapped_column(String(128), default="")


class Highlight(Base):
    """A passage of a document marked as mattering: a character span of its extracted text and, on PDF
    pages, the rectangles it covers (JSON [[page, x0, y0, x1, y1], …], 1-based pages, PDF points)."""

    __tablename__ = "highlight"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"), index=True)
    span_start: Mapped[int] = mapped_column(Integer, default=0)
    span_end: Mapped[int] = mapped_column(Integer, default=0)
    text: Mapped[str] = mapped_column(Text, default="")
    page: Mapped[int | None] = mapped_column(Integer, nullable=True)  # the first page it is on (PDFs)
    rects: Mapped[str] = mapped_column(Text, default="[]")
    comment: Mapped[str] = mapped_column(Text, default="")
    added: Mapped[datetime] = mapped_column(DateTime)
    user: Mapped[str] = mapped_column(String(128), default="")


class HighlightIssue(Base):
    __tablename__ = "highlight_issue"
    __table_args__ = (UniqueConstraint("highlight_id", "issue_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    highlight_id: Mapped[int] = mapped_column(ForeignKey("highlight.id", ondelete="CASCADE"))
    issue_id: Mapped[int] = mapped_column(ForeignKey("issue.id", ondelete="CASCADE"), index=True)


class Fact(Base):
    """A chronology entry. The date is kept as entered ("2019-04", "~2019-04-02", "2019-04-02 to
    2019-04-10", "" for undated); sort_key orders it (see casebuild.fuzzy_dates)."""

    __tablename__ = "fact"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    date_text: Mapped[str] = mapped_column(String(64), default="")
    time: Mapped[str] = mapped_column(String(8), default="")  # "HH:MM" or ""
    sort_key: Mapped[str] = mapped_column(String(64), default="", index=True)
    text: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(32), default="undisputed")
    is_key: Mapped[bool] = mapped_column(Boolean, default=False)
    added: Mapped[datetime] = mapped_column(DateTime)
    user: Mapped[str] = mapped_column(String(128), default="")


class FactIssue(Base):
    __tablename__ = "fact_issue"
    __table_args__ = (UniqueConstraint("fact_id", "issue_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    fact_id: Mapped[int] = mapped_column(ForeignKey("fact.id", ondelete="CASCADE"))
    issue_id: Mapped[int] = mapped_column(ForeignKey("issue.id", ondelete="CASCADE"), index=True)


class FactPerson(Base):
    """A person a fact is about. person_id is a plain id (the people of the case live elsewhere)."""

    __tablename__ = "fact_person"
    __table_args__ = (UniqueConstraint("fact_id", "person_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    fact_id: Mapped[int] = mapped_column(ForeignKey("fact.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(Integer, index=True)


class FactSource(Base):
    """Where a fact comes from: a highlight, or a document with an optional pin-cite page (or pages)."""

    __tablename__ = "fact_source"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    fact_id: Mapped[int] = mapped_column(ForeignKey("fact.id", ondelete="CASCADE"), index=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"), index=True)
    highlight_id: Mapped[int | None] = mapped_column(ForeignKey("highlight.id", ondelete="CASCADE"),
                                                     nullable=True, index=True)
    page: Mapped[int | None] = mapped_column(Integer, nullable=True)
    page_end: Mapped[int | None] = mapped_column(Integer, nullable=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


# --- people and communications (casebuild) ---
class EmailDomain(Base):
    """An organisation as its mail shows it: one email domain, with a label the team may give it."""

    __tablename__ = "email_domain"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    domain: Mapped[str] = mapped_column(String(255), unique=True)
    label: Mapped[str] = mapped_column(Text, default="")


class DomainFlag(Base):
    """A flag set by hand on a whole domain (prosecution, agency, press); its people carry it too."""

    __tablename__ = "domain_flag"
    __table_args__ = (UniqueConstraint("domain_id", "flag"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    domain_id: Mapped[int] = mapped_column(ForeignKey("email_domain.id", ondelete="CASCADE"))
    flag: Mapped[str] = mapped_column(String(32))


class Person(Base):
    """Someone who wrote, received or authored documents, as one or more addresses and names. A person
    merged into another stays, pointing at the survivor, so that an id kept elsewhere still resolves."""

    __tablename__ = "person"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(Text, default="")
    name_key: Mapped[str] = mapped_column(Text, default="", index=True)
    named_by_hand: Mapped[bool] = mapped_column(Boolean, default=False)
    # Merged or split by hand: automatic building never regroups this person's addresses again.
    grouped_by_hand: Mapped[bool] = mapped_column(Boolean, default=False)
    merged_into: Mapped[int | None] = mapped_column(ForeignKey("person.id"), nullable=True, index=True)
    # Derived from the documents, refreshed with the communications: the domain of the most used address,
    # and how many messages they sent, received, and documents they appear in at all.
    domain_id: Mapped[int | None] = mapped_column(ForeignKey("email_domain.id"), nullable=True)
    sent: Mapped[int] = mapped_column(Integer, default=0)
    received: Mapped[int] = mapped_column(Integer, default=0)
    documents: Mapped[int] = mapped_column(Integer, default=0)
    added: Mapped[datetime] = mapped_column(DateTime)


class PersonFlag(Base):
    """A flag set by hand on a person (prosecution, agency, press); attorney comes from the attorneys list."""

    __tablename__ = "person_flag"
    __table_args__ = (UniqueConstraint("person_id", "flag"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    flag: Mapped[str] = mapped_column(String(32))


class PersonIdentity(Base):
    """One way a person appears: an email address, or a bare name (an author, a recipient without an
    address), as its comparison key. Stable: building only ever adds identities."""

    __tablename__ = "person_identity"
    __table_args__ = (UniqueConstraint("kind", "value"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))  # address | name
    value: Mapped[str] = mapped_column(Text)
    domain_id: Mapped[int | None] = mapped_column(ForeignKey("email_domain.id"), nullable=True, index=True)
    # None between recording a new identity and grouping it with the rest (the end of every build).
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), nullable=True, index=True)


class PersonAlias(Base):
    """A display name an identity was written with, how often, and its key (see casebuild/names.py)."""

    __tablename__ = "person_alias"
    __table_args__ = (UniqueConstraint("identity_id", "display"), Index("ix_person_alias_key", "key"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    identity_id: Mapped[int] = mapped_column(ForeignKey("person_identity.id", ondelete="CASCADE"))
    display: Mapped[str] = mapped_column(Text)
    key: Mapped[str] = mapped_column(Text)
    personal: Mapped[bool] = mapped_column(Boolean, default=False)  # the key is a person's full name
    seen: Mapped[int] = mapped_column(Integer, default=0)


class MessageParty(Base):
    """Who is on a document, in which role (from, to, cc, bcc, reply-to, author), as it was written there."""

    __tablename__ = "message_party"
    __table_args__ = (UniqueConstraint("document_id", "role", "identity_id"),
                      Index("ix_message_party_identity", "identity_id"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(8))
    identity_id: Mapped[int] = mapped_column(ForeignKey("person_identity.id"))
    display: Mapped[str] = mapped_column(Text, default="")


class PeopleSource(Base):
    """A document as people were last built from it: a fingerprint of its address fields (so a changed
    document is read again) and its sent date and month, for the communications."""

    __tablename__ = "people_source"

    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    sent: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    month: Mapped[str] = mapped_column(String(7), default="")  # YYYY-MM; "" when undated


class CommunicationMonth(Base):
    """Messages from one person (or organisation) to another in one month: the whole case's
    communications, kept ready so that the view comes back at once. Recomputed, never edited."""

    __tablename__ = "communication_month"
    __table_args__ = (Index("ix_communication_month_pair", "level", "from_id", "to_id"),
                      Index("ix_communication_month_to", "level", "to_id"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    level: Mapped[str] = mapped_column(String(16))  # person | organisation
    from_id: Mapped[int] = mapped_column(Integer)
    to_id: Mapped[int] = mapped_column(Integer)
    month: Mapped[str] = mapped_column(String(7))
    messages: Mapped[int] = mapped_column(Integer)
    first_sent: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    last_sent: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class CommunicationPair(Base):
    """The months of one pair added up: what the view of the whole case reads, one row per pair."""

    __tablename__ = "communication_pair"
    __table_args__ = (Index("ix_communication_pair_pair", "level", "from_id", "to_id"),
                      Index("ix_communication_pair_to", "level", "to_id"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    level: Mapped[str] = mapped_column(String(16))
    from_id: Mapped[int] = mapped_column(Integer)
    to_id: Mapped[int] = mapped_column(Integer)
    messages: Mapped[int] = mapped_column(Integer)
    first_sent: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    last_sent: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


# --- users and roles (team review) ---


class CaseUser(Base):
    """A member of a shared case: their PostgreSQL login, their role (admin, reviewer, qc) and whether
    they may see and code only the documents of the batches assigned to them. A case folder has none:
    whoever opens it is its admin."""

    __tablename__ = "case_user"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    login: Mapped[str] = mapped_column(String(128), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    assigned_only: Mapped[bool] = mapped_column(Boolean, default=False)
    added: Mapped[datetime] = mapped_column(DateTime)
    added_by: Mapped[str] = mapped_column(String(128), default="")


# --- speed at scale ---
# The date a reviewer filters and sorts by (Document.date), indexed as the very expression the queries use,
# so that date:[A TO B] reads the documents of its range instead of every document.
REVIEW_DATE = func.coalesce(Document.sent, Document.modified, Document.created)
Index("ix_document_review_date", REVIEW_DATE)
