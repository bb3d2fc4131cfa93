"""Email threading on conversations the tests build: replies, reply-all, forwards, drafts, missing parents,
header-less chains, duplicates, attachments; ids kept when unrelated documents arrive; the query fields,
`--threads`, status figures and the commands that print a thread."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from reviewer.core import inventory, review
from reviewer.core.analytics import groups, run
from reviewer.core.audit import undo
from reviewer.core.case import Case
from reviewer.core.ingest.extracted import Flag
from reviewer.core.ingest.pipeline import IngestOptions, ingest
from reviewer.core.models import EmailThread
from reviewer.core.search.service import SearchService
from tests.helpers import make_pdf
from tests.mail_threads import (
    ADA,
    BEN,
    CY,
    DEE,
    apple_forward,
    gmail_quote,
    outlook_quote,
    printed,
    write_mail,
)

pytestmark = pytest.mark.both_databases

HEARING = (
    "Ben, the hearing on the motion to dismiss moved to Thursday at ten. Please bring the warrant "
    "file and the deputy statements."
)
REPLY = "Thanks Ada, I will bring both files and the timeline of the search."
REPLY_ALL = "Cy here: I can cover the deputy statements if Ben takes the warrant file."
LUNCH = "Lunch on Friday at the usual place? I booked a table for noon."


def add(case: Case, folder: Path) -> None:
    ingest(case, [folder], IngestOptions(jobs=1))


def by_control(case: Case) -> dict[str, dict]:
    return {row["control"]: row for row in inventory.document_rows(case)}


def control_of(rows: dict[str, dict], file_name: str) -> str:
    return next(control for control, row in rows.items() if row["file_name"] == file_name)


@pytest.fixture
def conversation(tmp_path: Path) -> Path:
    """One thread: a message, a reply, a reply to all, a forward with the attachment added, a draft, and
    an unrelated message with a reply subject."""
    folder = tmp_path / "mail"
    write_mail(folder / "1-hearing.eml", ADA, BEN, "Hearing moved", HEARING, "m1@quill", hours=0)
    reply = f"{REPLY}\n\n{gmail_quote(ADA, 0, HEARING)}"
    write_mail(
        folder / "2-reply.eml",
        BEN,
        ADA,
        "Re: Hearing moved",
        reply,
        "m2@ortiz",
        "m1@quill",
        ["m1@quill"],
        hours=1,
    )
    reply_all = f"{REPLY_ALL}\n\n{outlook_quote(BEN, 'Ada Quill', 'Re: Hearing moved', 1, reply)}"
    write_mail(
        folder / "3-reply-all.eml",
        CY,
        f"{ADA}, {BEN}",
        "RE: Re: Hearing moved",
        reply_all,
        "m3@park",
        "m2@ortiz",
        ["m1@quill", "m2@ortiz"],
        hours=2,
    )
    forwarded = apple_forward(CY, ADA, "RE: Re: Hearing moved", 2, reply_all)
    forward = f"See below; the warrant is attached.\n\n{forwarded}"
    write_mail(
        folder / "4-forward.eml",
        ADA,
        DEE,
        "Fwd: RE: Re: Hearing moved",
        forward,
        "m4@quill",
        "m3@park",
        ["m1@quill", "m2@ortiz", "m3@park"],
        hours=3,
        attachments={"warrant.txt": b"Warrant signed on the first, executed on the sixteenth."},
    )
    write_mail(
        folder / "5-draft.eml",
        DEE,
        "",
        "Re: Fwd: RE: Re: Hearing moved",
        "Draft: will call you.",
        None,
        "m4@quill",
        ["m4@quill"],
        dated=False,
    )
    write_mail(
        folder / "6-lunch.eml",
        DEE,
        ADA,
        "Re: Hearing moved",
        LUNCH,
        "m6@marsh",
        "m9@elsewhere",
        ["m9@elsewhere"],
        hours=5,
    )
    return folder


def test_a_conversation_threads_with_actions_inclusive_emails_and_paths(
    case: Case, conversation: Path
) -> None:
    add(case, conversation)
    rows = by_control(case)
    hearing, reply, reply_all, forward, draft, lunch = (
        rows[control_of(rows, name)]
        for name in (
            "1-hearing.eml",
            "2-reply.eml",
            "3-reply-all.eml",
            "4-forward.eml",
            "5-draft.eml",
            "6-lunch.eml",
        )
    )
    group = hearing["thread_group"]
    assert {
        reply["thread_group"],
        reply_all["thread_group"],
        forward["thread_group"],
        draft["thread_group"],
    } == {group}
    # Subject alone never joins: the lunch message replies to another message and has its own thread.
    assert lunch["thread_group"] != group
    assert [m["email_action"] for m in (hearing, reply, reply_all, forward, draft)] == [
        "send",
        "reply",
        "reply-all",
        "forward",
        "draft",
    ]
    assert [m["thread_indent"] for m in (hearing, reply, reply_all, forward, draft)] == [0, 1, 2, 3, 4]
    paths = [m["thread_path"] for m in (hearing, reply, reply_all, forward, draft)]
    assert paths == sorted(paths) and all(
        b.startswith(a + ".") for a, b in zip(paths, paths[1:], strict=False)
    )
    # The forward holds every earlier message and adds an attachment; the draft's short text is its own.
    assert [m["inclusive"] for m in (hearing, reply, reply_all, forward, draft)] == [
        False,
        False,
        False,
        True,
        True,
    ]
    assert forward["inclusive_reason"] == "both"
    attachment = next(row for row in rows.values() if row["file_name"] == "warrant.txt")
    assert attachment["thread_group"] == group and attachment["inclusive"] is None
    # The lunch message's parent was referenced but is not in the case.
    assert lunch["thread_missing"] == "referenced"
    entries = groups.conversation(case, review.resolve_controls(case, [lunch["control"]])[0])
    assert [e.kind for e in entries] == ["missing", "message"]
    figures = groups.reduction(case)
    assert figures == {**figures, "emails": 6, "thread_groups": 2, "inclusive_emails": 3}
    assert figures["skippable_share"] == 0.5


def test_replies_to_one_missing_message_share_its_placeholder(case: Case, tmp_path: Path) -> None:
    folder = tmp_path / "mail"
    write_mail(
        folder / "a.eml", BEN, ADA, "Re: Budget", "I agree with the budget.", "a@x", "gone@x", ["gone@x"]
    )
    write_mail(
        folder / "b.eml",
        CY,
        ADA,
        "Re: Budget",
        "The budget is too high.",
        "b@x",
        "gone@x",
        ["gone@x"],
        hours=1,
    )
    add(case, folder)
    rows = list(by_control(case).values())
    assert rows[0]["thread_group"] == rows[1]["thread_group"]
    assert {r["thread_indent"] for r in rows} == {1} and {r["thread_missing"] for r in rows} == {"referenced"}
    entries = groups.conversation(case, review.resolve_controls(case, [rows[0]["control"]])[0])
    assert [e.kind for e in entries] == ["missing", "message", "message"]
    assert all(r["inclusive"] for r in rows)


def test_header_less_chains_thread_from_their_text(case: Case, tmp_path: Path) -> None:
    """Printed emails (PDFs with an Outlook header block) and a chain whose first message is missing."""
    folder = tmp_path / "printed"
    folder.mkdir()
    first = printed(ADA, "Ben Ortiz", "Hearing moved", 0, HEARING)
    make_pdf(folder / "1.pdf", [first])
    reply = printed(
        BEN,
        "Ada Quill",
        "RE: Hearing moved",
        1,
        f"{REPLY}\n\n{outlook_quote(ADA, 'Ben Ortiz', 'Hearing moved', 0, HEARING)}",
    )
    make_pdf(folder / "2.pdf", [reply])
    # A chain quoting a message that is in no file here: it becomes a placeholder above it.
    lost = "The lab report is late again; the prosecution has not asked for an extension yet."
    orphan = printed(
        CY,
        "Ada Quill",
        "RE: Lab report",
        4,
        f"I will ask the clerk.\n\n{outlook_quote(DEE, 'Cy Park', 'Lab report', 3, lost)}",
    )
    make_pdf(folder / "3.pdf", [orphan])
    (folder / "memo.txt").write_text("MEMORANDUM\n\nThe warrant was executed late.\n")
    add(case, folder)
    rows = by_control(case)
    first_row, reply_row, orphan_row, memo = (
        rows[control_of(rows, n)] for n in ("1.pdf", "2.pdf", "3.pdf", "memo.txt")
    )
    assert reply_row["thread_group"] == first_row["thread_group"]
    assert (first_row["thread_indent"], reply_row["thread_indent"]) == (0, 1)
    assert reply_row["email_action"] == "reply" and first_row["email_action"] == "send"
    assert first_row["inclusive"] is False and reply_row["inclusive"] is True
    assert orphan_row["thread_missing"] == "quoted" and orphan_row["thread_indent"] == 1
    assert memo["thread_group"] is None
    entries = groups.conversation(case, review.resolve_controls(case, [orphan_row["control"]])[0])
    assert entries[0].kind == "missing" and "Dee Marsh" in entries[0].subject


def test_duplicates_collapse_and_the_first_keeps_a_shared_message_id(case: Case, tmp_path: Path) -> None:
    folder = tmp_path / "mail"
    write_mail(folder / "1.eml", ADA, BEN, "Hearing moved", HEARING, "m1@quill")
    # The same message printed to PDF: a duplicate of the email, one node in the tree.
    make_pdf(folder / "2-printed.pdf", [printed(ADA, "Ben Ortiz", "Hearing moved", 0, HEARING)])
    # Another message that (wrongly) reuses the Message-ID: a message of its own; replies go to the first.
    write_mail(
        folder / "3-clash.eml", CY, DEE, "Parking", "Where do we park on Thursday?", "m1@quill", hours=2
    )
    write_mail(
        folder / "4-reply.eml",
        BEN,
        ADA,
        "Re: Hearing moved",
        REPLY,
        "m4@ortiz",
        "m1@quill",
        ["m1@quill"],
        hours=1,
    )
    add(case, folder)
    rows = by_control(case)
    email, copy, clash, reply = (
        rows[control_of(rows, n)] for n in ("1.eml", "2-printed.pdf", "3-clash.eml", "4-reply.eml")
    )
    assert copy["thread_group"] == email["thread_group"] and copy["thread_path"] == email["thread_path"]
    assert copy["inclusive"] is False
    assert reply["thread_group"] == email["thread_group"] and reply["thread_indent"] == 1
    assert clash["thread_group"] != email["thread_group"]
    kinds = [e.kind for e in groups.conversation(case, review.resolve_controls(case, [email["control"]])[0])]
    assert kinds == ["message", "duplicate", "message"]


def test_an_email_kept_only_for_its_attachment_is_inclusive_for_it(case: Case, tmp_path: Path) -> None:
    folder = tmp_path / "mail"
    write_mail(
        folder / "1.eml",
        ADA,
        BEN,
        "Report",
        "Here is the lab report for the file.",
        "r1@x",
        attachments={"report.txt": b"Lab report: the sample was contaminated."},
    )
    write_mail(
        folder / "2.eml",
        BEN,
        ADA,
        "Re: Report",
        "Got it, thanks; reading it tonight.\n\n"
        + gmail_quote(ADA, 0, "Here is the lab report for the file."),
        "r2@x",
        "r1@x",
        ["r1@x"],
        hours=1,
    )
    add(case, folder)
    rows = by_control(case)
    first, second = rows[control_of(rows, "1.eml")], rows[control_of(rows, "2.eml")]
    assert (first["inclusive"], first["inclusive_reason"]) == (True, "attachment")
    assert (second["inclusive"], second["inclusive_reason"]) == (True, "message")


def test_unsent_marks_make_drafts_and_a_missing_to_does_not(case: Case, tmp_path: Path) -> None:
    folder = tmp_path / "mail"
    marks = {
        "outlook.eml": "X-Unsent: 1",
        "thunderbird.eml": "X-Mozilla-Draft-Info: internal/draft; vcard=0; receipt=0",
        "apple.eml": "X-Uniform-Type-Identifier: com.apple.mail-draft",
    }
    for number, (name, mark) in enumerate(marks.items()):
        draft = write_mail(folder / name, ADA, BEN, f"Hearing {number}", f"{HEARING} {name}", f"d{number}@q")
        draft.write_bytes(f"{mark}\r\n".encode() + draft.read_bytes())  # dated, addressed, but unsent
    write_mail(folder / "newsletter.eml", CY, "", "Bar news", "The spring seminar is open.", "n1@park")
    add(case, folder)
    rows = by_control(case)
    for name in marks:
        saved = rows[control_of(rows, name)]
        assert Flag.UNSENT.value in saved["flags"] and saved["email_action"] == "draft", name
    # Sent to a list or to Bcc: no To, but dated and sent.
    newsletter = rows[control_of(rows, "newsletter.eml")]
    assert Flag.UNSENT.value not in newsletter["flags"] and newsletter["email_action"] == "send"


def test_a_gateway_disclaimer_below_a_quote_and_bare_forwards(case: Case, tmp_path: Path) -> None:
    """Ben's firm appends a disclaimer to mail it lets in, so his reply quotes Ada's message with it; Ben
    then forwards his reply with nothing added, and Cy forwards that on: no References anywhere."""
    folder = tmp_path / "mail"
    write_mail(folder / "1.eml", ADA, BEN, "Hearing moved", HEARING, hours=0)
    disclaimer = "Ortiz LLP: this email is confidential. If you received it by mistake, delete it."
    quoted = outlook_quote(ADA, "Ben Ortiz", "Hearing moved", 0, f"{HEARING}\n\n\n{disclaimer}")
    write_mail(folder / "2.eml", BEN, ADA, "RE: Hearing moved", f"{REPLY}\n\n{quoted}", hours=1)
    forwarded = outlook_quote(BEN, "Ada Quill", "RE: Hearing moved", 1, f"{REPLY}\n\n{quoted}")
    write_mail(folder / "3.eml", BEN, CY, "FW: RE: Hearing moved", forwarded, hours=2)
    again = outlook_quote(BEN, "Cy Park", "FW: RE: Hearing moved", 2, f"\n{forwarded}")
    write_mail(folder / "4.eml", CY, DEE, "FW: FW: RE: Hearing moved", again, hours=3)
    add(case, folder)
    rows = by_control(case)
    first, reply, forward, forward_again = (rows[control_of(rows, f"{n}.eml")] for n in range(1, 5))
    paths = [m["thread_path"] for m in (first, reply, forward, forward_again)]
    assert len({m["thread_group"] for m in (first, reply, forward, forward_again)}) == 1
    assert [len(p.split(".")) for p in paths] == [1, 2, 3, 4] and paths == sorted(paths)
    assert [m["email_action"] for m in (first, reply, forward, forward_again)] == [
        "send", "reply", "forward", "forward"
    ]
    # Ada's message is held whole by Ben's reply, disclaimer or not; the bare forwards hold the reply and
    # add nothing, so the reply (the earliest of them) is the one to read.
    assert [m["inclusive"] for m in (first, reply, forward, forward_again)] == [False, True, False, False]
    assert reply["inclusive_reason"] == "message"


def test_the_same_reply_sent_again_later_is_a_message_of_its_own(case: Case, tmp_path: Path) -> None:
    folder = tmp_path / "mail"
    write_mail(folder / "1.eml", BEN, ADA, "Hearing", REPLY, hours=0)
    answer = f"{HEARING}\n\n{outlook_quote(BEN, 'Ada Quill', 'Hearing', 0, REPLY)}"
    write_mail(folder / "2.eml", ADA, BEN, "RE: Hearing", answer, hours=1)
    write_mail(folder / "3.eml", ADA, BEN, "RE: Hearing", answer, hours=1.02)  # sent again a minute later
    write_mail(folder / "4.eml", ADA, CY, "RE: Hearing", answer, hours=1)  # the same text to someone else
    add(case, folder)
    rows = by_control(case)
    asked, answered, again, other = (rows[control_of(rows, f"{n}.eml")] for n in range(1, 5))
    assert len({m["thread_group"] for m in (asked, answered, again, other)}) == 1
    with case.db.reader() as session:
        assert set(session.scalars(select(EmailThread.duplicate_of))) == {None}
    # The three answers hold each other: the earliest is the one to read, for its message.
    assert [m["inclusive"] for m in (asked, answered, again, other)] == [False, True, False, False]
    assert answered["inclusive_reason"] == "message"


def test_thread_ids_stay_when_unrelated_documents_arrive_and_grow_with_replies(
    case: Case, tmp_path: Path, conversation: Path
) -> None:
    add(case, conversation)
    before = {c: (r["thread_group"], r["thread_path"]) for c, r in by_control(case).items()}
    unrelated = tmp_path / "unrelated"
    write_mail(unrelated / "x.eml", CY, DEE, "Invoices", "The March invoices are attached.", "x1@park")
    write_mail(
        unrelated / "y.eml",
        DEE,
        CY,
        "Re: Invoices",
        "Paid.\n\n" + gmail_quote(CY, 0, "The March invoices are attached."),
        "y1@marsh",
        "x1@park",
        ["x1@park"],
        hours=1,
    )
    (unrelated / "note.txt").write_text("Call the clerk about the filing fee.\n")
    add(case, unrelated)
    after = by_control(case)
    assert all((after[c]["thread_group"], after[c]["thread_path"]) == value for c, value in before.items())
    # A late reply joins its thread under the same id; `reviewer analyze` keeps every id too.
    late = tmp_path / "late"
    write_mail(
        late / "late.eml",
        BEN,
        ADA,
        "Re: Hearing moved",
        "One more thing: the judge changed.",
        "late@ortiz",
        "m1@quill",
        ["m1@quill"],
        hours=9,
    )
    add(case, late)
    rows = by_control(case)
    hearing_group = rows[control_of(rows, "1-hearing.eml")]["thread_group"]
    assert (
        rows[control_of(rows, "late.eml")]["thread_group"]
        == hearing_group
        == before[control_of(rows, "1-hearing.eml")][0]
    )
    grouped = {c: r["thread_group"] for c, r in rows.items()}
    run.analyze(case)
    assert {c: r["thread_group"] for c, r in by_control(case).items()} == grouped


def test_query_fields_threads_option_and_one_undo_for_a_whole_thread(case: Case, conversation: Path) -> None:
    add(case, conversation)
    rows = by_control(case)
    hearing = control_of(rows, "1-hearing.eml")
    thread = {c for c, r in rows.items() if r["thread_group"] == rows[hearing]["thread_group"]}
    with SearchService.open(case) as search:
        ids = search.matching_ids(f"thread:{hearing}")
        assert {r.control for r in search.rows(search.search(f"thread:{hearing}", limit=None))} == thread
        assert len(search.matching_ids("is:inclusive")) == 3
        widened = search.search("lunch", limit=None, threads=True)
        assert widened.total == 1
        expanded = search.search("warrant AND is:inclusive", limit=None, threads=True)
        assert set(expanded.ids) == ids
    tagged = review.tag_documents(case, groups.expand(case, [min(ids)], threads=True), "Hot")
    assert tagged == len(thread)
    assert undo(case) == f'Undid tagging {tagged} documents "Hot".'
    assert review.list_tags(case)[5].count == 0


def test_commands_print_the_tree_the_fields_and_the_figures(case: Case, conversation: Path) -> None:
    add(case, conversation)
    root = str(case.location)
    rows = by_control(case)
    forward = control_of(rows, "4-forward.eml")

    def reviewer(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "reviewer", *args], capture_output=True, text=True, check=True
        )

    tree = json.loads(reviewer("threads", root, forward, "--json").stdout)
    assert [(e["kind"], e["indent"], e["action"]) for e in tree if e["kind"] == "message"] == [
        ("message", 0, "send"),
        ("message", 1, "reply"),
        ("message", 2, "reply-all"),
        ("message", 3, "forward"),
        ("message", 4, "draft"),
    ]
    printed_tree = reviewer("threads", root, forward).stdout
    assert forward in printed_tree and "forward" in printed_tree
    status = json.loads(reviewer("status", root, "--json").stdout)
    assert status["review_reduction"]["inclusive_emails"] == 3
    docs = json.loads(reviewer("docs", root, "--json").stdout)
    assert {d["email_action"] for d in docs} >= {"send", "reply", "reply-all", "forward", "draft"}
    tagged = reviewer("tag", root, "Hot", control_of(rows, "2-reply.eml"), "--threads")
    assert "Tagged 6 documents" in tagged.stderr
    # The lunch message is a thread of its own; the draft brings its whole thread (5 emails, 1 attachment).
    assert reviewer("search", root, "lunch OR draft", "--limit", "0").stdout.startswith("2 documents")
    assert reviewer("search", root, "lunch OR draft", "--threads", "--limit", "0").stdout.startswith(
        "7 documents"
    )
