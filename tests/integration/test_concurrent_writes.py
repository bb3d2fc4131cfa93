"""Writes from several real `reviewer` processes at once: a batch killed with SIGKILL mid-transaction leaves
all of it or none of it, and taggers racing each other and a long write transaction each apply once, with
one audit event per change and no "database is locked" reaching the user."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from reviewer.core.case import Case
from reviewer.core.models import AuditEvent, AuditGroup, DocumentTag, Tag
from tests.databases import write_locked
from tests.unit.test_review import add_documents

pytestmark = pytest.mark.skipif(os.name != "posix", reason="SIGKILL and the lock probe need a POSIX system")


def reviewer(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "reviewer", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def controls(ids: list[int]) -> list[str]:
    return [f"DOC-{doc_id:06d}" for doc_id in ids]


def tagged(case: Case, tag_name: str) -> set[int]:
    with case.db.reader() as session:
        return set(session.scalars(select(DocumentTag.document_id).join(Tag).where(Tag.name == tag_name)))


def tag_events(case: Case, tag_name: str) -> list[int]:
    """The documents of every 'tag' event for the tag, one entry per event."""
    with case.db.reader() as session:
        tag_id = session.scalar(select(Tag.id).where(Tag.name == tag_name))
        return list(session.scalars(select(AuditEvent.document_id).where(AuditEvent.action == "tag",
                                                                          AuditEvent.tag_id == tag_id)))


def test_a_batch_killed_mid_transaction_is_applied_whole_or_not_at_all(case: Case) -> None:
    ids = add_documents(case, 50_000)
    process = reviewer("tag", str(case.root), "Hot", *controls(ids))
    deadline = time.monotonic() + 120
    # Kill only once the tagger holds the write lock: it is inside its one transaction.
    while not write_locked(case):
        assert process.poll() is None, f"the tagger ended before it was killed: {process.communicate()}"
        assert time.monotonic() < deadline, "the tagger never started writing"
        time.sleep(0.005)
    assert process.poll() is None  # alive when killed
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=30)
    assert process.returncode == -signal.SIGKILL

    with Case.open(case.root) as reopened:
        applied = tagged(reopened, "Hot")
        assert applied in (set(), set(ids))
        assert sorted(tag_events(reopened, "Hot")) == sorted(applied)
        with reopened.db.reader() as session:
            groups = session.scalar(select(func.count()).select_from(AuditGroup))
        assert groups == (1 if applied else 0)
        # The case carries on: the batch can simply be run again.
        rerun = reviewer("tag", str(reopened.root), "Hot", *controls(ids))
        _out, err = rerun.communicate(timeout=300)
        assert rerun.returncode == 0, err
        assert tagged(reopened, "Hot") == set(ids)
        assert sorted(tag_events(reopened, "Hot")) == ids


def hold_write_lock_repeatedly(db_path: Path, stop: Path) -> subprocess.Popen[str]:
    """A fifth process that keeps taking the write lock for 1 s at a time, writing while it holds it,
    until `stop` exists; it prints how many times it held it."""
    script = f"""
import os, sqlite3, time
db = sqlite3.connect({str(db_path)!r}, timeout=60, isolation_level=None)
held = 0
while not os.path.exists({str(stop)!r}):
    db.execute("BEGIN IMMEDIATE")
    db.execute("INSERT INTO setting (key, value) VALUES ('holder', 'x') "
               "ON CONFLICT (key) DO UPDATE SET value = value || 'x'")
    time.sleep(1.0)
    db.execute("COMMIT")
    held += 1
    time.sleep(0.2)
print(held)
"""
    return subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def test_four_taggers_and_a_long_writer_at_once_apply_every_action_once(case: Case, tmp_path: Path) -> None:
    ids = add_documents(case, 2_000)
    plans = {  # each tagger's tag and selection, run as two commands in a row
        "A": ("Hot", ids[:1_200]),
        "B": ("Hot", ids[800:]),
        "C": ("Responsive", ids[::2]),
        "D": ("Responsive", ids[500:1_500]),
    }
    stop = tmp_path / "stop"
    holder = hold_write_lock_repeatedly(case.db.path, stop)
    outcomes: dict[str, list[tuple[int, str]]] = {name: [] for name in plans}

    def tagger(name: str) -> None:
        tag, selection = plans[name]
        for chunk in (selection[0::2], selection[1::2]):
            process = reviewer("tag", str(case.root), tag, *controls(chunk))
            _out, err = process.communicate(timeout=300)
            outcomes[name].append((process.returncode, err))

    try:
        time.sleep(0.5)  # the holder has the lock before the taggers start
        threads = [threading.Thread(target=tagger, args=(name,)) for name in plans]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        stop.touch()
        held, holder_err = holder.communicate(timeout=60)
    assert holder.returncode == 0, holder_err
    assert int(held) >= 2  # the taggers really had to wait for it

    reported = 0
    for name, results in outcomes.items():
        for code, err in results:
            assert code == 0, f"{name}: {err}"
            assert "locked" not in err and "error" not in err.lower(), f"{name}: {err}"
            reported += int(re.search(r"Tagged ([\d,]+) document", err).group(1).replace(",", ""))  # type: ignore[union-attr]

    with Case.open(case.root) as reopened:
        hot, responsive = set(ids[:1_200]) | set(ids[800:]), set(ids[::2]) | set(ids[500:1_500])
        assert tagged(reopened, "Hot") == hot and tagged(reopened, "Responsive") == responsive
        # One event per change: no document was tagged twice, however the taggers interleaved.
        assert sorted(tag_events(reopened, "Hot")) == sorted(hot)
        assert sorted(tag_events(reopened, "Responsive")) == sorted(responsive)
        assert reported == len(hot) + len(responsive)
        with reopened.db.reader() as session:
            groups = session.scalar(select(func.count()).select_from(AuditGroup))
        assert groups == sum(1 for results in outcomes.values() for _code, err in results
                             if not err.startswith("Tagged 0 "))
