"""The whole public corpus through ingest: every file accounted for, PDFs in the state their category
implies, Enron metadata, duplicates, idempotence, and kill-and-resume (REVIEWER_CORPUS, else skipped)."""

from __future__ import annotations

import ast
import csv
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from reviewer.core import inventory
from reviewer.core.case import Case
from reviewer.core.ingest.pipeline import IngestOptions, ingest
from reviewer.core.models import Document, IngestEntry
from tests.corpus.shared import PARTS, ingest_corpus

pytestmark = pytest.mark.corpus


def top_level_entries(case: Case) -> dict[str, IngestEntry]:
    with case.db.reader() as session:
        from sqlalchemy import select

        entries = session.scalars(select(IngestEntry).where(IngestEntry.member_path == "")).all()
        return {entry.source_path: entry for entry in entries}


def documents_by_sha(case: Case) -> dict[str, Document]:
    with case.db.reader() as session:
        from sqlalchemy import select

        return {d.sha256: d for d in session.scalars(select(Document))}


def test_every_corpus_file_is_accounted_for(corpus: Path, corpus_case: Case) -> None:
    files = [p for part in PARTS for p in (corpus / part).rglob("*") if p.is_file()]
    assert len(files) > 1400
    entries = top_level_entries(corpus_case)
    missing = [str(f) for f in files if str(f.absolute()) not in entries]
    assert missing == []
    facts = inventory.status(corpus_case)
    assert facts["inputs"] == facts["documents"] + facts["duplicates"] + facts["exceptions"]
    for row in inventory.exception_rows(corpus_case):
        reason = row["reason"]
        assert reason.split(":")[0] in {
            "encrypted",
            "damaged",
            "empty",
            "unsupported",
            "too large",
            "unsafe path",
            "nested too deeply",
        }, reason
        assert "\n" not in reason and len(reason) < 300


def test_pdfs_end_in_the_state_their_category_implies(corpus: Path, corpus_case: Case) -> None:
    entries = top_level_entries(corpus_case)
    by_sha = documents_by_sha(corpus_case)
    with (corpus / "pdf" / "INDEX.tsv").open(encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream, delimiter="\t"))
    wrong = []
    for row in rows:
        entry = entries[str((corpus / "pdf" / row["file"]).absolute())]
        category = row["category"]
        if category.startswith("empty"):
            expected_ok = entry.status == "exception" and entry.reason.startswith("empty")
        elif category.startswith("encrypted-user-password"):
            expected_ok = entry.status == "exception" and entry.reason.startswith("encrypted")
        elif category.startswith("broken"):
            # MuPDF repairs some damaged files: those become documents flagged as partly damaged or with
            # their readable text; the rest are exceptions that say "damaged".
            expected_ok = (entry.status == "exception" and entry.reason.startswith("damaged")) or (
                entry.status in {"document", "duplicate"}
                and (
                    category.startswith("broken-needs-repair")
                    or "partly damaged" in by_sha[entry.sha256].flags
                )
            )
        else:  # ok-text, image-only, owner-only encryption, repairable damage, no-text
            expected_ok = entry.status in {"document", "duplicate"}
            if expected_ok and entry.status == "document" and category == "ok-text":
                document = by_sha[entry.sha256]
                expected_ok = document.text_chars > 0 and document.pages == int(row["pages"])
            if expected_ok and entry.status == "document" and category.startswith("image-only"):
                document = by_sha[entry.sha256]
                # OCR found text, or the reviewer is told why there is none.
                expected_ok = document.text_chars > 0 or any(
                    flag in document.flags for flag in ("needs OCR", "no text extracted")
                )
        if not expected_ok:
            wrong.append(f"{row['file']} ({category}) -> {entry.status} {entry.reason}")
    assert wrong == []


def test_listed_duplicates_are_found(corpus: Path, corpus_case: Case) -> None:
    entries = top_level_entries(corpus_case)
    with (corpus / "pdf" / "INDEX.tsv").open(encoding="utf-8") as stream:
        pairs = [
            (r["file"], r["exact_duplicate_of"])
            for r in csv.DictReader(stream, delimiter="\t")
            if r["exact_duplicate_of"] and not r["category"].startswith("empty")
        ]
    assert pairs
    for first, second in pairs:
        a = entries[str((corpus / "pdf" / first).absolute())]
        b = entries[str((corpus / "pdf" / second).absolute())]
        assert {a.status, b.status} == {"document", "duplicate"}
        assert a.document_id == b.document_id


def known_password(value: str) -> str:
    """INDEX.tsv annotates some passwords: a Python repr for invisible characters (`'x\\xady' (python repr;
    …)`) and the owner password beside the user password (`usersecret (owner: ownersecret)`)."""
    if " (python repr" in value:
        return ast.literal_eval(value.split(" (python repr")[0])
    return value.split(" (owner:")[0]


def test_encrypted_pdfs_open_with_their_known_passwords(corpus: Path, tmp_path: Path) -> None:
    with (corpus / "pdf" / "INDEX.tsv").open(encoding="utf-8") as stream:
        rows = [
            r
            for r in csv.DictReader(stream, delimiter="\t")
            if r["category"] == "encrypted-user-password" and r["known_password"]
        ]
    assert rows
    with Case.create(tmp_path / "pw") as case:
        summary = ingest(
            case,
            [corpus / "pdf" / r["file"] for r in rows],
            IngestOptions(passwords=sorted({known_password(r["known_password"]) for r in rows}), jobs=2),
        )
        assert inventory.exception_rows(case) == []
        assert summary.documents >= len(rows)


def test_enron_messages_carry_custodian_and_email_metadata(corpus_case: Case) -> None:
    rows = [
        r
        for r in inventory.document_rows(corpus_case)
        if "/enron/maildir/" in r["path"] and r["parent"] is None
    ]
    assert len(rows) > 900
    assert {r["custodian"] for r in rows} == {"allen-p", "arnold-j", "arora-h", "badeer-r"}
    for row in rows:
        assert row["kind"] == "eml", row["path"]
        assert row["from"] and row["message_id"] and row["sent"], row["path"]
    sample = next(r for r in rows if r["path"].endswith("allen-p/_sent_mail/1."))
    assert sample["from"] == "phillip.allen@enron.com"
    assert sample["to"] == "tim.belden@enron.com"
    assert sample["sent"] == "2001-05-14T23:39:00"  # 16:39 PDT, stored as UTC
    assert sample["message_id"] == "<18782981.1075855378110.JavaMail.evans@thyme>"


def test_mailboxes_yield_each_message(corpus_case: Case) -> None:
    rows = inventory.document_rows(corpus_case)
    mbox = next(
        r for r in rows if r["path"].endswith("enron/mbox/" + Path(r["path"]).name) and r["kind"] == "mbox"
    )
    messages = [r for r in rows if r["container"] == mbox["control"]]
    assert len(messages) >= 15
    psts = [r for r in rows if r["kind"] == "pst"]
    assert psts and all(any(m["container"] == p["control"] for m in rows) for p in psts)


def test_second_ingest_adds_nothing(corpus: Path, corpus_case: Case) -> None:
    before = inventory.status(corpus_case)
    ingest_corpus(corpus_case, corpus)
    after = inventory.status(corpus_case)
    unchanged = ("documents", "duplicates", "exceptions", "inputs", "families", "pages")
    assert {k: after[k] for k in unchanged} == {k: before[k] for k in unchanged}


def test_case_passes_its_own_check(corpus_case: Case) -> None:
    assert inventory.check(corpus_case) == []


def test_killed_ingest_resumes_to_the_same_counts(corpus: Path, corpus_case: Case, tmp_path: Path) -> None:
    source = corpus / "enron" / "maildir"
    case_dir = tmp_path / "killed"
    Case.create(case_dir).close()
    command = [
        sys.executable,
        "-m",
        "reviewer",
        "ingest",
        str(case_dir),
        str(source),
        "--custodian-from-folder",
    ]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.3)
        with Case.open(case_dir) as case:
            if inventory.status(case)["documents"] >= 200:
                break
    assert process.poll() is None, "the ingest finished before it could be killed"
    process.send_signal(signal.SIGKILL)
    process.wait()
    finished = subprocess.run(command, capture_output=True, text=True)
    assert finished.returncode == 0, finished.stderr
    status = json.loads(
        subprocess.run(
            [sys.executable, "-m", "reviewer", "status", str(case_dir), "--json"],
            capture_output=True,
            text=True,
        ).stdout
    )
    with Case.open(case_dir) as resumed:
        assert inventory.check(resumed) == []
    expected = {"allen-p", "arnold-j", "arora-h", "badeer-r"}
    assert set(status["by_custodian"]) == expected
    uninterrupted = {k: v for k, v in inventory.status(corpus_case)["by_custodian"].items() if k in expected}
    assert status["by_custodian"] == uninterrupted
