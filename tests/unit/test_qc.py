"""QC on a real case database: a sample drawn only from a reviewer's completed decisions, reproducible from
its seed; confirming and overturning (the coding changed in the same action, before and after kept); undo
of a decision; the report per reviewer (rate, 95 % interval) and per tag; the qc: query field."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewer.core import audit, review
from reviewer.core.case import Case
from reviewer.core.errors import ReviewerError
from reviewer.core.review import CodedAs
from reviewer.core.search.service import SearchService
from reviewer.core.team import qc
from reviewer.core.team.batch_sets import create_batch_set
from reviewer.core.team.batches import batch_document_ids, check_in, check_out_next
from reviewer.core.team.qc import PrivilegeChange, create_qc_batch, qc_documents
from reviewer.core.team.qc_report import qc_report, wilson_interval
from tests.unit.test_review import add_documents

pytestmark = pytest.mark.both_databases


def review_batches(case: Case, user: str, count: int, tag: str = "Responsive",
                   check_in_too: bool = True) -> list[int]:
    """`user` checks out `count` batches, tags every document `tag` and checks each in; their documents."""
    done: list[int] = []
    for _ in range(count):
        batch = check_out_next(case, user=user)
        ids = batch_document_ids(case, batch.name)
        review.tag_documents(case, ids, tag)
        if check_in_too:
            check_in(case, batch.name)
        done.extend(ids)
    return done


@pytest.fixture
def reviewed_case(case: Case) -> tuple[Case, dict[str, list[int]]]:
    """40 documents in 8 batches of 5: ana completed 3 batches, ben 2, ana has one in progress (coded),
    and in ana's third batch one document is left unreviewed (checked in anyway)."""
    create_batch_set(case, "Set", add_documents(case, 40), 5)
    ana = review_batches(case, "ana", 2)
    ben = review_batches(case, "ben", 2, tag="Not responsive")
    third = check_out_next(case, user="ana")
    third_ids = batch_document_ids(case, third.name)
    review.tag_documents(case, third_ids[:4], "Hot")
    check_in(case, third.name, allow_unreviewed=True)
    in_progress = review_batches(case, "ana", 1, check_in_too=False)
    return case, {"ana": ana + third_ids[:4], "ana unreviewed": third_ids[4:], "ben": ben,
                  "ana in progress": in_progress}


def test_the_sample_comes_only_from_the_reviewers_completed_decisions(reviewed_case) -> None:
    case, ids = reviewed_case
    drawn = create_qc_batch(case, "ana", percent=100, seed=1)
    assert (drawn.name, drawn.reviewer, drawn.pool, drawn.documents, drawn.asked, drawn.seed) == (
        "QC-001", "ana", 14, 14, "100%", 1)
    sampled = {d.document_id for d in qc_documents(case, "QC-001")}
    assert sampled == set(ids["ana"])  # not ben's, not the batch in progress, not the unreviewed one
    assert {d.batch for d in qc_documents(case, "QC-001")} == {"SET-001", "SET-002", "SET-005"}
    # Everything of ana's is sampled now: a second draw has nothing left to take.
    with pytest.raises(ReviewerError, match="ana has no reviewed documents in completed batches"):
        create_qc_batch(case, "ana", count=1)


def test_a_seed_draws_the_same_sample_from_the_same_pool_and_another_seed_another(reviewed_case, cases,
                                                                                    tmp_path: Path) -> None:
    case, ids = reviewed_case
    twin = cases.twin(case, tmp_path / "twin")
    first = create_qc_batch(case, "ana", count=5, seed=20261207)
    with Case.open(twin) as copy:
        again = create_qc_batch(copy, "ana", count=5, seed=20261207)
        assert [d.document_id for d in qc_documents(copy, again.name)] == [
            d.document_id for d in qc_documents(case, first.name)]
        other = create_qc_batch(copy, "ben", count=5, seed=3)
        assert other.documents == 5
    sample = {d.document_id for d in qc_documents(case, first.name)}
    assert len(sample) == 5 and sample <= set(ids["ana"])
    # The next draw leaves out what was sampled already; another seed, another sample.
    second = create_qc_batch(case, "ana", count=5, seed=20261207)
    assert second.pool == 14 - 5
    assert not sample & {d.document_id for d in qc_documents(case, second.name)}


def test_seeds_differ_and_are_recorded_when_not_given(reviewed_case, cases, tmp_path: Path) -> None:
    case, _ids = reviewed_case
    samples = set()
    for seed in range(6):
        with Case.open(cases.twin(case, tmp_path / f"twin{seed}")) as copy:
            samples.add(frozenset(d.document_id for d in qc_documents(copy, create_qc_batch(
                copy, "ana", count=4, seed=seed).name)))
    assert len(samples) > 1
    chosen = create_qc_batch(case, "ana", count=4)
    assert 0 <= chosen.seed <= qc.MAX_SEED


def test_count_is_capped_by_the_pool_and_a_percentage_rounds_up(reviewed_case) -> None:
    case, _ids = reviewed_case
    assert create_qc_batch(case, "ben", percent=15, seed=1).documents == 2  # 15 % of 10 is 1.5
    more = create_qc_batch(case, "ben", count=50, seed=1, name="qc-ben")
    assert (more.name, more.documents, more.asked, more.pool) == ("QC-BEN", 8, "50", 8)
    with pytest.raises(ReviewerError, match="not both"):
        create_qc_batch(case, "ana", count=3, percent=10)
    with pytest.raises(ReviewerError, match="not a share of the pool"):
        create_qc_batch(case, "ana", percent=0)
    with pytest.raises(ReviewerError, match="already a QC batch named QC-BEN"):
        create_qc_batch(case, "ana", count=1, name="QC-BEN")
    with pytest.raises(ReviewerError, match="seed is a whole number"):
        create_qc_batch(case, "ana", count=1, seed=-1)


def test_confirm_and_overturn_are_recorded_with_the_coding_before_and_after(reviewed_case) -> None:
    case, ids = reviewed_case
    create_qc_batch(case, "ana", count=3, seed=11)
    first, second, third = (d.document_id for d in qc_documents(case, "QC-001"))
    assert qc.confirm(case, "qc-001", [first]) == 1
    assert qc.confirm(case, "QC-001", [first]) == 0  # already confirmed
    decided = qc.overturn(case, "QC-001", second, add=["Not responsive"], remove=["Responsive"],
                          privilege=PrivilegeChange("Work Product", "draft motion"))
    assert decided.decision == "overturned" and decided.coding == CodedAs(("Responsive",), "")
    assert decided.coding_after == CodedAs(("Privileged", "Not responsive"), "Work Product: draft motion")
    assert review.coding(case, second).tags == ["Privileged", "Not responsive"]
    overturn_events = [e for e in audit.history(case, second) if e.action == "qc overturn"]
    assert [(e.subject, e.before, e.after) for e in overturn_events] == [
        ("QC-001", "Responsive", "Privileged, Not responsive; privilege Work Product: draft motion")]
    rows = {d.document_id: d for d in qc_documents(case, "QC-001")}
    assert [rows[i].decision for i in (first, second, third)] == ["confirmed", "overturned", ""]
    assert rows[first].decided_by == rows[second].decided_by != ""
    # A decision must say something: no change is not an overturn, a recoded document is not confirmed.
    [drawn_tag] = rows[third].coding.tags
    with pytest.raises(ReviewerError, match=f"would stay coded {drawn_tag}, as ana coded it"):
        qc.overturn(case, "QC-001", third, add=[drawn_tag])
    review.tag_documents(case, [third], "Needs redaction")
    with pytest.raises(ReviewerError, match=f"is coded {drawn_tag}, Needs redaction now, not {drawn_tag} as "
                                            "ana coded it; record an overturn instead"):
        qc.confirm(case, "QC-001", [third])
    with pytest.raises(ReviewerError, match="is overturned already; undo the overturn to confirm it"):
        qc.confirm(case, "QC-001", [second])
    with pytest.raises(ReviewerError, match="not in the QC batch QC-001"):
        qc.confirm(case, "QC-001", ids["ben"][:1])


def test_undo_takes_back_an_overturn_with_its_coding_and_then_a_confirm(reviewed_case) -> None:
    case, _ids = reviewed_case
    create_qc_batch(case, "ana", count=2, seed=5)
    first, second = (d.document_id for d in qc_documents(case, "QC-001"))
    qc.confirm(case, "QC-001", [first])
    qc.overturn(case, "QC-001", second, add=["Hot"], remove=["Responsive"])
    assert audit.next_undo(case) == "overturning " + review.coding(case, second).control + " in QC-001"
    audit.undo(case)
    assert review.coding(case, second).tags == ["Responsive"]
    undone = {d.document_id: d for d in qc_documents(case, "QC-001")}[second]
    assert (undone.decision, undone.decided_by, undone.decided_at) == ("", "", None)
    assert undone.coding_after is None
    audit.undo(case)
    assert {d.decision for d in qc_documents(case, "QC-001")} == {""}
    # The draw itself stays: undo passes over it to the reviewers' coding.
    assert audit.next_undo(case) == 'tagging 5 documents "Responsive"'
    assert qc.find_qc_batch(case, "QC-001").documents == 2


def test_the_report_counts_overturns_per_reviewer_with_an_interval_and_per_tag(reviewed_case) -> None:
    case, _ids = reviewed_case
    create_qc_batch(case, "ana", count=10, seed=2)
    create_qc_batch(case, "ben", count=4, seed=2)
    ana = [d.document_id for d in qc_documents(case, "QC-001")]
    ben = [d.document_id for d in qc_documents(case, "QC-002")]
    responsive = [d for d in ana if review.coding(case, d).tags == ["Responsive"]]
    qc.overturn(case, "QC-001", responsive[0], add=["Not responsive"], remove=["Responsive"])
    qc.overturn(case, "QC-001", responsive[1], add=["Not responsive"], remove=["Responsive"])
    qc.overturn(case, "QC-001", responsive[2], add=["Hot"])
    qc.confirm(case, "QC-001", [d for d in ana if d not in responsive[:3]][:5])
    qc.overturn(case, "QC-002", ben[0], privilege=PrivilegeChange("Attorney-Client"))
    qc.confirm(case, "QC-002", ben[1:])

    report = qc_report(case)
    [ana_row, ben_row] = report.reviewers
    assert (ana_row.reviewer, ana_row.qc_batches, ana_row.sampled, ana_row.decided, ana_row.confirmed,
            ana_row.overturned) == ("ana", 1, 10, 8, 5, 3)
    assert ana_row.overturn_rate == pytest.approx(3 / 8)
    assert ana_row.interval == pytest.approx(wilson_interval(3, 8))
    assert (ben_row.decided, ben_row.overturned, ben_row.overturn_rate) == (4, 1, 0.25)
    assert (report.overall.sampled, report.overall.decided, report.overall.overturned) == (14, 12, 4)
    assert [(t.reviewer, t.tag, t.added, t.removed, t.changed) for t in report.tags] == [
        ("ana", "Not responsive", 2, 0, 0), ("ana", "Responsive", 0, 2, 0), ("ana", "Hot", 1, 0, 0),
        ("ben", "privilege", 1, 0, 0), ("ben", "Privileged", 1, 0, 0),
    ]
    assert [r.reviewer for r in qc_report(case, "ben").reviewers] == ["ben"]


def test_the_wilson_interval() -> None:
    low, high = wilson_interval(3, 8)  # a textbook value: 3 of 8 gives 13.7 % to 69.4 %
    assert (round(low, 3), round(high, 3)) == (0.137, 0.694)
    assert wilson_interval(0, 20)[0] == 0.0 and wilson_interval(20, 20)[1] == 1.0
    assert wilson_interval(0, 0) is None


def test_the_qc_field_finds_a_qc_batchs_documents(reviewed_case) -> None:
    case, _ids = reviewed_case
    create_qc_batch(case, "ana", count=3, seed=9)
    with SearchService.open(case) as search:
        assert search.matching_ids("qc:QC-001") == {d.document_id for d in qc_documents(case, "QC-001")}
        assert search.matching_ids("qc:QC-001 AND tag:Responsive") <= search.matching_ids("qc:QC-001")
