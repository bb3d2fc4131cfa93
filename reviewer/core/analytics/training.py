"""Training a question's model and scoring every document under review (scikit-learn; imported only by the
commands and workers that train).

What the model learns from, after AutoTAR / BMI (Cormack & Grossman 2015):
- every decision so far: relevant 1, not relevant 0;
- while fewer than SEED_RETIRE documents are decided relevant, up to SEED_POSITIVES undecided hits of the
  question's seed search, taken as relevant (the review's starting point);
- PRESUMED_NEGATIVES undecided documents drawn at random, taken as not relevant: in a collection where
  few documents are relevant, a random one almost never is, and without them the first model would have
  nothing to contrast the first relevant documents with.
Features are TF-IDF of words and word pairs (reviewer.core.analytics.features); the learner is L2-regularised
logistic regression (liblinear) with classes weighted to balance. Every document under review is scored:
the model's probability of relevance × 100, so 0–100.

Reproducible: the random draws are seeded by the question's seed and a digest of the decisions, and the
learner's own seed is the question's; so the same decisions, documents and seed give the same scores. Each
training is recorded (ReviewModel: version, when, by whom, counts, the audit event and document it
reached, the parameters), and its scores replace the previous ones in one transaction.

A training reads and computes without holding any lock the reviewers need; only the final write of the
scores is a (short) write transaction. Two trainings at once are harmless: each writes a complete set
under its own version number.
"""

from __future__ import annotations

import hashlib
import json
import random
import time
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import Table, delete, func, insert, select

from reviewer.core.analytics.decisions import decisions, open_round, under_review
from reviewer.core.analytics.features import SETTINGS, FeatureCache, tf_idf
from reviewer.core.analytics.prioritize import find_question, latest_model
from reviewer.core.case import Case, now
from reviewer.core.errors import ReviewerError
from reviewer.core.models import AuditEvent, ReviewModel, ReviewScore
from reviewer.core.progress import CancelToken, Progress, ProgressUpdate, no_progress

PRESUMED_NEGATIVES = 100
SEED_POSITIVES = 100
SEED_RETIRE = 10
REGULARISATION = 10.0  # liblinear's C: larger fits the decisions more closely
LEARNER = {"learner": "logistic regression (scikit-learn, liblinear, L2)", "C": REGULARISATION,
           "class_weight": "balanced", "presumed_negatives": PRESUMED_NEGATIVES,
           "seed_positives": SEED_POSITIVES, "seed_retired_after": SEED_RETIRE}


@dataclass(frozen=True)
class ModelInfo:
    tag: str
    version: int
    trained: datetime
    decisions: int
    positives: int
    seed_positives: int
    presumed_negatives: int
    scored: int
    seconds: float


def retrain(case: Case, tag_name: str, progress: Progress = no_progress,
            cancel: CancelToken | None = None) -> ModelInfo:
    """Train the question's model on its decisions so far and score every document under review."""
    import numpy as np
    from scipy.special import expit
    from sklearn.linear_model import LogisticRegression

    started = time.perf_counter()
    progress(ProgressUpdate("Reading the decisions"))
    with case.db.reader() as session:  # one snapshot: the decisions and the trail mark agree
        tag, question = find_question(session, tag_name)
        blind = open_round(session, tag.id)
        if blind is not None:
            raise ReviewerError(f'The model of "{tag.name}" stays as it was while validation sample '
                                f"{blind.number} is being decided.")
        audit_upto = session.scalar(select(func.max(AuditEvent.id))) or 0
        population = list(session.scalars(under_review().order_by("id")))
        decided = decisions(session, tag.id)
    under = set(population)
    decided = {doc: relevant for doc, relevant in decided.items() if doc in under}
    positives = sum(decided.values())
    seed_hits = _seed_hits(case, question.seed_query, under, decided) if positives < SEED_RETIRE else []
    if not positives and not seed_hits:
        raise ReviewerError(f'The model of "{tag.name}" needs at least one document decided relevant, or a '
                            "seed search that finds documents (reviewer prioritize … --seed-query Q).")

    digest = hashlib.sha256(json.dumps(sorted(decided.items())).encode()).hexdigest()[:16]
    draw = random.Random(f"{question.seed}:{digest}")
    seed_positives = draw.sample(seed_hits, min(len(seed_hits), SEED_POSITIVES))
    taken = set(seed_positives) | decided.keys()
    rest = [doc for doc in population if doc not in taken]
    presumed = draw.sample(rest, min(len(rest), PRESUMED_NEGATIVES))
    labelled = sorted(decided.items()) + [(d, True) for d in seed_positives] + [(d, False) for d in presumed]
    if len({relevant for _, relevant in labelled}) < 2:
        raise ReviewerError(f'The model of "{tag.name}" needs documents on both sides: every document is '
                            "decided relevant and none is left to contrast them with.")

    ids, counts = FeatureCache(case).counts(population, progress, cancel)
    progress(ProgressUpdate("Training the model", len(ids), len(ids)))
    matrix = tf_idf(counts)
    del counts
    training = matrix[np.searchsorted(ids, [doc for doc, _ in labelled])]
    # Only the terms of the training documents can get a weight: the learner sees just those columns
    # (liblinear's time grows with the width of the matrix, 2^20 here), and the weights go back in place.
    terms = np.unique(training.indices)
    learner = LogisticRegression(C=REGULARISATION, solver="liblinear", class_weight="balanced",
                                 random_state=question.seed)
    learner.fit(training[:, terms], np.array([relevant for _, relevant in labelled], dtype=np.int8))
    weights = np.zeros(matrix.shape[1], dtype=np.float64)
    weights[terms] = learner.coef_[0]
    progress(ProgressUpdate("Scoring the documents", len(ids), len(ids)))
    scores = np.round(expit(matrix @ weights + learner.intercept_[0]) * 100, 2)
    if cancel is not None:
        cancel.raise_if_cancelled()

    trained = now()
    with case.db.session() as session:
        previous = latest_model(session, tag.id)
        version = (previous.version if previous else 0) + 1
        session.execute(delete(ReviewScore).where(ReviewScore.tag_id == tag.id))
        session.execute(insert(cast(Table, ReviewScore.__table__)), [
            {"tag_id": tag.id, "document_id": doc, "score": score, "version": version}
            for doc, score in zip(ids.tolist(), scores.tolist(), strict=True)
        ])
        seconds = round(time.perf_counter() - started, 3)
        session.add(ReviewModel(
            tag_id=tag.id, version=version, trained=trained, user=case.user, decisions=len(decided),
            positives=positives, seed_positives=len(seed_positives), presumed_negatives=len(presumed),
            scored=len(ids), audit_upto=audit_upto, documents_upto=max(population, default=0),
            seed=question.seed, seconds=seconds,
            parameters=json.dumps({"features": SETTINGS, **LEARNER,
                                   "seed_query": question.seed_query if seed_positives else ""}),
        ))
    return ModelInfo(tag.name, version, trained, len(decided), positives, len(seed_positives), len(presumed),
                     len(ids), seconds)


def _seed_hits(case: Case, query: str, under: set[int], decided: dict[int, bool]) -> list[int]:
    """The undecided documents under review that the seed search finds, in id order."""
    if not query:
        return []
    from reviewer.core.search.service import SearchService

    with SearchService.open(case) as search:
        return sorted(doc for doc in search.matching_ids(query) if doc in under and doc not in decided)
