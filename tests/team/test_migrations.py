"""Schema upgrades of a shared case: one client migrates while the others wait, in one transaction that a
failure rolls back whole."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from reviewer.core.case import STORE_ID_SETTING, Case, prepare_store
from reviewer.core.errors import CaseError
from reviewer.core.migrate import current_revision, head_revision, upgrade_to
from reviewer.core.team.casefile import CaseFile
from tests.databases import PostgresServer

OPEN_AND_SAY = """
import sys
from reviewer.core.case import Case
with Case.open(sys.argv[1]) as case:
    print(f"upgraded from {case.upgraded_from}" if case.upgraded_from else "found it current")
"""


def old_shared_case(postgres: PostgresServer, folder: Path, revision: str = "0005") -> Path:
    """A shared case as an older Reviewer left it: its database at `revision`, its folder, its case file."""
    database = postgres.new_database()
    engine = postgres.engine(database)
    upgrade_to(engine, revision)
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO setting (key, value) VALUES ('name', 'Old matter'), "
                                f"('{STORE_ID_SETTING}', 'old-store')"))
    engine.dispose()
    prepare_store(folder, "old-store", database)
    CaseFile(database, folder).write(folder.with_suffix(".reviewer"))
    return folder.with_suffix(".reviewer")


def test_two_clients_opening_an_old_shared_case_migrate_it_once(postgres: PostgresServer,
                                                                 tmp_path: Path) -> None:
    case_file = old_shared_case(postgres, tmp_path / "store")
    runs = [subprocess.Popen([sys.executable, "-c", OPEN_AND_SAY, str(case_file)], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [run.communicate(timeout=120) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    assert sorted(out.strip() for out, _err in outputs) == ["found it current", "upgraded from 0005"]
    with Case.open(case_file) as case:
        assert case.name == "Old matter"
        assert current_revision(case.db.engine) == head_revision()


def test_a_failed_upgrade_leaves_the_shared_case_as_it_was(postgres: PostgresServer, tmp_path: Path) -> None:
    case_file = old_shared_case(postgres, tmp_path / "store")
    engine = postgres.engine(CaseFile.read(case_file).server)
    with engine.begin() as connection:  # something a later migration (0006) will trip over
        connection.execute(text("CREATE TABLE page_bates (id integer PRIMARY KEY, note text)"))
        connection.execute(text("INSERT INTO page_bates VALUES (1, 'kept')"))
    with pytest.raises(CaseError, match="could not be upgraded.*left as it was"):
        Case.open(case_file)
    assert current_revision(engine) == "0005"
    with engine.connect() as connection:
        assert connection.execute(text("SELECT note FROM page_bates")).scalar_one() == "kept"
        assert connection.execute(text("SELECT value FROM setting WHERE key = 'name'")).scalar_one() \
            == "Old matter"
        tables = set(inspect(connection).get_table_names())
    # Migrations 0006 onward ran in the same transaction and left nothing either.
    assert "imported_record" not in tables
    engine.dispose()
