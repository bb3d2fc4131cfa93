"""Shared fixtures: real cases on disk (and on a real PostgreSQL server), and the public corpus when
REVIEWER_CORPUS is set.

Cases come from `cases` (a tests.databases.CaseMaker) for the `backend` of the test: "sqlite" unless the
test module is marked `both_databases`, in which case each of its tests that uses a case runs once on a
case folder and once on a shared case on PostgreSQL.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from reviewer.core.case import Case
from tests import postgres_server
from tests.databases import CaseMaker, PostgresServer

BACKENDS = ("sqlite", "postgresql")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" in metafunc.fixturenames and metafunc.definition.get_closest_marker("both_databases"):
        metafunc.parametrize("backend", BACKENDS, indirect=True, scope="module")


@pytest.fixture(scope="module")
def backend(request: pytest.FixtureRequest) -> str:
    return str(getattr(request, "param", "sqlite"))


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """The suite's PostgreSQL server: REVIEWER_TEST_POSTGRES, or a throwaway one started here. Reviewer
    logs in as its administrator (PGUSER), as a team member's machine would with their own login."""
    given = os.environ.get("REVIEWER_TEST_POSTGRES")
    folder = None
    if not given:
        try:
            folder, given = postgres_server.start()
        except postgres_server.ServerError as error:
            pytest.fail(str(error))
    server = PostgresServer(given)
    saved = {key: os.environ.get(key) for key in ("PGUSER", "PGPASSWORD")}
    os.environ["PGUSER"] = server.admin
    if server.password:
        os.environ["PGPASSWORD"] = server.password
    try:
        yield server
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        server.drop_databases()
        if folder is not None:
            postgres_server.stop(folder)


@pytest.fixture(scope="module")
def cases(backend: str, request: pytest.FixtureRequest) -> Iterator[CaseMaker]:
    server = request.getfixturevalue("postgres") if backend == "postgresql" else None
    maker = CaseMaker(backend, server)
    yield maker
    maker.close()


@pytest.fixture
def case(cases: CaseMaker, tmp_path: Path) -> Iterator[Case]:
    with cases.create(tmp_path / "case", name="Test matter") as opened:
        yield opened


@pytest.fixture(scope="session")
def corpus() -> Path:
    value = os.environ.get("REVIEWER_CORPUS")
    if not value:
        pytest.skip("REVIEWER_CORPUS is not set; the corpus tests run in CI")
    path = Path(value)
    if not path.is_dir():
        pytest.fail(f"REVIEWER_CORPUS={value} is not a folder")
    return path
