"""The single writer's side of ingest: turn a worker's ItemResults into documents, duplicates and exceptions.

De-duplication is family-level, as review platforms do it: a top-level item (a loose file, a mailbox
message) that matches an earlier top-level document by its dedup key is a duplicate, and so is its whole
family; an attachment is never pulled out of its family because a loose copy exists elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from reviewer.core.case import Case, now
from reviewer.core.ingest.extracted import Flag
from reviewer.core.ingest.walk import InputFile
from reviewer.core.ingest.worker import ItemResult
from reviewer.core.models import Document, DocumentCustodian, IngestEntry
from reviewer.core.recording import RecordingTransaction


@dataclass
class InputRecording:
    """What recording one input remembers between its chunks. Indexes count the input's items."""

    resumed_root: int | None = None  # its container document, recorded by a run that was interrupted
    next_index: int = 0
    doc_ids: dict[int, int] = field(default_factory=dict)  # item index -> new document id
    family_ids: dict[int, int] = field(default_factory=dict)  # item index -> its family's root document
    duplicate_root: dict[int, int] = field(default_factory=dict)  # index -> original root, duplicate families
    container_docs: dict[int, int] = field(default_factory=dict)
    held_entry: IngestEntry | None = None  # the input's own ledger entry, written with its last chunk
    root_seen: bool = False


def control_number(prefix: str, seq: int) -> str:
    return f"{prefix}-{seq:06d}"


class Recorder:
    """Holds what de-duplication needs in memory for one ingest run; a RecordingRun owns the transaction."""

    def __init__(self, case: Case, batch_id: int) -> None:
        self.batch_id = batch_id
        self.prefix = case.setting("control_prefix", "DOC")
        with case.db.reader() as session:
            self.top_level_by_key: dict[str, int] = dict(
                session.execute(
                    select(Document.dedup_key, func.min(Document.id))
                    .where(Document.parent_id.is_(None))
                    .group_by(Document.dedup_key)
                ).all()
            )

    def record(self, transaction: RecordingTransaction, item_input: InputFile, items: list[ItemResult],
               recording: InputRecording | None = None, final: bool = True) -> dict[str, int]:
        """Record one input, or one chunk of it: a container arrives member by member, and its own
        ledger entry is held back until its last chunk, so a run killed inside it resumes there.
        Returns the counts of documents, duplicates and exceptions recorded."""
        session = transaction.session
        recording = recording or InputRecording()
        counts = {"document": 0, "duplicate": 0, "exception": 0}
        doc_ids = recording.doc_ids
        family_ids = recording.family_ids
        duplicate_root = recording.duplicate_root
        container_docs = recording.container_docs
        source_path = item_input.source
        custodian = item_input.custodian
        for index, item in enumerate(items, start=recording.next_index):
            entry = IngestEntry(
                batch_id=self.batch_id, custodian=custodian, source_path=source_path,
                member_path=item.member_path, status=item.status, reason=item.reason,
                sha256=item.hashes.sha256 if item.hashes else "", size=item.hashes.size if item.hashes else 0,
                kind=item.kind, added=now(),
            )
            parent_dup_root = duplicate_root.get(item.parent_index) if item.parent_index is not None else None
            if not item.member_path:
                recording.root_seen = True
            if not item.member_path and recording.resumed_root is not None:
                # The container's document was recorded by the interrupted run; its members follow it.
                root = session.get(Document, recording.resumed_root)
                assert root is not None
                doc_ids[index], family_ids[index] = root.id, root.family_id or root.id
                entry.document_id = root.id
                if Flag.CONTAINER in item.facts.flags:
                    container_docs[index] = root.id
            elif parent_dup_root is not None:
                # The whole family is a duplicate: point each member at its twin in the original family.
                duplicate_root[index] = parent_dup_root
                entry.status, entry.reason = "duplicate", ""
                entry.document_id = self._twin_in_family(session, parent_dup_root, item) or parent_dup_root
            elif item.status == "exception":
                pass
            elif item.top_level and item.dedup_key in self.top_level_by_key:
                original = self.top_level_by_key[item.dedup_key]
                duplicate_root[index] = original
                entry.status, entry.document_id = "duplicate", original
                self._add_custodian_to_family(session, original, custodian)
            else:
                doc_id = transaction.new_document_id()
                parent_index = item.parent_index
                family_id = family_ids.get(parent_index, doc_id) if parent_index is not None else doc_id
                document = self._new_document(doc_id, item, item_input, family_id,
                                              doc_ids.get(parent_index) if parent_index is not None else None,
                                              container_docs.get(item.container_index)
                                              if item.container_index is not None else None)
                transaction.add_document(document, item.facts.text, item.analysis)
                doc_ids[index] = doc_id
                family_ids[index] = family_id
                entry.document_id = doc_id
                if item.top_level:
                    self.top_level_by_key[item.dedup_key] = doc_id
                if Flag.CONTAINER in item.facts.flags:
                    container_docs[index] = doc_id
            if item.member_path or final:
                counts[entry.status] += 1
                session.add(entry)
            else:
                recording.held_entry = entry
        recording.next_index += len(items)
        if final and recording.held_entry is not None:
            counts[recording.held_entry.status] += 1
            session.add(recording.held_entry)
            recording.held_entry = None
        elif final and recording.resumed_root is not None and not recording.root_seen:
            session.add(self._resumed_root_entry(session, item_input, recording.resumed_root))
            counts["document"] += 1
        return counts

    def _resumed_root_entry(self, session: Session, item_input: InputFile, root_id: int) -> IngestEntry:
        """The ledger entry of a resumed container whose reader was lost before it sent anything."""
        root = session.get(Document, root_id)
        assert root is not None
        return IngestEntry(batch_id=self.batch_id, custodian=item_input.custodian,
                           source_path=item_input.source, member_path="", status="document",
                           document_id=root.id, sha256=root.sha256, size=root.size, kind=root.kind,
                           added=now())

    def _new_document(self, doc_id: int, item: ItemResult, item_input: InputFile, family_id: int,
                      parent_id: int | None, container_id: int | None) -> Document:
        assert item.hashes is not None
        facts = item.facts
        email = facts.email
        path = item_input.source + (f"!{item.member_path}" if item.member_path else "")
        searchable = item.searchable()
        document = Document(
            id=doc_id, control=control_number(self.prefix, doc_id), batch_id=self.batch_id,
            parent_id=parent_id, family_id=family_id,
            container_id=container_id,
            md5=item.hashes.md5, sha1=item.hashes.sha1, sha256=item.hashes.sha256, size=item.hashes.size,
            dedup_key=item.dedup_key, custodian=item_input.custodian, source_path=path,
            ext=item.ext, mime=facts.mime, kind=item.kind, pages=facts.pages,
            text_chars=len(facts.text), flags="; ".join(facts.flags),
            created=facts.created, modified=facts.modified, **searchable,
            email_reply_to=email.reply_to if email else "", sent=email.sent if email else None,
            message_id=email.message_id if email else "", in_reply_to=email.in_reply_to if email else "",
            references=email.references if email else "", indexed=False, added=now(),
        )
        document.custodians.append(DocumentCustodian(custodian=item_input.custodian))
        return document

    def _twin_in_family(self, session: Session, root_id: int, item: ItemResult) -> int | None:
        if item.hashes is None:
            return None
        return session.scalar(
            select(Document.id).where(Document.family_id == root_id, Document.sha256 == item.hashes.sha256)
        )

    def _add_custodian_to_family(self, session: Session, root_id: int, custodian: str) -> None:
        family = session.scalars(select(Document.id).where(Document.family_id == root_id)).all()
        known = set(
            session.execute(
                select(DocumentCustodian.document_id).where(
                    DocumentCustodian.document_id.in_(family), DocumentCustodian.custodian == custodian
                )
            ).scalars()
        )
        for doc_id in family:
            if doc_id not in known:
                session.add(DocumentCustodian(document_id=doc_id, custodian=custodian))
