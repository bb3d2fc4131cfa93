"""The index's segments: written by parallel rebuild workers and merged, added to by many small ingests,
re-added after a crash, merged with deletions — and every query still exact against a brute-force scan."""

from __future__ import annotations

import os
import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select, update

from reviewer.core.case import Case
from reviewer.core.ingest.pipeline import IngestOptions, ingest
from reviewer.core.models import Document
from reviewer.core.search import build
from reviewer.core.search.index import MAX_SEGMENTS, TextIndex, index_pending
from reviewer.core.search.query import parse
from reviewer.core.search.repair import rebuild
from reviewer.core.search.segments import LeanWriter
from reviewer.core.search.service import SearchService
from tests.integration.test_search import VOCABULARY, _scanned, brute_force, random_queries


def write_documents(folder: Path, count: int, seed: int) -> None:
    rng = random.Random(seed)
    folder.mkdir(parents=True)
    weights = [1 / (rank + 1) for rank in range(len(VOCABULARY))]
    for n in range(count):
        words = rng.choices(VOCABULARY, weights, k=rng.randint(3, 40))
        (folder / f"d{n:03d}.txt").write_text(" ".join(words))


def assert_exact(case: Case, queries: int = 150) -> None:
    documents = _scanned(case)
    with SearchService.open(case) as service:
        for query in random_queries(random.Random(3), queries):
            node = parse(query)
            expected = {doc for doc, words in documents if brute_force(node, words)}
            assert service.matching_ids(node) == expected, query
        assert service.search("alpha OR NOT alpha", limit=None).total == len(documents)  # each once


def segment_count(case: Case) -> int:
    with TextIndex(case.index_dir).open().reader() as reader:
        return len(reader.leaf_readers())


@pytest.fixture
def case(tmp_path: Path) -> Iterator[Case]:
    with Case.create(tmp_path / "case") as opened:
        yield opened


def test_a_rebuild_from_many_worker_segments_is_exact(case: Case, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    write_documents(tmp_path / "docs", 120, seed=1)
    ingest(case, [tmp_path / "docs"], IngestOptions(custodian="one", jobs=1))
    monkeypatch.setattr(build, "SLICE", 17)  # eight slices, written by the workers, then merged by them
    assert rebuild(case) == 120
    assert segment_count(case) == min(os.cpu_count() or 1, MAX_SEGMENTS)  # one per worker
    assert_exact(case)


def test_many_small_ingests_keep_few_segments_and_exact_counts(case: Case, tmp_path: Path) -> None:
    for batch in range(MAX_SEGMENTS + 4):
        write_documents(tmp_path / f"batch{batch}", 8, seed=batch)
        ingest(case, [tmp_path / f"batch{batch}"], IngestOptions(custodian=f"c{batch}", jobs=1))
        assert segment_count(case) <= MAX_SEGMENTS
    assert_exact(case)


def test_documents_indexed_again_replace_their_older_copy_and_merge_away(case: Case, tmp_path: Path) -> None:
    write_documents(tmp_path / "docs", 60, seed=2)
    ingest(case, [tmp_path / "docs"], IngestOptions(custodian="one", jobs=1))
    # As after a crash between the index commit and the database's record of it: flagged, yet indexed.
    with case.db.session() as session:
        session.execute(update(Document).where(Document.id % 3 == 0).values(indexed=False))
    assert index_pending(case) == 20
    with case.db.reader() as session:
        every_id = set(session.scalars(select(Document.id)))
    assert set(TextIndex(case.index_dir).doc_ids().tolist()) == every_id
    assert_exact(case, queries=60)
    # Merged into one segment, the deleted copies dropped:
    LeanWriter(TextIndex(case.index_dir).open()).commit(max_segments=1)
    assert segment_count(case) == 1
    with TextIndex(case.index_dir).open().reader() as reader:
        assert reader.doc_count_all() == 60
    assert_exact(case, queries=60)


def test_a_searcher_keeps_its_generation_while_a_commit_lands(case: Case, tmp_path: Path) -> None:
    write_documents(tmp_path / "first", 10, seed=4)
    ingest(case, [tmp_path / "first"], IngestOptions(custodian="one", jobs=1))
    with SearchService.open(case) as service:
        before = service.count("alpha OR NOT alpha")
        searcher = service.backend._searcher  # type: ignore[attr-defined]
        (tmp_path / "second").mkdir()
        (tmp_path / "second" / "z.txt").write_text("zulu alpha")
        ingest(case, [tmp_path / "second"], IngestOptions(custodian="two", jobs=1))
        assert searcher.doc_count() == before  # the old generation, whole
        assert service.count("zulu") == 1  # refreshed on the next query
        assert service.count("alpha OR NOT alpha") == before + 1
