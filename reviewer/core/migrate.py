"""Bring a case database to the newest schema with Alembic, in dev trees, wheels and the bundle alike.

An upgrade of a case that holds data first copies the database aside with SQLite's backup API; if any
step fails, that copy is put back, so a failed upgrade leaves the case exactly as it was.

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

from sqlalchemy import Engine, inspect, text

from reviewer.core.errors import CaseError

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


def upgrade_with_backup(database: Database, backup_dir: Path, case_name: str) -> Path | None:
    """Upgrade the case's database to head, backing it up first unless it is brand new; the backup's path.
    The caller holds the case's writer lock."""
    revision = current_revision(database.engine)
    if revision is None:  # a new case: nothing to lose
        upgrade_to_head(database.engine)
        return None
    backup_dir.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    backup = backup_dir / f"case-before-upgrade-from-{revision}-{stamp}.sqlite"
    _copy_database(database.path, backup)
    try:
        upgrade_to_head(database.engine)
    except Exception as error:
        database.engine.dispose()
        _copy_database(backup, database.path)
        detail = str(getattr(error, "orig", None) or error).splitlines()[0]
        raise CaseError(
            f"{case_name} could not be upgraded to this version of Reviewer ({detail}); the case was left "
            f"as it was. Open it with the version that made it, or report this "
            f"with the copy saved at {backup}."
        ) from error
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
    from alembic import command

    config = _config()
    with engine.connect() as connection:
        # Batch migrations rebuild tables; with foreign keys on, that would cascade-delete child rows.
        connection.execute(text("PRAGMA foreign_keys=OFF"))
        connection.commit()
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
        connection.execute(text("PRAGMA foreign_keys=ON"))
        connection.commit()
