"""The case database: SQLite for a case folder, PostgreSQL for a shared case; one short Session per operation.

Core code is the same on both. What differs lives here (and in sql.py, for the few SQL functions the two
spell differently): how an engine is made, and how a write transaction keeps two guarantees the rest of
core relies on.

- **What a write reads stays true until it commits.** Undo reads the newest action and reverses it; a
  toggle reads whether every document has the tag; a recording transaction allocates document ids from
  max(id). None of that may change under it before it commits.
- **Writers queue rather than fail.** A second writer waits its turn (up to BUSY_TIMEOUT_SECONDS, then
  CaseBusyError); it never fails half-way because another wrote first.

SQLite: every write transaction starts with BEGIN IMMEDIATE, taking SQLite's write lock before it reads
anything (the driver would otherwise begin only at the first INSERT, after the reads, and a transaction that
read under a shared lock would then fail at once with "database is locked" when another process wrote).

PostgreSQL: every write transaction first takes one transaction-level advisory lock shared by every client
of the case database (`pg_advisory_xact_lock`), so writes run one at a time across the team exactly as
SQLite's write lock makes them run on one machine, and under READ COMMITTED each later statement sees every
write committed before the lock was granted and none after. The lock ends with the commit or rollback, so a
client that is killed never leaves it held. Reads take no lock and see committed data only.

Never open a write session inside another on the same thread: the inner one would wait for the outer.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import chain
from pathlib import Path
from typing import Any

from sqlalchemy import URL, Engine, Select, create_engine, event, func, select
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from reviewer.core.errors import CaseBusyError, ServerUnreachableError

# How long a write waits for another write transaction before giving up with CaseBusyError.
BUSY_TIMEOUT_SECONDS = 60
# How long connecting to a database server may take before it counts as unreachable.
CONNECT_TIMEOUT_SECONDS = 10

# PostgreSQL advisory locks are named by two 32-bit integers: Reviewer's namespace and what is locked.
# They belong to one database, so every case has its own.
ADVISORY_NAMESPACE = 0x52455649  # "REVI"
WRITES_LOCK = 1  # held by every write transaction for its length
JOBS_LOCK = 2  # the case writer lock of the long jobs (writer_lock.py)
INDEX_LOCK = 3  # one repair or rebuild of the search index at a time (search/repair.py)


def sqlite_engine(db_path: Path) -> Engine:
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


def postgresql_engine(url: URL) -> Engine:
    """An engine on a case database server. Connections name the program, machine and process in
    `application_name`, which is how another client's refusal says who holds the case's writer lock.

    PostgreSQL's text cannot hold the NUL character, which SQLite stores and which hostile or damaged
    files put into metadata now and then; on a server it is dropped from every value sent, so that such a
    document is recorded rather than failing its whole transaction."""
    engine = create_engine(
        url.set(drivername="postgresql+psycopg"),
        pool_pre_ping=True,
        connect_args={"connect_timeout": CONNECT_TIMEOUT_SECONDS, "application_name": application_name(),
                      # How long any statement waits for a lock: the write lock, a table an upgrade alters.
                      "options": f"-c lock_timeout={BUSY_TIMEOUT_SECONDS * 1000}"},
    )
    event.listen(engine, "before_cursor_execute", _without_nul, retval=True)
    return engine


def without_nul(value: Any) -> Any:
    return value.replace("\x00", "") if isinstance(value, str) else value


def _without_nul(_connection: Any, _cursor: Any, statement: str, parameters: Any, _context: Any,
                 _executemany: bool) -> tuple[str, Any]:
    def clean(values: Any) -> Any:
        if isinstance(values, dict):
            if any(isinstance(v, str) and "\x00" in v for v in values.values()):
                return {key: without_nul(value) for key, value in values.items()}
            return values
        return without_nul(values)

    if isinstance(parameters, dict):
        return statement, clean(parameters)
    if isinstance(parameters, list | tuple):
        return statement, type(parameters)(clean(item) for item in parameters)
    return statement, parameters


def application_name() -> str:
    """"Reviewer on HOST, process PID", within PostgreSQL's 63 characters."""
    return f"Reviewer on {socket.gethostname()[:32]}, process {os.getpid()}"


class Database:
    """Owns the engine and hands out sessions; never share a Session or ORM object across threads.
    `label` names the database in messages (the case folder's name, or the database and its server);
    `user` is who acts through it, for the audit trail (every session carries it in `info["user"]`)."""

    def __init__(self, engine: Engine, label: str, user: str, path: Path | None = None) -> None:
        self.engine = engine
        self.label = label
        self.user = user
        self.path = path  # the SQLite file; None on a server
        self._sessions = sessionmaker(engine, expire_on_commit=False, info={"user": user})

    @classmethod
    def sqlite(cls, db_path: Path, label: str, user: str) -> Database:
        return cls(sqlite_engine(db_path), label, user, db_path)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @property
    def on_server(self) -> bool:
        return self.dialect == "postgresql"

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A write transaction: holds the case's write lock from its start (waiting for another writer to
        finish), commits when the block succeeds and rolls back when it raises. Never open one inside
        another."""
        with self._server_errors(), self._sessions() as session, session.begin():
            try:
                if self.on_server:
                    session.execute(select(func.pg_advisory_xact_lock(ADVISORY_NAMESPACE, WRITES_LOCK)))
                else:
                    session.connection().exec_driver_sql("BEGIN IMMEDIATE")
            except OperationalError as exc:
                if not _is_lock_timeout(exc):
                    raise
                raise CaseBusyError(
                    f"Another Reviewer window or command kept {self.label} busy for over "
                    f"{BUSY_TIMEOUT_SECONDS} seconds; try again when it has finished."
                ) from None
            yield session

    @contextmanager
    def reader(self) -> Iterator[Session]:
        """A session for reading only; nothing is committed."""
        with self._server_errors(), self._sessions() as session:
            yield session

    @contextmanager
    def _server_errors(self) -> Iterator[None]:
        """A server that went away mid-work is said in one sentence, like one that could not be reached."""
        try:
            yield
        except DBAPIError as exc:
            if self.on_server and _connection_lost(exc):
                raise ServerUnreachableError(
                    f"The connection to the case database {self.label} was lost ({first_line(exc)}); "
                    "nothing of the interrupted action was saved. Check the network, then try again."
                ) from None
            raise

    def close(self) -> None:
        self.engine.dispose()


def selected_ids(session: Session, statement: Select[int]) -> list[int]:
    """The integers a one-column statement selects (document ids, mostly), every row, read straight
    from the driver's cursor: for a million ids SQLAlchemy's row handling costs several times what the
    database's own work does."""
    result = session.connection().execute(statement)
    try:
        return list(chain.from_iterable(result.cursor.fetchall()))
    finally:
        result.close()


def _connection_lost(exc: DBAPIError) -> bool:
    """Whether the server went away or could not be reached: a dropped connection, a refused or timed-out
    connect (psycopg gives those no SQLSTATE), or the server shutting down or starting up."""
    if exc.connection_invalidated:
        return True
    if not isinstance(exc, OperationalError):
        return False
    state = getattr(exc.orig, "sqlstate", None)
    return state is None or state.startswith(("08", "57P"))


def _is_lock_timeout(exc: OperationalError) -> bool:
    message = str(exc.orig)
    return ("locked" in message or "busy" in message  # SQLite
            or getattr(exc.orig, "sqlstate", None) == "55P03")  # PostgreSQL: lock_not_available


def first_line(exc: BaseException) -> str:
    """The driver's own words for an error, without SQLAlchemy's statement and link."""
    words = str(getattr(exc, "orig", None) or exc).strip()
    return words.splitlines()[0] if words else type(exc).__name__


def violates_unique(error: IntegrityError, table: str, column: str) -> bool:
    """Whether an INSERT or UPDATE broke the unique constraint on `table.column` (models.py names every
    constraint uq_TABLE_COLUMN; SQLite names the columns instead)."""
    constraint = getattr(getattr(error.orig, "diag", None), "constraint_name", None)
    if constraint is not None:
        return bool(constraint == f"uq_{table}_{column}")
    return f"{table}.{column}" in str(error.orig)
