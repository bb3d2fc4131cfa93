"""Ingest end to end on real files: ledger states, families, duplicates, resume, exceptions, check."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pymupdf
import pytest

from reviewer.core import inventory
from reviewer.core.case import Case
from reviewer.core.ingest.pipeline import IngestOptions, ingest
from reviewer.core.progress import CancelToken, ProgressUpdate
from reviewer.core.search.index import TextIndex
from tests.helpers import make_email, make_pdf, make_zip, pdf_bytes


@pytest.fixture
def collection(tmp_path: Path) -> Path:
    root = tmp_path / "collection"
    make_pdf(
        root / "reyes" / "memo.pdf",
        ["The warrant was signed after the deadline.", "Page two."],
        author="M. Reyes",
        title="Warrant memo",
    )
    make_email(
        root / "reyes" / "mail" / "note.eml",
        "Charging deadline",
        "See the attached timeline.",
        attachments={
            "timeline.pdf": pdf_bytes("Timeline of the investigation"),
            "notes.txt": b"Investigator notes: grudge against the defendant.",
        },
    )
    (root / "reyes" / "plain.txt").write_text("A plain letter about the motion to dismiss.", encoding="utf-8")
    make_zip(root / "reyes" / "bundle.zip", {"a.txt": b"first member", "dir/b.txt": b"second member"})
    (root / "reyes" / "empty.txt").write_bytes(b"")
    # The same memo under a second custodian: a duplicate, not a new document.
    (root / "wu").mkdir(parents=True)
    (root / "wu" / "memo-copy.pdf").write_bytes((root / "reyes" / "memo.pdf").read_bytes())
    return root


def run_ingest(case: Case, *paths: Path, **options) -> object:
    return ingest(case, paths, IngestOptions(jobs=options.pop("jobs", 1), **options))


def test_every_input_ends_in_exactly_one_state(case: Case, collection: Path) -> None:
    summary = run_ingest(case, collection, custodian_from_folder=True)
    facts = inventory.status(case)
    # memo, email + 2 attachments, plain, zip + 2 members = 8 documents; 1 duplicate; 1 empty file
    assert facts["documents"] == 8
    assert facts["duplicates"] == 1
    assert facts["exceptions"] == 1
    assert facts["inputs"] == facts["documents"] + facts["duplicates"] + facts["exceptions"]
    assert (summary.documents, summary.duplicates, summary.exceptions) == (8, 1, 1)
    [exception] = inventory.exception_rows(case)
    assert exception["path"].endswith("empty.txt")
    assert exception["reason"].startswith("empty")


def test_families_and_metadata(case: Case, collection: Path) -> None:
    run_ingest(case, collection, custodian_from_folder=True)
    rows = {row["file_name"]: row for row in inventory.document_rows(case)}
    email = rows["note.eml"]
    assert email["subject"] == "Charging deadline"
    assert "ada@quill-law.example" in email["from"]
    assert email["sent"] == "2024-03-05T14:30:00"
    assert rows["timeline.pdf"]["parent"] == email["control"]
    assert rows["notes.txt"]["parent"] == email["control"]
    assert rows["timeline.pdf"]["path"].endswith("note.eml!timeline.pdf")
    assert rows["a.txt"]["parent"] == rows["bundle.zip"]["control"]
    assert rows["b.txt"]["path"].endswith("bundle.zip!dir/b.txt")
    memo = rows["memo.pdf"]
    assert memo["pages"] == 2 and memo["author"] == "M. Reyes" and memo["title"] == "Warrant memo"
    assert memo["custodian"] == "reyes"
    assert memo["custodians"] == ["reyes", "wu"]
    assert len(memo["sha256"]) == 64 and len(memo["md5"]) == 32 and len(memo["sha1"]) == 40
    assert [r["control"] for r in inventory.document_rows(case)][0] == "DOC-000001"
    assert "grudge" in inventory.document_text(case, rows["notes.txt"]["control"])


def test_originals_are_kept_unchanged_and_read_only(case: Case, collection: Path) -> None:
    before = (collection / "reyes" / "memo.pdf").read_bytes()
    run_ingest(case, collection, custodian_from_folder=True)
    assert (collection / "reyes" / "memo.pdf").read_bytes() == before
    memo = next(r for r in inventory.document_rows(case) if r["file_name"] == "memo.pdf")
    stored = case.natives.path_for(memo["sha256"])
    assert stored.read_bytes() == before
    assert not os.access(stored, os.W_OK) or os.geteuid() == 0  # root ignores permission bits
    assert stored.stat().st_mode & 0o222 == 0


def test_second_ingest_adds_nothing(case: Case, collection: Path) -> None:
    run_ingest(case, collection, custodian_from_folder=True)
    first = inventory.status(case)
    again = run_ingest(case, collection, custodian_from_folder=True)
    assert inventory.status(case) == first
    assert again.documents == 0 and again.skipped == again.inputs - 1  # the empty file is retried


def test_email_duplicate_with_different_transport_headers(case: Case, tmp_path: Path) -> None:
    make_email(
        tmp_path / "a" / "m.eml",
        "Status",
        "Body text",
        message_id="<same@id>",
        received="from a.example by b.example",
    )
    make_email(
        tmp_path / "b" / "m.eml",
        "Status",
        "Body text",
        message_id="<same@id>",
        received="from c.example by d.example",
    )
    summary = run_ingest(case, tmp_path / "a", tmp_path / "b")
    assert (summary.documents, summary.duplicates) == (1, 1)


def test_encrypted_pdf_is_an_exception_until_the_password_is_given(case: Case, tmp_path: Path) -> None:
    doc = pymupdf.open()
    doc.new_page().insert_text((72, 72), "Sealed exhibit list")
    doc.save(tmp_path / "sealed.pdf", encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="harlow", owner_pw="o")
    first = run_ingest(case, tmp_path / "sealed.pdf")
    assert first.exceptions == 1
    assert inventory.exception_rows(case)[0]["reason"].startswith("encrypted")
    second = run_ingest(case, tmp_path / "sealed.pdf", passwords=["wrong", "harlow"])
    assert second.documents == 1
    assert inventory.status(case)["exceptions"] == 0
    control = inventory.document_rows(case)[0]["control"]
    assert "Sealed exhibit list" in inventory.document_text(case, control)


def test_unsafe_zip_members_are_contained(case: Case, tmp_path: Path) -> None:
    make_zip(tmp_path / "evil.zip", {"../escape.txt": b"outside", "/etc/owned": b"abs", "ok.txt": b"fine"})
    run_ingest(case, tmp_path / "evil.zip")
    reasons = {row["path"].split("!")[-1]: row["reason"] for row in inventory.exception_rows(case)}
    assert reasons["../escape.txt"].startswith("unsafe path")
    assert reasons["/etc/owned"].startswith("unsafe path")
    assert not (tmp_path / "escape.txt").exists()
    assert {r["file_name"] for r in inventory.document_rows(case)} == {"evil.zip", "ok.txt"}


def test_files_over_the_size_limit_are_exceptions(case: Case, tmp_path: Path) -> None:
    from reviewer.core.ingest.extracted import Limits

    (tmp_path / "big.txt").write_bytes(b"x" * 5000)
    run_ingest(case, tmp_path / "big.txt", limits=Limits(max_file_bytes=1000))
    assert inventory.exception_rows(case)[0]["reason"].startswith("too large")


def test_worker_processes_give_the_same_result(case: Case, collection: Path, tmp_path: Path) -> None:
    run_ingest(case, collection, custodian_from_folder=True, jobs=2)
    with Case.create(tmp_path / "serial") as serial:
        run_ingest(serial, collection, custodian_from_folder=True, jobs=1)
        strip = lambda rows: [{k: v for k, v in r.items()} for r in rows]  # noqa: E731
        assert strip(inventory.document_rows(case)) == strip(inventory.document_rows(serial))


def test_progress_and_cancel(case: Case, tmp_path: Path) -> None:
    for n in range(30):
        (tmp_path / "in" / f"{n:02d}.txt").parent.mkdir(exist_ok=True)
        (tmp_path / "in" / f"{n:02d}.txt").write_text(f"letter number {n}")
    cancel = CancelToken()
    updates: list[ProgressUpdate] = []

    def watch(update: ProgressUpdate) -> None:
        updates.append(update)
        if update.stage == "ingest" and update.done >= 5:
            cancel.cancel()

    summary = ingest(case, [tmp_path / "in"], IngestOptions(jobs=1), watch, cancel)
    assert summary.cancelled
    assert 5 <= summary.documents < 30
    assert any(u.stage == "ingest" and u.total == 30 for u in updates)
    assert inventory.check(case) == []
    resumed = ingest(case, [tmp_path / "in"], IngestOptions(jobs=1))
    assert not resumed.cancelled
    assert inventory.status(case)["documents"] == 30


def test_index_follows_the_database(case: Case, collection: Path) -> None:
    run_ingest(case, collection, custodian_from_folder=True)
    assert len(TextIndex(case.index_dir).doc_ids()) == 8  # opens and reads it: it is sound
    assert inventory.check(case) == []


def test_check_reports_a_tampered_original(case: Case, collection: Path) -> None:
    run_ingest(case, collection, custodian_from_folder=True)
    memo = next(r for r in inventory.document_rows(case) if r["file_name"] == "memo.pdf")
    stored = case.natives.path_for(memo["sha256"])
    stored.chmod(0o644)
    stored.write_bytes(b"tampered")
    problems = inventory.check(case)
    assert any(memo["control"] in p and "no longer matches" in p for p in problems)


def _cli(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "reviewer", *args], capture_output=True, text=True, **kwargs)


def test_cli_kill_and_resume_gives_the_same_counts(tmp_path: Path) -> None:
    source = tmp_path / "many"
    for n in range(300):
        make_email(
            source / f"{n:03d}.eml",
            f"Message {n}",
            f"Body of message {n} " * 50,
            message_id=f"<m{n}@example>",
            attachments={"a.txt": f"attachment {n}".encode()},
        )
    assert _cli("init", str(tmp_path / "killed")).returncode == 0
    assert _cli("init", str(tmp_path / "whole")).returncode == 0
    process = subprocess.Popen(
        [sys.executable, "-m", "reviewer", "ingest", str(tmp_path / "killed"), str(source), "--jobs", "2"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    db = tmp_path / "killed" / "case.sqlite"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # kill once some work has been committed
        time.sleep(0.2)
        with Case.open(tmp_path / "killed") as killed:
            if inventory.status(killed)["documents"] > 0:
                break
    assert process.poll() is None, "the ingest finished before it could be killed"
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert db.exists()
    resumed = _cli("ingest", str(tmp_path / "killed"), str(source), "--json")
    assert resumed.returncode == 0, resumed.stderr
    whole = _cli("ingest", str(tmp_path / "whole"), str(source), "--json")
    assert whole.returncode == 0, whole.stderr
    counts = [
        json.loads(_cli("status", str(tmp_path / name), "--json").stdout) for name in ("killed", "whole")
    ]
    for key in ("documents", "duplicates", "exceptions", "inputs", "families"):
        assert (
            counts[0][key]
            == counts[1][key]
            == {"documents": 600, "duplicates": 0, "exceptions": 0, "inputs": 600, "families": 300}[key]
        )
    check = _cli("check", str(tmp_path / "killed"))
    assert check.returncode == 0, check.stdout + check.stderr


def _docx_with_entity(path: Path, entity_target: str) -> Path:
    """A minimal DOCX whose body declares an external entity pointing at a local file."""
    import zipfile

    content_types = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'wordprocessingml.document.main+xml"/></Types>'
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        'officeDocument" Target="word/document.xml"/></Relationships>'
    )
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<!DOCTYPE d [<!ENTITY secret SYSTEM "file://{entity_target}">]>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
        '<w:p><w:r><w:t>Visible words &secret; end</w:t></w:r></w:p></w:body></w:document>'
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", content_types)
        archive.writestr("_rels/.rels", rels)
        archive.writestr("word/document.xml", body)
    return path


def test_external_xml_entities_are_never_resolved(case: Case, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRETVALUE")
    _docx_with_entity(tmp_path / "xxe.docx", str(secret))
    run_ingest(case, tmp_path / "xxe.docx")
    facts = inventory.status(case)
    assert facts["inputs"] == 1
    rows = inventory.document_rows(case)
    if rows:  # kept as a document: the entity must not have been expanded
        assert "TOPSECRETVALUE" not in inventory.document_text(case, rows[0]["control"])
    else:
        assert inventory.exception_rows(case)[0]["reason"].startswith("damaged")


def test_containers_nested_too_deeply_stop_with_a_reason(case: Case, tmp_path: Path) -> None:
    import io
    import zipfile

    data = b"the innermost letter"
    name = "letter.txt"
    for level in range(12):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr(name, data)
        data, name = buffer.getvalue(), f"level{level}.zip"
    (tmp_path / "deep.zip").write_bytes(data)
    run_ingest(case, tmp_path / "deep.zip")
    reasons = [row["reason"] for row in inventory.exception_rows(case)]
    assert len(reasons) == 1 and reasons[0].startswith("nested too deeply")
    facts = inventory.status(case)
    assert facts["inputs"] == facts["documents"] + facts["exceptions"]
