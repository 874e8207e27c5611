"""si.rectify: the flow-map coupling of rectification (paper section 5.3) against closed-form flow maps."""
import math

import pytest
import torch

from si import GaussianMixture, Interpolant
from si.mixtures import standard_normal
from si.oracle import InterpolantOracle
from si.rectify import FlowMapCoupling, PairPool, flow_map
from si.sampling import sample_ode

from ..conftest import randn

F64 = torch.float64


def test_flow_map_of_a_linear_field_is_the_matrix_exponential():
    # b(t, x) = A x: X_1 = expm(A) x0; rk4 with 100 steps has error ~ (h |A|)^4 / 120 ~ 1e-10 here.
    A = torch.tensor([[0.3, -1.0], [0.8, -0.2]], dtype=F64)
    x0 = randn(50, 2, 1)
    got = flow_map(lambda t, x: x @ A.T, x0, steps=100, method="rk4")
    assert torch.allclose(got, x0 @ torch.linalg.matrix_exp(A).T, rtol=0, atol=1e-9)
    # chunks give the same endpoints as one solve, and the endpoints are sample_ode's
    assert torch.equal(flow_map(lambda t, x: x @ A.T, x0, steps=20, chunk=7),
                       sample_ode(lambda t, x: x @ A.T, x0, steps=20, method="rk4").x)


def test_the_exact_one_sided_flow_map_between_gaussians_is_affine():
    # One-sided linear interpolant N(0, I) -> N(m, sigma^2 I): x_t ~ N(t m, ((1-t)^2 + t^2 sigma^2) I) and the
    # probability flow of the exact b (the oracle) maps x0 to m + sigma x0. The ODE starts at 0 and stops at
    # 1 - 1e-3 (alpha = 0 at t = 1 makes the oracle's covariance singular there), then one Euler step of b:
    # error O(1e-3 * |db/dt|) ~ 1e-4, plus rk4's ~1e-9; tolerance 1e-3.
    d, sigma = 3, 0.5
    m = torch.tensor([1.0, -2.0, 0.5], dtype=F64)
    rho1 = GaussianMixture(torch.ones(1, dtype=F64), m[None], sigma ** 2 * torch.eye(d, dtype=F64)[None])
    oracle = InterpolantOracle(Interpolant("one-sided-linear"), standard_normal(d, dtype=F64), rho1)
    x0 = randn(200, d, 2)
    coupling = FlowMapCoupling(oracle.b, steps=200, method="rk4", t_max=1 - 1e-3)
    x1_drawn = randn(200, d, 3)
    a, b = coupling(x0, x1_drawn)
    assert a is x0
    assert torch.allclose(b, m + sigma * x0, rtol=0, atol=1e-3)
    assert not torch.allclose(b, x1_drawn)     # the trainer's x1 is discarded
    with pytest.raises(ValueError, match="same shape"):
        coupling(x0, x1_drawn[:10])


def test_pair_pool_draws_stored_pairs():
    x0, x1 = randn(30, 2, 4), randn(30, 2, 5)
    pool = PairPool(x0, x1)
    g = torch.Generator().manual_seed(0)
    a, b = pool(torch.zeros(500, 2, dtype=torch.float32), torch.zeros(500, 2, dtype=torch.float32), generator=g)
    assert a.dtype == torch.float32 and a.shape == (500, 2)
    # every drawn pair is a stored pair (its rows stay together), and with 500 draws of 30 every row appears
    idx = torch.cdist(a.double(), x0).argmin(1)
    assert torch.allclose(b.double(), x1[idx], atol=1e-6)
    assert len(set(idx.tolist())) == 30
    g2 = torch.Generator().manual_seed(0)
    a2, _ = pool(torch.zeros(500, 2), torch.zeros(500, 2), generator=g2)
    assert torch.equal(a, a2)                   # seeded: reproducible
    with pytest.raises(ValueError, match="non-finite"):
        PairPool(x0, torch.full_like(x1, math.nan))
    with pytest.raises(ValueError):
        PairPool(x0, x1[:5])
