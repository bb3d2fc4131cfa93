"""The writer lock of a shared case is a PostgreSQL advisory lock: one long job at a time across the team,
the refusal names who holds it, a killed holder frees it, coding never waits for it; and writes queue."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from reviewer.core import audit, db, review
from reviewer.core.case import Case
from reviewer.core.errors import CaseBusyError, CaseLockedError

HOLD_LOCK = """
import sys, time
from reviewer.core.case import Case
with Case.open(sys.argv[1]) as case, case.writing():
    print("locked", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def test_another_machine_holding_the_writer_lock_is_named_and_a_kill_frees_it(shared_case: Path) -> None:
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(shared_case), "60"],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        with Case.open(shared_case) as case:
            who = rf"\(reviewer_admin on {socket.gethostname()[:32]}, process {holder.pid}\)"
            refusal = (rf"^Another Reviewer window or command {who} is changing {case.label}; wait for it "
                       r"to finish, then try again\.$")
            with pytest.raises(CaseLockedError, match=refusal):
                case.acquire_lock()
            # Coding never waits for the writer lock.
            started = time.monotonic()
            assert review.tag_documents(case, [1, 2], "Responsive") == 2
            assert time.monotonic() - started < 5
            assert holder.poll() is None  # refused because the holder is alive, not because it ended
    finally:
        holder.kill()
        holder.wait()
    # The server ended the killed client's session, and its lock with it.
    with Case.open(shared_case) as case, case.writing(wait=30):
        pass


def test_a_waiting_job_starts_when_the_one_on_another_client_finishes(shared_case: Path) -> None:
    order: list[str] = []
    started = threading.Event()
    with Case.open(shared_case) as first, Case.open(shared_case) as second:
        def hold() -> None:
            with first.writing():
                started.set()
                time.sleep(1.0)
                order.append("first done")

        thread = threading.Thread(target=hold)
        thread.start()
        started.wait(10)
        with second.writing(wait=30):
            order.append("second in")
        thread.join()
    assert order == ["first done", "second in"]


TOGGLE = """
import sys
from reviewer.core import audit, db, review
from reviewer.core.case import Case
with Case.open(sys.argv[1]) as case:
    for _ in range(int(sys.argv[2])):
        review.toggle_tag(case, [1, 2, 3], "Hot")
"""


def test_writers_on_several_clients_queue_and_each_sees_what_the_last_committed(shared_case: Path) -> None:
    # Toggling reads whether every document has the tag, then writes: if two clients could interleave,
    # both would add (a unique key violation) or the events would not add up. Writes take turns instead.
    runs = [subprocess.Popen([sys.executable, "-c", TOGGLE, str(shared_case), "15"],
                             stderr=subprocess.PIPE, text=True) for _ in range(3)]
    errors = [run.communicate(timeout=240)[1] for run in runs]
    assert [run.returncode for run in runs] == [0, 0, 0], errors
    with Case.open(shared_case) as case:
        # fill() tagged 1, 2 and 4 "Hot". The first toggle adds the tag to 3 (one change); every later one
        # takes it off all three or puts it on all three. After 45, all three carry it.
        assert {doc for doc in (1, 2, 3) if "Hot" in review.coding(case, doc).tags} == {1, 2, 3}
        changes = [group.events for group in audit.trail(case) if '"Hot"' in group.summary]
        assert len(changes) == 1 + 45 and sum(changes) == 3 + 1 + 44 * 3


def test_a_write_that_waits_too_long_is_refused_in_one_sentence(shared_case: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(db, "BUSY_TIMEOUT_SECONDS", 1)  # for the engines opened from here on
    with Case.open(shared_case) as holder, Case.open(shared_case) as waiter, holder.db.session():
        started = time.monotonic()
        with pytest.raises(CaseBusyError, match=rf"kept {waiter.db.label} busy for over 1 seconds"):
            review.tag_documents(waiter, [3], "Responsive")
        assert time.monotonic() - started < 10
    with Case.open(shared_case) as case:  # nothing of the refused write was kept
        assert "Responsive" not in review.coding(case, 3).tags
