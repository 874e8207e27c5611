"""si.bridges.gaussian: the Gaussian Schroedinger bridge against independent exact answers (the
static plan's precision, Gaussian conditioning, the Fokker-Planck equation, Euler-Maruyama moments).

Statistical tests use fixed seeds and tolerances of 5 standard errors (SE) of the estimator, with
the SE computed from the *exact* moments: for a sample covariance entry
Var(S_ij) = (S_ii S_jj + S_ij^2) / n, for a sample cross-covariance Var(C_ij) = (A_ii B_jj + C_ij^2) / n
(Gaussian fourth moments; used as an approximation for mixtures), for a mean S_ii / n. With up to
a few hundred entries per test, 5 SE keeps the family-wise false alarm rate below 1e-3.
"""
import numpy as np
import ot
import pytest
import torch

from si.bridges import GaussianBridge, bures_map, sb_cross_cov
from si.interpolants import Interpolant
from si.mixtures import GaussianMixture
from si.oracle import InterpolantOracle
from sibench.pairs.bridges import gaussian_sb_pair

from ...conftest import BRIDGE_GRID, max_z, random_bridge, sample_cov, spd

F64 = torch.float64


def dsigma_dt(g, t):
    """d/dt of Sigma_t = (1-t)^2 A + t^2 B + t(1-t)(C + C^T) + sigma^2 t(1-t) I, by hand."""
    A, B, C = g.cov0, g.cov1, g.cross_cov
    eye = torch.eye(g.dim, dtype=F64)
    return -2 * (1 - t) * A + 2 * t * B + (1 - 2 * t) * (C + C.T) + g.sigma2 * (1 - 2 * t) * eye


def linear_part(field, t, g):
    """For an affine field f(x) = F (x - mu_t) + c: returns F (columns by exact differences) and c."""
    mu, _ = g.marginal(t)
    eye = torch.eye(g.dim, dtype=F64)
    pts = torch.cat([mu[None], mu[None] + eye])
    vals = field(torch.full((g.dim + 1,), t, dtype=F64), pts)
    return (vals[1:] - vals[:1]).T, vals[0]


@pytest.mark.parametrize("d,s2", BRIDGE_GRID)
def test_plan_precision_offdiagonal_block_is_minus_identity_over_sigma2(d, s2):
    # pi(x, y) = phi(x) N(y; x, sigma^2 I) psi(y): the only x-y coupling is x.y / sigma^2
    g = gaussian_sb_pair(d, s2)
    P = torch.linalg.inv(g.joint_cov())
    err = float((P[:d, d:] + torch.eye(d, dtype=F64) / s2).abs().max())
    assert err < 1e-8, err  # measured <= 1e-12
    assert torch.allclose(P[d:, :d], P[:d, d:].T, atol=1e-8)


def test_plan_precision_random_covariances():
    g = random_bridge(3, sigma=0.7)
    P = torch.linalg.inv(g.joint_cov())
    assert float((P[:3, 3:] + torch.eye(3, dtype=F64) / 0.49).abs().max()) < 1e-8


def test_plan_marginals_are_the_two_gaussians():
    g = random_bridge(3, sigma=0.7)
    m0, S0 = g.marginal(0.0)
    m1, S1 = g.marginal(1.0)
    assert torch.allclose(m0, g.mean0, atol=1e-14) and torch.allclose(S0, g.cov0, atol=1e-12)
    assert torch.allclose(m1, g.mean1, atol=1e-14) and torch.allclose(S1, g.cov1, atol=1e-12)
    # samples of the plan: n = 40000, mean / covariance / cross-covariance within 5 SE
    n = 40_000
    x0, x1 = g.sample_plan(n, torch.Generator().manual_seed(0))
    A, B, C = g.cov0, g.cov1, g.cross_cov
    dA, dB = torch.diag(A), torch.diag(B)
    assert max_z(x0.mean(0), g.mean0, torch.sqrt(dA / n)) < 5
    assert max_z(x1.mean(0), g.mean1, torch.sqrt(dB / n)) < 5
    assert max_z(sample_cov(x0), A, torch.sqrt((dA[:, None] * dA[None] + A ** 2) / n)) < 5
    assert max_z(sample_cov(x1), B, torch.sqrt((dB[:, None] * dB[None] + B ** 2) / n)) < 5
    assert max_z(sample_cov(x0, x1), C, torch.sqrt((dA[:, None] * dB[None] + C ** 2) / n)) < 5


@pytest.mark.parametrize("d", [2, 16])
def test_small_sigma_cross_covariance_tends_to_A_times_bures_map(d):
    g = gaussian_sb_pair(d, 1.0)
    A, B = g.cov0, g.cov1
    T, _ = ot.gaussian.bures_wasserstein_mapping(np.zeros(d), np.zeros(d), A.numpy(), B.numpy())
    AT = A @ torch.as_tensor(T)
    errs = []
    for sigma in (1e-1, 1e-2, 1e-3):
        C = sb_cross_cov(A, B, sigma)
        errs.append(float((C - AT).abs().max()))
        # first-order term: C = A T - sigma^2 / 2 I + O(sigma^4)
        assert float((C - AT + 0.5 * sigma ** 2 * torch.eye(d, dtype=F64)).abs().max()) < 10 * sigma ** 4 + 1e-10
    assert errs[-1] < 1e-6 and errs[0] > errs[1] > errs[2]
    # the "ot" counterpart uses the same map: x1 = b + T (x0 - a) exactly
    o = GaussianBridge(g.mean0, A, g.mean1, B, 0.0, coupling="ot")
    assert torch.allclose(o.cross_cov, AT, atol=1e-10)
    x0, x1 = o.sample_plan(100, torch.Generator().manual_seed(0))
    assert torch.allclose(x1, g.mean1 + (x0 - g.mean0) @ torch.as_tensor(T), atol=1e-10)


def test_plan_conditional_is_gaussian_conditioning():
    g = random_bridge(3, sigma=0.5)
    x0 = torch.randn(5, 3, dtype=F64, generator=torch.Generator().manual_seed(1))
    mean, cov = g.conditional(x0)
    # Gaussian conditioning of the joint through its precision matrix (independent route)
    P = torch.linalg.inv(g.joint_cov())
    cov_ref = torch.linalg.inv(P[3:, 3:])
    mean_ref = g.mean1 - (x0 - g.mean0) @ (cov_ref @ P[3:, :3]).T
    assert torch.allclose(cov, cov_ref, atol=1e-10) and torch.allclose(mean, mean_ref, atol=1e-10)


@pytest.mark.parametrize("coupling", GaussianBridge.COUPLINGS)
def test_drift_and_velocity_generate_the_marginals(coupling):
    # For dX = F (X - mu_t) dt + (b - a) dt + sigma dW: dmu/dt = b - a and
    # dSigma/dt = F Sigma + Sigma F^T + sigma^2 I (Lyapunov); for the ODE the same without sigma^2 I.
    g = random_bridge(3, sigma=0.8, coupling=coupling)
    eye = torch.eye(3, dtype=F64)
    for t in (0.0, 0.1, 0.5, 0.9, 1.0):
        _, Sig = g.marginal(t)
        F, c = linear_part(g.drift, t, g)
        V, cv = linear_part(g.velocity, t, g)
        S, cs = linear_part(g.score, t, g)
        assert torch.allclose(c, g.mean1 - g.mean0, atol=1e-12) and torch.allclose(cv, c, atol=1e-12)
        assert float(cs.abs().max()) < 1e-12 and torch.allclose(S, -torch.linalg.inv(Sig), atol=1e-10)
        target = dsigma_dt(g, t)
        assert torch.allclose(F @ Sig + Sig @ F.T + g.sigma2 * eye, target, atol=1e-10)
        assert torch.allclose(V @ Sig + Sig @ V.T, target, atol=1e-10)


def test_bridge_drift_carries_the_plan_and_independent_drift_does_not():
    # Cov(X_t, X_0) obeys d/dt K = F_t K; the plan's bridge has K_t = (1-t) A + t C^T, so the
    # drift reproduces the plan iff F_t ((1-t) A + t C^T) = C^T - A for all t. Only the SB does.
    for coupling, should_hold in (("schrodinger", True), ("independent", False), ("ot", False)):
        g = random_bridge(3, sigma=0.8, coupling=coupling)
        A, C = g.cov0, g.cross_cov
        worst = 0.0
        for t in torch.linspace(0, 1, 11).tolist():
            F, _ = linear_part(g.drift, t, g)
            worst = max(worst, float((F @ ((1 - t) * A + t * C.T) - (C.T - A)).abs().max()))
        assert (worst < 1e-10) == should_hold, (coupling, worst)


def test_independent_counterpart_is_the_gmm_oracle_interpolant():
    # C = 0 is x_t = (1-t) x0 + t x1 + sigma sqrt(t(1-t)) z with an independent coupling:
    # velocity = oracle b, score = oracle s, drift = b + (sigma^2 / 2) s (forward SDE at eps = sigma^2/2)
    g = random_bridge(3, sigma=0.8, coupling="independent")
    rho0 = GaussianMixture(torch.ones(1, dtype=F64), g.mean0[None], g.cov0[None])
    rho1 = GaussianMixture(torch.ones(1, dtype=F64), g.mean1[None], g.cov1[None])
    oracle = InterpolantOracle(Interpolant("linear", gamma="brownian", a=g.sigma2), rho0, rho1)
    gen = torch.Generator().manual_seed(3)
    t = torch.rand(50, dtype=F64, generator=gen) * 0.98 + 0.01
    x = 2 * torch.randn(50, 3, dtype=F64, generator=gen)
    assert torch.allclose(g.velocity(t, x), oracle.b(t, x), atol=1e-9)
    assert torch.allclose(g.score(t, x), oracle.s(t, x), atol=1e-9)
    assert torch.allclose(g.drift(t, x), oracle.b(t, x) + 0.5 * g.sigma2 * oracle.s(t, x), atol=1e-9)
    assert torch.allclose(g.log_prob(t, x), oracle.log_prob(t, x), atol=1e-9)


def _em_exact_moments(g, steps):
    """Exact mean-zero moments of the Euler-Maruyama chain for the (linear) bridge drift."""
    eye = torch.eye(g.dim, dtype=F64)
    Sig, K, h = g.cov0.clone(), g.cov0.clone(), 1.0 / steps  # Cov(X_k), Cov(X_k, X_0)
    for k in range(steps):
        F, _ = linear_part(g.drift, k * h, g)
        M = eye + h * F
        Sig, K = M @ Sig @ M.T + g.sigma2 * h * eye, M @ K
    return Sig, K.T  # Cov(X_1), Cov(X_0, X_1)


@pytest.mark.parametrize("d,s2,n,steps", [(2, 1.0, 20_000, 500), (16, 0.1, 10_000, 200)])
def test_euler_maruyama_of_the_bridge_sde_reproduces_B_and_the_cross_covariance(d, s2, n, steps):
    g = gaussian_sb_pair(d, s2)
    gen = torch.Generator().manual_seed(0)
    x0, _ = g.sample_plan(n, gen)
    x1 = g.simulate(x0, steps=steps, generator=gen)
    A, B, C = g.cov0, g.cov1, g.cross_cov
    dA, dB = torch.diag(A), torch.diag(B)
    # the scheme's own O(dt) bias, computed exactly from its covariance recursion
    SigEM, CEM = _em_exact_moments(g, steps)
    bias_B, bias_C = float((SigEM - B).abs().max()), float((CEM - C).abs().max())
    assert bias_B < 2e-3 and bias_C < 1e-10  # measured: 9e-4 (d=2, 500 steps), 6e-5 (d=16, 200)
    se_B = torch.sqrt((dB[:, None] * dB[None] + B ** 2) / n)
    se_C = torch.sqrt((dA[:, None] * dB[None] + C ** 2) / n)
    err_B = (sample_cov(x1) - B).abs()
    err_C = (sample_cov(x0, x1) - C).abs()
    assert bool((err_B <= 5 * se_B + bias_B).all()), float((err_B / se_B).max())
    assert bool((err_C <= 5 * se_C + bias_C).all()), float((err_C / se_C).max())
    assert max_z(x1.mean(0), g.mean1, torch.sqrt(dB / n)) < 5


def test_fields_follow_dtype_and_accept_scalar_time():
    g = gaussian_sb_pair(2, 1.0)
    x = torch.randn(4, 2)
    out = g.drift(0.5, x)
    assert out.dtype == torch.float32 and out.shape == (4, 2)
    assert torch.allclose(out.double(), g.drift(torch.full((4,), 0.5, dtype=F64), x.double()), atol=1e-6)


def test_bures_map_pushes_A_to_B():
    A, B = spd(4, 1), spd(4, 2, 0.5, 3.0)
    T = bures_map(A, B)
    assert torch.allclose(T @ A @ T, B, atol=1e-10) and torch.allclose(T, T.T, atol=1e-12)
    assert float(torch.linalg.eigvalsh(T).min()) > 0
