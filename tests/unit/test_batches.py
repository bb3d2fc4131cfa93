"""Batch sets and the batch workflow on a real case database: how a set is cut (sizes, families never
split, names, order, mailboxes left out), checking out, assigning, releasing, checking in and reopening,
reviewed counts and progress, the batch: query field, and what undo does with all of it."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select, update

from reviewer.core import audit, review
from reviewer.core.case import Case
from reviewer.core.errors import ReviewerError
from reviewer.core.models import Document
from reviewer.core.search.query import QuerySyntaxError
from reviewer.core.search.service import SearchService
from reviewer.core.team import batch_sets, batches
from reviewer.core.team.batch_sets import COMPLETED, IN_PROGRESS, NOT_STARTED, create_batch_set
from reviewer.core.team.batches import UnreviewedDocumentsError, check_in, check_out_next
from tests.unit.test_review import add_documents

pytestmark = pytest.mark.both_databases


def set_documents(case: Case, **values_by_id: dict[str, object]) -> None:
    """Give documents metadata (dates, custodians, kinds) straight in the database."""
    with case.db.session() as session:
        for key, values in values_by_id.items():
            session.execute(update(Document).where(Document.id == int(key.removeprefix("d"))).values(values))


def families_of(case: Case, doc_ids: list[int]) -> dict[int, int]:
    with case.db.reader() as session:
        rows = session.execute(select(Document.id, Document.family_id).where(Document.id.in_(doc_ids)))
        return dict(rows.all())


def contents(case: Case) -> dict[str, list[int]]:
    return {b.name: batches.batch_document_ids(case, b.name) for b in batches.batches(case)}


# --- cutting a set --------------------------------------------------------------------------------------

def test_batches_hold_at_most_the_size_in_control_order_and_are_named_from_the_prefix(case: Case) -> None:
    ids = add_documents(case, 23)
    made = create_batch_set(case, "First-level review", reversed(ids), 5, query="tag:any", prefix="flr")
    assert (made.prefix, made.batches, made.documents, made.size, made.query) == ("FLR", 5, 23, 5, "tag:any")
    assert contents(case) == {
        "FLR-001": ids[0:5], "FLR-002": ids[5:10], "FLR-003": ids[10:15], "FLR-004": ids[15:20],
        "FLR-005": ids[20:23],
    }
    assert {(b.status, b.assignee, b.reviewed) for b in batches.batches(case)} == {(NOT_STARTED, "", 0)}


def test_a_family_is_never_split_and_a_family_larger_than_a_batch_is_a_batch_of_its_own(case: Case) -> None:
    # Families of 3 (a parent and two attachments), then one family of 7, then loose documents.
    threes = add_documents(case, 9, family_size=3)
    seven = add_documents(case, 7, family_size=7)
    loose = add_documents(case, 4)
    # The query found only some members: an attachment of the first family, the parent of the big one.
    hits = [threes[1], threes[3], threes[8], seven[0], *loose]
    create_batch_set(case, "Families", hits, 4, families=True)
    made = contents(case)
    assert made == {
        "FAMILIES-001": threes[0:3], "FAMILIES-002": threes[3:6], "FAMILIES-003": threes[6:9],
        "FAMILIES-004": seven, "FAMILIES-005": loose,
    }
    family = families_of(case, threes + seven + loose)
    where = {doc_id: name for name, members in made.items() for doc_id in members}
    for doc_id, root in family.items():
        assert where[doc_id] == where[root], f"{doc_id} was batched apart from its family"


def test_without_families_only_the_hits_are_batched_and_families_may_be_cut(case: Case) -> None:
    family = add_documents(case, 3, family_size=3)
    create_batch_set(case, "Hits only", [family[1], family[2]], 1)
    assert contents(case) == {"HITS-ONLY-001": [family[1]], "HITS-ONLY-002": [family[2]]}


def test_date_and_custodian_orders_place_a_family_where_its_parent_goes(case: Case) -> None:
    email, attachment, memo, letter, undated = add_documents(case, 2, family_size=2) + add_documents(case, 3)
    set_documents(case, **{
        f"d{email}": {"sent": datetime(2024, 5, 1), "custodian": "Reyes"},
        f"d{attachment}": {"modified": datetime(2020, 1, 1), "custodian": "Reyes"},
        f"d{memo}": {"modified": datetime(2023, 2, 1), "custodian": "okafor"},
        f"d{letter}": {"created": datetime(2024, 1, 1), "custodian": "Lindqvist"},
        f"d{undated}": {"custodian": "Okafor"},
    })
    everything = [email, attachment, memo, letter, undated]
    create_batch_set(case, "By date", everything, 10, families=True, order="date")
    create_batch_set(case, "By custodian", everything, 10, families=True, order="custodian")
    assert batches.batch_document_ids(case, "BY-DATE-001") == [memo, letter, email, attachment, undated]
    assert batches.batch_document_ids(case, "BY-CUSTODIAN-001") == [letter, memo, undated, email, attachment]


def test_mailbox_files_are_left_out_and_a_set_of_nothing_is_refused(case: Case) -> None:
    mailbox, message = add_documents(case, 2)
    set_documents(case, **{f"d{mailbox}": {"kind": "mbox"}})
    create_batch_set(case, "Mail", [mailbox, message], 10)
    assert contents(case) == {"MAIL-001": [message]}
    with pytest.raises(ReviewerError, match="finds no documents to batch"):
        create_batch_set(case, "Nothing", [mailbox], 10)


def test_names_prefixes_sizes_and_tags_are_checked(case: Case) -> None:
    ids = add_documents(case, 3)
    create_batch_set(case, "Privilege review", ids, 2, prefix="PRIV")
    with pytest.raises(ReviewerError, match='already a batch set named "Privilege review"'):
        create_batch_set(case, "privilege  REVIEW", ids, 2, prefix="OTHER")
    with pytest.raises(ReviewerError, match="already names its batches PRIV-001"):
        create_batch_set(case, "Second pass", ids, 2, prefix="priv")
    with pytest.raises(ReviewerError, match="cannot name batches"):
        create_batch_set(case, "Second pass", ids, 2, prefix="PRIV 2")
    with pytest.raises(ReviewerError, match="1 to 100,000 documents"):
        create_batch_set(case, "Second pass", ids, 0)
    with pytest.raises(ReviewerError, match='no tag named "Responsiv"'):
        create_batch_set(case, "Second pass", ids, 2, review_tags=["Responsiv"])
    assert [s.name for s in batch_sets.batch_sets(case)] == ["Privilege review"]  # nothing half-made


def test_more_than_999_batches_get_four_digits_so_names_still_sort(case: Case) -> None:
    ids = add_documents(case, 1000)
    create_batch_set(case, "Big", ids, 1, prefix="B")
    names = [b.name for b in batches.batches(case)]
    assert names[0] == "B-0001" and names[-1] == "B-1000" and names == sorted(names)


def test_a_document_is_in_one_batch_per_set_but_sets_are_independent(case: Case) -> None:
    ids = add_documents(case, 4)
    create_batch_set(case, "First pass", ids + ids[:2], 3, prefix="A")
    create_batch_set(case, "Privilege pass", ids[1:], 3, prefix="B")
    assert contents(case) == {"A-001": ids[0:3], "A-002": ids[3:4], "B-001": ids[1:4]}


def test_deleting_a_set_removes_its_batches_and_leaves_coding_alone(case: Case) -> None:
    ids = add_documents(case, 4)
    create_batch_set(case, "Doomed", ids, 2)
    review.tag_documents(case, ids[:1], "Hot")
    assert batch_sets.delete_batch_set(case, "doomed") == 2
    assert batches.batches(case) == [] and batch_sets.batch_sets(case) == []
    assert review.coding(case, ids[0]).tags == ["Hot"]
    with pytest.raises(ReviewerError, match='no batch set named "Doomed"'):
        batch_sets.delete_batch_set(case, "Doomed")


# --- checking out and in --------------------------------------------------------------------------------

def test_check_out_takes_the_lowest_free_batch_of_the_oldest_set_one_per_reviewer_and_set(case: Case) -> None:
    ids = add_documents(case, 6)
    create_batch_set(case, "First", ids[:4], 2, prefix="A")
    create_batch_set(case, "Second", ids, 3, prefix="B")
    first = check_out_next(case, user="ana")
    assert (first.name, first.status, first.assignee, first.checked_out is not None) == (
        "A-001", IN_PROGRESS, "ana", True)
    assert check_out_next(case, user="ben").name == "A-002"
    # Ana has a batch of the first set in progress: she gets the second set's next batch.
    assert check_out_next(case, user="ana").name == "B-001"
    assert check_out_next(case, user="carl", batch_set="second").name == "B-002"
    with pytest.raises(ReviewerError, match="who has A-001, B-001 in progress; check that in first"):
        check_out_next(case, user="ana")
    with pytest.raises(ReviewerError, match='Every batch in "First" is checked out or completed'):
        check_out_next(case, user="dora", batch_set="First")
    with pytest.raises(ReviewerError, match='no batch set named "Third"'):
        check_out_next(case, user="dora", batch_set="Third")


def test_check_out_without_a_user_is_for_the_acting_user(case: Case) -> None:
    with pytest.raises(ReviewerError, match="no batches in this case yet"):
        check_out_next(case)
    create_batch_set(case, "Mine", add_documents(case, 2), 1)
    assert check_out_next(case).assignee == case.db.user
    assert [b.name for b in batches.batches(case, assignee=case.db.user)] == ["MINE-001"]


def test_check_in_refuses_unreviewed_documents_naming_how_many_unless_allowed(case: Case) -> None:
    ids = add_documents(case, 8)
    create_batch_set(case, "Set", ids, 8)
    batch = check_out_next(case, user=case.db.user)
    review.tag_documents(case, ids[:1], "Responsive")
    review.add_note(case, ids[1], "A note is not a decision")
    with pytest.raises(UnreviewedDocumentsError) as refused:
        check_in(case, batch.name)
    assert refused.value.count == 7
    assert str(refused.value) == ("SET-001 has 7 documents not reviewed yet (DOC-000002, DOC-000003, "
                                  "DOC-000004, DOC-000005, DOC-000006, …); code them, or check the batch "
                                  "in as it is.")
    assert batches.find_batch(case, "SET-001").status == IN_PROGRESS
    done = check_in(case, "set-001", allow_unreviewed=True)
    assert (done.status, done.reviewed, done.documents, done.completed is not None) == (COMPLETED, 1, 8, True)
    with pytest.raises(ReviewerError, match="SET-001 is completed; only a batch in progress can be checked"):
        check_in(case, "SET-001")


def test_a_fully_reviewed_batch_checks_in_without_asking(case: Case) -> None:
    ids = add_documents(case, 3)
    create_batch_set(case, "Set", ids, 3)
    check_out_next(case)
    review.tag_documents(case, ids, "Not responsive")
    assert check_in(case, "SET-001").status == COMPLETED


def test_release_assign_and_reopen(case: Case) -> None:
    ids = add_documents(case, 4)
    create_batch_set(case, "Set", ids, 2)
    check_out_next(case, user="ana")
    released = batches.release(case, "SET-001")
    assert (released.status, released.assignee, released.checked_out) == (NOT_STARTED, "", None)
    assert check_out_next(case, user="ben").name == "SET-001"  # free again for the next reviewer
    assert batches.assign(case, "SET-001", "ana").assignee == "ana"  # taken from ben
    assert batches.assign(case, "SET-002", "ana").status == IN_PROGRESS
    with pytest.raises(ReviewerError, match="SET-002 is already ana's"):
        batches.assign(case, "SET-002", "ana")
    with pytest.raises(ReviewerError, match="SET-001 is in progress, not completed"):
        batches.reopen(case, "SET-001")
    check_in(case, "SET-001", allow_unreviewed=True)
    with pytest.raises(ReviewerError, match="SET-001 is completed; reopen it before assigning it again"):
        batches.assign(case, "SET-001", "ben")
    with pytest.raises(ReviewerError, match="only a batch in progress can be released"):
        batches.release(case, "SET-001")
    reopened = batches.reopen(case, "SET-001")
    assert (reopened.status, reopened.assignee, reopened.completed) == (IN_PROGRESS, "ana", None)
    with pytest.raises(ReviewerError, match="no batch SET-009"):
        batches.release(case, "SET-009")


# --- reviewed counts and progress ------------------------------------------------------------------------

def test_reviewed_means_any_tag_or_one_of_the_sets_review_tags(case: Case) -> None:
    ids = add_documents(case, 6)
    create_batch_set(case, "Any tag", ids, 6, prefix="ANY")
    create_batch_set(case, "Responsiveness", ids, 6, prefix="RESP",
                     review_tags=["Responsive", "not responsive"])
    review.tag_documents(case, ids[:1], "Hot")
    review.tag_documents(case, ids[1:2], "Responsive")
    review.tag_documents(case, ids[2:3], "Not responsive")
    review.set_privilege(case, ids[3:4], "Attorney-Client", "advice")  # tags it Privileged
    review.add_note(case, ids[4], "notes are not coding")
    assert batch_sets.find_batch_set(case, "responsiveness").review_tags == ["Responsive", "Not responsive"]
    assert batches.find_batch(case, "ANY-001").reviewed == 4
    assert batches.find_batch(case, "RESP-001").reviewed == 2
    assert [d.reviewed for d in batches.batch_documents(case, "RESP-001")] == [
        False, True, True, False, False, False]
    assert [d.tags for d in batches.batch_documents(case, "ANY-001")][:4] == [
        ["Hot"], ["Responsive"], ["Not responsive"], ["Privileged"]]
    review.delete_tag(case, "Not responsive")  # while a review tag is gone, no document carries it
    assert batches.find_batch(case, "RESP-001").reviewed == 1
    audit.undo(case)  # and brought back, it is the set's review tag again
    assert batch_sets.find_batch_set(case, "Responsiveness").review_tags == ["Responsive", "Not responsive"]
    assert batches.find_batch(case, "RESP-001").reviewed == 2
    audit.undo(case)  # the note
    assert audit.undo(case) == "Undid marking DOC-000004 privileged (Attorney-Client)."  # and its tag
    assert batches.find_batch(case, "ANY-001").reviewed == 3


def test_progress_per_reviewer_per_set_and_overall(case: Case) -> None:
    ids = add_documents(case, 10)
    create_batch_set(case, "Set", ids, 3)  # 3, 3, 3, 1
    check_out_next(case, user="ana")
    check_out_next(case, user="ben")
    review.tag_documents(case, ids[0:3] + ids[3:4], "Responsive")
    check_in(case, "SET-001")
    check_out_next(case, user="ana")
    progress = batches.progress(case)
    overall = progress.overall
    assert (overall.batches, overall.not_started, overall.in_progress, overall.completed, overall.documents,
            overall.reviewed) == (4, 1, 2, 1, 10, 4)
    assert overall.percent_reviewed == pytest.approx(40.0)
    assert list(progress.by_set) == ["Set"]
    ana, ben = progress.by_reviewer["ana"], progress.by_reviewer["ben"]
    assert (ana.batches, ana.completed, ana.in_progress, ana.documents, ana.reviewed) == (2, 1, 1, 6, 3)
    assert (ben.batches, ben.in_progress, ben.documents, ben.reviewed) == (1, 1, 3, 1)
    assert list(progress.by_reviewer) == ["ana", "ben"]


# --- searching within a batch ----------------------------------------------------------------------------

def test_the_batch_field_finds_a_batchs_documents_and_names_the_batches_on_a_typo(case: Case) -> None:
    ids = add_documents(case, 5)
    create_batch_set(case, "Privilege", ids, 2, prefix="PRIV")
    with SearchService.open(case) as search:
        assert search.matching_ids("batch:PRIV-002") == set(ids[2:4])
        assert search.matching_ids("batch:priv-00*") == set(ids)
        assert search.matching_ids("batch:PRIV-001 OR batch:PRIV-003") == {ids[0], ids[1], ids[4]}
        with pytest.raises(QuerySyntaxError, match="No batch named 'PRIV-9'.*PRIV-001, PRIV-002, PRIV-003"):
            search.matching_ids("batch:PRIV-9")


# --- the audit trail and undo ----------------------------------------------------------------------------

def test_every_batch_step_is_on_the_trail_and_undo_passes_over_them_to_the_coding(case: Case) -> None:
    ids = add_documents(case, 2)
    create_batch_set(case, "Set", ids, 2)
    check_out_next(case, user="ana")
    review.tag_documents(case, ids, "Hot")
    check_in(case, "SET-001")
    trail = audit.trail(case)
    assert [(t.summary, t.undoable) for t in trail[:4]] == [
        ("checking in SET-001", False),
        ('tagging 2 documents "Hot"', True),
        ("checking out SET-001 for ana", False),
        ('making the batch set "Set": 1 batch (SET-001) of up to 2, 2 documents, in control order', False),
    ]
    [event] = audit.group_events(case, trail[2].id)
    assert (event.action, event.subject, event.before, event.after) == (
        "check out batch", "SET-001", "not started", "in progress: ana")
    assert audit.next_undo(case) == 'tagging 2 documents "Hot"'
    assert audit.undo(case) == 'Undid tagging 2 documents "Hot".'
    batch = batches.find_batch(case, "SET-001")
    assert (batch.status, batch.reviewed) == (COMPLETED, 0)  # check-in stands; the count follows the coding
    assert audit.undo(case) is None  # nothing but batch steps left, and those are not undone
