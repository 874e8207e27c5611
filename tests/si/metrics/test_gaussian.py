"""si.metrics.gaussian: Bures-W2 and BW-UVP against POT and closed forms."""
import math

import numpy as np
import ot
import pytest
import torch

from si.metrics import bures_w2, bures_w2_samples, bw_uvp, conditional_bw_uvp, gaussian_fit
from sibench.pairs.bridges import gaussian_sb_pair

from ...conftest import randn, spd

F64 = torch.float64


def with_moments(n, mean, cov, seed):
    """n points whose sample mean and (unbiased) covariance are exactly mean and cov."""
    z = randn(n, len(mean), seed)
    z = z - z.mean(0)
    L = torch.linalg.cholesky(torch.cov(z.T).reshape(len(mean), len(mean)))
    z = torch.linalg.solve_triangular(L, z.T, upper=False).T  # identity sample covariance
    return mean + z @ torch.linalg.cholesky(cov).T


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
