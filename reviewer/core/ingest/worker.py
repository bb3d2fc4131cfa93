"""The part of ingest that runs in worker processes: store, identify and extract one input file.

A worker handles one input file and everything inside it (attachments, archive members, mailbox
messages, recursively) and hands back ItemResults in family order, in chunks: a container is cut
between its members, so a mailbox of any size streams to the main process message by message, and a
resumed container skips the members an interrupted run already recorded. A worker writes only to the
evidence store (atomic, content-addressed) and its scratch folder; the database and the index have one
writer, the main process.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, field, fields
from pathlib import Path, PurePosixPath
from types import SimpleNamespace

from reviewer.core.ingest import formats
from reviewer.core.ingest.extracted import (
    Child,
    DocumentFacts,
    EmailHeaders,
    ExtractContext,
    Extraction,
    ExtractionFailed,
    Flag,
    Limits,
    Reason,
)
from reviewer.core.ingest.identify import identify
from reviewer.core.ingest.walk import shown_path
from reviewer.core.search.fields import Analysis, analyze_document
from reviewer.core.store import EvidenceStore, Hashes

EMAIL_KINDS = {"eml", "emlx", "msg"}
REMAINDER = "(unreadable remainder)"

# A container's members are sent on when this many have gathered, this much text, or this long has passed:
# often enough for live progress and a prompt Stop, seldom enough that a chunk costs little to send.
CHUNK_ITEMS = 200
CHUNK_TEXT_CHARS = 8 * 1024 * 1024
CHUNK_SECONDS = 0.5


@dataclass
class WorkerSettings:
    store_root: Path
    passwords: list[str] = field(default_factory=list)
    limits: Limits = field(default_factory=Limits)
    ocr: bool = True
    scratch_root: Path | None = None  # where per-file scratch folders go (None: the system temp folder)
    # Modules a worker process imports before reading, so that they can add readers to formats.EXTRACTORS
    # (tests add one that never returns).
    reader_modules: tuple[str, ...] = ()
    # The search index's common words: documents are analysed for the index here, with them (None: not).
    index_common: frozenset[str] | None = None


@dataclass
class ItemResult:
    """One input file or member, extracted (status "document") or not (status "exception").

    `parent_index` and `container_index` count items from the start of the input, across chunks.
    """

    member_path: str
    parent_index: int | None
    container_index: int | None
    status: str
    reason: str = ""
    hashes: Hashes | None = None
    file_name: str = ""
    ext: str = ""
    kind: str = ""
    facts: DocumentFacts = field(default_factory=DocumentFacts)
    dedup_key: str = ""
    analysis: Analysis | None = None  # its postings for the search index, when the worker computed them

    @property
    def top_level(self) -> bool:
        return self.parent_index is None

    def searchable(self) -> dict[str, str]:
        """The metadata a document recorded from this item has, among what search reads
        (fields.Searchable): the recorder stores exactly these."""
        email = self.facts.email
        return {
            "email_from": email.sender if email else "", "email_to": email.to if email else "",
            "email_cc": email.cc if email else "", "email_bcc": email.bcc if email else "",
            "subject": email.subject if email else "", "author": self.facts.author,
            "title": self.facts.title, "file_name": self.file_name,
        }


# Receives each chunk of one input's results; `final` marks the last. It may block (back-pressure).
ChunkSink = Callable[[list[ItemResult], bool], None]

def process_file(path: Path, settings: WorkerSettings, sink: ChunkSink,
                 skip: Collection[str] = frozenset()) -> None:
    """Read one input and pass its results to `sink` in chunks; members named in `skip` are left out."""
    scratch = Path(tempfile.mkdtemp(prefix="reviewer-", dir=settings.scratch_root))
    try:
        walker = _FamilyWalker(settings, scratch, sink, skip)
        walker.visit_file(path)
        walker.flush(final=True)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _extension(name: str) -> str:
    suffix = PurePosixPath(name).suffix.lower().lstrip(".")
    return suffix if re.fullmatch(r"[a-z0-9]{1,10}", suffix) else ""


def _as_failure(exc: Exception) -> ExtractionFailed:
    if isinstance(exc, ExtractionFailed):
        return exc
    # A reader library choked on malformed input: say so in plain words and never lose the run.
    detail = f"The file appears damaged; the reader failed ({type(exc).__name__})."
    return ExtractionFailed(Reason.DAMAGED, detail)


def email_dedup_key(email: EmailHeaders, text: str) -> str:
    """The same message stored twice (different transport headers, EML vs MSG) gets the same key."""
    body = " ".join(text.split())
    sent = email.sent.isoformat() if email.sent else ""
    parts = [email.message_id.strip(), email.sender, email.to, email.cc, email.subject, sent, body]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8", "replace")).hexdigest()


class _FamilyWalker:
    def __init__(self, settings: WorkerSettings, scratch: Path, sink: ChunkSink,
                 skip: Collection[str]) -> None:
        self.settings = settings
        self.store = EvidenceStore(settings.store_root)
        self.scratch = scratch
        self.sink = sink
        self.skip = skip
        self.pending: list[ItemResult] = []
        self.pending_chars = 0
        self.count = 0  # items produced so far: the index of the next one
        self.last_flush = time.monotonic()
        self.flushed = False
        self.member_paths: set[str] = set()

    def flush(self, final: bool = False) -> None:
        common = self.settings.index_common
        if common is not None:  # the index's analysis, here rather than in the one recording process
            for result in self.pending:
                if result.status == "document":
                    result.analysis = analyze_document(SimpleNamespace(**result.searchable()),
                                                       result.facts.text, common)
        self.sink(self.pending, final)
        self.pending, self.pending_chars = [], 0
        self.last_flush, self.flushed = time.monotonic(), True

    def _flush_if_due(self) -> None:
        """Called between a container's own members only: a member's family always travels in one
        chunk, so a resumed run can skip a recorded member with everything inside it. The first member
        goes at once, so that the container is on record before a member can hang its reader."""
        if (not self.flushed or len(self.pending) >= CHUNK_ITEMS or self.pending_chars >= CHUNK_TEXT_CHARS
                or time.monotonic() - self.last_flush >= CHUNK_SECONDS):
            self.flush()

    def _add(self, result: ItemResult) -> int:
        self.pending.append(result)
        self.count += 1
        return self.count - 1

    def visit_file(self, path: Path) -> None:
        limits = self.settings.limits
        name = shown_path(path.name)
        try:
            size = path.stat().st_size
            if size > limits.max_file_bytes:
                detail = f"The file is {size:,} bytes, over the {limits.max_file_bytes:,}-byte limit."
                self._fail("", None, None, name, ExtractionFailed(Reason.TOO_LARGE, detail))
                return
            hashes, stored = self.store.add_file(path)
        except OSError as exc:
            reason = f"The file could not be read ({exc.strerror or exc})."
            unreadable = ExtractionFailed(Reason.DAMAGED, reason)
            self._fail("", None, None, name, unreadable)
            return
        self._visit(stored, hashes, name, member_path="", parent=None, container=None, depth=0)

    def _visit_child(self, child: Child, parent: int, parent_path: str, container_of_family: int | None,
                     top_level: bool, depth: int) -> None:
        member_path = self._unique_member_path(parent_path, child.name or "unnamed")
        try:
            if depth == 1 and member_path in self.skip:
                return  # recorded by an earlier run that was interrupted inside this container
            family_parent = None if top_level else parent
            container = parent if top_level else container_of_family
            name = PurePosixPath(child.name.replace("\\", "/")).name or child.name
            if child.failure is not None:
                self._fail(member_path, family_parent, container, name, child.failure)
                return
            if depth > self.settings.limits.max_depth:
                detail = f"It is nested more than {self.settings.limits.max_depth} containers deep."
                self._fail(member_path, family_parent, container, name,
                           ExtractionFailed(Reason.TOO_DEEP, detail))
                return
            if child.spooled is not None:
                hashes, stored = self.store.add_file(child.spooled)
            else:
                hashes, stored = self.store.add_bytes(child.data)
            self._visit(stored, hashes, name, member_path, family_parent, container, depth)
        finally:
            if child.spooled is not None:
                child.spooled.unlink(missing_ok=True)

    def _unique_member_path(self, parent_path: str, name: str) -> str:
        """Two attachments may share a name (image001.png twice); the ledger needs each path once."""
        base = posixpath.join(parent_path, name) if parent_path else name
        candidate, copy = base, 1
        while candidate in self.member_paths:
            copy += 1
            candidate = f"{base} ({copy})"
        self.member_paths.add(candidate)
        return candidate

    def _visit(self, stored: Path, hashes: Hashes, name: str, member_path: str, parent: int | None,
               container: int | None, depth: int) -> None:
        result = ItemResult(member_path, parent, container, "document", hashes=hashes, file_name=name,
                            ext=_extension(name))
        index = self._add(result)
        if hashes.size == 0:
            self._mark_failed(result, ExtractionFailed(Reason.EMPTY, "The file is empty (0 bytes)."))
            return
        file_type = identify(stored, name)
        result.kind, result.facts.mime = file_type.kind, file_type.mime
        context = ExtractContext(scratch=self.scratch, passwords=self.settings.passwords,
                                 limits=self.settings.limits, ocr=self.settings.ocr, file_name=name)
        try:
            extraction = formats.extract(file_type.kind, stored, context)
        except Exception as exc:
            self._mark_failed(result, _as_failure(exc))
            return
        self._fill(result, extraction)
        # An input that is a container streams member by member; an email and its attachments never part.
        streams = depth == 0 and Flag.CONTAINER in extraction.flags
        try:
            for child in extraction.children:
                self._visit_child(child, index, member_path, container, extraction.children_are_top_level,
                                  depth + 1)
                if streams:
                    self._flush_if_due()
        except Exception as exc:
            # Members read before the damage stay; the rest is one exception on the ledger. (A container
            # already sent on keeps its flags: the exception says what was lost.)
            result.facts.flags.append(Flag.PARTIAL)
            remainder = self._unique_member_path(member_path, REMAINDER)
            self._fail(remainder, None if extraction.children_are_top_level else index, container, name,
                       _as_failure(exc))

    def _fill(self, result: ItemResult, extraction: Extraction) -> None:
        facts = DocumentFacts(**{f.name: getattr(extraction, f.name) for f in fields(DocumentFacts)})
        facts.mime = facts.mime or result.facts.mime
        if len(facts.text) > self.settings.limits.max_text_chars:
            facts.text = facts.text[: self.settings.limits.max_text_chars]
            facts.flags.append(Flag.TEXT_CUT)
        result.facts = facts
        self.pending_chars += len(facts.text)
        assert result.hashes is not None
        email = facts.email if result.kind in EMAIL_KINDS else None
        result.dedup_key = email_dedup_key(email, facts.text) if email is not None else result.hashes.sha256

    def _mark_failed(self, result: ItemResult, failure: ExtractionFailed) -> None:
        result.status = "exception"
        result.reason = str(failure)
        result.facts.text = ""

    def _fail(self, member_path: str, parent: int | None, container: int | None, name: str,
              failure: ExtractionFailed) -> None:
        result = ItemResult(member_path, parent, container, "exception", reason=str(failure), file_name=name,
                            ext=_extension(name))
        self._add(result)
