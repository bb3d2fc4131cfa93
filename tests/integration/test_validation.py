"""The elusion test: a reproducible sample of the unreviewed documents only, families together, decided blind,
and a report whose figures follow from the case; and the whole flow through the `reviewer` command."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import docx
import pymupdf
import pytest

from reviewer.core import audit
from reviewer.core.analytics import prioritize, training, validation
from reviewer.core.analytics.prioritize import QuestionChoices
from reviewer.core.errors import ReviewerError
from reviewer.core.models import Document
from reviewer.core.search.repair import rebuild
from reviewer.core.search.service import SearchService
from tests.databases import CaseMaker
from tests.labelled import make_labelled_case

pytestmark = pytest.mark.both_databases

QUESTION = "Responsive"


@pytest.fixture
def reviewed(cases: CaseMaker, tmp_path: Path):
    """A review part-way: 300 documents decided (all the relevant ones among them, and more)."""
    case, labels = make_labelled_case(tmp_path / "case", 800, prevalence=0.08, seed=3, cases=cases)
    with case:
        prioritize.set_up(case, QUESTION, QuestionChoices(seed=5))
        first = sorted(labels)[:300]
        prioritize.decide(case, QUESTION, [d for d in first if labels[d]], True)
        prioritize.decide(case, QUESTION, [d for d in first if not labels[d]], False)
        training.retrain(case, QUESTION)
        yield case, labels, set(first)


def sample_ids(case, number: int) -> list[int]:
    from sqlalchemy import select

    from reviewer.core.models import ValidationDocument, ValidationRound

    with case.db.reader() as session:
        return list(session.scalars(
            select(ValidationDocument.document_id).join(ValidationRound)
            .where(ValidationRound.number == number).order_by(ValidationDocument.position)))


def test_the_sample_is_drawn_from_the_unreviewed_only_with_families_whole(reviewed) -> None:
    case, _labels, decided = reviewed
    drawn = validation.draw(case, QUESTION, families=120, seed=42)
    ids = sample_ids(case, 1)
    assert not set(ids) & decided
    assert drawn.families == 120 and drawn.sample == len(ids) > 120  # attachments came with their parents
    assert (drawn.found, drawn.reviewed, drawn.discard) == (sum(_labels[d] for d in decided), 300, 500)
    with case.db.reader() as session:
        families = {doc.id: doc.family_id for doc in session.query(Document).filter(Document.id.in_(ids))}
        for doc in session.query(Document).filter(Document.family_id.in_(set(families.values()))):
            assert doc.id in families or doc.id in decided  # no member of a drawn family is left behind
    assert drawn.status == "being decided" and drawn.recall.estimate is None

    # The same seed on the same review draws the same sample.
    validation.abandon(case, QUESTION)
    assert validation.draw(case, QUESTION, families=120, seed=42).number == 2
    assert sample_ids(case, 2) == ids
    trail = [entry.summary for entry in audit.trail(case, limit=3)]
    assert any("validation sample 1" in s and "abandoned" in s for s in trail)
    assert not audit.trail(case, limit=1)[0].undoable  # a draw is on record, never undone


def test_the_sample_is_decided_blind_and_does_not_count_as_found(reviewed, tmp_path: Path) -> None:
    case, labels, decided = reviewed
    with case.writing():
        rebuild(case)
    drawn = validation.draw(case, QUESTION, confidence=0.95, margin=0.1, seed=7)
    assert drawn.families == validation.result(case, QUESTION).families  # 95 % ± 10 % of 500 families
    with pytest.raises(ReviewerError, match="hidden while validation sample 1"):
        prioritize.scores(case, QUESTION)
    with SearchService.open(case) as search, pytest.raises(ReviewerError, match="hidden"):
        search.matching_ids(f'score:"{QUESTION}">=50')
    with pytest.raises(ReviewerError, match="stays as it was"):
        training.retrain(case, QUESTION)
    assert not prioritize.state(case, QUESTION).retrain_due
    with pytest.raises(ReviewerError, match="still being decided"):
        validation.draw(case, QUESTION, families=5)

    served: list[int] = []
    while (queue := prioritize.next_documents(case, QUESTION, 25)).validating is not None:
        assert queue.items and all(item.score is None for item in queue.items)
        for item in queue.items:
            prioritize.decide(case, QUESTION, [item.document_id], labels[item.document_id])
            served.append(item.document_id)
    assert served == sample_ids(case, 1)

    result = validation.result(case, QUESTION)
    relevant = sum(labels[d] for d in served)
    assert result.status == "complete" and result.sample_relevant == relevant
    assert result.found == sum(labels[d] for d in decided)  # the sample's finds are not the review's
    assert result.elusion.estimate == pytest.approx(relevant / len(served))
    expected = result.found / (result.found + result.elusion.estimate * 500)
    assert result.recall.estimate == pytest.approx(expected)
    assert result.recall.low <= result.recall.estimate <= result.recall.high
    assert prioritize.scores(case, QUESTION)  # no longer blind

    from reviewer.core.analytics.validation_report import write_report

    figures = write_report(result, tmp_path / "report.docx", case.name)
    again = write_report(validation.result(case, QUESTION), tmp_path / "again.pdf", case.name)
    assert figures.read_text() == again.read_text()  # re-created from the case: the same figures
    text = "\n".join(p.text for p in docx.Document(str(tmp_path / "report.docx")).paragraphs)
    assert "Clopper-Pearson" in text and "found / (found + elusion x discard)" in text
    with pymupdf.open(tmp_path / "again.pdf") as pdf:
        pages = "".join(page.get_text() for page in pdf)
    assert "Estimated recall" in pages and f"{result.recall.estimate:.1%}" in pages


def test_a_report_of_an_unfinished_sample_is_refused(reviewed, tmp_path: Path) -> None:
    from reviewer.core.analytics.validation_report import write_report

    case, _labels, _decided = reviewed
    validation.draw(case, QUESTION, families=10, seed=1)
    with pytest.raises(ReviewerError, match="undecided"):
        write_report(validation.result(case, QUESTION), tmp_path / "r.docx", case.name)
    with pytest.raises(ReviewerError, match=r"\.docx or \.pdf"):
        write_report(validation.result(case, QUESTION), tmp_path / "r.txt", case.name)


def reviewer(*args: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([sys.executable, "-m", "reviewer", *args], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result


def decide_all(root: str, chosen: list[str], truth: dict[str, bool]) -> None:
    for answer, relevant in (("--yes", True), ("--no", False)):
        if picked := [control for control in chosen if truth[control] is relevant]:
            reviewer("decide", root, "--tag", QUESTION, answer, *picked)


def test_the_whole_review_and_its_validation_from_the_command_line(cases: CaseMaker, tmp_path: Path) -> None:
    case, labels = make_labelled_case(tmp_path / "case", 400, prevalence=0.1, seed=8, cases=cases)
    case.close()
    root = str(case.location)
    controls = {f"DOC-{doc:07d}": relevant for doc, relevant in labels.items()}
    first = next(c for c, relevant in controls.items() if relevant)
    state = json.loads(reviewer("prioritize", root, "--tag", QUESTION, "--retrain-every", "10", "--seed", "3",
                                "--json").stdout)
    assert state["model_version"] is None and state["retrain_every"] == 10
    reviewer("tag", root, QUESTION, first)  # coding counts as a decision
    trained = reviewer("prioritize", root, "--tag", QUESTION)
    assert "Trained model version 1" in trained.stderr
    for _ in range(3):
        queue = json.loads(reviewer("next", root, "--tag", QUESTION, "--count", "10", "--json").stdout)
        assert set(queue) == {"documents", "validating"} and len(queue["documents"]) == 10
        assert all(set(item) == {"control", "score", "random"} and 0 <= item["score"] <= 100
                   for item in queue["documents"])
        decide_all(root, [item["control"] for item in queue["documents"]], controls)
    scores = json.loads(reviewer("scores", root, "--tag", QUESTION, "--json").stdout)
    assert scores["reviewed"] == 31 and scores["model_version"] >= 2
    assert "basis" in scores["suggestion"]

    drawn = json.loads(reviewer("validate", root, "--tag", QUESTION, "--sample", "25", "--seed", "9",
                                "--json").stdout)
    assert drawn["status"] == "being decided" and drawn["seed"] == 9
    refused = subprocess.run([sys.executable, "-m", "reviewer", "scores", root, "--tag", QUESTION],
                             capture_output=True, text=True)
    assert refused.returncode == 1 and "hidden" in refused.stderr
    while (queue := json.loads(reviewer("next", root, "--tag", QUESTION, "--count", "30",
                                        "--json").stdout))["validating"] == 1:
        assert all(item["score"] is None for item in queue["documents"])
        decide_all(root, [item["control"] for item in queue["documents"]], controls)
    report = reviewer("validation-report", root, "--tag", QUESTION, "--out", str(tmp_path / "v.pdf"),
                      "--json")
    figures = json.loads(report.stdout)
    assert json.loads((tmp_path / "v.json").read_text()) == figures
    for key in ("recall", "elusion"):
        assert set(figures[key]) == {"estimate", "low", "high"}
        assert 0 <= figures[key]["low"] <= figures[key]["estimate"] <= figures[key]["high"] <= 1
    assert figures["sample"] == len(drawn["documents"])
    assert figures["sample_relevant"] == sum(controls[d["control"]] for d in figures["documents"])
    assert figures["found"] == drawn["found"] and figures["discard"] == drawn["discard"]
    assert (tmp_path / "v.pdf").stat().st_size > 1000
