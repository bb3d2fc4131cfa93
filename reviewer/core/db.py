"""The case database engine: SQLite in WAL mode, foreign keys on, one short Session per operation.

Every write transaction starts with BEGIN IMMEDIATE, taking SQLite's write lock before it reads anything.
Two things follow. What a write reads stays true until it commits (the Python driver would otherwise begin
the transaction only at the first INSERT, after the reads). And writers queue: a transaction that had read
under a shared lock and then wanted to write while another process wrote would fail at once with
"database is locked", busy timeout or not; one that asks for the write lock first simply waits its turn.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from reviewer.core.errors import CaseBusyError

# How long a write waits for another process's write transaction before giving up with CaseBusyError.
BUSY_TIMEOUT_SECONDS = 60


def make_engine(db_path: Path) -> Engine:
    engine = create_engine(f"sqlite:///{db_path}", connect_args={"timeout": BUSY_TIMEOUT_SECONDS})

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_SECONDS * 1000}")
        cursor.close()

    return engine


class Database:
    """Owns the engine and hands out sessions; never share a Session or ORM object across threads."""

    def __init__(self, db_path: Path) -> None:
        self.path = db_path
        self.engine = make_engine(db_path)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A write transaction: holds the write lock from its start (waiting for another writer to finish),
        commits when the block succeeds and rolls back when it raises. Never open one inside another."""
        with self._sessions() as session, session.begin():
            try:
                session.connection().exec_driver_sql("BEGIN IMMEDIATE")
            except OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
                raise CaseBusyError(
                    f"Another Reviewer window or command kept {self.path.parent.name} busy for over "
                    f"{BUSY_TIMEOUT_SECONDS} seconds; try again when it has finished."
                ) from None
            yield session

    @contextmanager
    def reader(self) -> Iterator[Session]:
        """A session for reading only; nothing is committed."""
        with self._sessions() as session:
            yield session

    def close(self) -> None:
        self.engine.dispose()
