"""Bring a case database to the newest schema with Alembic, in dev trees, wheels and the bundle alike.

The same migrations run on SQLite and PostgreSQL. A failed upgrade leaves the case exactly as it was:
- a case folder's database is first copied aside with SQLite's backup API (SQLite's schema changes are not
  all transactional, and batch migrations rebuild tables), and that copy is put back if any step fails;
- on PostgreSQL, where schema changes are transactional, every migration of the upgrade runs in one
  transaction, which a failure rolls back.
The caller holds the case's writer lock, so only one client migrates; the others wait and then find
nothing to do.

Every open asks whether an upgrade is needed, so that question is answered without Alembic (whose
import costs about half a second): the stored revision is read from `alembic_version` with one SELECT,
and the head is read from the `revision =` / `down_revision =` lines of the migration scripts. Alembic
is imported only to upgrade.
"""

from __future__ import annotations

import ast
import re
import sqlite3
import sys
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, inspect, text

from reviewer.core.errors import CaseError
from reviewer.core.team import grants

if TYPE_CHECKING:
    from alembic.config import Config

    from reviewer.core.db import Database

# Alembic's table of applied revisions, and a script's revision lines: `revision = "0010"`.
VERSION_TABLE = "alembic_version"
_REVISION_LINE = re.compile(r"^(revision|down_revision)\s*(?::[^=]*)?=\s*(.+?)\s*$", re.MULTILINE)


def migrations_dir() -> Path:
    """Where `migrations/` lives: beside the package in a source tree, in `_MEIPASS` in the bundle."""
    bundle = getattr(sys, "_MEIPASS", None)
    candidates = [Path(bundle) / "migrations"] if bundle else []
    candidates.append(Path(__file__).resolve().parents[2] / "migrations")
    for candidate in candidates:
        if (candidate / "env.py").is_file():
            return candidate
    raise FileNotFoundError("Reviewer's database migrations are missing from this installation.")


def _config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    return config


@cache
def head_revision() -> str:
    """The newest revision of the migration scripts: the one no other script follows."""
    revisions: set[str] = set()
    followed: set[str] = set()
    for script in (migrations_dir() / "versions").glob("*.py"):
        lines = dict(_REVISION_LINE.findall(script.read_text(encoding="utf-8")))
        if "revision" not in lines:
            continue
        revisions.add(ast.literal_eval(lines["revision"]))
        down = ast.literal_eval(lines.get("down_revision", "None"))
        followed.update([down] if isinstance(down, str) else down or ())
    heads = revisions - followed
    if len(heads) != 1:
        raise CaseError(f"Reviewer's database migrations have {len(heads)} newest revisions "
                        f"({', '.join(sorted(heads))}); this installation is damaged.")
    return heads.pop()


def current_revision(engine: Engine) -> str | None:
    """The revision the database was last migrated to; None for a database never migrated."""
    with engine.connect() as connection:
        if not inspect(connection).has_table(VERSION_TABLE):
            return None
        stored = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars().all()
    if len(stored) > 1:
        raise CaseError(f"This case's database records {len(stored)} schema revisions at once "
                        f"({', '.join(sorted(stored))}); it was changed outside Reviewer.")
    return stored[0] if stored else None


def needs_upgrade(engine: Engine) -> bool:
    return current_revision(engine) != head_revision()


def upgrade(database: Database, backup_dir: Path, case_name: str) -> str | None:
    """Upgrade the case's database to head (see the module's docstring); the revision it was at, None for a
    new database. The caller holds the case's writer lock."""
    revision = current_revision(database.engine)
    if revision is None:  # a new case: nothing to lose
        upgrade_to_head(database.engine)
    elif database.on_server:
        try:
            upgrade_to_head(database.engine)
        except Exception as error:
            raise _not_upgraded(case_name, error, "have an admin of the case open it once with this "
                                "version (an upgrade needs an admin's login)") from error
    else:
        upgrade_with_backup(database, backup_dir, case_name)
    return revision


def _not_upgraded(case_name: str, error: Exception, report: str) -> CaseError:
    detail = str(getattr(error, "orig", None) or error).splitlines()[0]
    return CaseError(f"{case_name} could not be upgraded to this version of Reviewer ({detail}); the case "
                     f"was left as it was. Open it with the version that made it, or {report}.")


def upgrade_with_backup(database: Database, backup_dir: Path, case_name: str) -> Path:
    """Upgrade a case folder's database to head after copying it to `backup_dir`; the copy's path."""
    revision = current_revision(database.engine)
    assert database.path is not None
    backup_dir.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    backup = backup_dir / f"case-before-upgrade-from-{revision}-{stamp}.sqlite"
    _copy_database(database.path, backup)
    try:
        upgrade_to_head(database.engine)
    except Exception as error:
        database.engine.dispose()
        _copy_database(backup, database.path)
        raise _not_upgraded(case_name, error, f"report this with the copy saved at {backup}") from error
    return backup


def _copy_database(source: Path, target: Path) -> None:
    """A consistent copy through SQLite's backup API (it includes what is still in the WAL)."""
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()


def upgrade_to_head(engine: Engine) -> None:
    """Migrate the database in place; a no-op when it is already current."""
    if needs_upgrade(engine):
        upgrade_to(engine, "head")


def upgrade_to(engine: Engine, revision: str) -> None:
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            # Batch migrations rebuild tables; with foreign keys on, that would cascade-delete child rows.
            connection.execute(text("PRAGMA foreign_keys=OFF"))
            connection.commit()
            run_migrations(connection, revision)
            connection.execute(text("PRAGMA foreign_keys=ON"))
            connection.commit()
    else:
        with engine.begin() as connection:  # every step in one transaction: all of them or none
            run_migrations(connection, revision)
            grants.apply(connection)  # the roles' grants on the tables as they now are


def run_migrations(connection: Connection, revision: str = "head") -> None:
    """Run the migrations up to `revision` on `connection`; inside a transaction the caller began, they
    become part of it (on PostgreSQL, which changes schemas transactionally)."""
    from alembic import command

    config = _config()
    config.attributes["connection"] = connection
    command.upgrade(config, revision)
