"""How every benchmark reads a percentile from its timings: the nearest rank on the sorted values."""

from __future__ import annotations


def percentile(values: list[float], fraction: float) -> float:
    """The value `fraction` (0–1) of the way through `values` sorted (0.5: the median, 0.95: the p95)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]
