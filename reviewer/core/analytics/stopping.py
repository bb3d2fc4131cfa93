"""How far a prioritized review has come and when it could stop: the gain curve, an estimate of richness
and a stopping suggestion that says what it rests on. Plain arithmetic, no libraries.

Gain curve: relevant documents found against documents reviewed, in the order they were decided.

Richness (the share of relevant documents in the whole review) is estimated from the documents the queue
served at random. Each was drawn uniformly from the R_t documents still unreviewed at the time, when the
review had found f_t relevant ones; if it turned out relevant (y = 1), f_t + R_t · y is an unbiased
estimate of the number of relevant documents in the whole collection, since E[y] is exactly the share of
relevant documents among the unreviewed then. The mean of these estimates over every random draw is
unbiased too; its standard error gives an approximate 95 % range (normal approximation: a guide while
reviewing, not the validation, which is the elusion test).

Stopping suggestions:
- the knee method (Cormack & Grossman, "Engineering quality and reliability in technology-assisted
  review", SIGIR 2016): the knee of the gain curve is the point farthest above the straight line from the
  origin to the current point; the slope ratio is the rate of finding before the knee over the rate after
  it, (found_knee / reviewed_knee) / ((found_now − found_knee + 1) / (reviewed_now − reviewed_knee)). Stop
  once at least 150 documents are reviewed and the ratio reaches 156 − min(found, 150) (which is 6 once
  150 relevant documents are found, and stricter before);
- the target-recall rule: stop once the review's estimated recall, found / estimated relevant in all,
  reaches the question's target (75–80 % is common in ESI protocols).
Either way the stop is only a suggestion: the validation sample is what shows the recall reached.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

KNEE_MIN_REVIEWED = 150
KNEE_RATIO = 156
KNEE_FOUND_CAP = 150
# Fewer random draws than this and the richness estimate is shown as too early to tell.
MIN_RANDOM_DRAWS = 10


@dataclass(frozen=True)
class RandomDraw:
    """A document the queue served at random, and how it was decided."""

    unreviewed: int  # documents not yet decided when it was drawn
    found: int  # documents decided relevant when it was drawn
    relevant: bool


@dataclass(frozen=True)
class Richness:
    relevant: float  # estimated relevant documents in the whole review
    low: float
    high: float
    share: float  # of the documents under review
    draws: int


@dataclass(frozen=True)
class Knee:
    reviewed: int  # where the knee is
    found: int
    ratio: float  # the slope ratio
    needed: float  # what the ratio must reach


@dataclass(frozen=True)
class Suggestion:
    stop: bool
    basis: str  # one or two sentences a paralegal can repeat


def gain_curve(decided_in_order: Sequence[bool]) -> list[int]:
    """found[i] = relevant documents among the first i + 1 decided."""
    found, curve = 0, []
    for relevant in decided_in_order:
        found += relevant
        curve.append(found)
    return curve


def estimate_richness(draws: Sequence[RandomDraw], population: int) -> Richness | None:
    if len(draws) < MIN_RANDOM_DRAWS or population <= 0:
        return None
    estimates = [draw.found + draw.unreviewed * draw.relevant for draw in draws]
    count = len(estimates)
    mean = sum(estimates) / count
    spread = math.sqrt(sum((e - mean) ** 2 for e in estimates) / (count - 1)) / math.sqrt(count)
    return Richness(mean, max(0.0, mean - 1.96 * spread), mean + 1.96 * spread, mean / population, count)


def knee(curve: Sequence[int]) -> Knee | None:
    """The knee of a gain curve and its slope ratio; None before anything relevant was found."""
    reviewed = len(curve)
    if not reviewed or not curve[-1]:
        return None
    found = curve[-1]
    # The point farthest above the line from (0, 0) to (reviewed, found).
    best = max(range(reviewed), key=lambda i: curve[i] / found - (i + 1) / reviewed)
    at, found_at = best + 1, curve[best]
    after = reviewed - at
    ratio = math.inf if after == 0 else (found_at / at) / ((found - found_at + 1) / after)
    return Knee(at, found_at, ratio, KNEE_RATIO - min(found, KNEE_FOUND_CAP))


def suggest(curve: Sequence[int], richness: Richness | None, target_recall: float) -> Suggestion:
    reviewed = len(curve)
    found = curve[-1] if curve else 0
    point = knee(curve)
    if point is not None and reviewed >= KNEE_MIN_REVIEWED and point.ratio >= point.needed:
        return Suggestion(True, f"Knee method: the rate of finding relevant documents fell by a factor of "
                                f"{point.ratio:.1f} after document {point.reviewed:,} (at least "
                                f"{point.needed:.0f} is needed with {found:,} found and {reviewed:,} "
                                "reviewed). Stop and validate with a sample of the unreviewed documents.")
    if richness is not None and richness.relevant > 0 and found / richness.relevant >= target_recall:
        return Suggestion(True, f"Target recall: about {found / max(richness.relevant, found):.0%} of the "
                                f"estimated {richness.relevant:,.0f} relevant documents are found "
                                f"(target {target_recall:.0%}; estimate from {richness.draws} documents "
                                "served at random). Stop and validate with a sample of the unreviewed "
                                "documents.")
    reasons = []
    if point is None:
        reasons.append("nothing relevant has been found yet")
    elif reviewed < KNEE_MIN_REVIEWED:
        reasons.append(f"the knee method needs at least {KNEE_MIN_REVIEWED} documents reviewed "
                       f"({reviewed:,} so far)")
    else:
        reasons.append(f"the knee method's slope ratio is {point.ratio:.1f}, below the {point.needed:.0f} "
                       "it needs")
    if richness is None:
        reasons.append(f"recall cannot be estimated before {MIN_RANDOM_DRAWS} documents served at random "
                       "are decided")
    else:
        reasons.append(f"estimated recall is {found / max(richness.relevant, found, 1):.0%}, below the "
                       f"{target_recall:.0%} target")
    return Suggestion(False, "Keep reviewing: " + "; ".join(reasons) + ".")
