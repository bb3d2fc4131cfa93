"""Email threading on the corpus's real mail (REVIEWER_CORPUS, else skipped), checked against what the test
reads from the mail itself:

- headers: every Message-ID, In-Reply-To and References in the case gives the expected thread and parent
  of each message (the Enron maildir has none, so its threads come from the text; the mboxes, PSTs and
  court notices have them);
- duplicates: the Enron copies of one message in several folders (same sender, recipients, date, subject
  and body, read from the raw files) are one node, and nothing else is;
- inclusive emails, by the definition: an email is inclusive unless another email of its thread holds all
  of its text (each of its paragraphs, in order; header blocks left out), the earlier of two that hold each
  other being the inclusive one. The test reads paragraphs from the raw files, not through the threading's
  own splitting;
- real chains joined by their text, one of each form (Outlook, Lotus Notes in three layouts, a bare reply
  and forward, a gateway's disclaimer appended), and attachments in their email's thread.
"""

from __future__ import annotations

import email
import email.policy
import re
import shutil
import struct
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import olefile
import pytest
from sqlalchemy import select

from reviewer.core import inventory
from reviewer.core.case import Case
from reviewer.core.ingest.extracted import Flag
from reviewer.core.ingest.pipeline import IngestOptions, ingest
from reviewer.core.models import Document, EmailThread

pytestmark = pytest.mark.corpus

ENRON = "/enron/maildir/"
_MESSAGE_ID = re.compile(r"<([^<>\s]+)>")
_NOISE = re.compile(r"<mailto:[^>]*>|\[mailto:[^\]]*\]", re.IGNORECASE)
_HEADER_LINE = re.compile(r"^\s*(from|sent|date|to|cc|bcc|subject)\s*:", re.IGNORECASE)
_SEPARATOR = re.compile(
    r"-{3,}.*(original message|forwarded by|forwarded message)|\b(wrote|writes)\s*:\s*$|^\s*_{10,}\s*$"
    r"|-{5,}\s*$",
    re.IGNORECASE,
)
_DATE_LINE = re.compile(r"^\s*\d{1,2}/\d{1,2}/\d{2,4}\s+\d{1,2}:\d{2}(:\d{2})?\s*[AP]M\s*$", re.IGNORECASE)
_WORD = re.compile(r"[^\W_]+")
# A paragraph this short ("Thanks", a signature) counts as held only where it is a paragraph of its own.
SHORT = 8


@dataclass
class Mail:
    doc_id: int
    path: str  # below the corpus folder
    sent: datetime | None
    message_id: str
    references: list[str]  # References, then In-Reply-To if References does not name it
    group: int
    thread_path: str
    action: str
    inclusive: bool
    reason: str
    missing: str
    duplicate_of: int | None
    paragraphs: list[tuple[str, ...]]  # Enron only: its text as the raw file gives it

    @property
    def order(self) -> tuple[bool, datetime, int]:
        return self.sent is None, self.sent or datetime.max, self.doc_id

    @property
    def parent_path(self) -> str:
        return self.thread_path.rsplit(".", 1)[0] if "." in self.thread_path else ""


def _ids(value: str) -> list[str]:
    return list(dict.fromkeys(_MESSAGE_ID.findall(value or "")))


def raw_message(path: Path) -> email.message.EmailMessage:
    return email.message_from_bytes(path.read_bytes(), policy=email.policy.default)


def raw_body(message: email.message.EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    return part.get_content() if part is not None else ""


def _is_header(lines: list[str], i: int) -> bool:
    """A line of a quoted-header block: a labelled header line, a separator, or Lotus Notes' sender and
    date lines (the date alone on its line, the name just above it, an optional "Sent by:")."""
    line = lines[i]
    if _HEADER_LINE.match(line) or _SEPARATOR.search(line) or _DATE_LINE.match(line):
        return True
    if line.strip().lower().startswith("sent by:"):
        return True
    below = lines[i + 1] if i + 1 < len(lines) else ""
    return bool(_DATE_LINE.match(below)) or below.strip().lower().startswith("sent by:")


def paragraphs(body: str) -> list[tuple[str, ...]]:
    """The words of each paragraph of a body, quote marks and mail links left out, and within a
    paragraph the run from its first header line to its last (a quoted-header block) left out."""
    lines = [re.sub(r"^(\s*>)+", "", line) for line in _NOISE.sub(" ", body).splitlines()]
    found: list[tuple[str, ...]] = []
    current: list[str] = []
    for line in [*lines, ""]:
        if line.strip():
            current.append(line)
            continue
        if current:
            marks = [i for i in range(len(current)) if _is_header(current, i)]
            kept = current if not marks else current[: marks[0]] + current[marks[-1] + 1 :]
            words = tuple(_WORD.findall(" ".join(kept).lower()))
            if words:
                found.append(words)
            current = []
    return found


def holds(outer: Mail, inner: Mail) -> bool:
    """Whether every paragraph of `inner` stands, in order, in `outer`: a long one anywhere in its running
    words, a short one as a paragraph of its own."""
    stream = " " + " ".join(w for p in outer.paragraphs for w in p) + " "
    starts, offset = [], 0
    for p in outer.paragraphs:
        starts.append(offset)
        offset += len(" ".join(p)) + 1
    position = 0
    for p in inner.paragraphs:
        text = " ".join(p)
        if len(p) >= SHORT:
            found = stream.find(f" {text} ", position)
        else:
            found = next(
                (starts[i] for i, q in enumerate(outer.paragraphs) if q == p and starts[i] >= position), -1
            )
        if found < 0:
            return False
        position = found + len(text) + 1
    return True


@pytest.fixture(scope="module")
def mails(corpus_case: Case) -> dict[int, Mail]:
    """Every email of the case with its thread row (Enron ones with their raw text)."""
    with corpus_case.db.reader() as session:
        rows = session.execute(
            select(Document, EmailThread)
            .join(EmailThread, EmailThread.document_id == Document.id)
            .where(EmailThread.inclusive.is_not(None))
        ).all()
        found = {}
        for document, thread in rows:
            references = _ids(document.references)
            references += [r for r in _ids(document.in_reply_to)[:1] if r not in references]
            own = _ids(document.message_id)
            enron = ENRON in document.source_path
            found[document.id] = Mail(
                document.id,
                document.source_path.split("/corpus/", 1)[-1],
                document.sent,
                own[0] if own else "",
                references,
                thread.thread_group,
                thread.thread_path,
                thread.email_action,
                bool(thread.inclusive),
                thread.inclusive_reason,
                thread.missing,
                thread.duplicate_of,
                paragraphs(raw_body(raw_message(Path(document.source_path)))) if enron else [],
            )
    return found


def by_path(mails: dict[int, Mail]) -> dict[str, Mail]:
    return {m.path.removeprefix("enron/maildir/"): m for m in mails.values()}


def nodes(mails: Iterable[Mail]) -> dict[tuple[int, str], Mail]:
    """Each thread's tree position → the message standing there (duplicates left out)."""
    return {(m.group, m.thread_path): m for m in mails if m.duplicate_of is None}


def test_threads_follow_message_ids_and_references(corpus: Path, mails: dict[int, Mail]) -> None:
    enron = [m for m in mails.values() if m.path.startswith("enron/maildir/")]
    assert len(enron) == 1041
    for mail in enron:  # what ingest recorded is what the raw file says
        header = raw_message(corpus / mail.path)
        assert _ids(header["Message-ID"]) == [mail.message_id]
        assert not header["In-Reply-To"] and not header["References"]
    first_holder: dict[str, Mail] = {}
    for mail in sorted(mails.values(), key=lambda m: m.doc_id):
        if mail.message_id:
            first_holder.setdefault(mail.message_id, mail)
    at = nodes(mails.values())
    linked = 0
    for mail in mails.values():
        if not mail.references or mail.duplicate_of is not None:
            continue
        for referenced in mail.references:
            if referenced in first_holder:  # a conversation is one thread, however deep the reference
                assert first_holder[referenced].group == mail.group, (mail.path, referenced)
        parent = first_holder.get(mail.references[-1])
        if parent is not None and parent is not mail:
            linked += 1
            assert (mail.group, mail.parent_path) == (parent.group, parent.thread_path), mail.path
            assert mail.missing == ""
        elif parent is None:
            # Its parent is not in the case: a placeholder stands above it, named by the Message-ID.
            assert mail.missing == "referenced" and (mail.group, mail.parent_path) not in at, mail.path
    assert linked >= 5  # the mbox chain, the PST forwards, the court notices
    # Messages that share a Message-ID are one node only when they are the same message.
    for message_id, first in first_holder.items():
        others = [m for m in mails.values() if m.message_id == message_id and m is not first]
        for other in others:
            if other.duplicate_of == first.doc_id:
                assert other.thread_path == first.thread_path and other.group == first.group
            else:
                assert other.duplicate_of is None and other.thread_path, (first.path, other.path)


def test_enron_copies_of_one_message_collapse_and_nothing_else_does(
    corpus: Path, mails: dict[int, Mail]
) -> None:
    copies: dict[tuple[str, ...], list[Mail]] = defaultdict(list)
    for mail in mails.values():
        if mail.path.startswith("enron/maildir/"):
            raw = raw_message(corpus / mail.path)
            key = tuple(str(raw[h] or "") for h in ("From", "To", "Cc", "Date", "Subject"))
            copies[(*key, raw_body(raw).strip())].append(mail)
    collapsed = 0
    for same in copies.values():
        standing = [m for m in same if m.duplicate_of is None]
        assert len(standing) == 1, [m.path for m in same]
        for copy in same:
            if copy is not standing[0]:
                collapsed += 1
                assert copy.duplicate_of == standing[0].doc_id
                assert (copy.group, copy.thread_path) == (standing[0].group, standing[0].thread_path)
                assert not copy.inclusive
    assert collapsed >= 150  # 1,041 files, 874 distinct messages


def test_every_enron_thread_has_inclusive_emails_and_each_is_right(mails: dict[int, Mail]) -> None:
    threads: dict[int, list[Mail]] = defaultdict(list)
    for mail in mails.values():
        if mail.path.startswith("enron/maildir/") and mail.duplicate_of is None:
            threads[mail.group].append(mail)
    assert len(threads) > 700
    wrong = []
    for thread in threads.values():
        assert any(m.inclusive for m in thread), [m.path for m in thread]
        for mail in thread:
            covered = any(
                holds(other, mail) and (not holds(mail, other) or other.order < mail.order)
                for other in thread
                if other is not mail
            )
            if mail.inclusive == covered:
                wrong.append(f"{mail.path}: inclusive={mail.inclusive} in {[m.path for m in thread]}")
            # No Enron email has attachments: it is inclusive for its message, never for an attachment.
            assert mail.reason == ("message" if mail.inclusive else "")
    assert wrong == []
    skipped = sum(len(t) for t in threads.values()) - sum(m.inclusive for t in threads.values() for m in t)
    assert skipped >= 50  # messages another email holds whole (874 distinct, 814 inclusive when written)


def chain(mails: dict[int, Mail], *paths: str) -> list[Mail]:
    found = by_path(mails)
    return [found[p] for p in paths]


def test_real_chains_thread_from_their_text(mails: dict[int, Mail]) -> None:
    at = nodes(mails.values())

    def parent(mail: Mail) -> Mail | None:
        return at.get((mail.group, mail.parent_path))

    def under(child: Mail, ancestor: Mail, placeholders: int = 0) -> bool:
        """`child` hangs below `ancestor`, with this many messages not in the case between them."""
        steps = child.thread_path.split(".")
        return child.group == ancestor.group and steps[: -1 - placeholders] == ancestor.thread_path.split(".")

    # Outlook "-----Original Message-----" replies back and forth; the other side's mail gateway
    # appended its disclaimer below each message it let through, so the quoted copies are longer.
    first, second, third, fourth = chain(
        mails, "badeer-r/sent_items/6.", "badeer-r/deleted_items/1.", "badeer-r/sent_items/1.",
        "badeer-r/deleted_items/4.",
    )
    assert first.missing == "quoted"  # it answers a message that is not in the case
    assert parent(second) is first and parent(third) is second and parent(fourth) is third
    assert [m.inclusive for m in (first, second, third, fourth)] == [False, False, False, True]
    # Lotus Notes: "From: Saji John@ENRON COMMUNICATIONS on 02/07/2001 10:39 AM" and the indented form
    # (name, date, then To/cc/Subject); Saji John's answer between them is not in the case.
    asked, answered, copy_asked, copy_answered = chain(
        mails, "arora-h/all_documents/54.", "arora-h/all_documents/55.", "arora-h/sent/6.", "arora-h/sent/7."
    )
    assert under(answered, asked, placeholders=1) and answered.missing == "quoted"
    assert (copy_asked.duplicate_of, copy_answered.duplicate_of) == (asked.doc_id, answered.doc_id)
    assert (asked.inclusive, answered.inclusive) == (False, True)
    # Lotus Notes' table of an Internet message's header ("Jordan, Bob" <Bob.Jordan@C  To: …).
    earlier, later = chain(mails, "arnold-j/compaq/7.", "arnold-j/compaq/6.")
    assert under(later, earlier, placeholders=1) and (earlier.inclusive, later.inclusive) == (False, True)
    # Lotus Notes' indented header with a "Sent by:" line.
    craig, jeff = chain(mails, "arnold-j/vulcan_signs/2.", "arnold-j/vulcan_signs/3.")
    assert parent(jeff) is craig and jeff.action == "reply-all"
    # A reply with nothing added, its copy in Sent Items, and its forward with nothing added: joined by
    # the quoted header's author and time, one below the other.
    asked_in, bare_reply, reply_copy, bare_forward = chain(
        mails, "arora-h/deleted_items/20.", "arora-h/deleted_items/18.", "arora-h/sent_items/18.",
        "arora-h/sent_items/19.",
    )
    assert parent(bare_reply) is asked_in and parent(bare_forward) is bare_reply
    assert reply_copy.duplicate_of == bare_reply.doc_id and bare_forward.duplicate_of is None
    assert (bare_reply.action, bare_forward.action) == ("reply", "forward")
    assert [m.inclusive for m in (asked_in, bare_reply, bare_forward)] == [True, False, False]
    # The same Lotus Notes forward sent twice: each holds the other, so the earlier is the inclusive one.
    once, again = chain(mails, "allen-p/discussion_threads/17.", "allen-p/discussion_threads/19.")
    assert once.group == again.group and (once.inclusive, again.inclusive) == (True, False)


def test_drafts_and_odd_dates(mails: dict[int, Mail]) -> None:
    """Enron's Lotus Notes documents that were never sent carry 31 Dec 1979 16:00 PST (the DOS epoch) as
    their date: that is no date, and they are drafts. A dated message is never a draft for lack of
    recipients: newsletters and Bcc'd mail in the Enron inboxes have no To."""
    epoch = [m for m in mails.values() if m.sent == datetime(1980, 1, 1)]
    assert {m.path for m in epoch} >= {"enron/maildir/arora-h/all_documents/21."}
    assert all(m.action == "draft" for m in epoch)
    dated = [m for m in mails.values() if m.sent is not None and m.sent.year > 1980]
    assert all(m.action != "draft" for m in dated if m.path.startswith("enron/maildir/"))


def test_attachments_carry_their_emails_thread(corpus_case: Case, mails: dict[int, Mail]) -> None:
    with corpus_case.db.reader() as session:
        members = session.execute(
            select(Document.id, Document.family_id, EmailThread.thread_group, EmailThread.inclusive)
            .outerjoin(EmailThread, EmailThread.document_id == Document.id)
            .where(Document.family_id.in_(list(mails)), Document.family_id != Document.id)
        ).all()
    assert len(members) >= 10  # the .msg, .eml, PST and court notices' attachments
    for doc_id, family, group, inclusive in members:
        assert family is not None and group == mails[family].group and inclusive is None, doc_id


def test_an_outlook_message_saved_unsent_is_a_draft(corpus: Path, tmp_path: Path) -> None:
    """A real .msg with Outlook's "unsent" message flag set (as Outlook keeps a draft): flagged at ingest,
    a draft in its thread whatever its date and recipients say."""
    draft = tmp_path / "in" / "draft.msg"
    draft.parent.mkdir()
    shutil.copy(corpus / "misc" / "msg" / "tika__testMSG.msg", draft)
    with olefile.OleFileIO(str(draft), write_mode=True) as ole:
        properties = bytearray(ole.openstream("__properties_version1.0").read())
        for offset in range(32, len(properties), 16):  # 16-byte entries after a 32-byte header
            if struct.unpack_from("<I", properties, offset)[0] == 0x0E070003:  # PR_MESSAGE_FLAGS
                flags = struct.unpack_from("<I", properties, offset + 8)[0]
                struct.pack_into("<I", properties, offset + 8, flags | 0x8)  # MSGFLAG_UNSENT
        ole.write_stream("__properties_version1.0", bytes(properties))
    sent = tmp_path / "in" / "sent.msg"
    shutil.copy(corpus / "misc" / "msg" / "tika__testMSG_forwarded.msg", sent)
    with Case.create(tmp_path / "case") as case:
        ingest(case, [draft.parent], IngestOptions(jobs=1))
        rows = {r["file_name"]: r for r in inventory.document_rows(case)}
    assert Flag.UNSENT.value in rows["draft.msg"]["flags"] and rows["draft.msg"]["email_action"] == "draft"
    assert Flag.UNSENT.value not in rows["sent.msg"]["flags"] and rows["sent.msg"]["email_action"] != "draft"
