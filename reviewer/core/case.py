"""A case folder: create, open (migrating to head), paths, settings and the single-writer lock.

Layout (copy the folder and you have copied the case):
    case.sqlite    all structured data          natives/   originals by SHA-256, read-only
    index/         Whoosh, rebuildable          text/      extracted text per document
    productions/   production volumes           case.lock  held by the one writer
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from reviewer.core.db import Database
from reviewer.core.errors import CaseError, CaseLockedError
from reviewer.core.migrate import upgrade_to_head
from reviewer.core.models import Setting
from reviewer.core.store import EvidenceStore, TextStore

DB_NAME = "case.sqlite"
DEFAULT_CONTROL_PREFIX = "DOC"


def now() -> datetime:
    """Timestamps are stored as naive UTC."""
    return datetime.now(UTC).replace(tzinfo=None)


def current_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name (containers, services): still record something
        return os.environ.get("USER", "unknown")


class Case:
    """An open case. Cheap to open; close it (or use it as a context manager) when done."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.db = Database(root / DB_NAME)
        upgrade_to_head(self.db.engine)
        self.natives = EvidenceStore(root / "natives")
        self.texts = TextStore(root / "text")
        self._lock_file: int | None = None

    # --- creation and opening -------------------------------------------------------------
    @classmethod
    def create(cls, root: Path | str, name: str | None = None) -> Case:
        root = Path(root).absolute()
        if (root / DB_NAME).exists():
            raise CaseError(f"{root} is already a case.")
        if root.exists() and any(root.iterdir()):
            raise CaseError(f"{root} is not empty; choose a new folder for the case.")
        for sub in ("natives", "text", "index", "productions"):
            (root / sub).mkdir(parents=True, exist_ok=True)
        case = cls(root)
        with case.db.session() as session:
            for key, value in {
                "name": name or root.name,
                "control_prefix": DEFAULT_CONTROL_PREFIX,
                "created": now().isoformat(timespec="seconds"),
                "created_by": current_user(),
            }.items():
                session.add(Setting(key=key, value=value))
        _seed_review(case)
        return case

    @classmethod
    def open(cls, root: Path | str) -> Case:
        root = Path(root).absolute()
        if not (root / DB_NAME).is_file():
            raise CaseError(f"{root} is not a Reviewer case (no {DB_NAME}); create one with `reviewer init`.")
        case = cls(root)
        _seed_review(case)  # cases made before tags existed get the default set on first open
        return case

    def close(self) -> None:
        self.release_lock()
        self.db.close()

    def __enter__(self) -> Case:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # --- paths and settings ----------------------------------------------------------------
    @property
    def index_dir(self) -> Path:
        return self.root / "index"

    @property
    def productions_dir(self) -> Path:
        return self.root / "productions"

    def setting(self, key: str, default: str = "") -> str:
        with self.db.reader() as session:
            row = session.scalar(select(Setting).where(Setting.key == key))
            return row.value if row else default

    def set_setting(self, key: str, value: str) -> None:
        """Change a setting as a reviewer action: on the audit trail and undoable. "" removes the setting,
        so that it reads as its default again."""
        # Imported here because reviewer.core.audit builds on this module.
        from reviewer.core.audit import change_setting

        change_setting(self, key, value)

    @property
    def name(self) -> str:
        return self.setting("name", self.root.name)

    # --- the single-writer lock -----------------------------------------------------------
    @contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the case's writer lock for the block; a second writer gets CaseLockedError at once."""
        self.acquire_lock()
        try:
            yield
        finally:
            self.release_lock()

    def acquire_lock(self) -> None:
        if self._lock_file is not None:
            return
        fd = os.open(self.root / "case.lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            _lock_exclusive(fd)
        except OSError:
            os.close(fd)
            raise CaseLockedError(
                f"Another Reviewer window or command is changing {self.root.name}; wait for it to finish."
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()} {current_user()}\n".encode())
        self._lock_file = fd

    def release_lock(self) -> None:
        if self._lock_file is None:
            return
        _unlock(self._lock_file)
        os.close(self._lock_file)
        self._lock_file = None


def _seed_review(case: Case) -> None:
    # Imported here because reviewer.core.review builds on this module.
    from reviewer.core.review import ensure_default_tags

    ensure_default_tags(case)


if os.name == "nt":  # pragma: no cover - exercised on Windows builds only
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
