"""Validating a prioritized review with an elusion test: a random sample of what the review left unreviewed,
decided blind, and the recall it shows.

Drawing: the discard pile is every document under review nobody has decided for the question. The sample
is drawn by family: the units are the families with a document in the pile (a parent email with its
attachments, keyed by the top-level document), drawn uniformly without replacement with a recorded seed,
and every document of a drawn family that is in the pile joins the sample (attachments follow their
parent; one never comes alone). So every document in the pile has the same chance of being drawn. The size
is given, or computed from a confidence level and margin of error (reviewer.core.analytics.intervals).
The draw, with the review's figures as they stood then (documents under review, reviewed, found relevant,
left unreviewed, the model's version), is a job on the case's trail that cannot be undone; a sample can be
abandoned (also on the trail) and a new one drawn.

Deciding: the sample's documents are decided like any others (the queue serves them, `reviewer decide`,
the coding pane's tag). While any of them is undecided the review is blind: scores are hidden everywhere
and the model is not retrained. Decisions on the sample do not change the figures of the round: those were
fixed when it was drawn.

Results: elusion = relevant documents in the sample / documents in the sample, with its exact
(Clopper–Pearson) 95 % interval; recall = found / (found + elusion × discard), its interval carried from
the elusion interval (see intervals.py). The documents are drawn in whole families, so the sample is a
cluster sample; the binomial interval treats its documents as independent draws, which is exact when
every family in the pile is a single document and close when few families have attachments in the pile.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session, aliased

from reviewer.core.analytics.decisions import decision_text, open_round, undecided, under_review
from reviewer.core.analytics.intervals import Interval, clopper_pearson, recall_from_elusion, sample_size
from reviewer.core.analytics.prioritize import find_question, latest_model
from reviewer.core.audit import Action, record_job
from reviewer.core.case import Case, now
from reviewer.core.errors import ReviewerError
from reviewer.core.models import Document, ReviewDecision, Tag, ValidationDocument, ValidationRound

CONFIDENCE = 0.95  # of every interval the report gives

METHOD = (
    "Elusion test. The discard pile is every document under review that no reviewer had decided for the "
    "question when the sample was drawn. Families with a document in the pile (keyed by their top-level "
    "document) were drawn uniformly at random without replacement, with the seed recorded here; every "
    "document of a drawn family that was in the pile is in the sample, so attachments follow their parent "
    "and each document of the pile had the same chance of being drawn. The sample was decided blind (the "
    "model's scores hidden). Elusion is the share of relevant documents in the sample, with its exact "
    "two-sided 95 % Clopper-Pearson interval. Recall is estimated as found / (found + elusion x discard), "
    "where found is the number of documents the review had decided relevant and discard the number left "
    "unreviewed when the sample was drawn; its interval is carried from the elusion interval (the low "
    "recall from the high elusion and the other way round). Decisions on the sample do not count as found "
    "by the review. The interval treats the sampled documents as independent draws; families with several "
    "documents in the pile make it slightly optimistic."
)


@dataclass(frozen=True)
class SampleDocument:
    control: str
    family: str  # the control number of the family's top-level document
    decision: str  # "relevant", "not relevant" or "" (undecided)
    decided_by: str
    decided_at: datetime | None


@dataclass(frozen=True)
class ValidationResult:
    tag: str
    number: int
    status: str  # "being decided", "complete" or "abandoned"
    seed: int
    families: int
    confidence: float | None  # what the size was computed from, if it was
    margin: float | None
    drawn: datetime
    drawn_by: str
    completed: datetime | None  # when the last sample document was decided
    model_version: int | None
    population: int
    reviewed: int
    found: int
    discard: int
    discard_families: int
    documents: list[SampleDocument]
    elusion: Interval
    recall: Interval

    @property
    def sample(self) -> int:
        return len(self.documents)

    @property
    def sample_relevant(self) -> int:
        return sum(d.decision == decision_text(True) for d in self.documents)

    @property
    def undecided(self) -> int:
        return sum(not d.decision for d in self.documents)

    @property
    def sample_reviewers(self) -> list[str]:
        return sorted({d.decided_by for d in self.documents if d.decided_by})

    def as_json(self) -> dict[str, Any]:
        """The report's figures: fractions 0–1, dates ISO 8601 (UTC)."""
        def when(value: datetime | None) -> str | None:
            return value.isoformat(timespec="seconds") + "Z" if value else None

        return {
            "recall": self.recall.as_json(), "elusion": self.elusion.as_json(),
            "found": self.found, "discard": self.discard, "sample": self.sample,
            "sample_relevant": self.sample_relevant, "confidence": CONFIDENCE,
            "question": self.tag, "round": self.number, "status": self.status,
            "population": self.population, "reviewed": self.reviewed,
            "discard_families": self.discard_families, "families_drawn": self.families,
            "sample_size_from": ({"confidence": self.confidence, "margin": self.margin}
                                 if self.confidence is not None else {"families": self.families}),
            "seed": self.seed, "model_version": self.model_version, "drawn": when(self.drawn),
            "drawn_by": self.drawn_by, "completed": when(self.completed),
            "sample_reviewers": self.sample_reviewers, "undecided": self.undecided,
            "documents": [{"control": d.control, "family": d.family, "decision": d.decision,
                           "decided_by": d.decided_by, "decided_at": when(d.decided_at)}
                          for d in self.documents],
            "method": METHOD,
        }


def draw(case: Case, tag_name: str, families: int | None = None, confidence: float | None = None,
         margin: float | None = None, seed: int | None = None) -> ValidationResult:
    """Draw a validation sample of the question's unreviewed documents: `families` of them, or as many as
    a `confidence` and `margin` (fractions, e.g. 0.95 and 0.05) need. On the trail; never undone."""
    if (families is None) == (confidence is None or margin is None):
        raise ReviewerError("Give the sample's size, or a confidence level and a margin of error.")
    if families is not None and families < 1:
        raise ReviewerError("A validation sample needs at least one document.")
    seed = seed if seed is not None else random.SystemRandom().randrange(1, 2 ** 31)
    with case.db.session() as session:
        tag, _question = find_question(session, tag_name)
        if open_round(session, tag.id) is not None:
            raise ReviewerError(f'A validation sample of "{tag.name}" is still being decided; decide the '
                                "rest of it, or abandon it (reviewer validate … --abandon), before drawing "
                                "another.")
        root = func.coalesce(Document.family_id, Document.id)
        pile: dict[int, list[int]] = {}
        for doc_id, family in session.execute(
                select(Document.id, root).where(Document.id.in_(undecided(tag.id))).order_by(Document.id)):
            pile.setdefault(family, []).append(doc_id)
        if not pile:
            raise ReviewerError(f'Every document is decided for "{tag.name}": there is nothing left to '
                                "sample.")
        size = families if families is not None else sample_size(confidence or 0, margin or 0, len(pile))
        chosen = random.Random(seed).sample(sorted(pile), min(size, len(pile)))
        number = (session.scalar(select(func.max(ValidationRound.number))
                                 .where(ValidationRound.tag_id == tag.id)) or 0) + 1
        population = _count(session, under_review())
        decided = select(ReviewDecision.document_id).where(ReviewDecision.tag_id == tag.id,
                                                           ReviewDecision.document_id.in_(under_review()))
        model = latest_model(session, tag.id)
        round_id = session.execute(insert(ValidationRound).values(
            tag_id=tag.id, number=number, seed=seed, families=len(chosen), confidence=confidence,
            margin=margin if confidence is not None else None, drawn=now(), user=case.user,
            model_version=model.version if model else None, population=population,
            reviewed=_count(session, decided),
            found=_count(session, decided.where(ReviewDecision.relevant.is_(True))),
            discard=sum(len(members) for members in pile.values()), discard_families=len(pile),
        ).returning(ValidationRound.id)).scalar_one()
        rows = [{"round_id": round_id, "document_id": doc_id, "position": position, "family_root": family}
                for position, (family, doc_id) in enumerate(
                    (family, doc_id) for family in chosen for doc_id in pile[family])]
        session.execute(insert(ValidationDocument), rows)
        record_job(session, Action.DRAW_SAMPLE,
                   f'validation sample {number} of "{tag.name}": {len(rows):,} documents in {len(chosen):,} '
                   f"families drawn from {len(pile):,} unreviewed families, seed {seed}", subject=tag.name)
    return result(case, tag_name, number)


def abandon(case: Case, tag_name: str) -> int:
    """Abandon the question's sample being decided (kept on record); its number."""
    with case.db.session() as session:
        tag, _question = find_question(session, tag_name)
        blind = open_round(session, tag.id)
        if blind is None:
            raise ReviewerError(f'No validation sample of "{tag.name}" is being decided.')
        session.execute(update(ValidationRound).where(ValidationRound.id == blind.id).values(abandoned=now()))
        record_job(session, Action.ABANDON_SAMPLE,
                   f'validation sample {blind.number} of "{tag.name}" abandoned', subject=tag.name)
        return blind.number


def result(case: Case, tag_name: str, number: int | None = None) -> ValidationResult:
    """A validation round's figures (the newest round unless `number` is given), its sample's decisions as
    they stand, elusion and recall with their intervals."""
    with case.db.reader() as session:
        tag, _question = find_question(session, tag_name)
        query = select(ValidationRound).where(ValidationRound.tag_id == tag.id)
        query = query.where(ValidationRound.number == number) if number else query.order_by(
            ValidationRound.number.desc()).limit(1)
        found_round = session.scalar(query)
        if found_round is None:
            raise ReviewerError(f'No validation sample of "{tag.name}" has been drawn'
                                + (f" with number {number}." if number else
                                   "; draw one with `reviewer validate`."))
        return _result(session, tag, found_round)


def _result(session: Session, tag: Tag, drawn: ValidationRound) -> ValidationResult:
    family = aliased(Document)
    rows = session.execute(
        select(Document.control, family.control, ReviewDecision.relevant, ReviewDecision.user,
               ReviewDecision.at)
        .select_from(ValidationDocument)
        .join(Document, Document.id == ValidationDocument.document_id)
        .join(family, family.id == ValidationDocument.family_root)
        .outerjoin(ReviewDecision, (ReviewDecision.document_id == ValidationDocument.document_id)
                   & (ReviewDecision.tag_id == tag.id))
        .where(ValidationDocument.round_id == drawn.id).order_by(ValidationDocument.position)).all()
    documents = [SampleDocument(control, root, "" if relevant is None else decision_text(relevant),
                                by or "", at) for control, root, relevant, by, at in rows]
    relevant_count = sum(d.decision == decision_text(True) for d in documents)
    decided = [d for d in documents if d.decision]
    complete = len(decided) == len(documents)
    unknown = Interval(None, None, None)
    elusion = clopper_pearson(relevant_count, len(documents), CONFIDENCE) if complete else unknown
    status = "abandoned" if drawn.abandoned else "complete" if complete else "being decided"
    return ValidationResult(
        tag=tag.name, number=drawn.number, status=status, seed=drawn.seed, families=drawn.families,
        confidence=drawn.confidence, margin=drawn.margin, drawn=drawn.drawn, drawn_by=drawn.user,
        completed=max((d.decided_at for d in decided if d.decided_at), default=None) if complete else None,
        model_version=drawn.model_version, population=drawn.population, reviewed=drawn.reviewed,
        found=drawn.found, discard=drawn.discard, discard_families=drawn.discard_families,
        documents=documents, elusion=elusion, recall=recall_from_elusion(drawn.found, drawn.discard, elusion),
    )


def _count(session: Session, query: Any) -> int:
    return session.scalar(select(func.count()).select_from(query.subquery())) or 0
