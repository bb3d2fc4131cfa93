"""Shared fixtures: real case folders on disk, and the public corpus when REVIEWER_CORPUS is set."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from reviewer.core.case import Case


@pytest.fixture
def case(tmp_path: Path):
    with Case.create(tmp_path / "case", name="Test matter") as opened:
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
