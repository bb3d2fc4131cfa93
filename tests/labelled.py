"""A labelled collection for prioritized-review tests and the benchmark: two topics mixed at a chosen
prevalence, written straight into a case (ingesting thousands of files would measure ingest).

Relevant documents are about a construction contract dispute, the others about a charity's fundraising;
both share office chatter, and each borrows a few words of the other topic, so no single word separates
them. Every tenth top-level document gets one or two attachments on its own topic (a family)."""

from __future__ import annotations

import random
from pathlib import Path

from reviewer.core.case import Case, now
from reviewer.core.models import Document
from tests.databases import CaseMaker, insert_with_ids

RELEVANT_WORDS = ("contract breach concrete subcontractor delay penalty clause invoice retention defect "
                  "foundation inspection arbitration warranty site schedule variation payment claim crane "
                  "steel liquidated damages engineer certificate").split()
OTHER_WORDS = ("charity gala donors raffle volunteers auction sponsorship fundraising appeal trustees "
               "newsletter bake marathon pledge tickets venue catering music raffle prizes grant").split()
COMMON_WORDS = ("the a of and to in for on with please thanks meeting call report attached regards "
                "tomorrow friday office update team note question draft review next week budget").split()


def document_text(rng: random.Random, relevant: bool, words: int) -> str:
    topic, other = (RELEVANT_WORDS, OTHER_WORDS) if relevant else (OTHER_WORDS, RELEVANT_WORDS)
    chosen = []
    for _ in range(words):
        draw = rng.random()
        chosen.append(rng.choice(COMMON_WORDS if draw < 0.7 else topic if draw < 0.93 else other))
    return " ".join(chosen)


def make_labelled_case(root: Path, count: int, prevalence: float = 0.07, seed: int = 1,
                       words: tuple[int, int] = (40, 160),
                       cases: CaseMaker | None = None) -> tuple[Case, dict[int, bool]]:
    """A new case of `count` documents (a case folder, or one `cases` makes); the labels (document id ->
    relevant)."""
    rng = random.Random(seed)
    case = (cases.create if cases else Case.create)(root, name="Labelled collection")
    labels: dict[int, bool] = {}
    rows: list[dict[str, object]] = []
    added = now()
    doc_id = 0
    with case.db.session() as session:
        while doc_id < count:
            doc_id += 1
            parent = doc_id
            relevant = rng.random() < prevalence
            members = [(doc_id, None)]
            if doc_id % 10 == 0:
                for _ in range(rng.randint(1, 2)):
                    if doc_id < count:
                        doc_id += 1
                        members.append((doc_id, parent))
            for member, parent_id in members:
                control = f"DOC-{member:07d}"
                text = document_text(rng, relevant, rng.randint(*words))
                # Straight to the text store's file (no fsync per file: a test case need not survive a crash).
                path = case.texts.path_for(control, member)
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
                labels[member] = relevant
                rows.append({
                    "id": member, "control": control, "family_id": parent, "parent_id": parent_id,
                    "md5": "0" * 32, "sha1": "0" * 40, "sha256": f"{member:064d}", "dedup_key": str(member),
                    "size": len(text), "source_path": f"/evidence/{control}.txt",
                    "file_name": f"{control}.txt", "ext": ".txt", "kind": "txt", "text_chars": len(text),
                    "added": added,
                })
            if len(rows) >= 5_000:
                insert_with_ids(session, Document, rows)
                rows = []
        if rows:
            insert_with_ids(session, Document, rows)
    return case, labels
