"""Near-duplicate groups on generated variants with known edits (1 %, 5 %, 20 % of the words changed)
around the threshold; the principal is the largest; empty and numbers-only documents never group; groups
keep their id when a larger document arrives later (re-pivot); emails only when asked; query fields."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewer.core import inventory
from reviewer.core.analytics import run
from reviewer.core.analytics.similarity import document_words, similarity
from reviewer.core.case import Case
from reviewer.core.ingest.pipeline import IngestOptions, ingest
from reviewer.core.search.service import SearchService
from tests.mail_threads import ADA, BEN, as_text, changed, prose, write_mail

pytestmark = pytest.mark.both_databases

BASE = prose(1000, seed=1)


def rows(case: Case) -> dict[str, dict]:
    return {row["file_name"]: row for row in inventory.document_rows(case)}


@pytest.fixture
def variants(tmp_path: Path) -> Path:
    folder = tmp_path / "memos"
    folder.mkdir()
    (folder / "a-base.txt").write_text(as_text(BASE))
    for share, name in ((0.01, "b-1pct"), (0.05, "c-5pct"), (0.20, "d-20pct")):
        (folder / f"{name}.txt").write_text(as_text(changed(BASE, share, seed=int(share * 100))))
    (folder / "e-other.txt").write_text(as_text(prose(1000, seed=99)))
    (folder / "f-numbers.txt").write_text("12 345 6789 2024-01-01 " * 50)
    (folder / "g-numbers.txt").write_text("12 345 6789 2024-01-01 " * 50 + "77")
    return folder


def test_variants_group_around_the_threshold_with_exact_similarities(case: Case, variants: Path) -> None:
    ingest(case, [variants], IngestOptions(jobs=1))
    found = rows(case)
    group = found["a-base.txt"]["near_dup_group"]
    assert group is not None
    assert [found[n]["near_dup_group"] == group for n in ("b-1pct.txt", "c-5pct.txt", "d-20pct.txt")] == [
        True,
        True,
        False,
    ]
    assert found["b-1pct.txt"]["near_dup_similarity"] == 99.0
    assert found["c-5pct.txt"]["near_dup_similarity"] == 95.0
    assert found["a-base.txt"]["near_dup_principal"] == found["a-base.txt"]["control"]
    assert found["e-other.txt"]["near_dup_group"] is None
    # Identical, but numbers only: never a group.
    assert (
        found["f-numbers.txt"]["near_dup_group"] is None and found["g-numbers.txt"]["near_dup_group"] is None
    )
    # At 80 % the 20 % variant joins (exactly 80 % of its words are unchanged).
    run.analyze(case, threshold=80)
    found = rows(case)
    assert (
        found["d-20pct.txt"]["near_dup_group"] == group
        and found["d-20pct.txt"]["near_dup_similarity"] == 80.0
    )
    with SearchService.open(case) as search:
        assert len(search.matching_ids(f"near:{found['c-5pct.txt']['control']}")) == 4
        assert len(search.matching_ids("similarity>=95")) == 3  # the base (100), 1 % and 5 %
        assert len(search.matching_ids("is:principal")) == 1


def test_a_larger_document_arriving_later_takes_over_the_group_and_keeps_its_id(
    case: Case, variants: Path, tmp_path: Path
) -> None:
    ingest(case, [variants], IngestOptions(jobs=1))
    group = rows(case)["a-base.txt"]["near_dup_group"]
    later = tmp_path / "later"
    later.mkdir()
    (later / "h-longer.txt").write_text(as_text(BASE + prose(80, seed=7)))
    (later / "i-unrelated.txt").write_text(as_text(prose(800, seed=123)))
    ingest(case, [later], IngestOptions(jobs=1))
    found = rows(case)
    longer = found["h-longer.txt"]
    assert longer["near_dup_group"] == group and longer["near_dup_principal"] == longer["control"]
    assert found["a-base.txt"]["near_dup_principal"] == longer["control"]
    assert found["a-base.txt"]["near_dup_similarity"] == pytest.approx(100 * 1000 / 1080, abs=0.1)
    # The 5 % variant is now below 90 % of the longer principal (950/1080): it leaves, and no group of one
    # remains.
    assert found["c-5pct.txt"]["near_dup_group"] is None
    before = {name: row["near_dup_group"] for name, row in found.items()}
    run.analyze(case)
    assert {name: row["near_dup_group"] for name, row in rows(case).items()} == before


def test_emails_are_left_out_unless_asked_for(case: Case, tmp_path: Path) -> None:
    folder = tmp_path / "mail"
    text = " ".join(BASE[:300])
    write_mail(folder / "1.eml", ADA, BEN, "Draft agreement", text, "d1@x")
    write_mail(folder / "2.eml", ADA, BEN, "Draft agreement v2", text + " signed", "d2@x", hours=1)
    ingest(case, [folder], IngestOptions(jobs=1))
    assert {r["near_dup_group"] for r in rows(case).values()} == {None}
    run.analyze(case, include_emails=True)
    assert len({r["near_dup_group"] for r in rows(case).values()}) == 1
    assert run.current_settings(case).include_emails


def test_similarity_is_the_share_of_the_larger_documents_words_unchanged() -> None:
    memo = document_words("The warrant was signed on the first and executed on the sixteenth.")
    edited = document_words("The warrant was signed on the FIRST, and served on the sixteenth!")
    assert similarity(memo, edited) == pytest.approx(11 / 12)
    assert similarity(memo, memo[:6]) == pytest.approx(6 / 12)
    assert similarity(memo, edited, at_least=0.95) == 0.0
