"""Bring a case database to the newest schema with Alembic, in dev trees, wheels and the bundle alike.

An upgrade of a case that holds data first copies the database aside with SQLite's backup API; if any
step fails, that copy is put back, so a failed upgrade leaves the case exactly as it was.
"""

from __future__ import annotations

import sqlite3
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text

from reviewer.core.errors import CaseError

if TYPE_CHECKING:
    from reviewer.core.db import Database


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
    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


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
    config = _config()
    with engine.connect() as connection:
        # Batch migrations rebuild tables; with foreign keys on, that would cascade-delete child rows.
        connection.execute(text("PRAGMA foreign_keys=OFF"))
        connection.commit()
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
        connection.execute(text("PRAGMA foreign_keys=ON"))
        connection.commit()
