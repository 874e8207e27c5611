"""si.metrics against exact answers (identical and translated sets, 1-D sorting, POT's Bures
formula, closed-form Gaussian distances, straight-line energies)."""
import math

import numpy as np
import ot
import pytest
import torch

from si.bridges import GaussianBridge
from sibench.pairs.bridges import gaussian_sb_pair
from si.metrics import (bridge_metrics, bures_w2, bures_w2_samples, bw_uvp, conditional_bw_uvp, coupling_w2,
                        gaussian_fit, path_energy, sliced_w2, w2, w2_floor)
from si.mixtures import GaussianMixture

F64 = torch.float64



def randn(n, d, seed):
    return torch.randn(n, d, dtype=F64, generator=torch.Generator().manual_seed(seed))


def spd(d, seed, lo=0.3, hi=2.0):
    Q, _ = torch.linalg.qr(randn(d, d, seed))
    return Q @ torch.diag(torch.linspace(lo, hi, d, dtype=F64)) @ Q.T


def with_moments(n, mean, cov, seed):
    """n points whose sample mean and (unbiased) covariance are exactly mean and cov."""
    z = randn(n, len(mean), seed)
    z = z - z.mean(0)
    L = torch.linalg.cholesky(torch.cov(z.T).reshape(len(mean), len(mean)))
    z = torch.linalg.solve_triangular(L, z.T, upper=False).T  # identity sample covariance
    return mean + z @ torch.linalg.cholesky(cov).T


# ----------------------------------------------------------------------------------------
# W2 between samples
# ----------------------------------------------------------------------------------------
def test_w2_is_zero_on_identical_sets():
    x = randn(300, 3, 0)
    assert w2(x, x) < 1e-7
    assert w2(x, x[torch.randperm(300, generator=torch.Generator().manual_seed(1))]) < 1e-7
    assert w2(x, torch.cat([x, x])) < 1e-7  # same empirical measure, different n


def test_w2_equals_the_shift_on_translated_sets():
    x = randn(300, 2, 2)
    c = torch.tensor([1.5, -2.0], dtype=F64)
    assert abs(w2(x, x + c) - 2.5) < 1e-9
    assert abs(w2(x.numpy(), (x + c).numpy()) - 2.5) < 1e-9  # numpy input


def test_w2_in_one_dimension_is_the_sorted_matching():
    x, y = randn(500, 1, 3), 2 * randn(500, 1, 4) + 1
    exact = math.sqrt(float(((torch.sort(x, 0).values - torch.sort(y, 0).values) ** 2).mean()))
    assert abs(w2(x, y) - exact) < 1e-10
    assert abs(sliced_w2(x, y, n_projections=3) - exact) < 1e-10  # every direction is +-1


def test_w2_raises_when_the_solver_stops_early():
    x, y = randn(300, 2, 5), randn(300, 2, 6) + 1
    with pytest.raises(RuntimeError, match="stopped early"):
        w2(x, y, num_itermax=10)


def test_w2_rejects_bad_input():
    with pytest.raises(ValueError, match="dimension"):
        w2(randn(5, 2, 0), randn(5, 3, 0))
    with pytest.raises(ValueError, match="non-finite"):
        w2(torch.full((3, 2), float("nan")), randn(3, 2, 0))
    with pytest.raises(ValueError, match="dimensions"):
        w2(torch.zeros(5), torch.zeros(5))


def test_w2_floor_is_truth_against_truth():
    g = GaussianMixture(torch.ones(1, dtype=F64), torch.zeros(1, 2, dtype=F64), torch.eye(2, dtype=F64)[None])
    floor = w2_floor(g, 200, torch.Generator().manual_seed(0))
    gen = torch.Generator().manual_seed(0)
    a, b = g.sample(200, gen), g.sample(200, gen)
    assert abs(floor - w2(a, b)) < 1e-12 and floor > 0
    # a callable works too, and the floor shrinks with n (empirical W2 of N(0, I_2) ~ n^-1/2 log n)
    f2 = w2_floor(lambda n, gen: g.sample(n, gen), 1600, torch.Generator().manual_seed(0))
    assert f2 < floor
    with pytest.raises(ValueError):
        w2_floor(object(), 10)


def test_sliced_w2_of_a_translation():
    # theta . c for theta uniform on S^2 is |c| u with u ~ U(-1, 1) (Archimedes), so SW2^2 = |c|^2 / 3;
    # with P projections the estimate of |c|^2 E u^2 has SE |c|^2 sqrt(Var u^2 / P), Var u^2 = 4/45.
    x = randn(200, 3, 7)
    c = torch.tensor([1.0, 2.0, -2.0], dtype=F64)  # |c| = 3
    P = 2000
    est = sliced_w2(x, x + c, n_projections=P, seed=0) ** 2
    assert abs(est - 3.0) < 5 * 9 * math.sqrt(4 / 45 / P)


# ----------------------------------------------------------------------------------------
# Gaussian distances
# ----------------------------------------------------------------------------------------
def test_bures_w2_agrees_with_pot_and_closed_forms():
    d = 5
    m0, m1 = randn(1, d, 8)[0], randn(1, d, 9)[0]
    S0, S1 = spd(d, 10), spd(d, 11, 0.1, 4.0)
    ours = bures_w2(m0, S0, m1, S1)
    pot = float(ot.gaussian.bures_wasserstein_distance(m0.numpy(), m1.numpy(), S0.numpy(), S1.numpy()))
    assert abs(ours - pot) < 1e-10, (ours, pot)
    # commuting (diagonal) covariances: W2^2 = |m0 - m1|^2 + sum (sqrt a_i - sqrt b_i)^2
    a, b = torch.tensor([1.0, 4.0, 0.25], dtype=F64), torch.tensor([9.0, 1.0, 1.0], dtype=F64)
    exact = math.sqrt(1.0 + float(((a.sqrt() - b.sqrt()) ** 2).sum()))
    assert abs(bures_w2(torch.zeros(3), torch.diag(a), torch.tensor([1.0, 0, 0]), torch.diag(b)) - exact) < 1e-12
    assert bures_w2(m0, S0, m0, S0) < 1e-6  # sqrt of round-off
    with pytest.raises(ValueError, match="semidefinite"):
        bures_w2(m0, -S0, m1, S1)
    with pytest.raises(ValueError, match="shape"):
        bures_w2(m0, S0[:2, :2], m1, S1)


def test_gaussian_fit_and_bures_between_samples():
    mean, cov = torch.tensor([1.0, -1.0], dtype=F64), spd(2, 12)
    x = with_moments(100, mean, cov, 13)
    m, S = gaussian_fit(x)
    assert np.allclose(m, mean.numpy(), atol=1e-12) and np.allclose(S, cov.numpy(), atol=1e-12)
    y = with_moments(80, mean + torch.tensor([3.0, 4.0], dtype=F64), cov, 14)
    assert abs(bures_w2_samples(x, y) - 5.0) < 1e-6


def test_bw_uvp_exact_values():
    d = 4
    mean, cov = torch.zeros(d, dtype=F64), torch.eye(d, dtype=F64)
    assert bw_uvp(with_moments(200, mean, cov, 15), mean, cov) < 1e-10
    shift = torch.tensor([1.0, 0.0, 0.0, 1.0], dtype=F64)
    # BW-UVP = 100 |shift|^2 / tr(I_4) = 50
    assert abs(bw_uvp(with_moments(200, shift, cov, 16), mean, cov) - 50.0) < 1e-8
    # variance scaled by 4 (std x 2): W2^2 = d (2 - 1)^2 = 4 -> 100 %
    assert abs(bw_uvp(with_moments(200, mean, 4 * cov, 17), mean, cov) - 100.0) < 1e-8


def test_conditional_bw_uvp_against_a_known_plan():
    g = gaussian_sb_pair(2, 1.0)
    x0 = randn(6, 2, 18)
    mean, cov = g.conditional(x0)
    var1 = float(torch.trace(g.cov1))
    y = torch.stack([with_moments(50, mean[i], cov, 20 + i) for i in range(6)])
    assert conditional_bw_uvp(y, mean, cov, var1) < 1e-9
    delta = torch.tensor([0.3, -0.4], dtype=F64)  # |delta|^2 = 0.25
    assert abs(conditional_bw_uvp(y + delta, mean, cov, var1) - 100 * 0.25 / var1) < 1e-8
    with pytest.raises(ValueError):
        conditional_bw_uvp(y, mean[:3], cov, var1)


# ----------------------------------------------------------------------------------------
# couplings, paths, bridge evaluation
# ----------------------------------------------------------------------------------------
def test_coupling_w2_on_joint_samples():
    x0, x1 = randn(200, 2, 21), randn(200, 2, 22)
    assert coupling_w2(x0, x1, x0, x1) < 1e-7
    c = torch.tensor([0.0, 2.0], dtype=F64)
    assert abs(coupling_w2(x0, x1 + c, x0, x1) - 2.0) < 1e-9
    # the same marginals but a different pairing is detected
    assert coupling_w2(x0, x1[torch.randperm(200, generator=torch.Generator().manual_seed(0))], x0, x1) > 0.5


def test_path_energy_of_straight_lines_and_the_ot_displacement():
    # straight lines at constant speed: energy = |x1 - x0|^2 exactly, on any time grid
    x0, x1 = randn(100, 2, 23), randn(100, 2, 24)
    times = torch.tensor([0.0, 0.1, 0.35, 0.5, 0.9, 1.0], dtype=F64)
    traj = (1 - times)[:, None, None] * x0 + times[:, None, None] * x1
    assert abs(path_energy(traj, times) - float(((x1 - x0) ** 2).sum(1).mean())) < 1e-12
    # the OT displacement interpolation (sigma = 0, "ot" plan) has energy W2^2 = Bures^2; n = 20000,
    # tolerance 5 SE of the mean of |x1 - x0|^2
    g = gaussian_sb_pair(2, 1.0)
    o = GaussianBridge(g.mean0, g.cov0, g.mean1, g.cov1, 0.0, coupling="ot")
    paths = o.sample_paths(20_000, times.tolist(), torch.Generator().manual_seed(0))
    sq = ((paths[-1] - paths[0]) ** 2).sum(1)
    exact = bures_w2(g.mean0, g.cov0, g.mean1, g.cov1) ** 2
    assert abs(path_energy(paths, times) - exact) < 5 * float(sq.std()) / math.sqrt(20_000)
    with pytest.raises(ValueError, match="increasing"):
        path_energy(traj, times.flip(0))


def test_bridge_metrics_rank_a_wrong_coupling():
    # exact samples of the bridge sit at the floor; the independent coupling has the right
    # marginals (terminal W2 at the floor) but a visibly worse coupling W2
    g = gaussian_sb_pair(2, 0.1)
    gen = torch.Generator().manual_seed(0)
    n = 400
    x0, x1 = g.sample_plan(n, gen)
    marg = {t: g.marginal_sample(t, n, gen) for t in (0.25, 0.5, 0.75)}
    good = bridge_metrics(g, x0, x1, marg, generator=torch.Generator().manual_seed(1))
    assert set(good) >= {"w2_terminal", "w2_terminal_floor", "w2_coupling", "w2_coupling_floor",
                         "bures_w2_terminal", "bures_w2_t0.25", "bures_w2_t0.5", "bures_w2_t0.75"}
    assert good["w2_coupling"] < 1.3 * good["w2_coupling_floor"]
    assert all(good[f"bures_w2_t{t:g}"] < 0.25 for t in (0.25, 0.5, 0.75))
    bad_x1 = x1[torch.randperm(n, generator=gen)]  # same x1 marginal, pairing destroyed
    bad = bridge_metrics(g, x0, bad_x1, marg, generator=torch.Generator().manual_seed(1))  # same truth draws
    assert abs(bad["w2_terminal"] - good["w2_terminal"]) < 1e-9
    assert bad["w2_coupling"] > 1.5 * bad["w2_coupling_floor"]
