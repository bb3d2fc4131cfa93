"""Batches and QC through the `reviewer` command, and reviewers in separate processes checking out the
next batch at the same moment: each gets a batch of their own, none twice, and the trail has each once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from reviewer.core import audit, inventory, review
from reviewer.core.case import Case
from reviewer.core.ingest.pipeline import IngestOptions, ingest
from reviewer.core.team import batches
from reviewer.core.team.batch_sets import create_batch_set
from tests.databases import write_locked
from tests.mail_threads import ADA, BEN, CY, DEE, write_mail
from tests.unit.test_review import add_documents

# A reviewer process: open the case, wait for the starting signal (a file appearing), check out at once.
CHECKOUT_AT_SIGNAL = """
import sys, time
from pathlib import Path
from reviewer.core.case import Case
from reviewer.core.errors import ReviewerError
from reviewer.core.team.batches import check_out_next
case_path, user, signal = sys.argv[1], sys.argv[2], Path(sys.argv[3])
with Case.open(case_path) as case:
    print("ready", flush=True)
    while not signal.exists():
        time.sleep(0.001)
    try:
        print(check_out_next(case, user=user).name, flush=True)
    except ReviewerError as refused:
        print("refused:", refused, flush=True)
"""


def reviewer(*args: str) -> subprocess.CompletedProcess[str]:
    wide = {**os.environ, "COLUMNS": "200"}  # tables on one line each, as on a wide terminal
    return subprocess.run([sys.executable, "-m", "reviewer", *args], capture_output=True, text=True,
                          timeout=120, env=wide)


def race(case_path: Path, users: list[str], tmp_path: Path) -> dict[str, str]:
    """Every user's process checks out at the same signal; what each got."""
    signal = tmp_path / "go"
    processes = {
        user: subprocess.Popen([sys.executable, "-c", CHECKOUT_AT_SIGNAL, str(case_path), user, str(signal)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for user in users
    }
    for process in processes.values():
        assert process.stdout is not None and process.stdout.readline().strip() == "ready"
    signal.touch()
    outcome = {}
    for user, process in processes.items():
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        outcome[user] = out.strip()
    return outcome


def test_reviewers_checking_out_at_the_same_moment_get_different_batches(case: Case, tmp_path: Path) -> None:
    batches_made = 8
    create_batch_set(case, "Race", add_documents(case, batches_made * 3), 3)
    users = [f"reviewer{n}" for n in range(batches_made + 3)]  # three more reviewers than batches
    started = time.monotonic()
    outcome = race(case.location, users, tmp_path)
    took = time.monotonic() - started
    taken = [got for got in outcome.values() if not got.startswith("refused:")]
    refused = [got for got in outcome.values() if got.startswith("refused:")]
    assert sorted(taken) == [f"RACE-{n:03d}" for n in range(1, batches_made + 1)]  # each batch once
    assert len(refused) == 3 and all("is checked out or completed" in r for r in refused)
    holders = {b.name: b.assignee for b in batches.batches(case)}
    assert {user: outcome[user] for user in users if outcome[user] in holders} == {
        holder: name for name, holder in holders.items()}
    check_outs = [t for t in audit.trail(case) if t.summary.startswith("checking out")]
    assert len(check_outs) == batches_made
    assert took < 60


def test_batch_and_qc_commands(case: Case) -> None:
    add_documents(case, 6, family_size=2)
    root = str(case.location)
    made = reviewer("batch-create", root, "Privilege review", "--query", "control:DOC-00000*", "--size", "3",
                    "--families", "--prefix", "priv", "--review-tag", "Responsive")
    assert made.returncode == 0, made.stderr
    assert ('Made the batch set "Privilege review": 3 batches (PRIV-001 to PRIV-003), 6 documents.'
            in made.stderr)

    checked_out = reviewer("batch-checkout", root, "--user", "ana")
    assert checked_out.returncode == 0 and checked_out.stdout.strip() == "PRIV-001"
    assert reviewer("tag", root, "Hot", "DOC-000001", "DOC-000002").returncode == 0
    refused = reviewer("batch-checkin", root, "PRIV-001")
    assert refused.returncode == 1
    assert ("PRIV-001 has 2 documents not reviewed yet (DOC-000001, DOC-000002); code them, or check the "
            "batch in as it is. (--allow-unreviewed)") in " ".join(refused.stderr.split())
    assert reviewer("tag", root, "Responsive", "DOC-000001", "DOC-000002").returncode == 0
    # The command runs as the OS user, who is not ana: checking in another's batch is an admin's right,
    # and today everyone holds every role.
    assert reviewer("batch-checkin", root, "PRIV-001").returncode == 0

    listing = json.loads(reviewer("batches", root, "--json").stdout)
    assert [(b["name"], b["status"], b["assignee"], b["reviewed"], b["documents"])
            for b in listing["batches"]] == [
        ("PRIV-001", "completed", "ana", 2, 2), ("PRIV-002", "not started", "", 0, 2),
        ("PRIV-003", "not started", "", 0, 2)]
    assert listing["sets"][0]["review_tags"] == ["Responsive"]
    assert listing["progress"]["by_reviewer"]["ana"]["reviewed"] == 2
    assert listing["progress"]["overall"]["percent_reviewed"] == 33.3
    shown = json.loads(reviewer("batch-show", root, "priv-001", "--json").stdout)
    assert [(d["control"], d["reviewed"], d["tags"]) for d in shown["documents"]] == [
        ("DOC-000001", True, ["Responsive", "Hot"]), ("DOC-000002", True, ["Responsive", "Hot"])]

    drawn = reviewer("qc-create", root, "--reviewer", "ana", "--count", "2", "--seed", "42")
    assert drawn.returncode == 0 and drawn.stdout.strip() == "QC-001", drawn.stderr
    assert "seed 42" in drawn.stderr
    assert reviewer("qc-confirm", root, "QC-001", "DOC-000001").returncode == 0
    overturned = reviewer("qc-overturn", root, "QC-001", "DOC-000002", "--remove", "Responsive", "--add",
                          "Not responsive")
    assert overturned.returncode == 0, overturned.stderr
    assert "Overturned DOC-000002: Responsive, Hot → Not responsive, Hot." in overturned.stderr
    report = json.loads(reviewer("qc-report", root, "--json").stdout)
    assert [(r["reviewer"], r["sampled"], r["confirmed"], r["overturned"], r["overturn_rate"])
            for r in report["reviewers"]] == [("ana", 2, 1, 1, 0.5)]
    assert [(t["tag"], t["added"], t["removed"]) for t in report["tags"]] == [
        ("Not responsive", 1, 0), ("Responsive", 0, 1)]
    text = reviewer("qc-report", root)
    assert "50.0% (9.5%–90.5%)" in text.stdout
    found = json.loads(reviewer("search", root, "batch:PRIV-002", "--json").stdout)
    assert sorted(hit["control"] for hit in found["hits"]) == ["DOC-000003", "DOC-000004"]


def test_threads_keep_a_whole_conversation_in_one_batch_in_thread_order(case: Case, tmp_path: Path) -> None:
    mail = tmp_path / "mail"
    write_mail(mail / "a1.eml", ADA, BEN, "Hearing moved", "The hearing moved to Thursday.", "h1@quill",
               hours=0)
    write_mail(mail / "b1.eml", CY, DEE, "Lunch", "Lunch on Friday?", "l1@park", hours=0.5)
    write_mail(mail / "a2.eml", BEN, ADA, "Re: Hearing moved", "I will bring the warrant file.", "h2@ortiz",
               "h1@quill", ["h1@quill"], hours=1, attachments={"timeline.txt": b"Timeline of the search."})
    write_mail(mail / "a3.eml", ADA, BEN, "Re: Re: Hearing moved", "Thanks, see you there.", "h3@quill",
               "h2@ortiz", ["h1@quill", "h2@ortiz"], hours=2)
    ingest(case, [mail], IngestOptions(jobs=1))  # threads the messages as it ends
    rows = {row["control"]: row for row in inventory.document_rows(case)}
    by_name = {row["file_name"]: control for control, row in rows.items()}
    [first, lunch, reply, attachment, last] = review.resolve_controls(case, [
        by_name["a1.eml"], by_name["b1.eml"], by_name["a2.eml"], by_name["timeline.txt"], by_name["a3.eml"]])
    assert rows[by_name["a1.eml"]]["thread_group"] == rows[by_name["a3.eml"]]["thread_group"]

    # Found: only the last reply and the lunch message. Threads bring the whole conversation, in thread
    # order, the reply's attachment after it, in one batch although it is larger than the size.
    made = create_batch_set(case, "Threads", [last, lunch], 2, threads=True, order="date")
    assert made.threads and made.families
    assert {b.name: batches.batch_document_ids(case, b.name) for b in batches.batches(case)} == {
        "THREADS-001": [first, reply, attachment, last], "THREADS-002": [lunch]}
    # Families alone keep the attachment with its email but may part the conversation.
    create_batch_set(case, "Families", [first, reply, last, lunch], 2, families=True, order="date")
    assert [batches.batch_document_ids(case, b.name) for b in batches.batches(case, "Families")] == [
        [first, lunch], [reply, attachment], [last]]


MAKE_SET = """
import sys
from reviewer.core.case import Case
from reviewer.core.team.batch_sets import create_batch_set
with Case.open(sys.argv[1]) as case:
    create_batch_set(case, "Big", range(1, int(sys.argv[2]) + 1), 10, families=True)
"""


def test_a_batch_set_killed_while_it_is_written_is_there_whole_or_not_at_all(case: Case) -> None:
    count = 50_000
    add_documents(case, count, family_size=4)
    process = subprocess.Popen([sys.executable, "-c", MAKE_SET, str(case.location), str(count)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not write_locked(case):  # kill it inside its one write transaction
        assert process.poll() is None, f"it ended before it was killed: {process.communicate()}"
        assert time.monotonic() < deadline, "it never started writing"
        time.sleep(0.002)
    assert process.poll() is None  # alive when killed
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=30)
    assert process.returncode == -signal.SIGKILL
    with Case.open(case.location) as reopened:
        made = batches.batches(reopened)
        assert sum(b.documents for b in made) in (0, count)
        assert len([t for t in audit.trail(reopened) if t.summary.startswith("making")]) == (1 if made else 0)
        if not made:  # the admin simply makes it again
            create_batch_set(reopened, "Big", range(1, count + 1), 10, families=True)
        assert len(batches.batches(reopened)) == count // 8  # families of 4, two to a batch of 10
