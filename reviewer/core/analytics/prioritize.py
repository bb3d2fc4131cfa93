"""Prioritized review (continuous active learning, the BMI/CAL method of Cormack & Grossman): setting a
question up, deciding documents, the queue of what to read next, the review's state and its progress.

A question is a tag. Setting it up records its choices (retrain every K decisions, a seed search, whether
decisions propagate to families, the random share of the queue, the target recall, the seed of every
random choice) as a reviewer action, undoable; the documents that already carry the tag count as decided
relevant from then on. The model itself is trained by reviewer.core.analytics.training (scikit-learn,
imported only there), in the background in the desktop and after `decide` on the command line, once K
decisions have been made since the last training (or on demand).

The queue serves the highest-scoring documents nobody has decided yet, except that each place in it is,
with the question's random share (5 % unless set), drawn uniformly at random from all undecided documents,
so the model keeps learning about what it ranks low and the richness of the collection can be estimated
(reviewer.core.analytics.stopping). The draws are seeded by the question's seed and the number of
decisions made so far, so the same state always gives the same queue; each document served is recorded
(ReviewServed) with whether it was drawn at random and the review's figures then. Before the first model
every place is drawn at random. While a validation sample is being decided, the queue serves the sample
instead, without scores.

Every function takes names and ids and returns plain dataclasses; none holds a session past its return.
"""

from __future__ import annotations

import random
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import exists, func, insert, select
from sqlalchemy.orm import Session

from reviewer.core.analytics import stopping
from reviewer.core.analytics.decisions import (
    MAILBOX_KINDS,
    PROPAGATION_RULES,
    check_not_blind,
    decision_text,
    open_round,
    propagate,
    question_of,
    record_decisions,
    undecided,
    under_review,
)
from reviewer.core.audit import Action, recording
from reviewer.core.case import Case, now
from reviewer.core.errors import ReviewerError
from reviewer.core.models import (
    AuditEvent,
    Document,
    DocumentTag,
    ReviewDecision,
    ReviewModel,
    ReviewQuestion,
    ReviewScore,
    ReviewServed,
    Tag,
    ValidationDocument,
)
from reviewer.core.review import apply_tag, find_tag
from reviewer.core.team.access import require_role

DEFAULT_RETRAIN_EVERY = 20
DEFAULT_RANDOM_SHARE = 0.05
DEFAULT_TARGET_RECALL = 0.8
MAX_RANDOM_SHARE = 0.5


@dataclass(frozen=True)
class QuestionChoices:
    """How a question's prioritized review was set up; None in an update means "leave as it is"."""

    retrain_every: int | None = None
    seed_query: str | None = None
    propagate: str | None = None  # "" for none, or a key of PROPAGATION_RULES
    random_share: float | None = None
    target_recall: float | None = None
    seed: int | None = None


@dataclass(frozen=True)
class ReviewState:
    tag: str
    tag_id: int
    retrain_every: int
    seed_query: str
    propagate: str
    random_share: float
    target_recall: float
    seed: int
    population: int  # documents under review
    relevant: int
    not_relevant: int
    model_version: int | None
    trained: datetime | None
    decisions_since_training: int
    new_documents: int  # under review but not scored by the newest model
    validating: int | None  # the number of the validation sample being decided, if one is

    @property
    def reviewed(self) -> int:
        return self.relevant + self.not_relevant

    @property
    def unreviewed(self) -> int:
        return self.population - self.reviewed

    @property
    def retrain_due(self) -> bool:
        """A training is due: none yet though one is possible, K decisions since the last, or new
        documents to score. Never while a validation sample is decided blind."""
        if self.validating is not None:
            return False
        if self.model_version is None:
            return self.relevant > 0 or bool(self.seed_query)
        return self.decisions_since_training >= self.retrain_every or self.new_documents > 0


@dataclass(frozen=True)
class QueueItem:
    document_id: int
    control: str
    score: float | None  # None while validating (blind) or before the first model
    random: bool  # drawn at random from the undecided documents rather than served by score


@dataclass(frozen=True)
class Queue:
    items: list[QueueItem]
    validating: int | None  # serving the sample of this validation round, blind


@dataclass(frozen=True)
class Decided:
    tag: str
    changed: int  # decisions recorded (documents already decided so are left alone)
    documents: int  # documents covered, after propagation


@dataclass(frozen=True)
class ScoredDocument:
    document_id: int
    control: str
    score: float
    decision: str  # "relevant", "not relevant" or "" (undecided)


@dataclass(frozen=True)
class ReviewProgress:
    state: ReviewState
    gain: list[int]  # relevant found after each document reviewed, in the order decided
    richness: stopping.Richness | None
    suggestion: stopping.Suggestion


# --- finding a question ----------------------------------------------------------------------------------

def find_question(session: Session, tag_name: str) -> tuple[Tag, ReviewQuestion]:
    """The tag (any case) and its prioritized review, or an error saying how to set it up."""
    tag = find_tag(session.scalars(select(Tag)).all(), tag_name)
    question = question_of(session, tag.id)
    if question is None:
        raise ReviewerError(f'"{tag.name}" is not set up for prioritized review; set it up first with '
                            f'`reviewer prioritize CASE --tag "{tag.name}"`.')
    return tag, question


def questions(case: Case) -> list[str]:
    """The names of the tags set up for prioritized review, in the tags' order."""
    with case.db.reader() as session:
        return list(session.scalars(select(Tag.name).join(ReviewQuestion, ReviewQuestion.tag_id == Tag.id)
                                    .order_by(Tag.position, Tag.id)))


# --- setting up -----------------------------------------------------------------------------------------

def set_up(case: Case, tag_name: str, choices: QuestionChoices = QuestionChoices()) -> ReviewState:
    """Set a tag up for prioritized review, or change the choices of one that is; a reviewer action on the
    trail, undoable. Documents that already carry the tag are decided relevant when it is first set up."""
    require_role(case, "admin", "set up prioritized review")
    _check_choices(choices)
    with recording(case) as change:
        session = change.session
        tag = find_tag(session.scalars(select(Tag)).all(), tag_name)
        old = question_of(session, tag.id)
        values = _chosen(old, choices)
        if old is not None and all(getattr(old, key) == value for key, value in values.items()):
            return _state(session, tag, old)
        if old is not None:
            change.row_events(Action.REMOVE_REVIEW, [(old, tag.name, _describe(old))])
            session.delete(old)
            session.flush()
        question = ReviewQuestion(id=old.id if old else None, tag_id=tag.id, created=change.at,
                                  user=change.user, **values)
        session.add(question)
        session.flush()
        change.row_events(Action.SET_UP_REVIEW, [(question, tag.name, _describe(question))])
        if old is None:
            tagged = select(DocumentTag.document_id).where(DocumentTag.tag_id == tag.id)
            record_decisions(change, tag.id, tagged, relevant=True)
            change.describe(f'setting up prioritized review for "{tag.name}"')
        else:
            change.describe(f'changing the prioritized review of "{tag.name}"')
        return _state(session, tag, question)


def _check_choices(choices: QuestionChoices) -> None:
    if choices.retrain_every is not None and choices.retrain_every < 1:
        raise ReviewerError("Retrain after at least 1 decision (--retrain-every 1 or more).")
    if choices.random_share is not None and not 0 <= choices.random_share <= MAX_RANDOM_SHARE:
        raise ReviewerError(f"The random share of the queue is between 0 and {MAX_RANDOM_SHARE:.0%}.")
    if choices.target_recall is not None and not 0 < choices.target_recall < 1:
        raise ReviewerError("The target recall is a share between 0 and 1 (for example 0.8).")
    if choices.propagate and choices.propagate not in PROPAGATION_RULES:
        raise ReviewerError(f'"{choices.propagate}" is not a way to propagate decisions; use one of '
                            f'{", ".join(PROPAGATION_RULES)} (or none).')
    if choices.seed_query:
        from reviewer.core.search.query import parse

        parse(choices.seed_query)  # a seed search that cannot be read is refused now, not at training


def _chosen(old: ReviewQuestion | None, choices: QuestionChoices) -> dict[str, Any]:
    def pick(value: Any, key: str, default: Any) -> Any:
        if value is not None:
            return value
        return getattr(old, key) if old is not None else default

    return {
        "retrain_every": pick(choices.retrain_every, "retrain_every", DEFAULT_RETRAIN_EVERY),
        "seed_query": pick(choices.seed_query, "seed_query", "").strip(),
        "propagate": pick(choices.propagate, "propagate", ""),
        "random_share": float(pick(choices.random_share, "random_share", DEFAULT_RANDOM_SHARE)),
        "target_recall": float(pick(choices.target_recall, "target_recall", DEFAULT_TARGET_RECALL)),
        "seed": pick(choices.seed, "seed", random.SystemRandom().randrange(1, 2 ** 31)),
    }


def _describe(question: ReviewQuestion) -> str:
    parts = [f"retrain every {question.retrain_every}", f"random share {question.random_share:.0%}",
             f"target recall {question.target_recall:.0%}", f"seed {question.seed}"]
    if question.seed_query:
        parts.append(f"seed search {question.seed_query}")
    if question.propagate:
        parts.append(f"decisions propagate to {question.propagate}")
    return "; ".join(parts)


# --- state ----------------------------------------------------------------------------------------------

def state(case: Case, tag_name: str) -> ReviewState:
    with case.db.reader() as session:
        tag, question = find_question(session, tag_name)
        return _state(session, tag, question)


@dataclass(frozen=True)
class _Counts:
    population: int  # documents under review
    decided: int
    found: int  # decided relevant

    @property
    def undecided(self) -> int:
        return self.population - self.decided


def _counts(session: Session, tag_id: int) -> _Counts:
    population = session.scalar(select(func.count()).select_from(under_review().subquery())) or 0
    decided = dict(session.execute(
        select(ReviewDecision.relevant, func.count())
        .join(Document, Document.id == ReviewDecision.document_id)
        .where(ReviewDecision.tag_id == tag_id, Document.kind.not_in(MAILBOX_KINDS))
        .group_by(ReviewDecision.relevant)).all())
    return _Counts(population, decided.get(True, 0) + decided.get(False, 0), decided.get(True, 0))


def _state(session: Session, tag: Tag, question: ReviewQuestion) -> ReviewState:
    counts = _counts(session, tag.id)
    model = latest_model(session, tag.id)
    since = session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == Action.DECIDE.value, AuditEvent.tag_id == tag.id,
        AuditEvent.id > (model.audit_upto if model else 0))) or 0
    unscored = under_review().where(~exists().where(ReviewScore.tag_id == tag.id,
                                                    ReviewScore.document_id == Document.id))
    new_documents = session.scalar(select(func.count()).select_from(unscored.subquery())) if model else 0
    blind = open_round(session, tag.id)
    return ReviewState(
        tag=tag.name, tag_id=tag.id, retrain_every=question.retrain_every, seed_query=question.seed_query,
        propagate=question.propagate, random_share=question.random_share,
        target_recall=question.target_recall, seed=question.seed, population=counts.population,
        relevant=counts.found, not_relevant=counts.decided - counts.found,
        model_version=model.version if model else None, trained=model.trained if model else None,
        decisions_since_training=since, new_documents=new_documents or 0,
        validating=blind.number if blind else None,
    )


def latest_model(session: Session, tag_id: int) -> ReviewModel | None:
    return session.scalar(select(ReviewModel).where(ReviewModel.tag_id == tag_id)
                          .order_by(ReviewModel.version.desc()).limit(1))


# --- deciding -------------------------------------------------------------------------------------------

def decide(case: Case, tag_name: str, doc_ids: Collection[int], relevant: bool) -> Decided:
    """Decide documents relevant (the tag goes on) or not relevant (it comes off) for a question, with
    their families when the question propagates decisions; one reviewer action, undoable."""
    if not doc_ids:
        raise ReviewerError("Name at least one document to decide.")
    with case.db.reader() as session:
        rule = find_question(session, tag_name)[1].propagate
    covered = propagate(case, doc_ids, rule)
    with recording(case) as change:
        session = change.session
        tag, _question = find_question(session, tag_name)
        selection = select(Document.id).where(Document.id.in_(sorted(covered)))
        apply_tag(change, tag, selection, add=relevant)  # decides the documents whose tag changed
        record_decisions(change, tag.id, selection, relevant)  # and the others
        changed = len(session.scalars(change.changed_documents(Action.DECIDE, tag.id)).all())
        if changed:
            change.describe(f"deciding {change.subject(Action.DECIDE, changed)} "
                            f'{decision_text(relevant)} for "{tag.name}"')
        return Decided(tag.name, changed, len(covered))


# --- the queue ------------------------------------------------------------------------------------------

def next_documents(case: Case, tag_name: str, count: int = 1) -> Queue:
    """The next documents to review for a question, best first (see the module's description of the random
    share); the validation sample instead, blind, while one is being decided. Recorded as served."""
    with case.db.reader() as session:
        tag, question = find_question(session, tag_name)
        blind = open_round(session, tag.id)
        if blind is not None:
            return Queue(_sample_queue(session, tag.id, blind.id, count), blind.number)
        counts = _counts(session, tag.id)
        items = _queue(session, tag.id, question, count, counts)
        model = latest_model(session, tag.id)
    _record_served(case, tag.id, items, counts, model.version if model else None)
    return Queue(items, None)


def _sample_queue(session: Session, tag_id: int, round_id: int, count: int) -> list[QueueItem]:
    rows = session.execute(
        select(Document.id, Document.control)
        .join(ValidationDocument, ValidationDocument.document_id == Document.id)
        .where(ValidationDocument.round_id == round_id,
               ~exists().where(ReviewDecision.tag_id == tag_id, ReviewDecision.document_id == Document.id))
        .order_by(ValidationDocument.position).limit(count)).all()
    return [QueueItem(doc_id, control, None, False) for doc_id, control in rows]


def _queue(session: Session, tag_id: int, question: ReviewQuestion, count: int,
           counts: _Counts) -> list[QueueItem]:
    pool = undecided(tag_id).order_by(Document.id)
    size = counts.undecided
    # Scores exist only for documents under review; the index on (tag, score) serves the best first.
    best = iter(session.execute(
        select(ReviewScore.document_id, ReviewScore.score).where(
            ReviewScore.tag_id == tag_id,
            ~exists().where(ReviewDecision.tag_id == tag_id,
                            ReviewDecision.document_id == ReviewScore.document_id))
        .order_by(ReviewScore.score.desc(), ReviewScore.document_id).limit(2 * count)).all())
    draw = random.Random(f"{question.seed}:{counts.decided}")
    chosen: dict[int, bool] = {}  # document id -> drawn at random
    while len(chosen) < min(count, size):
        at_random = draw.random() < question.random_share
        pick = None if at_random else next((d for d, _ in best if d not in chosen), None)
        while pick is None or pick in chosen and at_random:
            at_random = True
            pick = session.scalar(pool.offset(draw.randrange(size)).limit(1))
        chosen[pick] = at_random
    ids = list(chosen)
    controls = dict(session.execute(select(Document.id, Document.control).where(Document.id.in_(ids))).all())
    scores = dict(session.execute(select(ReviewScore.document_id, ReviewScore.score).where(
        ReviewScore.tag_id == tag_id, ReviewScore.document_id.in_(ids))).all())
    return [QueueItem(i, controls[i], scores.get(i), chosen[i]) for i in ids]


def _record_served(case: Case, tag_id: int, items: Sequence[QueueItem], counts: _Counts,
                   version: int | None) -> None:
    """Derived data, not a reviewer action: a plain transaction; the first serving of each way is kept."""
    if not items:
        return
    with case.db.session() as session:
        known = {(doc_id, at_random) for doc_id, at_random in session.execute(
            select(ReviewServed.document_id, ReviewServed.random).where(
                ReviewServed.tag_id == tag_id, ReviewServed.document_id.in_([i.document_id for i in items])))}
        rows = [{"tag_id": tag_id, "document_id": item.document_id, "random": item.random, "served": now(),
                 "model_version": version, "score": item.score, "unreviewed": counts.undecided,
                 "found": counts.found}
                for item in items if (item.document_id, item.random) not in known]
        if rows:
            session.execute(insert(ReviewServed), rows)


# --- scores and progress --------------------------------------------------------------------------------

def scores(case: Case, tag_name: str) -> list[ScoredDocument]:
    """Every scored document under review, best first, with its decision; refused while validating."""
    with case.db.reader() as session:
        tag, _question = find_question(session, tag_name)
        check_not_blind(session, tag)
        decision = select(ReviewDecision.relevant).where(
            ReviewDecision.tag_id == tag.id, ReviewDecision.document_id == Document.id).scalar_subquery()
        rows = session.execute(
            select(Document.id, Document.control, ReviewScore.score, decision)
            .join(ReviewScore, ReviewScore.document_id == Document.id)
            .where(ReviewScore.tag_id == tag.id, Document.id.in_(under_review()))
            .order_by(ReviewScore.score.desc(), Document.id)).all()
    return [ScoredDocument(doc_id, control, score, "" if relevant is None else decision_text(relevant))
            for doc_id, control, score, relevant in rows]


def review_progress(case: Case, tag_name: str) -> ReviewProgress:
    """The gain curve, the richness estimate and the stopping suggestion of a question's review."""
    with case.db.reader() as session:
        tag, question = find_question(session, tag_name)
        current = _state(session, tag, question)
        in_order = list(session.scalars(
            select(ReviewDecision.relevant).where(ReviewDecision.tag_id == tag.id,
                                                  ReviewDecision.document_id.in_(under_review()))
            .order_by(ReviewDecision.at, ReviewDecision.id)))
        drawn = session.execute(
            select(ReviewServed.unreviewed, ReviewServed.found, ReviewDecision.relevant)
            .join(ReviewDecision, (ReviewDecision.document_id == ReviewServed.document_id)
                  & (ReviewDecision.tag_id == ReviewServed.tag_id))
            .where(ReviewServed.tag_id == tag.id, ReviewServed.random.is_(True))
            .order_by(ReviewServed.id)).all()
        draws = [stopping.RandomDraw(unreviewed, found, relevant) for unreviewed, found, relevant in drawn]
    curve = stopping.gain_curve(in_order)
    richness = stopping.estimate_richness(draws, current.population)
    return ReviewProgress(current, curve, richness,
                          stopping.suggest(curve, richness, question.target_recall))
