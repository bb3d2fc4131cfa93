"""The QC report: how often each reviewer's decisions were overturned, and on which tags.

Per reviewer: documents sampled, decided, confirmed and overturned, the overturn rate (overturned of
decided) and its 95 % Wilson score interval, which stays inside 0–100 % and is honest for the small
samples QC works with. Per reviewer and tag: how many overturns added the tag (the reviewer missed it)
and how many took it off (the reviewer applied it wrongly); a changed privilege entry counts under
"privilege" as added, removed or changed.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

from reviewer.core.case import Case
from reviewer.core.team.qc import CONFIRMED, OVERTURNED, qc_batches, qc_documents

Z_95 = 1.959964  # the standard normal quantile for a two-sided 95 % interval
PRIVILEGE = "privilege"


@dataclass(frozen=True)
class ReviewerQc:
    reviewer: str  # "" for everyone together
    qc_batches: int
    sampled: int
    decided: int
    confirmed: int
    overturned: int
    overturn_rate: float | None  # overturned / decided; None before any decision
    interval: tuple[float, float] | None  # 95 % Wilson interval of the rate


@dataclass(frozen=True)
class TagOverturns:
    reviewer: str
    tag: str  # a tag's name, or "privilege" for the privilege entry
    added: int  # overturns that added it
    removed: int  # overturns that took it off
    changed: int = 0  # overturns that changed a privilege entry's basis or description

    @property
    def overturns(self) -> int:
        return self.added + self.removed + self.changed


@dataclass(frozen=True)
class QcReport:
    reviewers: list[ReviewerQc]
    overall: ReviewerQc
    tags: list[TagOverturns]  # by reviewer, then most overturned first


def wilson_interval(successes: int, trials: int, z: float = Z_95) -> tuple[float, float] | None:
    """The Wilson score interval of a proportion; None without trials."""
    if trials <= 0:
        return None
    p = successes / trials
    denominator = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denominator
    spread = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denominator
    return max(0.0, centre - spread), min(1.0, centre + spread)


def qc_report(case: Case, reviewer: str | None = None) -> QcReport:
    """Every QC batch's decisions, summed per reviewer (or for `reviewer` only) and per tag."""
    tallies: dict[str, Counter[str]] = {}
    changes: dict[tuple[str, str], Counter[str]] = {}
    for qc_batch in qc_batches(case, reviewer):
        tally = tallies.setdefault(qc_batch.reviewer, Counter())
        tally["qc_batches"] += 1
        for document in qc_documents(case, qc_batch.name):
            tally["sampled"] += 1
            tally[document.decision] += 1
            if document.decision != OVERTURNED or document.coding_after is None:
                continue
            before, after = document.coding, document.coding_after
            for tag in set(after.tags) - set(before.tags):
                changes.setdefault((qc_batch.reviewer, tag), Counter())["added"] += 1
            for tag in set(before.tags) - set(after.tags):
                changes.setdefault((qc_batch.reviewer, tag), Counter())["removed"] += 1
            if before.privilege != after.privilege:
                kind = "added" if not before.privilege else "removed" if not after.privilege else "changed"
                changes.setdefault((qc_batch.reviewer, PRIVILEGE), Counter())[kind] += 1
    rows = [_row(name, tally) for name, tally in sorted(tallies.items(), key=lambda i: i[0].casefold())]
    overall = _row("", sum(tallies.values(), Counter()))
    tags = [TagOverturns(name, tag, counts["added"], counts["removed"], counts["changed"])
            for (name, tag), counts in changes.items()]
    tags.sort(key=lambda t: (t.reviewer.casefold(), -t.overturns, t.tag.casefold()))
    return QcReport(rows, overall, tags)


def _row(reviewer: str, tally: Counter[str]) -> ReviewerQc:
    confirmed, overturned = tally[CONFIRMED], tally[OVERTURNED]
    decided = confirmed + overturned
    return ReviewerQc(reviewer, tally["qc_batches"], tally["sampled"], decided, confirmed, overturned,
                      overturned / decided if decided else None, wilson_interval(overturned, decided))
