"""The issue tree: the default issues of a new case and of an older case on its first open; adding, renaming,
moving and deleting, numbered as a brief numbers them, each one undo step."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, insert

from reviewer.core import audit
from reviewer.core.case import DB_NAME, Case
from reviewer.core.casebuild import facts, highlights, issues
from reviewer.core.casebuild.issues import DEFAULT_ISSUES, IssueError
from reviewer.core.migrate import upgrade_to
from reviewer.core.models import Setting
from tests.casebuild_matter import make_matter

pytestmark = pytest.mark.both_databases

DEFAULTS = [name for name, _color in DEFAULT_ISSUES]


def labels(case: Case) -> list[str]:
    return [issue.label for issue in issues.list_issues(case)]


def test_a_new_case_starts_with_the_three_issues(case: Case) -> None:
    assert labels(case) == ["1 Bias of the prosecution", "2 Improper disclosures to the press",
                            "3 Grounds for the motion to dismiss"]


def test_a_case_made_before_issues_existed_gets_them_on_first_open_and_only_once(tmp_path: Path) -> None:
    root = tmp_path / "old"
    root.mkdir()
    engine = create_engine(f"sqlite:///{root / DB_NAME}")
    upgrade_to(engine, "0008")
    with engine.begin() as connection:
        connection.execute(insert(Setting), [{"key": "name", "value": "Old matter"}])
    engine.dispose()
    with Case.open(root) as case:
        assert [issue.name for issue in issues.list_issues(case)] == DEFAULTS
        issues.delete_issue(case, "1")
    with Case.open(root) as case:  # deleted by the team: not brought back
        assert [issue.name for issue in issues.list_issues(case)] == DEFAULTS[1:]


def test_sub_issues_are_numbered_under_their_parent_and_moves_renumber(case: Case) -> None:
    issues.add_issue(case, "Leak to the Gazette", parent="2")
    issues.add_issue(case, "Leak to Channel 5", parent="Improper disclosures to the press")
    issues.add_issue(case, "Grudge", parent="1")
    assert labels(case)[1:5] == ["1.1 Grudge", "2 Improper disclosures to the press",
                                 "2.1 Leak to the Gazette", "2.2 Leak to Channel 5"]
    moved = issues.move_issue(case, "Leak to Channel 5", parent="2", position=1)
    assert moved.number == "2.1"
    assert issues.find(issues.list_issues(case), "2.2").name == "Leak to the Gazette"
    issues.move_issue(case, "2", parent=None, position=1)  # with its sub-issues
    assert labels(case)[:3] == ["1 Improper disclosures to the press", "1.1 Leak to Channel 5",
                                "1.2 Leak to the Gazette"]
    with pytest.raises(IssueError, match="under itself"):
        issues.move_issue(case, "1", parent="1.1")
    renamed = issues.edit_issue(case, "1.2", name="Leak to the Westmarch Gazette", color="#123456")
    assert (renamed.number, renamed.name, renamed.color) == ("1.2", "Leak to the Westmarch Gazette",
                                                             "#123456")
    with pytest.raises(IssueError, match="already an issue"):
        issues.add_issue(case, "grudge")
    with pytest.raises(IssueError, match="no issue"):
        issues.add_issue(case, "Other", parent="9")


def test_every_change_is_one_undo_step_that_restores_the_tree_exactly(case: Case) -> None:
    before = labels(case)
    issues.add_issue(case, "Grudge", parent="1")
    issues.move_issue(case, "3", position=1)
    issues.edit_issue(case, "Grudge", name="Old grudge")
    after = labels(case)
    assert audit.undo(case) == 'Undid renaming the issue "Grudge" to "Old grudge".'
    assert audit.undo(case) is not None and audit.undo(case) is not None
    assert labels(case) == before
    assert after != before


def test_deleting_an_issue_takes_its_sub_issues_and_links_and_undo_brings_all_back(case: Case,
                                                                                    tmp_path: Path) -> None:
    ids = make_matter(case, tmp_path / "files")
    issues.add_issue(case, "Grudge", parent="1")
    placement, _count = highlights.place_phrase(case, ids["note.txt"], "detective spoke")
    marked = highlights.add_highlight(case, placement, ["1.1", "2"])
    fact = facts.add_fact(case, "2021-06", "The detective called the Gazette", issues=["1", "1.1"])
    message = issues.delete_issue(case, "Bias of the prosecution")
    assert message.startswith('Deleting the issue "Bias of the prosecution" with 1 sub-issue')
    assert labels(case) == ["1 Improper disclosures to the press", "2 Grounds for the motion to dismiss"]
    assert highlights.get_highlight(case, marked.id).issues == ("Improper disclosures to the press",)
    assert facts.get_fact(case, fact.id).issues == ()
    audit.undo(case)
    assert labels(case)[:2] == ["1 Bias of the prosecution", "1.1 Grudge"]
    assert highlights.get_highlight(case, marked.id).issues == ("Grudge", "Improper disclosures to the press")
    assert facts.get_fact(case, fact.id).issues == ("Bias of the prosecution", "Grudge")
