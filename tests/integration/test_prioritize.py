"""Prioritized review on a labelled collection the tests make: CAL finds what matters far sooner than random
order, training is reproducible, decisions made by tagging count and undo, propagation, scores as a query
field, and the queue's random share."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from sqlalchemy import insert

from reviewer.core import audit, review
from reviewer.core.analytics import prioritize, training
from reviewer.core.analytics.prioritize import QuestionChoices
from reviewer.core.case import Case
from reviewer.core.errors import ReviewerError
from reviewer.core.models import EmailThread
from reviewer.core.search.query import QuerySyntaxError
from reviewer.core.search.repair import rebuild
from reviewer.core.search.service import SearchService
from tests.databases import CaseMaker
from tests.labelled import make_labelled_case

pytestmark = pytest.mark.both_databases

QUESTION = "Relevant to motion to dismiss"


@pytest.fixture
def labelled(cases: CaseMaker, tmp_path: Path):
    case, labels = make_labelled_case(tmp_path / "case", 2000, prevalence=0.06, seed=5, cases=cases)
    with case:
        yield case, labels


def simulate_cal(case: Case, labels: dict[int, bool], recall: float) -> int:
    """Review with the queue, an oracle deciding, retraining when due; how many documents were reviewed
    to reach `recall`."""
    prioritize.set_up(case, QUESTION, QuestionChoices(seed=3))
    first = min(doc for doc, relevant in labels.items() if relevant)
    prioritize.decide(case, QUESTION, [first], True)
    wanted, found, reviewed = recall * sum(labels.values()), 1, 1
    while found < wanted:
        if prioritize.state(case, QUESTION).retrain_due:
            training.retrain(case, QUESTION)
        [item] = prioritize.next_documents(case, QUESTION).items
        prioritize.decide(case, QUESTION, [item.document_id], labels[item.document_id])
        reviewed += 1
        found += labels[item.document_id]
    return reviewed


def random_order(labels: dict[int, bool], recall: float, seed: int) -> int:
    order = sorted(labels)
    random.Random(seed).shuffle(order)
    wanted, found = recall * sum(labels.values()), 0
    for reviewed, doc in enumerate(order, start=1):
        found += labels[doc]
        if found >= wanted:
            return reviewed
    return len(order)


def test_cal_reaches_90_percent_recall_after_a_small_fraction_far_sooner_than_random(labelled) -> None:
    case, labels = labelled
    assert 0.05 <= sum(labels.values()) / len(labels) <= 0.10
    cal = simulate_cal(case, labels, 0.9)
    randomly = sum(random_order(labels, 0.9, seed) for seed in range(5)) / 5
    assert cal <= 0.2 * len(labels)
    assert cal * 4 <= randomly
    progress = prioritize.review_progress(case, QUESTION)
    assert progress.gain[-1] == progress.state.relevant
    assert len(progress.gain) == progress.state.reviewed == cal


def test_retraining_is_deterministic_for_a_seed(tmp_path: Path) -> None:
    scores = []
    for name in ("one", "two"):
        case, labels = make_labelled_case(tmp_path / name, 400, prevalence=0.08, seed=9)
        with case:
            prioritize.set_up(case, QUESTION, QuestionChoices(seed=11))
            relevant = [doc for doc, yes in labels.items() if yes][:3]
            prioritize.decide(case, QUESTION, relevant, True)
            prioritize.decide(case, QUESTION, [doc for doc, yes in labels.items() if not yes][:5], False)
            training.retrain(case, QUESTION)
            first = [(s.control, s.score) for s in prioritize.scores(case, QUESTION)]
            again = training.retrain(case, QUESTION)
            assert again.version == 2
            assert [(s.control, s.score) for s in prioritize.scores(case, QUESTION)] == first
            scores.append(first)
    assert scores[0] == scores[1]
    assert len({score for _, score in scores[0]}) > 50  # the scores say something: not all one value


def test_decisions_made_by_tagging_count_and_undo_reverses_them(labelled) -> None:
    case, _labels = labelled
    review.tag_documents(case, [5], QUESTION)  # tagged before the question exists
    prioritize.set_up(case, QUESTION, QuestionChoices(seed=1))
    state = prioritize.state(case, QUESTION)
    assert (state.relevant, state.not_relevant) == (1, 0)  # what already carried the tag counts

    review.toggle_tag(case, [7], QUESTION)  # the coding pane's hotkey: tagging decides relevant
    review.toggle_tag(case, [5], QUESTION)  # and untagging decides not relevant
    state = prioritize.state(case, QUESTION)
    assert (state.relevant, state.not_relevant) == (1, 1)
    history = [(e.action, e.before, e.after) for e in audit.history(case, 5)]
    assert ("decide", "relevant", "not relevant") in history

    audit.undo(case)  # the untag of 5, and its decision, in one step
    state = prioritize.state(case, QUESTION)
    assert (state.relevant, state.not_relevant) == (2, 0)
    assert QUESTION in review.coding(case, 5).tags
    audit.undo(case)  # the tag on 7
    assert prioritize.state(case, QUESTION).relevant == 1
    assert QUESTION not in review.coding(case, 7).tags

    # A decision from the queue takes the tag off (not relevant) and undo puts both back.
    prioritize.decide(case, QUESTION, [5], relevant=False)
    assert QUESTION not in review.coding(case, 5).tags
    assert prioritize.state(case, QUESTION).not_relevant == 1
    assert audit.undo(case) == f'Undid deciding DOC-0000005 not relevant for "{QUESTION}".'
    assert QUESTION in review.coding(case, 5).tags
    assert prioritize.state(case, QUESTION).not_relevant == 0

    # Deciding "not relevant" on an untagged document is a decision of its own, not merely "no tag".
    prioritize.decide(case, QUESTION, [9], relevant=False)
    assert prioritize.state(case, QUESTION).not_relevant == 1
    assert QUESTION not in review.coding(case, 9).tags

    # Undoing the set-up removes the question and the decisions it recorded; other tags never decide.
    audit.undo(case)
    audit.undo(case)
    with pytest.raises(ReviewerError, match="not set up for prioritized review"):
        prioritize.state(case, QUESTION)
    review.tag_documents(case, [11], "Hot")
    assert prioritize.questions(case) == []


def test_propagation_to_families_only_when_the_question_asks(labelled) -> None:
    case, _labels = labelled
    prioritize.set_up(case, QUESTION, QuestionChoices(seed=1))
    # Document 10 is a parent with attachments (every tenth document has one or two).
    family = [10, 11]
    assert prioritize.decide(case, QUESTION, [11], True).documents == 1
    assert QUESTION not in review.coding(case, 10).tags
    prioritize.set_up(case, QUESTION, QuestionChoices(propagate="families"))
    decided = prioritize.decide(case, QUESTION, [11], False)
    assert decided.documents >= 2
    for doc in family:
        assert QUESTION not in review.coding(case, doc).tags
    assert prioritize.state(case, QUESTION).not_relevant == decided.documents
    audit.undo(case)
    audit.undo(case)  # the change of choices is undoable too
    assert prioritize.state(case, QUESTION).propagate == ""

    # Threads, as email threading stored them: a decision on one message covers its conversation.
    with case.db.session() as session:
        session.execute(insert(EmailThread), [{"document_id": doc, "thread_group": 1, "thread_sort": str(doc)}
                                              for doc in (21, 25, 29)])
    prioritize.set_up(case, QUESTION, QuestionChoices(propagate="threads"))
    assert prioritize.decide(case, QUESTION, [25], True).documents == 3
    assert all(QUESTION in review.coding(case, doc).tags for doc in (21, 25, 29))


def test_the_queue_serves_best_scores_with_a_seeded_random_share(labelled) -> None:
    case, labels = labelled
    prioritize.set_up(case, QUESTION, QuestionChoices(seed=4, random_share=0.2))
    before = prioritize.next_documents(case, QUESTION, 50)
    assert all(item.random and item.score is None for item in before.items)  # no model yet: all at random
    assert [i.document_id for i in prioritize.next_documents(case, QUESTION, 50).items] == \
        [i.document_id for i in before.items]  # the same state serves the same queue
    relevant = [doc for doc, yes in labels.items() if yes]
    prioritize.decide(case, QUESTION, relevant[:4], True)
    training.retrain(case, QUESTION)
    queue = prioritize.next_documents(case, QUESTION, 200).items
    drawn = [item for item in queue if item.random]
    served = [item for item in queue if not item.random]
    assert 20 <= len(drawn) <= 60
    scores = [item.score for item in served]
    assert scores == sorted(scores, reverse=True)
    best = max(s.score for s in prioritize.scores(case, QUESTION) if not s.decision)
    assert served[0].score == best
    assert sum(labels[i.document_id] for i in served[:40]) >= 30  # the best scores are mostly relevant


def test_scores_are_a_query_field(cases: CaseMaker, tmp_path: Path) -> None:
    case, labels = make_labelled_case(tmp_path / "case", 300, prevalence=0.1, seed=2, cases=cases)
    with case:
        with case.writing():
            rebuild(case)
        prioritize.set_up(case, QUESTION, QuestionChoices(seed=2, seed_query="concrete OR subcontractor"))
        model = training.retrain(case, QUESTION)
        assert model.seed_positives > 0 and model.positives == 0  # started from the seed search alone
        high = {s.document_id for s in prioritize.scores(case, QUESTION) if s.score >= 50}
        with SearchService.open(case) as search:
            assert search.matching_ids(f'score:"{QUESTION.lower()}">=50') == high
            assert search.matching_ids(f'score:"{QUESTION}"<50') == set(labels) - high
            with pytest.raises(QuerySyntaxError, match="has no scores"):
                search.matching_ids('score:"Hot">=50')
            with pytest.raises(QuerySyntaxError, match="No tag named"):
                search.matching_ids('score:"Nope">=50')
