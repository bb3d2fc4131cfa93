"""A case: open or create one (migrating it to head), its paths, settings, who works on it, and the
single-writer lock of the long jobs.

A case is either
- a **case folder** (one person, the default; copy the folder and you have copied the case):
    case.sqlite    all structured data          natives/   originals by SHA-256, read-only
    index/         Whoosh, rebuildable          text/      extracted text per document
    productions/   production volumes           imports/   the validation report of each import
    case.lock      held by the one writer       backups/   the database before each schema upgrade
    index.lock, index.swap.lock, index.new/   the index's own locks and a rebuild not yet swapped in
- or a **shared case** (a team): its database on a PostgreSQL server and its evidence in a shared folder
  (natives/, text/, index/, productions/, imports/ as above, plus reviewer-store.json saying which case
  database the folder belongs to). A team member opens it through a small case file (team/casefile.py).
  The writer lock and the index repair lock are PostgreSQL advisory locks (team/advisory.py); the files
  in the shared folder are written once under content-addressed or per-document names, so several
  machines can read them while one adds to them.

`Case.open` takes either: a case folder or a case file. `case.location` is what was opened (what to
open again, in another thread or process), `case.root` the evidence folder, `case.user` who acts.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, inspect, select
from sqlalchemy.exc import ProgrammingError

from reviewer.core.db import INDEX_LOCK, JOBS_LOCK, Database
from reviewer.core.errors import CaseError
from reviewer.core.migrate import current_revision, needs_upgrade, upgrade
from reviewer.core.models import Setting
from reviewer.core.progress import CancelToken
from reviewer.core.search import locking
from reviewer.core.store import EvidenceStore, TextStore
from reviewer.core.team import advisory, server
from reviewer.core.team.casefile import SUFFIX as CASE_FILE_SUFFIX
from reviewer.core.team.casefile import CaseFile, Server, ServerAddress
from reviewer.core.writer_lock import CrossProcessLock, FileLock, WriterLock

DB_NAME = "case.sqlite"
DEFAULT_CONTROL_PREFIX = "DOC"
BACKUP_DIR = "backups"
STORE_MARKER = "reviewer-store.json"
STORE_ID_SETTING = "store_id"
EVIDENCE_FOLDERS = ("natives", "text", "index", "productions", "imports")
# A case opened while another process migrates it waits this long for that migration to finish.
MIGRATION_WAIT_SECONDS = 300.0


def now() -> datetime:
    """Timestamps are stored as naive UTC."""
    return datetime.now(UTC).replace(tzinfo=None)


class Case:
    """An open case. Cheap to open; close it (or use it as a context manager) when done."""

    def __init__(self, location: Path, root: Path, db: Database, across: CrossProcessLock, label: str,
                 new: bool = False) -> None:
        self.location = location
        self.root = root
        self.db = db
        self.label = label  # the folder or database name, until the case's own name can be read
        self.writer_lock = WriterLock(across, label)
        self.upgraded_from: str | None = None  # the schema revision this open upgraded the case from
        try:
            self._migrate(new)
        except BaseException:
            db.close()
            raise
        self.natives = EvidenceStore(root / "natives")
        self.texts = TextStore(root / "text")

    def _migrate(self, new: bool) -> None:
        """Bring the database to this version's schema. One process migrates while holding the writer
        lock (after a backup of a case folder; on a server in one transaction); the others wait for it
        and then find nothing left to do."""
        if not needs_upgrade(self.db.engine):
            return
        if self.db.on_server and not new and current_revision(self.db.engine) is None:
            raise CaseError(f"The database {self.label} is not a Reviewer case (it has no Reviewer tables); "
                            "check the case file, or make a shared case with `reviewer share`.")
        with self.writing(wait=MIGRATION_WAIT_SECONDS):
            if needs_upgrade(self.db.engine):
                self.upgraded_from = upgrade(self.db, self.root / BACKUP_DIR, self.label)

    # --- opening and creating -------------------------------------------------------------------
    @classmethod
    def open(cls, location: Path | str) -> Case:
        """Open a case folder or the case file of a shared case."""
        location = Path(location).absolute()
        if location.is_dir():
            if not (location / DB_NAME).is_file():
                raise CaseError(f"{location} is not a Reviewer case (no {DB_NAME}); create one with "
                                "`reviewer init`.")
            case = cls._folder(location)
        elif location.is_file():
            case = cls.open_shared(location, CaseFile.read(location))
        else:
            raise CaseError(f"{location} is not a Reviewer case: there is no such case folder or case file.")
        try:
            _seed_review(case)  # cases made before tags (issues) existed get the default set on first open
        except BaseException:
            case.close()
            raise
        return case

    @classmethod
    def _folder(cls, root: Path, new: bool = False) -> Case:
        user = server.os_user()
        return cls(root, root, Database.sqlite(root / DB_NAME, root.name, user),
                   FileLock(root / "case.lock", user), root.name, new)

    @classmethod
    def open_shared(cls, location: Path, case_file: CaseFile, new: bool = False,
                    connection: ServerAddress | None = None) -> Case:
        """Open the shared case `case_file` describes (`location` is where that case file is, or will be);
        `connection` names the login and password to use instead of finding them (server.py)."""
        given = connection or ServerAddress(case_file.server, None, None)
        engine = server.connect(case_file.server, given.user, given.password)
        try:
            db = Database(engine, case_file.server.label, server.session_user(engine))
        except BaseException:
            engine.dispose()
            raise
        try:
            if not case_file.store.is_dir():
                raise CaseError(f"The shared evidence folder {case_file.store} of this case cannot be found; "
                                "connect the network drive it is on (or correct the case file), then try "
                                "again.")
        except BaseException:
            db.close()
            raise
        try:
            case = cls(location, case_file.store, db, advisory.AdvisoryLock(engine, JOBS_LOCK),
                       case_file.server.database, new)
        except ProgrammingError as error:
            if getattr(error.orig, "sqlstate", None) != "42501":  # insufficient_privilege
                raise
            raise CaseError(f"{db.user} is not a member of the shared case {case_file.server.label}, so the "
                            f"server will not show it to them; ask its admin to add them (reviewer user-add "
                            f"CASE {db.user} --role reviewer).") from None
        if not new:
            try:
                case._check_store()
            except BaseException:
                case.close()
                raise
        return case

    def _check_store(self) -> None:
        expected = self.setting(STORE_ID_SETTING)
        try:
            found = json.loads((self.root / STORE_MARKER).read_text(encoding="utf-8")).get(STORE_ID_SETTING)
        except (OSError, ValueError, AttributeError):
            found = None
        if not expected or found != expected:
            raise CaseError(f"{self.root} is not the evidence folder of the case {self.label}; correct the "
                            "store in the case file (or join the case again with the right --store).")

    @classmethod
    def create(cls, root: Path | str, name: str | None = None) -> Case:
        """A new case folder."""
        root = Path(root).absolute()
        if (root / DB_NAME).exists():
            raise CaseError(f"{root} is already a case.")
        _check_empty_folder(root)
        for sub in ("natives", "text", "index", "productions"):
            (root / sub).mkdir(parents=True, exist_ok=True)
        case = cls._folder(root, new=True)
        case._seed_settings(name or root.name)
        _seed_review(case)
        return case

    @classmethod
    def create_shared(cls, case_file: Path | str, address: ServerAddress, store: Path | str,
                      name: str | None = None) -> Case:
        """A new, empty shared case: the schema in an empty database on the server, the evidence folders
        in an empty shared folder, and the case file that opens it (written last)."""
        case_file, store = Path(case_file).absolute(), Path(store).absolute()
        if case_file.exists():
            raise CaseError(f"{case_file} already exists; choose another name for the case file.")
        _check_empty_folder(store)
        described = CaseFile(address.server, store)
        engine = server.connect(address.server, address.user, address.password)
        try:
            check_empty_database(engine, address.server)
        finally:
            engine.dispose()
        prepare_store(store, store_id := uuid.uuid4().hex, address.server)
        case = cls.open_shared(case_file, described, new=True, connection=address)
        try:
            case._seed_settings(name or address.server.database, {STORE_ID_SETTING: store_id})
            _seed_first_admin(case)
            _seed_review(case)
            described.write(case_file)
        except BaseException:
            case.close()
            raise
        return case

    def _seed_settings(self, name: str, more: dict[str, str] | None = None) -> None:
        with self.db.session() as session:
            for key, value in {
                "name": name,
                "control_prefix": DEFAULT_CONTROL_PREFIX,
                "created": now().isoformat(timespec="seconds"),
                "created_by": self.user,
                **(more or {}),
            }.items():
                session.add(Setting(key=key, value=value))

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Case:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # --- paths and settings ----------------------------------------------------------------
    @property
    def user(self) -> str:
        """Who acts, for the audit trail: the OS user on a case folder, the PostgreSQL login (the
        session's current_user) on a shared case."""
        return self.db.user

    @property
    def shared(self) -> bool:
        """Whether this is a shared case (on a database server) rather than a case folder."""
        return self.db.on_server

    @property
    def index_dir(self) -> Path:
        """Where the search index is: the one place that says so."""
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
        return self.setting("name", self.label)

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

    def index_lock(self, cancel: CancelToken | None = None,
                   on_wait: Callable[[], None] | None = None) -> AbstractContextManager[None]:
        """Held by the one repair or rebuild of the search index (search/repair.py); a second waits for
        it, calling `on_wait` once. Across machines on a shared case."""
        if self.shared:
            return advisory.holding(advisory.AdvisoryLock(self.db.engine, INDEX_LOCK), cancel, on_wait)
        return locking.holding(self.root / "index.lock", cancel, on_wait)


def looks_like_case(path: Path) -> bool:
    """Whether `path` is something Case.open can be given: a case folder, or a shared case's case file."""
    return (path / DB_NAME).is_file() or (path.suffix == CASE_FILE_SUFFIX and path.is_file())


def _check_empty_folder(folder: Path) -> None:
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise CaseError(f"{folder} is not empty; choose a new folder for the case.")


def check_empty_database(engine: Engine, where: Server) -> None:
    """Refuse a database that already holds tables: a shared case starts in a new, empty database."""
    with engine.connect() as connection:
        tables = inspect(connection).get_table_names()
    if tables:
        raise CaseError(f"The database {where.label} is not empty ({len(tables)} tables); give it a new, "
                        f"empty database (createdb {where.database}_2, for example).")


def prepare_store(store: Path, store_id: str, where: Server) -> None:
    """Make the evidence folders of a shared case and the marker that ties the folder to its database."""
    for sub in EVIDENCE_FOLDERS:
        (store / sub).mkdir(parents=True, exist_ok=True)
    marker = {"reviewer": "shared evidence folder", STORE_ID_SETTING: store_id, "database": where.label}
    (store / STORE_MARKER).write_text(json.dumps(marker, indent=2) + "\n", encoding="utf-8")


def _seed_first_admin(case: Case) -> None:
    # Imported here because reviewer.core.team.users builds on this module.
    from reviewer.core.team.users import add_first_admin

    with case.db.session() as session:
        add_first_admin(session.connection())


def _seed_review(case: Case) -> None:
    # Imported here because reviewer.core.review and casebuild build on this module.
    from reviewer.core.casebuild.issues import ensure_default_issues
    from reviewer.core.review import ensure_default_tags

    ensure_default_tags(case)
    ensure_default_issues(case)
