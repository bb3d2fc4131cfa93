"""A case folder: create, open (migrating to head), paths, settings and the single-writer lock.

Layout (copy the folder and you have copied the case):
    case.sqlite    all structured data          natives/   originals by SHA-256, read-only
    index/         Whoosh, rebuildable          text/      extracted text per document
    productions/   production volumes           case.lock  held by the one writer
    backups/       the database as it was before each schema upgrade
    index.lock, index.swap.lock, index.new/   the index's own locks and a rebuild not yet swapped in
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
from reviewer.core.errors import CaseError
from reviewer.core.migrate import needs_upgrade, upgrade_with_backup
from reviewer.core.models import Setting
from reviewer.core.progress import CancelToken
from reviewer.core.store import EvidenceStore, TextStore
from reviewer.core.writer_lock import WriterLock

DB_NAME = "case.sqlite"
DEFAULT_CONTROL_PREFIX = "DOC"
BACKUP_DIR = "backups"
# A case opened while another process migrates it waits this long for that migration to finish.
MIGRATION_WAIT_SECONDS = 300.0


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
        self.writer_lock = WriterLock(root / "case.lock", root.name, current_user())
        self.db = Database(root / DB_NAME)
        self._migrate()
        self.natives = EvidenceStore(root / "natives")
        self.texts = TextStore(root / "text")

    def _migrate(self) -> None:
        """Bring the database to this version's schema. One process migrates while holding the writer
        lock, after a backup; the others wait for it and then find nothing left to do."""
        if not needs_upgrade(self.db.engine):
            return
        with self.writing(wait=MIGRATION_WAIT_SECONDS):
            if needs_upgrade(self.db.engine):
                upgrade_with_backup(self.db, self.root / BACKUP_DIR, self.root.name)

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
        _seed_review(case)  # cases made before tags (issues) existed get the default set on first open
        return case

    def close(self) -> None:
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
    def writing(self, wait: float = 0.0, cancel: CancelToken | None = None) -> Iterator[None]:
        """Hold the case's writer lock for the block (nested blocks on one thread are fine). A second
        writer gets CaseLockedError, at once or after waiting `wait` seconds for this one to finish."""
        self.writer_lock.acquire(wait, cancel)
        try:
            yield
        finally:
            self.writer_lock.release()

    def acquire_lock(self, wait: float = 0.0, cancel: CancelToken | None = None) -> None:
        self.writer_lock.acquire(wait, cancel)

    def release_lock(self) -> None:
        self.writer_lock.release()


def _seed_review(case: Case) -> None:
    # Imported here because reviewer.core.review and casebuild build on this module.
    from reviewer.core.casebuild.issues import ensure_default_issues
    from reviewer.core.review import ensure_default_tags

    ensure_default_tags(case)
    ensure_default_issues(case)
