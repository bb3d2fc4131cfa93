"""Clopper-Pearson bounds, sample sizes, recall from elusion and the stopping rules, against known values."""

from __future__ import annotations

import pytest

from reviewer.core.analytics import stopping
from reviewer.core.analytics.intervals import Interval, clopper_pearson, recall_from_elusion, sample_size


@pytest.mark.parametrize(("successes", "trials", "low", "high"), [
    (0, 10, 0.0, 0.308497),  # 1 - 0.025 ** (1/10)
    (10, 10, 0.691503, 1.0),  # 0.025 ** (1/10)
    (3, 10, 0.066739, 0.652453),
    (5, 100, 0.016432, 0.112835),
    (0, 385, 0.0, 0.009536),
    (1, 2, 0.012579, 0.987421),
])
def test_clopper_pearson_matches_published_values(successes: int, trials: int, low: float,
                                                  high: float) -> None:
    interval = clopper_pearson(successes, trials)
    assert interval.estimate == pytest.approx(successes / trials)
    assert interval.low == pytest.approx(low, abs=1e-6)
    assert interval.high == pytest.approx(high, abs=1e-6)


def test_ninety_percent_interval_is_narrower() -> None:
    wide, narrow = clopper_pearson(7, 200), clopper_pearson(7, 200, confidence=0.90)
    assert wide.low < narrow.low < narrow.high < wide.high


def test_sample_sizes() -> None:
    assert sample_size(0.95, 0.05, 10 ** 9) == 385
    assert sample_size(0.95, 0.05, 1000) == 278
    assert sample_size(0.99, 0.02, 10 ** 9) == 4147
    assert sample_size(0.95, 0.05, 50) == 45
    assert sample_size(0.95, 0.05, 0) == 0


def test_recall_bounds_come_from_the_elusion_bounds_the_other_way_round() -> None:
    recall = recall_from_elusion(100, 1000, Interval(0.01, 0.005, 0.02))
    assert recall.estimate == pytest.approx(100 / 110)
    assert recall.low == pytest.approx(100 / 120)
    assert recall.high == pytest.approx(100 / 105)
    assert recall_from_elusion(0, 1000, Interval(0.0, 0.0, 0.01)).estimate is None
    assert recall_from_elusion(0, 1000, Interval(0.0, 0.0, 0.01)).low == 0.0


def test_knee_method_stops_after_the_curve_flattens() -> None:
    steep = [min(i + 1, 200) for i in range(200)] + [200] * 300  # 200 found in 200, then nothing in 300
    point = stopping.knee(steep)
    assert point is not None and point.reviewed == 200 and point.ratio == pytest.approx(300.0)
    assert stopping.suggest(steep, None, 0.8).stop
    assert "Knee method" in stopping.suggest(steep, None, 0.8).basis
    steady = [i // 10 for i in range(1, 501)]  # one in ten all along: no knee
    suggestion = stopping.suggest(steady, None, 0.8)
    assert not suggestion.stop and "slope ratio" in suggestion.basis
    assert "at least 150" in stopping.suggest(steep[:100], None, 0.8).basis


def test_richness_from_random_draws_is_unbiased() -> None:
    # 1,000 documents, 100 relevant, none found yet: each draw is relevant with probability 0.1.
    draws = [stopping.RandomDraw(unreviewed=1000, found=0, relevant=i % 10 == 0) for i in range(200)]
    richness = stopping.estimate_richness(draws, 1000)
    assert richness is not None and richness.relevant == pytest.approx(100) and richness.share == 0.1
    assert richness.low < 100 < richness.high
    assert stopping.estimate_richness(draws[:5], 1000) is None
    # With 90 found of the 100, the estimate says recall is about 90 %: stop at an 80 % target.
    late = [stopping.RandomDraw(unreviewed=500, found=90, relevant=i % 50 == 0) for i in range(100)]
    estimate = stopping.estimate_richness(late, 1000)
    assert estimate is not None and estimate.relevant == pytest.approx(100)
    curve = list(range(1, 91))
    assert stopping.suggest(curve, estimate, 0.8).stop
    assert "Target recall" in stopping.suggest(curve, estimate, 0.8).basis


def test_only_training_and_validation_figures_load_the_numerical_libraries() -> None:
    # Coding, searching, the queue and the desktop's panes run without scikit-learn or scipy: they come in
    # only when a model is trained or a validation's intervals are computed.
    import subprocess
    import sys

    probe = ("import sys; import reviewer.core.review, reviewer.core.search.service, reviewer.core.browse, "
             "reviewer.core.analytics.prioritize, reviewer.core.analytics.validation, "
             "reviewer.cli.prioritize_commands; "
             "print(sorted({'sklearn', 'scipy'} & set(sys.modules)))")
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "[]"
