"""One pass over the texts the analytics have not read yet: for threading, the messages a body holds; for
near-duplicates, a MinHash signature of its word shingles. Stored per document (TextFingerprint), so that a
later run reads only new documents; worker processes share a large pass.

Near-duplicate signatures: words as the search index reads them (search.analysis.words), shingles of three
consecutive words hashed to 32 bits (CRC-32 of each word, mixed), and datasketch's MinHash.bulk over each
document's shingle hashes (so the hashing and the permutations run as whole arrays, never a call per
shingle). A document with no word holding a letter (empty, or numbers only) gets no signature: it never
groups.
"""

from __future__ import annotations

import json
import os
import zlib
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import and_, insert, not_, or_, select, update
from sqlalchemy.orm import Session

from reviewer.core.analytics.segments import SplitBody, split_body, split_document
from reviewer.core.analytics.similarity import document_words
from reviewer.core.browse import EMAIL_KINDS, email_body_offset
from reviewer.core.case import Case
from reviewer.core.ingest.extracted import Flag
from reviewer.core.models import Document, TextFingerprint
from reviewer.core.progress import CancelToken, Progress, ProgressUpdate
from reviewer.core.store import TextStore

# Bump when what is read from a text changes: every document is then read again.
VERSION = 2
NUM_PERM = 128
SEED = 1
SHINGLE = 3
CHUNK = 400
# Fewer documents than this are read in this process: starting workers would cost more than it saves.
WORKERS_FROM = 1500
_MASK = np.uint64(0xFFFFFFFF)


@dataclass(frozen=True)
class Job:
    doc_id: int
    control: str
    email: bool  # an email by its type: its header is the document's own
    thread: bool  # read its messages (a top-level document not read before)
    signature: bool  # compute its near-duplicate signature


@dataclass(frozen=True)
class Fingerprint:
    doc_id: int
    thread: bool
    message: bool
    segments: str
    signature: bool
    words: int
    minhash: bytes | None


def is_email_kind(kind: str) -> bool:
    return kind in EMAIL_KINDS


def eligible_for_near_dups(include_emails: bool) -> Any:
    """SQL: the documents near-duplicate analysis covers (with text; not a mailbox; emails only if asked)."""
    condition = and_(Document.text_chars > 0, not_(Document.flags.contains(Flag.CONTAINER.value)))
    return condition if include_emails else and_(condition, Document.kind.not_in(sorted(EMAIL_KINDS)))


def pending_jobs(session: Session, include_emails: bool) -> list[Job]:
    """Documents with something left to read: top-level documents never read for threading, and
    documents the near-duplicate analysis covers that have no signature yet."""
    near = eligible_for_near_dups(include_emails)
    top = and_(Document.parent_id.is_(None), Document.text_chars > 0)
    current = and_(TextFingerprint.document_id == Document.id, TextFingerprint.version == VERSION)
    rows = session.execute(
        select(
            Document.id,
            Document.control,
            Document.kind,
            Document.parent_id.is_(None),
            TextFingerprint.document_id.is_not(None),
            TextFingerprint.words.is_not(None),
            near,
        )
        .outerjoin(TextFingerprint, current)
        .where(
            or_(
                and_(TextFingerprint.document_id.is_(None), or_(top, near)),
                and_(TextFingerprint.words.is_(None), near),
            )
        )
        .order_by(Document.id)
    ).all()
    return [
        Job(doc_id, control, is_email_kind(kind), bool(is_top) and not has_row, bool(wants) and not signed)
        for doc_id, control, kind, is_top, has_row, signed, wants in rows
    ]


def read_pending(
    case: Case, include_emails: bool, progress: Progress, cancel: CancelToken, jobs: int | None = None
) -> int:
    """Read every pending document and store what was read, a chunk per transaction (so a stopped run
    keeps what it read); how many documents were read."""
    with case.db.reader() as session:
        pending = pending_jobs(session, include_emails)
    total = len(pending)
    if not total:
        return 0
    progress(ProgressUpdate("reading", 0, total, message="Reading texts for threads and near-duplicates…"))
    done = 0
    for results in _computed(case.texts.root, pending, jobs, cancel):
        with case.db.session() as session:
            _store(session, results)
        done += len(results)
        progress(ProgressUpdate("reading", done, total))
        cancel.raise_if_cancelled()
    return total


def _computed(
    text_root: Path, pending: list[Job], jobs: int | None, cancel: CancelToken
) -> Iterator[list[Fingerprint]]:
    chunks = [pending[start : start + CHUNK] for start in range(0, len(pending), CHUNK)]
    workers = jobs or os.cpu_count() or 1
    if workers < 2 or len(pending) < WORKERS_FROM:
        for chunk in chunks:
            cancel.raise_if_cancelled()
            yield compute(text_root, chunk)
        return
    # forkserver, like ingest: the parent may hold threads (the desktop) that fork would copy mid-state.
    with ProcessPoolExecutor(workers, mp_context=get_context("forkserver")) as pool:
        futures = [pool.submit(compute, text_root, chunk) for chunk in chunks]
        try:
            for future in futures:
                cancel.raise_if_cancelled()
                yield future.result()
        finally:
            for future in futures:
                future.cancel()


def compute(text_root: Path, chunk: Sequence[Job]) -> list[Fingerprint]:
    """What the analytics need from each document's text (runs in a worker process)."""
    from datasketch import MinHash  # type: ignore[import-untyped]  # no type information shipped

    texts = TextStore(text_root)
    results: list[Fingerprint] = []
    shingles: list[list[int]] = []
    signed: list[int] = []
    for job in chunk:
        text = texts.read(job.control, job.doc_id)
        message, segments = False, ""
        if job.thread:
            message, segments = _messages(text, job.email)
        count, hashes = 0, None
        if job.signature:
            found = document_words(text)
            count = len(found) if any(_has_letter(word) for word in found) else 0
            if count:
                hashes = shingle_hashes(found)
        if hashes is not None:
            signed.append(len(results))
            shingles.append(hashes)
        results.append(Fingerprint(job.doc_id, job.thread, message, segments, job.signature, count, None))
    minhashes = MinHash.bulk(shingles, num_perm=NUM_PERM, seed=SEED, hashfunc=_identity) if shingles else []
    for position, minhash in zip(signed, minhashes, strict=True):
        result = results[position]
        results[position] = Fingerprint(
            result.doc_id,
            result.thread,
            result.message,
            result.segments,
            True,
            result.words,
            minhash.hashvalues.astype(np.uint32).tobytes(),
        )
    return results


def _identity(value: int) -> int:
    return value


def _has_letter(word: str) -> bool:
    return any(character.isalpha() for character in word)


def shingle_hashes(found: list[str]) -> list[int]:
    """32-bit hashes of every run of SHINGLE consecutive words (one hash of all words when fewer)."""
    hashed = np.fromiter(
        (zlib.crc32(word.encode("utf-8")) for word in found), dtype=np.uint64, count=len(found)
    )
    if len(hashed) < SHINGLE:
        whole = 0
        for value in hashed.tolist():
            whole = (whole * 0x9E3779B1 + value) & 0xFFFFFFFF
        return [whole]
    mixed = hashed[:-2] * np.uint64(0x9E3779B1) + hashed[1:-1] * np.uint64(0x85EBCA77) + hashed[2:]
    return np.unique(mixed & _MASK).tolist()


def _messages(text: str, email: bool) -> tuple[bool, str]:
    """Whether the text is a message, and its segments as JSON (with the header a header-less message's
    text gives it)."""
    if email:
        split: SplitBody = split_body(text[email_body_offset(text) :])
        return True, _as_json(split, None)
    split, header = split_document(text)
    if header is None:
        return False, ""
    return True, _as_json(
        split, {"from": header.author, "to": header.to, "subject": header.subject, "kind": header.kind}
    )


def _as_json(split: SplitBody, header: dict[str, str] | None) -> str:
    value: dict[str, Any] = {
        "s": [
            [s.key, s.words, s.author, s.date.isoformat() if s.date else None, s.utc, s.subject, s.kind]
            for s in split.segments
        ]
    }
    if split.tail:
        value["t"] = split.tail
    if header is not None:
        value["h"] = header
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _store(session: Session, results: list[Fingerprint]) -> None:
    existing = set(
        session.scalars(
            select(TextFingerprint.document_id).where(
                TextFingerprint.document_id.in_([r.doc_id for r in results])
            )
        ).all()
    )
    fresh = [
        {
            "document_id": r.doc_id,
            "version": VERSION,
            "message": r.message,
            "segments": r.segments,
            "words": r.words if r.signature else None,
            "signature": r.minhash,
        }
        for r in results
        if r.doc_id not in existing
    ]
    if fresh:
        session.execute(insert(TextFingerprint), fresh)
    for result in results:
        if result.doc_id not in existing:
            continue
        values: dict[str, Any] = {"version": VERSION}
        if result.thread:
            values.update(message=result.message, segments=result.segments)
        if result.signature:
            values.update(words=result.words, signature=result.minhash)
        session.execute(
            update(TextFingerprint).where(TextFingerprint.document_id == result.doc_id).values(values)
        )
