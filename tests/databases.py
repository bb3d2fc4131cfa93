"""Cases on either database for the tests: a case folder (SQLite) or a shared case (PostgreSQL).

`PostgresServer` wraps the server the suite uses (tests/postgres_server.py, or REVIEWER_TEST_POSTGRES):
new databases, logins with passwords, raw connections for checks. `CaseMaker` makes and copies cases the
same way on both, so a test written once runs on both (conftest.py: the `backend` fixture and the
`both_databases` marker).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import uuid
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
from sqlalchemy import Engine, create_engine, func, insert, make_url, select, text
from sqlalchemy.orm import Session

from reviewer.core.case import Case
from reviewer.core.db import ADVISORY_NAMESPACE, WRITES_LOCK
from reviewer.core.team import users
from reviewer.core.team.casefile import CaseFile, Server, ServerAddress, parse_address


def insert_with_ids(session: Session, model: Any, rows: list[dict[str, Any]]) -> None:
    """Rows written straight to `model`'s table with their ids given, as a test builds a large case; on
    PostgreSQL the id sequence is then moved past them, so rows the code adds later get new ids."""
    session.execute(insert(model), rows)
    if session.get_bind().dialect.name == "postgresql":
        table = model.__table__
        session.execute(select(func.setval(func.pg_get_serial_sequence(table.name, "id"),
                                           select(func.max(table.c.id)).scalar_subquery())))


def write_locked(case: Case) -> bool:
    """Whether another process is inside a write transaction of `case` right now (probed without
    waiting): SQLite's write lock, or the advisory lock every write transaction takes on PostgreSQL."""
    if case.db.path is not None:
        probe = sqlite3.connect(case.db.path, timeout=0, isolation_level=None)
        try:
            probe.execute("BEGIN IMMEDIATE")
            probe.execute("ROLLBACK")
            return False
        except sqlite3.OperationalError as exc:
            assert "locked" in str(exc) or "busy" in str(exc), exc
            return True
        finally:
            probe.close()
    with case.db.engine.connect() as connection:
        return bool(connection.scalar(text(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
            "AND classid::bigint = :namespace AND objid::bigint = :key "
            "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"),
            {"namespace": ADVISORY_NAMESPACE, "key": WRITES_LOCK}))


class PostgresServer:
    def __init__(self, url: str) -> None:
        self.url = make_url(url)
        assert self.url.host and self.url.username
        self.admin = self.url.username
        self.password = self.url.password
        self.host, self.port = self.url.host, self.url.port or 5432
        self._databases: list[str] = []

    def _admin_connection(self, database: str = "postgres") -> psycopg.Connection:
        return psycopg.connect(host=self.host, port=self.port, user=self.admin,
                               password=self.password, dbname=database, autocommit=True)

    def execute(self, sql: str, database: str = "postgres") -> None:
        with self._admin_connection(database) as connection:
            connection.execute(sql.encode())

    def new_database(self, template: str | None = None) -> Server:
        """An empty database (or a copy of `template`, which nobody may be connected to)."""
        name = f"t_{uuid.uuid4().hex[:12]}"
        self.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        self._databases.append(name)
        return Server(self.host, self.port, name)

    def address(self, server: Server, user: str | None = None) -> ServerAddress:
        """How a command names the database: postgresql://USER@HOST:PORT/DB, as the administrator."""
        login = user or self.admin
        return parse_address(f"postgresql://{login}@{server.host}:{server.port}/{server.database}")

    def engine(self, server: Server) -> Engine:
        """An administrator's engine on one database, for checks behind Reviewer's back."""
        return create_engine(self.url.set(drivername="postgresql+psycopg", database=server.database))

    def create_login(self, name: str, password: str) -> None:
        """A login that must give its password (a superuser, so that it may use every case's tables)."""
        with self._admin_connection() as connection:
            connection.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(name)))
            connection.execute(sql.SQL("CREATE ROLE {} LOGIN SUPERUSER PASSWORD {}").format(
                sql.Identifier(name), sql.Literal(password)))

    def drop_databases(self, names: list[str] | None = None) -> None:
        """Drop the databases made here (or those of `names`), whoever is still connected."""
        for name in list(self._databases if names is None else names):
            self.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            if name in self._databases:
                self._databases.remove(name)


class CaseMaker:
    """Makes cases for one backend: "sqlite" (a case folder) or "postgresql" (a shared case whose case
    file sits beside its evidence folder)."""

    def __init__(self, backend: str, server: PostgresServer | None) -> None:
        assert backend == "sqlite" or server is not None
        self.backend = backend
        self.server = server
        self._databases: list[str] = []

    def create(self, where: Path, name: str | None = None) -> Case:
        if self.server is None:
            return Case.create(where, name=name)
        database = self.server.new_database()
        self._databases.append(database.database)
        return Case.create_shared(where.with_suffix(".reviewer"), self.server.address(database),
                                  where, name=name)

    def copy(self, location: Path, where: Path) -> Path:
        """A private copy of a closed case; the location to open it by."""
        if self.server is None:
            shutil.copytree(location, where)
            return where
        original = CaseFile.read(location)
        shutil.copytree(original.store, where)
        copied = CaseFile(self.server.new_database(template=original.server.database), where)
        self._databases.append(copied.server.database)
        copied.write(where.with_suffix(".reviewer"))
        return where.with_suffix(".reviewer")

    def twin(self, case: Case, where: Path) -> Path:
        """A private copy of an open case, taken between its transactions; the location to open it by."""
        if self.server is not None:
            case.db.engine.dispose()  # a database is copied only while nobody is connected to it
        return self.copy(case.location, where)

    def close(self) -> None:
        """Drop the databases of the cases made here."""
        if self.server is not None:
            self.server.drop_databases(self._databases)
        self._databases.clear()


REVIEWER_PASSWORD = "reviewer-secret"


def make_member(location: Path, user: str, role: str = "reviewer") -> None:
    """`user` made a member of the shared case at `location` by its admin, as `reviewer user-add` does (the
    login is created with REVIEWER_PASSWORD when the server has none)."""
    with Case.open(location) as case:
        users.add_user(case, user, role, password=REVIEWER_PASSWORD)


def open_as(location: Path, user: str, server: PostgresServer | None) -> Case:
    """The case at `location` opened by another reviewer, `user`: on PostgreSQL their own login (a
    member the admin added, with REVIEWER_PASSWORD); on a case folder the operating system's user name,
    as getpass reads it (LOGNAME), which is what the audit trail records."""
    if server is None:
        saved = os.environ.get("LOGNAME")
        os.environ["LOGNAME"] = user
        try:
            return Case.open(location)
        finally:
            if saved is None:
                os.environ.pop("LOGNAME", None)
            else:
                os.environ["LOGNAME"] = saved
    make_member(location, user)
    described = CaseFile.read(location)
    return Case.open_shared(location, described,
                            connection=ServerAddress(described.server, user, REVIEWER_PASSWORD))
