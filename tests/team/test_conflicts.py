"""Two reviewers coding one document at once, on a case folder and on PostgreSQL: changes to different
tags both land; a change made on a stale view of the same tag or privilege entry is refused, naming the
other reviewer and their value, and nothing of it is written."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import func, select

from reviewer.cli import main
from reviewer.core import audit, review
from reviewer.core.case import Case
from reviewer.core.conflicts import case_version
from reviewer.core.errors import ConflictError
from reviewer.core.models import AuditGroup
from tests.databases import CaseMaker, open_as
from tests.unit.test_review import add_documents

pytestmark = pytest.mark.both_databases


@pytest.fixture
def reviewers(case: Case, cases: CaseMaker) -> Iterator[Callable[[str], Case]]:
    """Opens the test's case as another reviewer."""
    opened: list[Case] = []

    def reviewer(name: str) -> Case:
        opened.append(open_as(case.location, name, cases.server))
        return opened[-1]

    yield reviewer
    for other in opened:
        other.close()


def groups(case: Case) -> int:
    with case.db.reader() as session:
        return int(session.scalar(select(func.count()).select_from(AuditGroup)) or 0)


def test_changes_to_different_tags_of_one_document_both_land(case: Case, reviewers) -> None:
    alice, bob = reviewers("alice"), reviewers("bob")
    [doc] = add_documents(case, 1)
    alice_saw, bob_saw = review.coding(alice, doc).version, review.coding(bob, doc).version
    review.toggle_tag(bob, [doc], "Hot", seen=bob_saw)
    review.toggle_tag(alice, [doc], "Responsive", seen=alice_saw)
    review.set_privilege(bob, [doc], "Attorney-Client", "advice on the plea", seen=bob_saw)
    review.add_note(alice, doc, "Page two matters.")
    coding = review.coding(case, doc)
    assert coding.tags == ["Privileged", "Responsive", "Hot"]
    assert coding.privilege_description == "advice on the plea"
    assert {(e.user, e.after) for e in audit.history(case, doc) if e.action == "tag"} == {
        ("bob", "Hot"), ("alice", "Responsive"), ("bob", "Privileged")}


def test_a_toggle_on_a_stale_view_is_refused_naming_the_other_reviewer(case: Case, reviewers) -> None:
    alice, bob = reviewers("alice"), reviewers("bob")
    [doc] = add_documents(case, 1)
    alice_saw = review.coding(alice, doc).version  # Alice sees no "Hot" and presses its key ...
    review.tag_documents(bob, [doc], "Hot", seen=review.coding(bob, doc).version)  # ... Bob added it first
    before = groups(case)
    with pytest.raises(ConflictError) as refused:
        review.toggle_tag(alice, [doc], "Hot", seen=alice_saw)  # would take Bob's "Hot" off
    [conflict] = refused.value.conflicts
    assert (conflict.user, conflict.action, conflict.value) == ("bob", "tag", "Hot")
    assert conflict.document_id == doc
    assert 'bob added "Hot" on DOC-000001' in str(refused.value)
    assert "Nothing of your change was applied" in str(refused.value)
    assert review.coding(case, doc).tags == ["Hot"] and groups(case) == before
    # Once Alice has looked again, her toggle is her decision on what she sees: it applies.
    assert review.toggle_tag(alice, [doc], "Hot", seen=review.coding(alice, doc).version) is False
    assert review.coding(case, doc).tags == []


def test_removing_a_tag_another_reviewer_just_added_is_refused(case: Case, reviewers) -> None:
    alice, bob = reviewers("alice"), reviewers("bob")
    docs = add_documents(case, 5)
    alice_saw = case_version(alice)
    review.tag_documents(bob, docs[3:], "Bias-related")
    with pytest.raises(ConflictError) as refused:
        review.tag_documents(alice, docs, "Bias-related", add=False, seen=alice_saw)
    assert {c.document_id for c in refused.value.conflicts} == set(docs[3:])
    assert review.coding(case, docs[4]).tags == ["Bias-related"]
    # Adding what Bob added is no conflict: both reviewers want it, nothing changes.
    assert review.tag_documents(alice, docs[3:], "Bias-related", seen=alice_saw) == 0


def test_two_privilege_descriptions_conflict_and_the_second_is_told_the_first(case: Case, reviewers) -> None:
    alice, bob = reviewers("alice"), reviewers("bob")
    [doc] = add_documents(case, 1)
    alice_saw, bob_saw = review.coding(alice, doc).version, review.coding(bob, doc).version
    review.set_privilege(bob, [doc], "Attorney-Client", "advice on the plea", seen=bob_saw)
    with pytest.raises(ConflictError) as refused:
        review.set_privilege(alice, [doc], "Work Product", "trial notes", seen=alice_saw)
    [conflict] = refused.value.conflicts
    assert (conflict.user, conflict.value) == ("bob", "Attorney-Client: advice on the plea")
    assert 'bob recorded the privilege "Attorney-Client: advice on the plea"' in str(refused.value)
    coding = review.coding(case, doc)
    assert (coding.privilege_basis, coding.privilege_description) == ("Attorney-Client", "advice on the plea")
    # The same entry Bob recorded is agreement, not a conflict.
    assert review.set_privilege(alice, [doc], "Attorney-Client", "advice on the plea", seen=alice_saw) == 0


def test_a_reviewers_own_quick_keypresses_never_conflict(case: Case) -> None:
    [doc] = add_documents(case, 1)
    saw = review.coding(case, doc).version
    assert review.toggle_tag(case, [doc], "Hot", seen=saw) is True
    assert review.toggle_tag(case, [doc], "Hot", seen=saw) is False  # the second press, same view
    assert review.coding(case, doc).tags == []


def test_without_a_version_an_action_applies_to_the_case_as_it_is(case: Case, reviewers) -> None:
    bob = reviewers("bob")
    [doc] = add_documents(case, 1)
    review.tag_documents(bob, [doc], "Hot")
    assert review.tag_documents(case, [doc], "Hot", add=False) == 1
    assert review.coding(case, doc).tags == []


def test_the_command_line_passes_the_version_it_saw(case: Case, reviewers,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    bob = reviewers("bob")
    add_documents(case, 2)
    location = str(case.location)
    assert main(["changes", location, "--json"]) == 0
    seen = json.loads(capsys.readouterr().out)["version"]
    review.tag_documents(bob, review.resolve_controls(bob, ["DOC-000001"]), "Hot")
    assert main(["changes", location, "--since", str(seen), "--json"]) == 0
    changed = json.loads(capsys.readouterr().out)
    assert changed["users"] == ["bob"] and len(changed["documents"]) == 1 and changed["version"] > seen
    assert main(["tag", location, "Hot", "DOC-000001", "DOC-000002", "--remove", "--seen", str(seen)]) == 1
    assert 'bob added "Hot" on DOC-000001' in " ".join(capsys.readouterr().err.split())
    assert main(["tag", location, "Hot", "DOC-000002", "--seen", str(seen)]) == 0  # no one touched it
    assert review.coding(case, 1).tags == review.coding(case, 2).tags == ["Hot"]


def test_undo_takes_back_the_reviewers_own_change_and_never_a_colleagues(case: Case, reviewers) -> None:
    alice, bob = reviewers("alice"), reviewers("bob")
    first, second, third = add_documents(case, 3)
    review.tag_documents(alice, [first], "Hot")
    review.tag_documents(bob, [second], "Hot")
    assert (audit.next_undo(alice), audit.next_undo(bob)) == (
        'tagging DOC-000001 "Hot"', 'tagging DOC-000002 "Hot"')
    assert audit.undo(alice) == 'Undid tagging DOC-000001 "Hot".'
    assert review.coding(case, first).tags == [] and review.coding(case, second).tags == ["Hot"]
    # Bob then changes what Alice's newest action changed: undoing it would overwrite his change.
    review.tag_documents(alice, [third], "Responsive")
    review.toggle_tag(bob, [third], "Responsive")
    before = groups(case)
    with pytest.raises(ConflictError, match="Not undone: bob changed the same coding after you"):
        audit.undo(alice)
    assert review.coding(case, third).tags == [] and groups(case) == before
    assert audit.undo(bob) == 'Undid removing "Responsive" from DOC-000003.'
    assert review.coding(case, third).tags == ["Responsive"]
