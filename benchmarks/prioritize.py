"""Prioritized review: how soon continuous active learning finds the relevant documents, against random order,
and how long retraining and rescoring take on a large case. Prints one JSON object.

1. Simulation on a labelled collection this script builds (tests/labelled.py: a contract dispute mixed
   into a charity's fundraising at --prevalence, both sharing office chatter and borrowing each other's
   words): starting from one relevant decision, the queue serves one document at a time, an oracle decides
   it from the label, the model retrains every 20 decisions as in a real review. Reported: documents
   reviewed to reach 50/75/80/90/95 % recall, for CAL and for random order (the mean of 5 shuffles), the
   ratio at 90 %, and the recall curve.
2. The same on the public corpus (--corpus), ingested, with this labelling: a document is relevant when it
   came from the corpus's court/ folder (electronic filing notices, Supreme Court and appellate emails,
   opinions) — the question "is this about a court case?".
3. Retrain and rescore --big documents (100,000 by default): the first training counts every document's
   words (done once, then cached); the next one, 20 decisions later, is what a reviewer waits for in the
   background (aim: under 10 s on 2 cores). Each runs in a process of its own, whose peak RSS is reported.

    .venv/bin/python benchmarks/prioritize.py --docs 10000 --big 100000 --corpus ../shared/corpus
    .venv/bin/python benchmarks/prioritize.py --docs 2000 --big 5000          # a quick look
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from reviewer.core.analytics import prioritize, training  # noqa: E402
from reviewer.core.analytics.prioritize import QuestionChoices  # noqa: E402
from reviewer.core.case import Case  # noqa: E402
from tests.labelled import make_labelled_case  # noqa: E402

QUESTION = "Responsive"
RECALLS = (0.5, 0.75, 0.8, 0.9, 0.95)


def simulate_cal(case: Case, labels: dict[int, bool], stop_at: float = 0.95) -> tuple[list[int], int, float]:
    """The gain curve of CAL with an oracle, up to `stop_at` recall; how many trainings; seconds."""
    started = time.perf_counter()
    prioritize.set_up(case, QUESTION, QuestionChoices(seed=1))
    first = min(doc for doc, relevant in labels.items() if relevant)
    prioritize.decide(case, QUESTION, [first], True)
    curve, found, trainings = [1], 1, 0
    wanted = stop_at * sum(labels.values())
    while found < wanted and len(curve) < len(labels):
        if prioritize.state(case, QUESTION).retrain_due:
            training.retrain(case, QUESTION)
            trainings += 1
        items = prioritize.next_documents(case, QUESTION).items
        if not items:
            break
        doc = items[0].document_id
        prioritize.decide(case, QUESTION, [doc], labels[doc])
        found += labels[doc]
        curve.append(found)
    return curve, trainings, time.perf_counter() - started


def random_curve(labels: dict[int, bool], seed: int) -> list[int]:
    order = sorted(labels)
    random.Random(seed).shuffle(order)
    found, curve = 0, []
    for doc in order:
        found += labels[doc]
        curve.append(found)
    return curve


def reviewed_at(curve: list[int], total: int, recall: float) -> int | None:
    return next((i + 1 for i, found in enumerate(curve) if found >= recall * total), None)


def compare(case: Case, labels: dict[int, bool]) -> dict[str, object]:
    total = sum(labels.values())
    cal, trainings, seconds = simulate_cal(case, labels)
    randoms = [random_curve(labels, seed) for seed in range(5)]
    random_at = {str(r): round(sum(reviewed_at(c, total, r) or len(labels) for c in randoms) / len(randoms))
                 for r in RECALLS}
    cal_at = {str(r): reviewed_at(cal, total, r) for r in RECALLS}
    step = max(1, len(cal) // 20)
    return {
        "documents": len(labels), "relevant": total, "prevalence": round(total / len(labels), 4),
        "cal_reviewed_at_recall": cal_at, "random_reviewed_at_recall": random_at,
        "ratio_random_to_cal_at_90": round(random_at["0.9"] / cal_at["0.9"], 2) if cal_at["0.9"] else None,
        "cal_share_of_collection_at_90": round(cal_at["0.9"] / len(labels), 4) if cal_at["0.9"] else None,
        "cal_curve": [[i + 1, round(cal[i] / total, 3)] for i in range(0, len(cal), step)],
        "trainings": trainings, "simulation_seconds": round(seconds, 1),
    }


def corpus_case(corpus: Path, root: Path) -> tuple[Case, dict[int, bool]]:
    from sqlalchemy import select

    from reviewer.core.analytics.decisions import under_review
    from reviewer.core.ingest.pipeline import IngestOptions, ingest
    from reviewer.core.models import Document

    case = Case.create(root, name="Corpus")
    ingest(case, [corpus], IngestOptions(custodian="corpus", jobs=2))
    court = str((corpus / "court").resolve())
    with case.db.reader() as session:
        paths = dict(session.execute(select(Document.id, Document.source_path)
                                     .where(Document.id.in_(under_review()))).all())
    return case, {doc: str(Path(path).resolve()).startswith(court) for doc, path in paths.items()}


def retrain_in_child(root: Path) -> dict[str, float]:
    result = subprocess.run([sys.executable, __file__, "--retrain-only", str(root)], capture_output=True,
                            text=True, check=True)
    return json.loads(result.stdout)


def retrain_only(root: Path) -> None:
    """One training in this process: the libraries are loaded first and timed apart (a background training
    in the desktop pays that too, once per training, but nobody waits for it)."""
    started = time.perf_counter()
    import scipy.sparse  # noqa: F401
    import sklearn.feature_extraction.text
    import sklearn.linear_model  # noqa: F401

    imported = time.perf_counter()
    with Case.open(root) as case:
        model = training.retrain(case, QUESTION)
    seconds = time.perf_counter() - imported
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": round(seconds, 2), "import_seconds": round(imported - started, 2),
                      "peak_rss_mb": round(peak), "scored": model.scored, "version": model.version}))


def big_retrain(root: Path, count: int) -> dict[str, object]:
    started = time.perf_counter()
    case, labels = make_labelled_case(root, count, prevalence=0.06, seed=3)
    built = time.perf_counter() - started
    with case:
        prioritize.set_up(case, QUESTION, QuestionChoices(seed=1, retrain_every=20))
        relevant = [doc for doc, yes in labels.items() if yes]
        others = [doc for doc, yes in labels.items() if not yes]
        prioritize.decide(case, QUESTION, relevant[:10], True)
        prioritize.decide(case, QUESTION, others[:10], False)
        first = retrain_in_child(root)
        prioritize.decide(case, QUESTION, relevant[10:20], True)
        prioritize.decide(case, QUESTION, others[10:20], False)
        second = retrain_in_child(root)
        next_seconds, decide_seconds = [], []
        for _ in range(5):  # what the desktop does per document: serve the next one, decide it
            started = time.perf_counter()
            [item] = prioritize.next_documents(case, QUESTION, 1).items
            served = time.perf_counter()
            prioritize.decide(case, QUESTION, [item.document_id], labels[item.document_id])
            next_seconds.append(served - started)
            decide_seconds.append(time.perf_counter() - served)
    cache = sum(f.stat().st_size for f in (root / "analytics" / "features").iterdir())
    return {"documents": count, "case_build_seconds": round(built, 1),
            "first_training_with_word_counting": first, "retrain_and_rescore": second,
            "aim_seconds": 10, "next_document_seconds": [round(s, 3) for s in next_seconds],
            "decide_seconds": [round(s, 3) for s in decide_seconds],
            "feature_cache_mb": round(cache / 2 ** 20, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=10_000, help="documents of the simulated collection")
    parser.add_argument("--prevalence", type=float, default=0.06)
    parser.add_argument("--big", type=int, default=100_000,
                        help="documents for the retraining time (0: skip)")
    parser.add_argument("--corpus", type=Path, help="the public corpus, for the second simulation")
    parser.add_argument("--retrain-only", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.retrain_only:
        retrain_only(args.retrain_only)
        return
    folder = Path(tempfile.mkdtemp(prefix="prioritize-bench-"))
    report: dict[str, object] = {}
    try:
        case, labels = make_labelled_case(folder / "simulated", args.docs, args.prevalence, seed=7)
        with case:
            report["simulation"] = compare(case, labels)
        if args.corpus:
            case, labels = corpus_case(args.corpus, folder / "corpus")
            with case:
                report["corpus"] = {"labelling": "relevant = ingested from the corpus's court/ folder",
                                    **compare(case, labels)}
        if args.big:
            report["retrain"] = big_retrain(folder / "big", args.big)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
