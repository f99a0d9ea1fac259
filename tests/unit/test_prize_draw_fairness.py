"""Fairness: over 100,000 simulated draws every one of 1,000 entrants wins equally often (chi-square)."""

from __future__ import annotations

import math
import time

import pytest

from quizapp.domain.prize_draw import Stream, draw, entrants_sha256

ENTRANTS = 1000
DRAWS = 100_000
SEED = "5a" * 32
# chi-square 0.99 quantile for 999 degrees of freedom (tables, e.g. scipy.stats.chi2.ppf(0.99, 999)):
# a statistic above it means p < 0.01. The series below computes p itself; this value checks the series.
CRITICAL_999_AT_001 = 1105.917


def chi2_p_value(statistic: float, df: int) -> float:
    """Upper tail Q(df/2, x/2) of the chi-square distribution, from the series of the lower incomplete gamma."""
    a, x = df / 2, statistic / 2
    # P(a, x) = e^-x x^a / Γ(a+1) · Σ x^n / ((a+1)…(a+n)); every term is positive, so no cancellation.
    term, total, n = 1.0, 1.0, 0
    while term > 1e-17 * total:
        n += 1
        term *= x / (a + n)
        total += term
    lower = math.exp(-x + a * math.log(x) - math.lgamma(a + 1)) * total
    return max(0.0, 1.0 - lower)


def chi2_statistic(counts: list[int], expected: float) -> float:
    """Pearson's statistic for counts against a uniform expectation."""
    return sum((c - expected) ** 2 / expected for c in counts)


def test_p_value_series_matches_known_values():
    assert chi2_p_value(4.0, 2) == pytest.approx(math.exp(-2.0), rel=1e-9)  # df=2: Q = e^(-x/2)
    assert chi2_p_value(CRITICAL_999_AT_001, 999) == pytest.approx(0.01, rel=1e-3)
    assert chi2_p_value(999.0, 999) == pytest.approx(0.4941, abs=2e-3)


def test_first_prize_is_uniform_over_100k_draws():
    started = time.perf_counter()
    list_hash = entrants_sha256([f"E{i:07d}" for i in range(ENTRANTS)])
    counts = [0] * ENTRANTS
    prizes = [{"tier": 1, "name": "一等奖", "count": 1}]
    for i in range(DRAWS):  # one whole draw per public entropy value, as if run on 100,000 lottery results
        counts[draw(SEED, str(i), list_hash, ENTRANTS, prizes)[0].position] += 1
    statistic = chi2_statistic(counts, DRAWS / ENTRANTS)
    p_value = chi2_p_value(statistic, ENTRANTS - 1)
    assert p_value > 0.01, (statistic, p_value)
    assert statistic < CRITICAL_999_AT_001
    assert time.perf_counter() - started < 10  # CI budget: normally well under a second


def test_later_picks_without_replacement_are_uniform_too():
    # The fourth winner comes out of the shuffled remainder: it must not favour any position either.
    entrants, draws = 100, 20_000
    list_hash = entrants_sha256([f"E{i:07d}" for i in range(entrants)])
    counts = [0] * entrants
    for i in range(draws):
        picks = draw(SEED, str(i), list_hash, entrants, [{"tier": 1, "name": "一等奖", "count": 4}])
        counts[picks[3].position] += 1
    assert chi2_p_value(chi2_statistic(counts, draws / entrants), entrants - 1) > 0.01


def test_the_test_can_fail_on_a_biased_draw():
    # Plain modulo over a small range is biased: 2^3 values folded onto 5 indices gives 0..2 twice the weight.
    counts = [0] * 5
    for i in range(10_000):
        counts[(Stream(SEED, str(i), "00" * 32).u64() & 7) % 5] += 1
    assert chi2_p_value(chi2_statistic(counts, 2000), 4) < 0.01
