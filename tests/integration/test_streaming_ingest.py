"""Containers stream: a mailbox is recorded message by message, Stop is prompt, memory stays flat, a kill
inside a mailbox resumes at the message where it stopped, and a reader that hangs cannot hang the run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from reviewer.core import inventory
from reviewer.core.case import Case
from reviewer.core.ingest.pipeline import READER_MODULES_VARIABLE, IngestOptions, ingest
from reviewer.core.models import IngestEntry
from reviewer.core.progress import CancelToken, ProgressUpdate
from tests.helpers import make_zip
from tests.process_tree import TreePeak


def make_mbox(path: Path, count: int, tag: str = "msg") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as out:
        for n in range(count):
            sender = f"sender{n % 50}@example.com"
            out.write(
                f"From {sender} Mon Jan  1 10:00:00 2024\n"
                f"From: Sender {n % 50} <{sender}>\nTo: counsel@example.com\n"
                f"Subject: Message {n} about the hearing\nDate: Mon, 1 Jan 2024 10:00:00 +0000\n"
                f"Message-ID: <{tag}{n}@example.com>\n\n"
                f"Body of message {n}: the witness statement and exhibit {n}.\n\n".encode()
            )
    return path


def recorded_members(case_dir: Path) -> tuple[int, bool]:
    """How many container members are on the ledger, and whether any container is finished."""
    with Case.open(case_dir) as case, case.db.reader() as session:
        members = session.scalar(select(func.count()).where(IngestEntry.member_path != "")) or 0
        finished = bool(session.scalar(select(func.count()).where(IngestEntry.member_path == "")))
    return members, finished


def ledger(case: Case) -> list[tuple[str, str, str, str]]:
    with case.db.reader() as session:
        rows = session.execute(
            select(IngestEntry.source_path, IngestEntry.member_path, IngestEntry.status, IngestEntry.sha256)
        ).all()
    return sorted(tuple(row) for row in rows)


def document_facts(case: Case) -> list[tuple[str, str, str, str | None]]:
    return [(r["control"], r["path"], r["sha256"], r["container"]) for r in inventory.document_rows(case)]


def _ingest_command(case_dir: Path, *paths: Path) -> list[str]:
    return [sys.executable, "-m", "reviewer", "ingest", str(case_dir), *map(str, paths), "--jobs", "2"]


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "reviewer", *args], capture_output=True, text=True)


def _run_measured(command: list[str]) -> int:
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = TreePeak(process.pid)
    _, errors = process.communicate(timeout=600)
    megabytes = peak.stop() // 1024
    assert process.returncode == 0, errors
    return megabytes


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads resident sizes from /proc")
def test_mailbox_streams_stop_is_prompt_and_memory_stays_flat(tmp_path: Path) -> None:
    small = make_mbox(tmp_path / "small" / "small.mbox", 1_000)
    large = make_mbox(tmp_path / "large" / "large.mbox", 20_000)
    for name in ("whole", "killed", "large-case"):
        assert _cli("init", str(tmp_path / name)).returncode == 0

    # The uninterrupted run, measured: the baseline for memory and the ledger to compare with.
    small_peak = _run_measured(_ingest_command(tmp_path / "whole", small.parent))

    # kill -9 inside the mailbox, then the same command again: it resumes at the message where it stopped.
    process = subprocess.Popen(_ingest_command(tmp_path / "killed", small.parent),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and recorded_members(tmp_path / "killed")[0] < 200:
        time.sleep(0.2)
    members, finished = recorded_members(tmp_path / "killed")
    assert process.poll() is None and members >= 200 and not finished, "the kill must land inside the mailbox"
    process.send_signal(signal.SIGKILL)
    process.wait()
    resumed = subprocess.run([*_ingest_command(tmp_path / "killed", small.parent), "--json"],
                             capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr
    summary = json.loads(resumed.stdout)
    assert summary["documents"] <= 1_001 - members  # what was recorded before the kill is not read again
    with Case.open(tmp_path / "killed") as killed, Case.open(tmp_path / "whole") as whole:
        assert ledger(killed) == ledger(whole)
        assert document_facts(killed) == document_facts(whole)  # no message twice, same control numbers
        assert inventory.status(killed)["documents"] == 1_001
    check = _cli("check", str(tmp_path / "killed"))
    assert check.returncode == 0, check.stdout + check.stderr

    # A mailbox twenty times larger: recorded as it is read, stopped (Ctrl-C) well inside it, promptly,
    # and no process of the run grew larger than for the small mailbox.
    process = subprocess.Popen(_ingest_command(tmp_path / "large-case", large.parent),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = TreePeak(process.pid)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and recorded_members(tmp_path / "large-case")[0] < 2_500:
        time.sleep(0.2)
    assert process.poll() is None, "the large mailbox must still be being read"
    process.send_signal(signal.SIGINT)
    stopped = time.monotonic()
    assert process.wait(timeout=30) == 130
    assert time.monotonic() - stopped < 5
    large_peak = peak.stop() // 1024
    print(f"peak RSS MB: {small_peak} for 1,000 messages, {large_peak} for 20,000 stopped at 2,500+")
    assert large_peak < small_peak * 1.3 + 40, (small_peak, large_peak)
    with Case.open(tmp_path / "large-case") as case:
        assert inventory.status(case)["documents"] >= 2_500


def test_stop_inside_a_mailbox_reports_each_member_and_resumes(case: Case, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    mailbox = make_mbox(tmp_path / "in" / "box.mbox", 1_000)
    cancel = CancelToken()
    messages: list[str] = []
    stopped_at: list[float] = []

    def watch(update: ProgressUpdate) -> None:
        if update.message.startswith("Reading box.mbox"):
            messages.append(update.message)
            if len(messages) == 3 and not cancel.cancelled:
                cancel.cancel()
                stopped_at.append(time.monotonic())

    summary = ingest(case, [mailbox.parent], IngestOptions(jobs=2), watch, cancel)
    assert summary.cancelled and time.monotonic() - stopped_at[0] < 5
    partial = inventory.status(case)["documents"]
    assert 0 < partial < 1_001
    assert inventory.exception_rows(case) == []
    resumed = ingest(case, [mailbox.parent], IngestOptions(jobs=2))
    assert not resumed.cancelled and resumed.skipped == 0
    assert inventory.status(case)["documents"] == 1_001
    with Case.create(tmp_path / "whole") as whole:
        ingest(whole, [mailbox.parent], IngestOptions(jobs=2))
        assert ledger(case) == ledger(whole)
        assert document_facts(case) == document_facts(whole)
    assert inventory.check(case) == []


def test_a_reader_that_hangs_is_stopped_and_the_run_goes_on(case: Case, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(READER_MODULES_VARIABLE, "tests.integration.hanging_reader")
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "hangs.txt").write_text("this reader never returns")
    for n in range(4):
        (folder / f"letter{n}.txt").write_text(f"Letter number {n} about the motion.")
    make_zip(folder / "bundle.zip", {"inner.txt": b"a member", "hangs-inside.txt": b"never read"})
    started = time.monotonic()
    summary = ingest(case, [folder], IngestOptions(jobs=2, file_timeout=3))
    assert time.monotonic() - started < 3 * 2 + 15  # two hangs, one after the other at worst
    reasons = {row["path"].rsplit("/", 1)[-1]: row["reason"] for row in inventory.exception_rows(case)}
    assert set(reasons) == {"hangs.txt", "bundle.zip!(unreadable remainder)"}
    assert all(reason.startswith("too slow") and "longer than 3 s" in reason for reason in reasons.values())
    names = {row["file_name"] for row in inventory.document_rows(case)}
    assert names == {"letter0.txt", "letter1.txt", "letter2.txt", "letter3.txt", "bundle.zip", "inner.txt"}
    assert summary.exceptions == 2
    assert inventory.check(case) == []


def test_a_reader_that_crashes_its_process_is_blamed_alone(case: Case, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(READER_MODULES_VARIABLE, "tests.integration.hanging_reader")
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "crashes.txt").write_text("this reader takes its process down")
    for n in range(6):
        (folder / f"letter{n}.txt").write_text(f"Letter number {n} about the motion.")
    summary = ingest(case, [folder], IngestOptions(jobs=2))
    [exception] = inventory.exception_rows(case)
    assert exception["path"].endswith("crashes.txt") and exception["reason"].startswith("damaged")
    assert "crashed the reader" in exception["reason"]
    assert (summary.documents, summary.exceptions) == (6, 1)
    assert inventory.check(case) == []


def test_a_large_archive_member_is_spooled_not_held_in_memory(case: Case, tmp_path: Path) -> None:
    import zipfile

    # 64 MB of one byte: far past the spooling size, compressed about 1000:1 (so the ratio limit is raised).
    member = tmp_path / "filler.bin"
    with member.open("wb") as out:
        for _ in range(64):
            out.write(b"\0" * (1024 * 1024))
    with zipfile.ZipFile(tmp_path / "in.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(member, "filler.bin")
        archive.writestr("note.txt", "a short note")
    member.unlink()
    from reviewer.core.ingest.extracted import Limits

    ingest(case, [tmp_path / "in.zip"], IngestOptions(jobs=1, limits=Limits(max_compression_ratio=5000)))
    with case.db.reader() as session:
        entry = session.scalars(select(IngestEntry).where(IngestEntry.member_path == "filler.bin")).one()
    assert entry.size == 64 * 1024 * 1024  # stored whole (then unsupported: it is not a readable file)
    assert case.natives.path_for(entry.sha256).stat().st_size == 64 * 1024 * 1024
    rows = {row["file_name"]: row for row in inventory.document_rows(case)}
    assert rows["note.txt"]["parent"] == rows["in.zip"]["control"]


@pytest.fixture
def corpus_pst(corpus: Path) -> Path:
    pst = corpus / "misc" / "pst" / "tika__testPST.pst"
    if not pst.is_file():
        pytest.skip("the corpus has no tika__testPST.pst")
    return pst


@pytest.mark.corpus
def test_stop_inside_a_pst_resumes_to_the_same_ledger(corpus_pst: Path, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(READER_MODULES_VARIABLE, "tests.integration.one_member_chunks")
    cancel = CancelToken()
    stopped_at: list[float] = []

    def watch(update: ProgressUpdate) -> None:
        if update.message.startswith("Reading") and not cancel.cancelled:
            cancel.cancel()
            stopped_at.append(time.monotonic())

    with Case.create(tmp_path / "stopped") as stopped, Case.create(tmp_path / "whole") as whole:
        first = ingest(stopped, [corpus_pst], IngestOptions(jobs=2), watch, cancel)
        assert first.cancelled and time.monotonic() - stopped_at[0] < 5
        members, finished = recorded_members(tmp_path / "stopped")
        assert members >= 1 and not finished
        ingest(stopped, [corpus_pst], IngestOptions(jobs=2))
        ingest(whole, [corpus_pst], IngestOptions(jobs=2))
        assert ledger(stopped) == ledger(whole)
        assert document_facts(stopped) == document_facts(whole)
        assert inventory.check(stopped) == []
        pst = next(r for r in inventory.document_rows(stopped) if r["kind"] == "pst")
        assert sum(r["container"] == pst["control"] for r in inventory.document_rows(stopped)) >= 5


def test_workers_read_each_input_once_with_the_pool(case: Case, tmp_path: Path) -> None:
    """Chunks come back in input order whatever the workers' speed: control numbers follow the folders."""
    folder = tmp_path / "in"
    make_mbox(folder / "a.mbox", 400)
    for n in range(20):
        (folder / f"b{n:02d}.txt").write_text(f"letter {n}")
    make_mbox(folder / "c.mbox", 400, tag="other")
    ingest(case, [folder], IngestOptions(jobs=2))
    paths = [row["path"] for row in inventory.document_rows(case)]
    assert len(paths) == 822
    order = [Path(p.split("!")[0]).name for p in paths]
    assert order == sorted(order)
    assert os.path.basename(paths[1]).startswith("a.mbox!message-0001")
