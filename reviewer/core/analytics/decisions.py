"""Prioritized-review decisions: which documents a reviewer decided for a question, and how a decision is
recorded wherever it is made.

A **question** is a tag set up for prioritized review (ReviewQuestion). A document is **reviewed** for it
once a reviewer decided it: relevant (the tag is on) or not relevant (a decision of its own, not merely
"no tag"). Decisions are made in three places and recorded by one function, `record_decisions`, inside
the action that makes them: tagging and untagging in the ordinary coding path (review.apply_tag calls it
for a tag that is a question: tagging decides relevant, untagging decides not relevant), the prioritized
queue and `reviewer decide` (prioritize.decide). Each decision is a decide event on the audit trail in
the same transaction as the tag, and the decision rows follow from those events (audit.write_decisions),
so undo reverses the decision with the tag.

Also here, because the search filters and the document list need them without the learning libraries:
the documents under review, the open validation round (while it is open, scores are hidden), and the
expansion rules that propagate a decision to a family or an email thread.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

from sqlalchemy import Select, case, exists, func, literal, select
from sqlalchemy.orm import Session

from reviewer.core.analytics.groups import expand_to_threads
from reviewer.core.audit import NOT_RELEVANT, RELEVANT, Action, Recording, write_decisions
from reviewer.core.case import Case
from reviewer.core.errors import ReviewerError
from reviewer.core.models import (
    AuditEvent,
    Document,
    ReviewDecision,
    ReviewQuestion,
    Tag,
    ValidationDocument,
    ValidationRound,
)

# Mailbox files (MBOX, PST) hold their messages as documents of their own: the messages are reviewed,
# the mailbox itself never is (productions leave it out for the same reason).
MAILBOX_KINDS = ("mbox", "pst")


def decision_text(relevant: bool) -> str:
    return RELEVANT if relevant else NOT_RELEVANT


def question_of(session: Session, tag_id: int) -> ReviewQuestion | None:
    return session.scalar(select(ReviewQuestion).where(ReviewQuestion.tag_id == tag_id))


def under_review() -> Select[int]:
    """The documents a prioritized review covers: every document but mailbox files."""
    return select(Document.id).where(Document.kind.not_in(MAILBOX_KINDS))


def _current_text(tag_id: int) -> Any:
    """The document in scope's decision for the question, as a decide event reads it ("" if undecided)."""
    decided = select(case((ReviewDecision.relevant, literal(RELEVANT)), else_=literal(NOT_RELEVANT))).where(
        ReviewDecision.tag_id == tag_id, ReviewDecision.document_id == Document.id
    ).scalar_subquery()
    return func.coalesce(decided, "")


def record_decisions(change: Recording, tag_id: int, selection: Select[Any], relevant: bool) -> int:
    """Decide the documents of `selection` (a select of document ids) relevant or not relevant for the
    question of `tag_id`, inside the action `change` records; documents already decided so are left
    alone. How many decisions changed."""
    after = decision_text(relevant)
    current = _current_text(tag_id)
    count = change.document_events(
        select(Document.id, current, literal(after)).where(Document.id.in_(selection), current != after),
        Action.DECIDE, tag_id=tag_id,
    )
    if count:
        write_decisions(change, select(AuditEvent.document_id, AuditEvent.tag_id, AuditEvent.after).where(
            AuditEvent.group_id == change.group_id, AuditEvent.action == Action.DECIDE.value,
            AuditEvent.tag_id == tag_id, AuditEvent.after == after,
        ))
    return count


def record_tagging(change: Recording, tag_id: int, added: bool) -> None:
    """The coding path's part: when the tag this action put on (or took off) documents is a question, each
    of those documents is decided relevant (or not relevant) in the same action."""
    if question_of(change.session, tag_id) is None:
        return
    record_decisions(change, tag_id, change.changed_documents(Action.TAG if added else Action.UNTAG, tag_id),
                     relevant=added)


def decisions(session: Session, tag_id: int) -> dict[int, bool]:
    """Every decision for a question: document id -> relevant."""
    return dict(session.execute(
        select(ReviewDecision.document_id, ReviewDecision.relevant).where(ReviewDecision.tag_id == tag_id)
    ).all())


def undecided(tag_id: int) -> Select[int]:
    """The documents under review that nobody has decided for the question yet."""
    return under_review().where(~exists().where(ReviewDecision.tag_id == tag_id,
                                                ReviewDecision.document_id == Document.id))


# --- validation rounds --------------------------------------------------------------------------------

def open_round(session: Session, tag_id: int) -> ValidationRound | None:
    """The question's validation round still being decided (neither abandoned nor finished), if any. While
    it is open the review is blind: scores are hidden and the queue serves the sample."""
    latest = session.scalar(select(ValidationRound).where(ValidationRound.tag_id == tag_id)
                            .order_by(ValidationRound.number.desc()).limit(1))
    if latest is None or latest.abandoned is not None:
        return None
    pending = session.scalar(select(func.count()).select_from(ValidationDocument).where(
        ValidationDocument.round_id == latest.id,
        ~exists().where(ReviewDecision.tag_id == tag_id,
                        ReviewDecision.document_id == ValidationDocument.document_id)))
    return latest if pending else None


def check_not_blind(session: Session, tag: Tag) -> None:
    """Refuse to show scores while a validation sample of the question is being decided."""
    blind = open_round(session, tag.id)
    if blind is not None:
        raise ReviewerError(f'Scores for "{tag.name}" are hidden while validation sample {blind.number} is '
                            "being decided (the sample is reviewed blind); decide the rest of the sample "
                            "or abandon it to see them again.")


# --- propagation --------------------------------------------------------------------------------------

Expansion = Callable[[Case, Collection[int]], set[int]]


def whole_families(case: Case, doc_ids: Collection[int]) -> set[int]:
    """The documents and every member of their families (a parent with all its attachments)."""
    root = func.coalesce(Document.family_id, Document.id)
    roots = select(root).where(Document.id.in_(list(doc_ids)))
    with case.db.reader() as session:
        return set(session.scalars(select(Document.id).where(root.in_(roots)))) | set(doc_ids)


# The ways a decision can be carried to related documents, by the name a question's `propagate` option
# stores: each expands a set of documents (read before the decision's transaction begins).
PROPAGATION_RULES: dict[str, Expansion] = {"families": whole_families, "threads": expand_to_threads}


def propagate(case: Case, doc_ids: Collection[int], rule: str) -> set[int]:
    """The documents a decision on `doc_ids` covers under a question's propagation rule ("" for none)."""
    if not rule:
        return set(doc_ids)
    expansion = PROPAGATION_RULES.get(rule)
    if expansion is None:
        raise ReviewerError(f'"{rule}" is not a way to propagate decisions; use one of '
                            f'{", ".join(PROPAGATION_RULES)} (or none).')
    return expansion(case, doc_ids)

