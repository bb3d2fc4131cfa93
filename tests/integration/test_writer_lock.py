"""The case writer lock: owned by one thread, counted, exclusive across processes; and safe migrations."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from reviewer.core.case import Case
from reviewer.core.errors import CaseError, CaseLockedError
from reviewer.core.migrate import current_revision, head_revision, upgrade_to
from reviewer.core.progress import CancelToken

HOLD_LOCK = """
import sys, time
from reviewer.core.case import Case
with Case.open(sys.argv[1]) as case, case.writing():
    print("locked", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def in_thread(work) -> BaseException | None:
    """Run `work` on another thread; the exception it raised, if any."""
    errors: list[BaseException] = []

    def run() -> None:
        try:
            work()
        except BaseException as error:  # handed back to the test
            errors.append(error)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(30)
    return errors[0] if errors else None


def test_nested_blocks_keep_the_lock_until_the_outermost_ends(case: Case) -> None:
    with case.writing():
        with case.writing():
            pass
        # The inner block ended; the outer one still owns the lock, for this process and others.
        with Case.open(case.root) as other, pytest.raises(CaseLockedError):
            other.acquire_lock()
    with Case.open(case.root) as other, other.writing():
        pass


def test_a_second_job_on_the_same_case_object_is_refused_not_let_in(case: Case) -> None:
    # The desktop shares one Case between its lanes: an import must not start while an ingest writes.
    with case.writing():
        error = in_thread(lambda: case.acquire_lock())
        assert isinstance(error, CaseLockedError)
        assert "another task in this window" in str(error).lower()
        # The refused attempt did not free the lock either.
        with Case.open(case.root) as other, pytest.raises(CaseLockedError):
            other.acquire_lock()


def test_only_the_owner_releases(case: Case) -> None:
    with case.writing():
        error = in_thread(case.release_lock)
        assert isinstance(error, RuntimeError)
        with Case.open(case.root) as other, pytest.raises(CaseLockedError):
            other.acquire_lock()


def test_a_waiting_job_starts_when_the_first_finishes(case: Case) -> None:
    started = threading.Event()
    order: list[str] = []

    def first() -> None:
        with case.writing():
            started.set()
            time.sleep(0.5)
            order.append("first done")

    thread = threading.Thread(target=first)
    thread.start()
    started.wait(10)
    with case.writing(wait=20):
        order.append("second in")
    thread.join()
    assert order == ["first done", "second in"]


def test_a_wait_ends_when_cancelled(case: Case) -> None:
    token = CancelToken()
    with case.writing():
        timer = threading.Timer(0.3, token.cancel)
        timer.start()
        began = time.monotonic()
        error = in_thread(lambda: case.acquire_lock(wait=60, cancel=token))
        assert isinstance(error, CaseLockedError)
        assert time.monotonic() - began < 10


def test_another_process_is_refused_with_who_holds_the_lock(case: Case) -> None:
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(case.root), "30"],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        with pytest.raises(CaseLockedError, match=rf"process {holder.pid}\b.*wait for it to finish"):
            case.acquire_lock()
        assert holder.poll() is None  # refused because the holder is alive, not because it ended
    finally:
        holder.kill()
        holder.wait()
    # A killed holder leaves nothing behind: the operating system dropped its lock.
    with case.writing():
        pass


# --- migrations -------------------------------------------------------------------------------------------
def old_case(root: Path, revision: str = "0005") -> Path:
    """A case folder as an older Reviewer left it, with a setting to recognise it by."""
    for sub in ("natives", "text", "index", "productions"):
        (root / sub).mkdir(parents=True)
    engine = create_engine(f"sqlite:///{root / 'case.sqlite'}")
    upgrade_to(engine, revision)
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO setting (key, value) VALUES ('name', 'Old matter')"))
    engine.dispose()
    return root


def test_an_upgrade_keeps_a_backup_of_the_case_as_it_was(tmp_path: Path) -> None:
    root = old_case(tmp_path / "old")
    with Case.open(root) as case:
        assert case.name == "Old matter"
        assert current_revision(case.db.engine) == head_revision()
    backups = list((root / "backups").glob("*.sqlite"))
    assert len(backups) == 1 and "0005" in backups[0].name
    assert current_revision(create_engine(f"sqlite:///{backups[0]}")) == "0005"


def test_a_failed_upgrade_leaves_the_case_as_it_was(tmp_path: Path) -> None:
    root = old_case(tmp_path / "old")
    engine = create_engine(f"sqlite:///{root / 'case.sqlite'}")
    with engine.begin() as connection:  # something the next migration will trip over
        connection.execute(text("CREATE TABLE page_bates (id INTEGER PRIMARY KEY, note TEXT)"))
        connection.execute(text("INSERT INTO page_bates (note) VALUES ('kept')"))
    engine.dispose()
    with pytest.raises(CaseError, match="could not be upgraded.*left as it was"):
        Case.open(root)
    engine = create_engine(f"sqlite:///{root / 'case.sqlite'}")
    assert current_revision(engine) == "0005"
    with engine.connect() as connection:
        assert connection.execute(text("SELECT note FROM page_bates")).scalar_one() == "kept"
        assert connection.execute(text("SELECT value FROM setting WHERE key = 'name'")).scalar_one() \
            == "Old matter"
        tables = {row[0] for row in connection.execute(text("SELECT name FROM sqlite_master"))}
    assert "imported_record" not in tables  # nothing of the failed upgrade remains
    engine.dispose()


def test_two_processes_opening_an_old_case_migrate_it_once(tmp_path: Path) -> None:
    root = old_case(tmp_path / "old")
    opener = "import sys; from reviewer.core.case import Case; Case.open(sys.argv[1]).close(); print('open')"
    runs = [subprocess.Popen([sys.executable, "-c", opener, str(root)], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [run.communicate(timeout=120) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    assert len(list((root / "backups").glob("*.sqlite"))) == 1
    assert current_revision(create_engine(f"sqlite:///{root / 'case.sqlite'}")) == head_revision()
