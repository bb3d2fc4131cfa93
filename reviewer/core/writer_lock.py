"""The case's single-writer lock: owned by one thread, counted, and exclusive across processes.

Long jobs (ingest, import, production, index rebuild, migration) hold it; coding never needs it.

- **Owned and counted.** The thread that takes it may take it again (an ingest that rebuilds the index
  nests two blocks); each release undoes one acquire and only the last one frees the lock. A thread that
  does not own it cannot release it, so a block finishing on one thread never frees another thread's job.
- **Across processes.** The first acquire also takes a lock other processes see (`CrossProcessLock`): for a
  case folder an exclusive `flock` on `case.lock` (a byte-range lock on Windows), for a shared case a
  PostgreSQL advisory lock (team/advisory.py). Both vanish with the process that held them, so a kill
  never leaves a case locked, and both can say who holds them, for the message the next writer sees.
- **Waiting.** By default a second writer is refused at once with a sentence naming the holder; with
  `wait` it polls until the holder finishes, the time runs out or the job is cancelled.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path
from typing import Protocol

from reviewer.core.errors import CaseLockedError
from reviewer.core.progress import CancelToken

POLL_SECONDS = 0.1
SOMEONE = "another Reviewer window or command"


class CrossProcessLock(Protocol):
    """The part of the writer lock other processes see."""

    def try_take(self) -> bool:
        """Take it if it is free, without waiting; whether it was taken."""

    def give_back(self) -> None: ...

    def holder(self) -> str:
        """Who holds it, as "another Reviewer window or command (…)", for a refusal."""


class WriterLock:
    def __init__(self, across: CrossProcessLock, case_name: str) -> None:
        self.across = across
        self.case_name = case_name
        self._guard = threading.Lock()  # protects the fields below
        self._free = threading.Condition(self._guard)
        self._owner: int | None = None  # thread ident
        self._count = 0

    @property
    def held_by_me(self) -> bool:
        with self._guard:
            return self._owner == threading.get_ident()

    def acquire(self, wait: float = 0.0, cancel: CancelToken | None = None) -> None:
        """Take the lock (again, if this thread holds it). `wait` is how many seconds to wait for
        another writer before giving up with CaseLockedError; `cancel` ends the wait early."""
        me = threading.get_ident()
        deadline = time.monotonic() + wait
        with self._free:
            if self._owner == me:
                self._count += 1
                return
            while self._owner is not None:  # another thread of this process is writing
                remaining = deadline - time.monotonic()
                if remaining <= 0 or (cancel is not None and cancel.cancelled):
                    raise self._locked("another task in this window")
                self._free.wait(min(remaining, POLL_SECONDS))
            # Reserved while the lock across processes is taken, outside the guard.
            self._owner, self._count = me, 1
        try:
            self._take_across(deadline, cancel)
        except BaseException:
            with self._free:
                self._owner, self._count = None, 0
                self._free.notify_all()
            raise

    def release(self) -> None:
        with self._free:
            if self._owner != threading.get_ident():
                raise RuntimeError("the case writer lock is released by a thread that does not hold it")
            self._count -= 1
            if self._count:
                return
            try:
                self.across.give_back()
            finally:
                self._owner = None
                self._free.notify_all()

    def _take_across(self, deadline: float, cancel: CancelToken | None) -> None:
        while not self.across.try_take():
            if time.monotonic() >= deadline or (cancel is not None and cancel.cancelled):
                raise self._locked(self.across.holder())
            time.sleep(POLL_SECONDS)

    def _locked(self, holder: str) -> CaseLockedError:
        return CaseLockedError(f"{holder[0].upper()}{holder[1:]} is changing {self.case_name}; "
                               "wait for it to finish, then try again.")


class FileLock:
    """A case folder's `case.lock`: an exclusive lock on the file, which names the holder's process."""

    def __init__(self, path: Path, user: str) -> None:
        self.path = path
        self.user = user
        self._fd: int | None = None

    def try_take(self) -> bool:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            _lock_exclusive(fd)
        except OSError:
            os.close(fd)
            return False
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()} {self.user}\n".encode())
        os.fsync(fd)
        self._fd = fd
        return True

    def give_back(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            _unlock(fd)
            os.close(fd)

    def holder(self) -> str:
        try:
            with self.path.open(encoding="utf-8", errors="replace") as stream:
                pid, _, user = stream.read(256).strip().partition(" ")
        except OSError:
            pid, user = "", ""
        if not pid:
            return SOMEONE
        return f"{SOMEONE} ({user or 'unknown user'}, process {pid})"


if sys.platform == "win32":  # pragma: no cover - exercised on Windows builds only
    import msvcrt

    def _lock_exclusive(fd: int) -> None:
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)

    def _unlock(fd: int) -> None:
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock_exclusive(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
