"""Exact binomial intervals and sample sizes for validating a review (scipy, imported when used).

Elusion is the share of relevant documents among those the review left unreviewed, estimated from a
simple random sample of them: x relevant in a sample of n. Its interval is the exact (Clopper–Pearson)
one: the bounds are quantiles of beta distributions, never narrower than the confidence asks, even at
x = 0 (where the normal approximation gives an interval of width zero).

Recall is estimated from elusion: found / (found + elusion × discard), where `found` is the number of
documents the review had decided relevant and `discard` the number it had left unreviewed when the sample
was drawn. Recall falls as elusion rises, so its bounds come from the elusion bounds the other way round:
the low recall from the high elusion, the high recall from the low elusion. They hold with the same
confidence as the elusion interval, since found and discard are counts, not estimates.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Interval:
    """A proportion (0–1) with its two-sided interval; None where it cannot be defined."""

    estimate: float | None
    low: float | None
    high: float | None

    def as_json(self) -> dict[str, float | None]:
        return {"estimate": self.estimate, "low": self.low, "high": self.high}


def clopper_pearson(successes: int, trials: int, confidence: float = 0.95) -> Interval:
    """The exact interval of a binomial proportion: `successes` out of `trials`, two-sided."""
    from scipy.stats import beta

    if trials <= 0:
        return Interval(None, None, None)
    if not 0 <= successes <= trials:
        raise ValueError(f"{successes} successes out of {trials} trials")
    tail = (1 - confidence) / 2
    low = 0.0 if successes == 0 else float(beta.ppf(tail, successes, trials - successes + 1))
    high = 1.0 if successes == trials else float(beta.ppf(1 - tail, successes + 1, trials - successes))
    return Interval(successes / trials, low, high)


def recall_from_elusion(found: int, discard: int, elusion: Interval) -> Interval:
    """Recall = found / (found + elusion × discard), with bounds carried from the elusion interval."""
    def recall(rate: float | None) -> float | None:
        if rate is None:
            return None
        total = found + rate * discard
        return found / total if total > 0 else None

    return Interval(recall(elusion.estimate), recall(elusion.high), recall(elusion.low))


def sample_size(confidence: float, margin: float, population: int) -> int:
    """How many to draw so that a proportion is known within ±`margin` at `confidence` (both 0–1), at the
    worst case p = 0.5, with the finite population correction; never more than the population."""
    from scipy.stats import norm

    if not 0 < confidence < 1 or not 0 < margin < 1:
        raise ValueError("confidence and margin are fractions between 0 and 1")
    z = float(norm.ppf(1 - (1 - confidence) / 2))
    infinite = z * z * 0.25 / (margin * margin)
    if population <= 0:
        return 0
    return min(population, math.ceil(infinite / (1 + (infinite - 1) / population)))
