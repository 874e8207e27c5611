"""sibench.paper.sec7_stats: standard errors against their closed forms, and the location of an optimal eps."""
import math

import numpy as np
import pytest

from sibench.paper.sec7_stats import abs_error_stats, locate_optimum, mean_se, var_se


def test_standard_errors_of_normal_samples():
    # n = 40000 draws of N(1, 2^2): se of the mean 2 / sqrt(n); of the variance sqrt(2 / (n - 1)) 4 (normal data);
    # the estimates of those se have relative sd ~ 1/sqrt(2n) and ~ sqrt(2/n) * ... < 2%: tolerance 5%.
    x = np.random.default_rng(0).normal(1.0, 2.0, 40000)
    m, se = mean_se(x)
    assert se == pytest.approx(2 / math.sqrt(40000), rel=0.05) and abs(m - 1) < 4 * se
    v, vse = var_se(x)
    assert vse == pytest.approx(math.sqrt(2 / 39999) * 4, rel=0.05) and abs(v - 4) < 4 * vse
    s = abs_error_stats(np.zeros(3), np.array([1.0, -1.0, 2.0]), "p")
    assert s["p_mean_abs"] == pytest.approx(4 / 3) and s["p_kl"] == pytest.approx(-2 / 3)
    with pytest.raises(ValueError, match="finite"):
        mean_se([1.0, float("nan")])


def test_locate_optimum_of_a_parabola_in_log_eps():
    # KL = (log10 eps - log10 0.5)^2 + 1 exactly in every replicate: best eps 0.3 or 1 on the grid, the fitted
    # vertex is 0.5 exactly (a parabola through three of its own points), both ends significantly worse.
    eps = np.array([0.0, 0.1, 0.3, 1.0, 3.0, 10.0])
    f = lambda e: (np.log10(np.maximum(e, 1e-3)) - np.log10(0.5)) ** 2 + 1  # noqa: E731  (eps = 0 as 1e-3)
    est = f(eps)
    reps = np.tile(est, (20, 1)) + 1e-9 * np.random.default_rng(1).normal(size=(20, 6))
    out = locate_optimum(eps, est, reps)
    assert out["best_eps"] == 0.3 and out["interior"]
    assert out["fitted_eps"] == pytest.approx(0.5, rel=1e-6) and out["fitted_share"] == 1.0
    assert out["not_worse"] == [0.3]


def test_locate_optimum_is_not_interior_for_a_monotone_or_flat_curve():
    eps = np.array([0.0, 0.1, 1.0, 10.0])
    rng = np.random.default_rng(2)
    mono = np.array([1.0, 2.0, 3.0, 4.0])
    out = locate_optimum(eps, mono, mono + 0.01 * rng.normal(size=(200, 4)))
    assert out["best_eps"] == 0.0 and not out["interior"]
    # a flat curve with noise: no eps is significantly worse than the best, so no interior optimum is claimed
    flat = np.ones(4)
    out = locate_optimum(eps, flat + np.array([0, -1e-3, 0, 0]), 1 + 0.1 * rng.normal(size=(200, 4)))
    assert not out["interior"] and len(out["not_worse"]) >= 3
    with pytest.raises(ValueError, match="increasing"):
        locate_optimum(eps[::-1], mono, mono[None])
