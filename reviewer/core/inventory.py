"""What is in a case: status counts, the document list, the exceptions report and the integrity check."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from reviewer.core.analytics import groups
from reviewer.core.case import Case
from reviewer.core.models import Document, IngestEntry
from reviewer.core.progress import CancelToken, Progress, ProgressUpdate, no_progress
from reviewer.core.search import repair as search_repair


def status(case: Case) -> dict[str, Any]:
    with case.db.reader() as session:
        ledger = dict(
            session.execute(select(IngestEntry.status, func.count()).group_by(IngestEntry.status)).all()
        )
        documents = session.scalar(select(func.count()).select_from(Document)) or 0
        families = session.scalar(select(func.count()).where(Document.parent_id.is_(None))) or 0
        pages = session.scalar(select(func.coalesce(func.sum(Document.pages), 0))) or 0
        by_custodian = dict(
            session.execute(select(Document.custodian, func.count()).group_by(Document.custodian)).all()
        )
        by_type = dict(session.execute(select(Document.kind, func.count()).group_by(Document.kind)).all())
        flags: Counter[str] = Counter()
        for (value,) in session.execute(select(Document.flags).where(Document.flags != "")):
            flags.update(part for part in value.split("; ") if part)
        reasons: Counter[str] = Counter()
        for (reason,) in session.execute(select(IngestEntry.reason).where(IngestEntry.status == "exception")):
            reasons[reason.split(":", 1)[0]] += 1
    return {
        "case": case.name,
        "documents": documents,
        "duplicates": ledger.get("duplicate", 0),
        "exceptions": ledger.get("exception", 0),
        "inputs": sum(ledger.values()),
        "families": families,
        "pages": int(pages),
        "by_custodian": by_custodian,
        "by_type": by_type,
        "flags": dict(flags),
        "exceptions_by_reason": dict(reasons),
        "review_reduction": groups.reduction(case),
    }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") if value else None


def document_rows(case: Case) -> list[dict[str, Any]]:
    """One row per document, as `reviewer docs` prints it."""
    with case.db.reader() as session:
        controls = dict(session.execute(select(Document.id, Document.control)).all())
        analytics = groups.document_fields(session)
        documents = session.scalars(
            select(Document).order_by(Document.id).options(selectinload(Document.custodians))
        ).all()
        return [
            {
                "control": d.control,
                "path": d.source_path,
                "custodian": d.custodian,
                "custodians": [c.custodian for c in d.custodians],
                "file_name": d.file_name,
                "ext": d.ext,
                "mime": d.mime,
                "kind": d.kind,
                "md5": d.md5,
                "sha1": d.sha1,
                "sha256": d.sha256,
                "size": d.size,
                "pages": d.pages,
                "parent": controls.get(d.parent_id) if d.parent_id else None,
                "family": controls.get(d.family_id) if d.family_id else None,
                "container": controls.get(d.container_id) if d.container_id else None,
                "author": d.author,
                "title": d.title,
                "created": _iso(d.created),
                "modified": _iso(d.modified),
                "from": d.email_from,
                "to": d.email_to,
                "cc": d.email_cc,
                "bcc": d.email_bcc,
                "subject": d.subject,
                "sent": _iso(d.sent),
                "message_id": d.message_id,
                "in_reply_to": d.in_reply_to,
                "references": d.references,
                "flags": d.flags,
                "text_chars": d.text_chars,
                **groups.EMPTY_FIELDS, **analytics.get(d.id, {}),
            }
            for d in documents
        ]


def exception_rows(case: Case) -> list[dict[str, Any]]:
    with case.db.reader() as session:
        entries = session.scalars(
            select(IngestEntry).where(IngestEntry.status == "exception").order_by(IngestEntry.id)
        ).all()
        return [
            {
                "path": e.display_path,
                "custodian": e.custodian,
                "reason": e.reason,
                "kind": e.kind,
                "size": e.size,
                "sha256": e.sha256,
            }
            for e in entries
        ]


def document_text(case: Case, control: str) -> str | None:
    """The extracted text of a document, or None when there is no such control number."""
    with case.db.reader() as session:
        document = session.scalar(select(Document).where(Document.control == control.strip().upper()))
        if document is None:
            return None
        return case.texts.read(document.control, document.id)


def check(case: Case, progress: Progress = no_progress, cancel: CancelToken | None = None) -> list[str]:
    """Every problem found, one sentence each; an empty list means the case is sound."""
    problems: list[str] = []
    with case.db.reader() as session:
        documents = session.execute(
            select(Document.id, Document.control, Document.sha256, Document.text_chars)
        ).all()
        ledger_docs = set(
            session.scalars(select(IngestEntry.document_id).where(IngestEntry.status == "document")).all()
        )
        dangling = session.scalar(
            select(func.count()).select_from(IngestEntry).where(
                IngestEntry.status != "exception", IngestEntry.document_id.not_in(select(Document.id))
            )
        )
    total = len(documents)
    for done, (doc_id, control, sha256, text_chars) in enumerate(documents, start=1):
        if cancel is not None:
            cancel.raise_if_cancelled()
        problem = case.natives.verify(sha256)
        if problem:
            problems.append(f"{control}: {problem}.")
        if text_chars and not case.texts.path_for(control, doc_id).is_file():
            problems.append(f"{control}: its extracted text is missing.")
        if doc_id not in ledger_docs:
            problems.append(f"{control}: it has no entry on the ingest ledger.")
        if done % 200 == 0 or done == total:
            progress(ProgressUpdate("check", done, total))
    if dangling:
        problems.append(f"{dangling} ledger entries point at documents that do not exist.")
    problems.extend(search_repair.problems(case))
    return problems
