"""The corpus case every corpus test module shares (ingesting the corpus takes a minute or more)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from reviewer.core.case import Case
from tests.corpus.shared import ingest_corpus


@pytest.fixture(scope="session")
def corpus_case(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Case]:
    with Case.create(tmp_path_factory.mktemp("corpus") / "case") as case:
        ingest_corpus(case, corpus)
        yield case
