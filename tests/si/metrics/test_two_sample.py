"""si.metrics.two_sample: energy distance, MMD^2 and the permutation test, against closed forms and loops."""
import math
import time

import pytest
import torch
from scipy import stats

from si.metrics import energy_distance, mmd2, permutation_test, sliced_w2, two_sample_test

from ...conftest import randn

F64 = torch.float64


def loop_statistics(x, y, h):
    """Energy distance and MMD^2 (U-statistics) by the double loops of their definitions."""
    n, m = len(x), len(y)

    def mean(a, b, k, same):
        pairs = [(i, j) for i in range(len(a)) for j in range(len(b)) if not (same and i == j)]
        return sum(k(a[i], b[j]) for i, j in pairs) / len(pairs)
    dist = lambda u, v: float(torch.linalg.norm(u - v))  # noqa: E731
    kern = lambda u, v: math.exp(-float(((u - v) ** 2).sum()) / (2 * h * h))  # noqa: E731
    e = 2 * mean(x, y, dist, False) - mean(x, x, dist, True) - mean(y, y, dist, True)
    k = mean(x, x, kern, True) + mean(y, y, kern, True) - 2 * mean(x, y, kern, False)
    assert n and m
    return e, k


def test_statistics_equal_their_double_loops():
    x, y = randn(13, 3, 0), 1.3 * randn(9, 3, 1) + 0.5
    z = torch.cat([x, y])
    ds = sorted(float(torch.linalg.norm(z[i] - z[j])) for i in range(len(z)) for j in range(i + 1, len(z)))
    h = ds[(len(ds) - 1) // 2]  # torch.median: the lower of the two middle values
    e, k = loop_statistics(x, y, h)
    assert energy_distance(x, y) == pytest.approx(e, rel=1e-12, abs=1e-14)
    assert mmd2(x, y) == pytest.approx(k, rel=1e-12, abs=1e-14)
    assert mmd2(x, y, bandwidth=0.7) == pytest.approx(loop_statistics(x, y, 0.7)[1], rel=1e-12, abs=1e-14)


def abs_normal_mean(mu, sigma):
    """E|Z| for Z ~ N(mu, sigma^2)."""
    return sigma * math.sqrt(2 / math.pi) * math.exp(-mu ** 2 / (2 * sigma ** 2)) + mu * math.erf(mu / (sigma * math.sqrt(2)))


def repeated(stat, draw, reps):
    v = torch.tensor([stat(*draw(r)) for r in range(reps)], dtype=F64)
    return float(v.mean()), float(v.std() / math.sqrt(reps))


def test_energy_distance_matches_the_one_dimensional_gaussian_closed_form():
    # N(m1, s^2) vs N(m2, s^2): E = 2 E|X - Y| - 2 E|X - X'|, X - Y ~ N(m1 - m2, 2 s^2), X - X' ~ N(0, 2 s^2).
    # The U-statistic is unbiased: 40 draws of n = 300 each, mean within 4 standard errors of the
    # mean over the draws (seeds fixed).
    s, delta = 0.8, 0.5
    exact = 2 * abs_normal_mean(delta, math.sqrt(2) * s) - 2 * abs_normal_mean(0.0, math.sqrt(2) * s)
    mean, se = repeated(energy_distance, lambda r: (s * randn(300, 1, 2 * r) + delta, s * randn(300, 1, 2 * r + 1)), 40)
    assert abs(mean - exact) < 4 * se, (mean, exact, se)


def test_mmd2_matches_the_gaussian_closed_form():
    # X ~ N(delta, s^2 I_d), Y ~ N(0, s^2 I_d), fixed h: E k(X, Y) = (h^2 / (h^2 + 2 s^2))^{d/2}
    # exp(-|delta|^2 / (2 (h^2 + 2 s^2))), so MMD^2 = 2 (h^2 / (h^2 + 2 s^2))^{d/2} (1 - exp(-|delta|^2 / (2 (h^2 + 2 s^2)))).
    # Unbiased U-statistic: 40 draws of n = 300, mean within 4 standard errors (seeds fixed).
    d, s, h = 2, 1.0, 1.5
    delta = torch.tensor([0.6, 0.0], dtype=F64)
    c = h * h + 2 * s * s
    exact = 2 * (h * h / c) ** (d / 2) * (1 - math.exp(-float(delta @ delta) / (2 * c)))
    mean, se = repeated(lambda x, y: mmd2(x, y, bandwidth=h),
                        lambda r: (s * randn(300, d, 2 * r) + delta, s * randn(300, d, 2 * r + 1)), 40)
    assert abs(mean - exact) < 4 * se, (mean, exact, se)


def test_permutation_p_values_are_uniform_under_the_null():
    # 200 repetitions of x, y ~ N(0, I_2), n = m = 40, 99 permutations: p is uniform on {1/100, ..., 1}
    # under the null. KS against U(0, 1) (the discreteness moves the CDF by at most 0.01, far below
    # KS's 1% critical value 0.115 at 200 repetitions); the seed is fixed, so this is deterministic.
    g = torch.Generator().manual_seed(7)
    for statistic in ("energy", "mmd"):
        p = [two_sample_test(randn(40, 2, 1000 + r), randn(40, 2, 5000 + r), statistic, permutations=99, generator=g)
             for r in range(200)]
        assert min(p) >= 1 / 100 and max(p) <= 1
        assert stats.kstest(p, "uniform").pvalue > 0.01, statistic


@pytest.mark.parametrize("statistic", ["energy", "mmd"])
def test_permutation_test_detects_a_mean_shift_of_0_4(statistic):
    # n = m = 1000 in d = 2, shift 0.4 along the first axis: the population statistic is ~10 null
    # standard deviations away, so no permutation reaches it and p = 1 / (1 + 200).
    shift = torch.tensor([0.4, 0.0], dtype=F64)
    t0 = time.perf_counter()
    r = permutation_test(randn(1000, 2, 1) + shift, randn(1000, 2, 2), statistic, permutations=200,
                         generator=torch.Generator().manual_seed(0))
    assert r.pvalue == 1 / 201 and r.statistic > 0
    assert r.z > 5 and r.permutations == 200     # far outside the permutation null
    assert time.perf_counter() - t0 < 60  # one pooled matrix, batched permutations (seconds, not minutes)


def test_p_value_is_reproducible_and_has_the_right_form():
    x, y = randn(50, 2, 3), randn(60, 2, 4)
    a = two_sample_test(x, y, permutations=30, generator=torch.Generator().manual_seed(5))
    b = two_sample_test(x, y, permutations=30, generator=torch.Generator().manual_seed(5))
    assert a == b and (a * 31) == pytest.approx(round(a * 31))


def test_rejects_bad_input():
    x = randn(10, 2, 0)
    with pytest.raises(ValueError, match="unknown two-sample statistic"):
        two_sample_test(x, x, "kolmogorov")
    with pytest.raises(ValueError, match="permutations"):
        two_sample_test(x, x, permutations=0)
    with pytest.raises(ValueError, match="dimension"):
        energy_distance(x, randn(10, 3, 0))
    with pytest.raises(ValueError, match="at least 2"):
        mmd2(x, x[:1])
    with pytest.raises(ValueError, match="non-finite"):
        energy_distance(torch.full((3, 2), math.nan), x)
    with pytest.raises(ValueError, match="bandwidth"):
        mmd2(x, x, bandwidth=0.0)
    with pytest.raises(ValueError, match="median pairwise distance is 0"):
        mmd2(torch.zeros(5, 2), torch.zeros(5, 2))


def test_sliced_w2_at_n_20000_is_seeded_and_matches_an_isotropic_scaling():
    # N(0, I_2) vs N(0, c^2 I_2): every 1-D projection has W2 = |1 - c| exactly, so SW2 = |1 - c| for
    # any directions; at n = 20000 the empirical value sits above it by sampling noise only (measured
    # +0.002 to +0.008 over 4 other seeds for c = 2), so the tolerance is 0.02 (2 %).
    x, y = randn(20000, 2, 0), 2.0 * randn(20000, 2, 1)
    t0 = time.perf_counter()
    a = sliced_w2(x, y, seed=3)
    assert time.perf_counter() - t0 < 60
    assert a == sliced_w2(x, y, seed=3)          # seeded projections
    assert sliced_w2(x[:1000], y[:1000], seed=3) != sliced_w2(x[:1000], y[:1000], seed=4)
    assert abs(a - 1.0) < 0.02


def test_sliced_w2_shortcut_for_equal_sizes_equals_pot():
    # equal n: sorted matching per direction; it must equal POT's general computation on the same directions
    import ot
    x, y = randn(700, 3, 5), 1.5 * randn(700, 3, 6) + 0.3
    pot = ot.sliced_wasserstein_distance(x.numpy(), y.numpy(), n_projections=50, p=2, seed=7)
    assert sliced_w2(x, y, n_projections=50, seed=7) == pytest.approx(float(pot), rel=1e-12)
    # unequal n goes through POT itself
    assert sliced_w2(x, y[:500], n_projections=50, seed=7) == pytest.approx(
        float(ot.sliced_wasserstein_distance(x.numpy(), y[:500].numpy(), n_projections=50, p=2, seed=7)), rel=1e-14)
