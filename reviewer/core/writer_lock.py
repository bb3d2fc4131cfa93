"""The case's single-writer lock: owned by one thread, counted, and exclusive across processes.

Long jobs (ingest, import, production, index rebuild, migration) hold it; coding never needs it.

- **Owned and counted.** The thread that takes it may take it again (an ingest that rebuilds the index
  nests two blocks); each release undoes one acquire and only the last one frees the lock. A thread that
  does not own it cannot release it, so a block finishing on one thread never frees another thread's job.
- **Across processes.** The first acquire also takes an exclusive `flock` on `case.lock` (a byte-range
  lock on Windows), which the operating system drops when the process dies, so a kill never leaves a case
  locked. The file names who holds it, for the message the next writer sees.
- **Waiting.** By default a second writer is refused at once with a sentence naming the holder; with
  `wait` it polls until the holder finishes, the time runs out or the job is cancelled.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path

from reviewer.core.errors import CaseLockedError
from reviewer.core.progress import CancelToken

POLL_SECONDS = 0.1


class WriterLock:
    def __init__(self, path: Path, case_name: str, user: str) -> None:
        self.path = path
        self.case_name = case_name
        self.user = user
        self._guard = threading.Lock()  # protects the fields below
        self._free = threading.Condition(self._guard)
        self._owner: int | None = None  # thread ident
        self._count = 0
        self._fd: int | None = None

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
            self._owner, self._count = me, 1  # reserved while the file lock is taken, outside the guard
        try:
            self._fd = self._lock_file(deadline, cancel)
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
            fd, self._fd = self._fd, None
            if fd is not None:
                _unlock(fd)
                os.close(fd)
            self._owner = None
            self._free.notify_all()

    def _lock_file(self, deadline: float, cancel: CancelToken | None) -> int:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        while True:
            try:
                _lock_exclusive(fd)
                break
            except OSError:
                if time.monotonic() >= deadline or (cancel is not None and cancel.cancelled):
                    holder = self._holder(fd)
                    os.close(fd)
                    raise self._locked(holder) from None
                time.sleep(POLL_SECONDS)
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()} {self.user}\n".encode())
        os.fsync(fd)
        return fd

    def _holder(self, fd: int) -> str:
        try:
            os.lseek(fd, 0, os.SEEK_SET)
            pid, _, user = os.read(fd, 256).decode(errors="replace").strip().partition(" ")
        except OSError:
            pid, user = "", ""
        if not pid:
            return "another Reviewer window or command"
        return f"another Reviewer window or command ({user or 'unknown user'}, process {pid})"

    def _locked(self, holder: str) -> CaseLockedError:
        return CaseLockedError(f"{holder[0].upper()}{holder[1:]} is changing {self.case_name}; "
                               "wait for it to finish, then try again.")


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
