"""Bates prefixes, numbers, where a new production starts and what counts as a collision."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewer.core import review
from reviewer.core.case import Case
from reviewer.core.ingest.pipeline import IngestOptions, ingest
from reviewer.core.produce import bates
from reviewer.core.produce.bates import BatesError, Numbering, check_prefix
from reviewer.core.produce.production import ProductionSettings, produce


@pytest.mark.parametrize("prefix", ["ACME-", "ABC", "Smith_Prod.", "X-2024-"])
def test_good_prefixes_are_kept(prefix: str) -> None:
    assert check_prefix(prefix) == prefix


@pytest.mark.parametrize(("prefix", "reason"), [
    ("ACME1", "ends in a digit"), ("AC[ME]-", "bracket"), ("AC(ME)", "bracket"), ("AC ME", "space"),
    ("ACME\t", "space"), ("", "prefix is needed"), ("AC/ME-", "characters other than"),
    ("AC,ME", "characters"),
])
def test_bad_prefixes_are_refused_with_the_reason(prefix: str, reason: str) -> None:
    with pytest.raises(BatesError, match=reason):
        check_prefix(prefix)


def test_numbers_are_zero_padded_to_the_digits_asked() -> None:
    assert Numbering("ACME-").label(7) == "ACME-00000007"
    assert Numbering("ACME-", 4).label(12) == "ACME-0012"
    assert Numbering("ACME-", 4).largest == 9999
    with pytest.raises(BatesError):
        bates.check_digits(2)


def test_a_new_production_continues_after_the_last_number_and_collisions_are_found(case: Case,
                                                                                   tmp_path: Path) -> None:
    source = tmp_path / "docs"
    source.mkdir()
    (source / "a.txt").write_text("First letter.", encoding="utf-8")
    (source / "b.txt").write_text("Second letter.", encoding="utf-8")
    ingest(case, [source], IngestOptions(jobs=1))
    assert bates.next_number(case, "ACME-") == 1
    ids = review.resolve_controls(case, ["DOC-000001", "DOC-000002"])
    produce(case, ids, ProductionSettings(name="One", prefix="ACME-", out_dir=tmp_path / "out", start=10))

    assert bates.next_number(case, "ACME-") == 12
    assert bates.next_number(case, "acme-") == 12  # a prefix is the same in any letter case
    assert bates.next_number(case, "OTHER-") == 1
    assert bates.collisions(case, "ACME-", 11, 20) == ['"One" already used ACME-00000010–ACME-00000011']
    assert bates.collisions(case, "Acme-", 1, 10) != []
    assert bates.collisions(case, "ACME-", 12, 99) == []
    assert bates.collisions(case, "ACME-", 1, 9) == []
