"""The case's legal issues: a tree numbered 1, 1.1, 1.2, 2, … that highlights and facts are filed under.

An issue is named by its name (any letter case) or its number wherever a user gives one. Adding, renaming,
recolouring, moving and deleting are reviewer actions (one undo step each). Deleting an issue deletes its
sub-issues too and takes them off every highlight and fact; undo brings all of it back.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from reviewer.core.audit import Action, counted, recording
from reviewer.core.case import Case, now
from reviewer.core.casebuild import trail
from reviewer.core.errors import ReviewerError
from reviewer.core.models import FactIssue, HighlightIssue, Issue, Setting
from reviewer.core.review import clean_color

# What a defense team arguing a motion to dismiss starts from; a case may rename or delete them.
DEFAULT_ISSUES = (
    ("Bias of the prosecution", "#d62728"),
    ("Improper disclosures to the press", "#ff7f0e"),
    ("Grounds for the motion to dismiss", "#1f77b4"),
)
PALETTE = ("#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#7f7f7f", "#d62728",
           "#ff7f0e", "#1f77b4")
SEEDED_SETTING = "default_issues_seeded"
_NUMBER = re.compile(r"\d+(?:\.\d+)*")


class IssueError(ReviewerError):
    """An issue that does not exist, or a change the tree cannot take."""


@dataclass(frozen=True)
class IssueInfo:
    id: int
    number: str  # "1", "1.2"
    name: str
    parent_id: int | None
    depth: int  # 0 for a top-level issue
    color: str
    position: int
    highlights: int = 0
    facts: int = 0

    @property
    def label(self) -> str:
        return f"{self.number} {self.name}"


def ensure_default_issues(case: Case) -> None:
    """Give a case the default issues once: when it is created, or on the first open of a case made before
    issues existed. A case whose team deleted them does not get them back."""
    if case.setting(SEEDED_SETTING):
        return
    try:
        with case.db.session() as session:
            # On SQLite the write session holds the write lock, so a second window opening the case at the
            # same moment finds the marker and does nothing; elsewhere the marker's key is the backstop.
            if session.get(Setting, SEEDED_SETTING) is not None:
                return
            session.add(Setting(key=SEEDED_SETTING, value=now().isoformat(timespec="seconds")))
            if session.scalar(select(func.count()).select_from(Issue)):
                return
            at = now()
            session.add_all(Issue(name=name, color=color, position=position, added=at, user="")
                            for position, (name, color) in enumerate(DEFAULT_ISSUES, start=1))
    except IntegrityError:
        return  # another process seeded them first


# --- reading the tree ------------------------------------------------------------------------------------
def tree(session: Session) -> list[IssueInfo]:
    """Every issue in tree order (each followed by its sub-issues), numbered."""
    children: dict[int | None, list[Issue]] = defaultdict(list)
    for issue in session.scalars(select(Issue).order_by(Issue.position, Issue.id)):
        children[issue.parent_id].append(issue)
    found: list[IssueInfo] = []

    def visit(parent: int | None, prefix: str, depth: int) -> None:
        for index, issue in enumerate(children.get(parent, []), start=1):
            number = f"{prefix}{index}"
            found.append(IssueInfo(issue.id, number, issue.name, issue.parent_id, depth, issue.color,
                                   issue.position))
            visit(issue.id, f"{number}.", depth + 1)

    visit(None, "", 0)
    return found


def list_issues(case: Case) -> list[IssueInfo]:
    """The issue tree with how many highlights and facts are filed directly under each issue."""
    with case.db.reader() as session:
        highlights = dict(session.execute(select(HighlightIssue.issue_id, func.count())
                                          .group_by(HighlightIssue.issue_id)).all())
        facts = dict(session.execute(select(FactIssue.issue_id, func.count())
                                     .group_by(FactIssue.issue_id)).all())
        return [IssueInfo(i.id, i.number, i.name, i.parent_id, i.depth, i.color, i.position,
                          highlights.get(i.id, 0), facts.get(i.id, 0)) for i in tree(session)]


def find(issues: list[IssueInfo], wanted: str) -> IssueInfo:
    """The issue a user means by `wanted`: its number ("1.2") or its name in any letter case."""
    text = " ".join(wanted.split())
    if _NUMBER.fullmatch(text):
        match = next((issue for issue in issues if issue.number == text), None)
    else:
        match = next((issue for issue in issues if issue.name.casefold() == text.casefold()), None)
    if match is None:
        listing = "; ".join(issue.label for issue in issues[:12]) or "none yet"
        raise IssueError(f'There is no issue "{text}" in this case (the issues are: {listing}).')
    return match


def resolve(session: Session, wanted: Iterable[str | int]) -> list[IssueInfo]:
    """The issues meant (ids, or numbers and names as a user types them), each once, in the order given."""
    issues = tree(session)
    by_id = {issue.id: issue for issue in issues}
    chosen: dict[int, IssueInfo] = {}
    for ref in wanted:
        if isinstance(ref, int):
            if ref not in by_id:
                raise IssueError(f"There is no issue with id {ref} in this case; it may have been deleted.")
            issue = by_id[ref]
        else:
            issue = find(issues, ref)
        chosen.setdefault(issue.id, issue)
    return list(chosen.values())


def with_subissues(session: Session, issue_ids: Iterable[int]) -> set[int]:
    """The issues given and every issue under them: what a filter on an issue takes in."""
    children: dict[int | None, list[int]] = defaultdict(list)
    for issue_id, parent_id in session.execute(select(Issue.id, Issue.parent_id)):
        children[parent_id].append(issue_id)
    found: set[int] = set()
    waiting = list(issue_ids)
    while waiting:
        issue_id = waiting.pop()
        if issue_id not in found:
            found.add(issue_id)
            waiting.extend(children.get(issue_id, []))
    return found


# --- changing the tree -----------------------------------------------------------------------------------
def add_issue(case: Case, name: str, parent: str | None = None, color: str | None = None) -> IssueInfo:
    """A new issue at the end of the top level, or of `parent`'s sub-issues."""
    name = _clean_name(name)
    with recording(case) as change:
        session = change.session
        issues = tree(session)
        _check_name_free(issues, name)
        parent_info = find(issues, parent) if parent else None
        parent_id = parent_info.id if parent_info else None
        siblings = [i for i in issues if i.parent_id == parent_id]
        if color is None:
            used = {i.color for i in issues}
            color = next((c for c in PALETTE if c not in used), PALETTE[len(issues) % len(PALETTE)])
        issue = Issue(name=name, parent_id=parent_id, color=clean_color(color), added=change.at,
                      user=change.user, position=max((i.position for i in siblings), default=0) + 1)
        session.add(issue)
        session.flush()
        trail.added(change, Action.ADD_ISSUE, [issue], subject=name, text=name)
        under = f' under "{parent_info.label}"' if parent_info else ""
        change.describe(f'adding the issue "{name}"{under}')
        return next(i for i in tree(session) if i.id == issue.id)


def edit_issue(case: Case, wanted: str, name: str | None = None, color: str | None = None) -> IssueInfo:
    """Rename an issue or change its colour (highlights are drawn in it)."""
    with recording(case) as change:
        session = change.session
        issues = tree(session)
        info = find(issues, wanted)
        values: dict[str, str] = {}
        if name is not None:
            values["name"] = _clean_name(name)
            _check_name_free([i for i in issues if i.id != info.id], values["name"])
        if color is not None:
            values["color"] = clean_color(color)
        issue = session.get(Issue, info.id)
        assert issue is not None
        if trail.edited(change, Action.EDIT_ISSUE, issue, values, subject=info.name):
            what = [f'renaming the issue "{info.name}" to "{values["name"]}"'] if "name" in values \
                and values["name"] != info.name else []
            if "color" in values and values["color"] != info.color:
                what.append(f'changing the colour of "{issue.name}" to {values["color"]}')
            change.describe(" and ".join(what))
        session.flush()
        return next(i for i in tree(session) if i.id == info.id)


def move_issue(case: Case, wanted: str, parent: str | None = None, position: int | None = None) -> IssueInfo:
    """Move an issue (with its sub-issues) under `parent` (None: to the top level), to the 1-based
    `position` among its new siblings (None: last). The issues around it are renumbered."""
    with recording(case) as change:
        session = change.session
        issues = tree(session)
        info = find(issues, wanted)
        new_parent = find(issues, parent) if parent else None
        parent_id = new_parent.id if new_parent else None
        if parent_id is not None and parent_id in with_subissues(session, [info.id]):
            raise IssueError(f'"{info.name}" cannot go under itself or one of its own sub-issues.')
        rows = {issue.id: issue for issue in session.scalars(select(Issue))}
        siblings = [i.id for i in issues if i.parent_id == parent_id and i.id != info.id]
        place = len(siblings) if position is None else min(max(position, 1), len(siblings) + 1) - 1
        siblings.insert(place, info.id)
        old_siblings = [i.id for i in issues if i.parent_id == info.parent_id and i.id != info.id]
        wanted_values: dict[int, dict[str, object]] = defaultdict(dict)
        for index, issue_id in enumerate(old_siblings, start=1):
            wanted_values[issue_id]["position"] = index
        for index, issue_id in enumerate(siblings, start=1):
            wanted_values[issue_id]["position"] = index
        wanted_values[info.id]["parent_id"] = parent_id
        moved = False
        for issue_id, values in wanted_values.items():
            row = rows[issue_id]
            moved |= trail.edited(change, Action.EDIT_ISSUE, row, values, subject=row.name)
        session.flush()
        after = next(i for i in tree(session) if i.id == info.id)
        if moved:
            change.describe(f'moving the issue "{info.name}" from {info.number} to {after.number}')
        return after


def delete_issue(case: Case, wanted: str) -> str:
    """Delete an issue and its sub-issues, taking them off every highlight and fact; a sentence saying what
    went. Undo brings them all back."""
    with recording(case) as change:
        session = change.session
        issues = tree(session)
        info = find(issues, wanted)
        doomed = with_subissues(session, [info.id])
        # Tree order: parents before children, as undo must put them back.
        order = [i.id for i in issues if i.id in doomed]
        rows = {issue.id: issue for issue in session.scalars(select(Issue).where(Issue.id.in_(doomed)))}
        links: list = [*session.scalars(select(HighlightIssue).where(HighlightIssue.issue_id.in_(doomed))),
                       *session.scalars(select(FactIssue).where(FactIssue.issue_id.in_(doomed)))]
        trail.unlinked(change, links)
        trail.removed(change, Action.DELETE_ISSUE, [rows[i] for i in order], subject=info.name,
                      text=info.name)
        # The issues after it move up one place.
        for index, issue_id in enumerate([i.id for i in issues if i.parent_id == info.parent_id
                                          and i.id != info.id], start=1):
            sibling = session.get(Issue, issue_id)
            assert sibling is not None
            trail.edited(change, Action.EDIT_ISSUE, sibling, {"position": index}, subject=sibling.name)
        more = len(doomed) - 1
        summary = f'deleting the issue "{info.name}"'
        if more:
            summary += f" with {counted(more, 'sub-issue')}"
        marked = sum(isinstance(link, HighlightIssue) for link in links)
        taken = [counted(n, noun) for n, noun in ((marked, "highlight"), (len(links) - marked, "fact")) if n]
        if taken:
            summary += f", taking {'it' if not more else 'them'} off {' and '.join(taken)}"
        change.describe(summary)
        return change.summary[0].upper() + change.summary[1:] + "."


def _clean_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise IssueError("An issue needs a name.")
    if len(name) > 256:
        raise IssueError("An issue name can be at most 256 characters long.")
    if _NUMBER.fullmatch(name):
        raise IssueError(f'"{name}" reads as an issue number; give the issue a name with words.')
    return name


def _check_name_free(issues: Iterable[IssueInfo], name: str) -> None:
    if any(issue.name.casefold() == name.casefold() for issue in issues):
        raise IssueError(f'There is already an issue named "{name}".')

