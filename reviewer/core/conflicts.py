"""Coding conflicts between reviewers: an action taken on a stale view is refused, never silently applied.

Several reviewers code one case at once. Changes to different tags of a document, or to different
documents, never conflict: each is its own short write transaction (db.py) and both land. A *true*
conflict is a reviewer changing a document's tag or privilege entry that another reviewer changed after
the first one loaded it — pressing a hotkey to add "Hot" when someone has since added it (the toggle
would take it off), or writing a privilege description over one recorded meanwhile.

The row version is the audit sequence. Every coding change is recorded by the one write path with an
audit event, and writes commit one at a time, so audit event ids grow in commit order: the newest event
id is the version of the whole case, and the newest event about a (document, tag) or a document's
privilege entry is that row's version. A reader takes `version()` *before* reading the coding it shows
and passes it back with the action as `seen`; the action then refuses (ConflictError, nothing written)
when a row it would change has an event newer than `seen` made by another reviewer. Rows the action
would leave as they are (the other reviewer already did the same) are no conflict. A reviewer's own
changes never conflict with them, so a quick second keypress is judged on what the first one left.

Without `seen` (scripts, the command line without --seen) an action applies to the case as it is now.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from reviewer.core.errors import ConflictError
from reviewer.core.models import AuditEvent, Document

if TYPE_CHECKING:
    from reviewer.core.audit import Recording
    from reviewer.core.case import Case

# How many conflicting documents a refusal names before "and N more".
NAMED = 3


@dataclass(frozen=True)
class Conflict:
    """The other reviewer's change that a refused action would have overwritten."""

    document_id: int
    control: str
    user: str
    at: datetime
    action: str  # the audit action: "tag", "untag" or "privilege"
    value: str  # the tag's name, or the privilege entry as the trail writes it ("" when cleared)

    def sentence(self) -> str:
        when = f"{self.at:%H:%M:%S} UTC"
        if self.action == "tag":
            done = f'added "{self.value}"'
        elif self.action == "untag":
            done = f'removed "{self.value}"'
        elif self.value:
            done = f'recorded the privilege "{self.value}"'
        else:
            done = "cleared the privilege entry"
        return f"{self.user} {done} on {self.control} at {when}"


def version(session: Session) -> int:
    """The case's coding version: the newest audit event's id (0 for a case with none)."""
    return int(session.scalar(select(func.coalesce(func.max(AuditEvent.id), 0))) or 0)


def case_version(case: Case) -> int:
    with case.db.reader() as session:
        return version(session)


def refuse_conflicts(change: Recording, changing: Select[Any], actions: tuple[str, ...],
                     tag_id: int | None = None) -> None:
    """Raise ConflictError when any document of `changing` (the documents this action is about to
    change) has an event of `actions` (about `tag_id`, if given) newer than the version the reviewer saw,
    made by someone else. Does nothing for an action recorded without a version."""
    if change.seen is None:
        return
    event = AuditEvent
    query = (
        select(event.document_id, Document.control, event.user, event.at, event.action, event.before,
               event.after)
        .join(Document, Document.id == event.document_id)
        .where(event.id > change.seen, event.user != change.user, event.action.in_(actions),
               event.document_id.in_(changing))
        .order_by(event.id.desc())
    )
    if tag_id is not None:
        query = query.where(event.tag_id == tag_id)
    newest: dict[int, Conflict] = {}
    for doc_id, control, user, at, action, before, after in change.session.execute(query):
        if doc_id is not None and doc_id not in newest:
            value = before if action == "untag" else after
            newest[doc_id] = Conflict(doc_id, control, user, at, action, value)
    if newest:
        raise ConflictError(refusal(list(newest.values())), list(newest.values()))


def refusal(conflicts: list[Conflict]) -> str:
    """One paragraph: who changed what since the reviewer looked, and what to do."""
    named = "; ".join(conflict.sentence() for conflict in conflicts[:NAMED])
    more = f"; and {len(conflicts) - NAMED:,} more documents" if len(conflicts) > NAMED else ""
    return (f"Not saved: {named}{more}, after you loaded it. Nothing of your change was applied; "
            "look at the coding as it is now and code again if you still disagree.")
