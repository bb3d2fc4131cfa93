"""Bring a case database to the newest schema with Alembic, in dev trees, wheels and the bundle alike."""

from __future__ import annotations

import sys
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text


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


def upgrade_to_head(engine: Engine) -> None:
    """Migrate the database in place; a no-op when it is already current."""
    if current_revision(engine) == head_revision():
        return
    config = _config()
    with engine.connect() as connection:
        # Batch migrations rebuild tables; with foreign keys on, that would cascade-delete child rows.
        connection.execute(text("PRAGMA foreign_keys=OFF"))
        connection.commit()
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
        connection.execute(text("PRAGMA foreign_keys=ON"))
        connection.commit()
