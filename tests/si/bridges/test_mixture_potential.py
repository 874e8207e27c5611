"""si.bridges.mixture_potential: the mixture-potential Schroedinger bridge against its defining plan,
the Gaussian bridge (one component), the Fokker-Planck equation and simulated moments.

Statistical tests use fixed seeds and tolerances of 5 standard errors (SE) of the estimator, with
the SE computed from the *exact* moments: for a sample covariance entry
Var(S_ij) = (S_ii S_jj + S_ij^2) / n, for a sample cross-covariance Var(C_ij) = (A_ii B_jj + C_ij^2) / n
(Gaussian fourth moments; used as an approximation for mixtures), for a mean S_ii / n. With up to
a few hundred entries per test, 5 SE keeps the family-wise false alarm rate below 1e-3.
"""
import math

import pytest
import torch

from si.bridges import GaussianBridge, MixturePotentialBridge, sb_cross_cov
from si.mixtures import GaussianMixture, gaussian_log_prob
from sibench.pairs.bridges import mixture_potential_bridge

from ...conftest import max_z, spd

F64 = torch.float64


def small_mixture_bridge(s2=0.5, d=2):
    eye = torch.eye(d, dtype=F64)
    f = GaussianMixture(torch.tensor([0.3, 0.7], dtype=F64),
                        torch.stack([2 * eye[0], -1.5 * eye[0] + eye[1]]),
                        torch.stack([0.2 * eye + 0.1, 0.4 * eye]))
    q = GaussianMixture(torch.tensor([0.6, 0.4], dtype=F64), torch.stack([eye[1], -eye[1]]),
                        torch.stack([1.5 * eye, spd(d, 7, 0.5, 1.5)]))
    return MixturePotentialBridge(f, math.sqrt(s2), q)


def _potential_log(bridge, x):
    """log sum_k p_k N(x; mu_k, Sig_k + sigma^2 I)  (= log of the normaliser Z(x))."""
    f = bridge.potential
    eye = torch.eye(bridge.dim, dtype=F64)
    return GaussianMixture(f.weights, f.means, f.covs + bridge.sigma2 * eye).log_prob(x)


def _grid(d, n, seed, scale=2.5):
    return scale * torch.randn(n, d, dtype=F64, generator=torch.Generator().manual_seed(seed))


@pytest.mark.parametrize("make", [lambda: small_mixture_bridge(0.5), lambda: mixture_potential_bridge(2, 0.1),
                                  lambda: mixture_potential_bridge(16, 1.0)])
def test_mixture_plan_has_the_schroedinger_form(make):
    # log pi(x, y) - log N(y; x, sigma^2 I) - log f(y) - log q(x) must be one constant
    b = make()
    d = b.dim
    x, y = _grid(d, 200, 0), _grid(d, 200, 1)
    eye_chol = math.sqrt(b.sigma2) * torch.eye(d, dtype=F64)
    resid = (b.plan.log_prob(torch.cat([x, y], 1)) - gaussian_log_prob(y, x, eye_chol)
             - b.potential.log_prob(y) - b.base.log_prob(x))
    assert float(resid.max() - resid.min()) < 1e-8
    # rho0 = q Z / c and rho1 = f (q * N(0, sigma^2 I)) / c'
    r0 = b.rho0.log_prob(x) - b.base.log_prob(x) - _potential_log(b, x)
    qs = GaussianMixture(b.base.weights, b.base.means, b.base.covs + b.sigma2 * torch.eye(d, dtype=F64))
    r1 = b.rho1.log_prob(y) - b.potential.log_prob(y) - qs.log_prob(y)
    assert float(r0.max() - r0.min()) < 1e-8 and float(r1.max() - r1.min()) < 1e-8


def test_mixture_conditional_is_the_plan_conditional():
    # The conditional mixture of docs/theory.md §6, evaluated as a density, equals pi(x, y) / rho0(x)
    b = small_mixture_bridge(0.5)
    x, y = _grid(2, 100, 3), _grid(2, 100, 4)
    w, means, covs = b.conditional_mixture(x)
    comp = torch.log(w) + gaussian_log_prob(y[:, None, :], means, torch.linalg.cholesky(covs))
    lhs = torch.logsumexp(comp, 1)
    rhs = b.plan.log_prob(torch.cat([x, y], 1)) - b.rho0.log_prob(x)
    assert torch.allclose(lhs, rhs, atol=1e-9)


def test_single_component_mixture_bridge_is_the_gaussian_bridge():
    eye = torch.eye(3, dtype=F64)
    f = GaussianMixture(torch.ones(1, dtype=F64), torch.tensor([[1.0, -1.0, 0.5]], dtype=F64), spd(3, 11)[None])
    q = GaussianMixture(torch.ones(1, dtype=F64), torch.zeros(1, 3, dtype=F64), (2 * eye)[None])
    b = MixturePotentialBridge(f, 0.6, q)
    P = b.plan.covs[0]
    A, B, C = P[:3, :3], P[3:, 3:], P[:3, 3:]
    assert torch.allclose(C, sb_cross_cov(A, B, 0.6), atol=1e-10)
    g = GaussianBridge(b.plan.means[0, :3], A, b.plan.means[0, 3:], B, 0.6)
    gen = torch.Generator().manual_seed(0)
    t, x = torch.rand(30, dtype=F64, generator=gen), torch.randn(30, 3, dtype=F64, generator=gen)
    assert torch.allclose(b.drift(t, x), g.drift(t, x), atol=1e-9)
    assert torch.allclose(b.velocity(t, x), g.velocity(t, x), atol=1e-9)
    assert torch.allclose(b.log_prob(t, x), g.log_prob(t, x), atol=1e-9)


@pytest.mark.parametrize("s2", [0.1, 1.0])
def test_mixture_velocity_and_drift_solve_the_fokker_planck_equation(s2):
    # d/dt log rho_t = -div v - v . grad log rho_t with v = drift - sigma^2/2 grad log rho_t,
    # rho_t the exact Gaussian-mixture marginal; d/dt by central differences (h = 1e-5).
    b = mixture_potential_bridge(2, s2)
    x = b.marginal_sample(0.5, 20, torch.Generator().manual_seed(4))
    h = 1e-5
    for t in (0.05, 0.3, 0.6, 0.95):
        x_ = x.clone().requires_grad_(True)
        v = b.velocity(t, x_)
        div = sum(torch.autograd.grad(v[:, j].sum(), x_, retain_graph=True)[0][:, j] for j in range(2))
        dlog = (b.log_prob(t + h, x) - b.log_prob(t - h, x)) / (2 * h)
        resid = dlog + div.detach() + (v.detach() * b.score(t, x)).sum(1)
        assert float(resid.abs().max()) < 1e-5 * max(1.0, float(dlog.abs().max())), (t, float(resid.abs().max()))


def test_mixture_drift_simulated_reproduces_the_plan_conditional_moments():
    # 2 conditioning points x 4000 paths, plus 8000 paths from rho0; Euler-Maruyama with 200 steps.
    # Tolerance 5 SE, the SE of covariances from the empirical spread of the centred products (the
    # targets are mixtures, whose fourth moments exceed the Gaussian ones); the scheme's O(dt) bias
    # at 200 steps measured below 1 SE at n = 10000 (runs at 100 / 200 / 400 steps agree).
    b = mixture_potential_bridge(2, 1.0)
    pts = torch.tensor([[0.5, 1.0], [-2.0, 0.3]], dtype=F64)
    n, m = 4000, 8000
    gen = torch.Generator().manual_seed(1)
    x0 = torch.cat([pts.repeat_interleave(n, 0), b.rho0.sample(m, gen)])
    x1 = b.simulate(x0, steps=200, generator=gen)
    mean, cov = b.conditional(pts)
    def check(y, mu, S):
        prods = (y - mu)[:, :, None] * (y - mu)[:, None, :]
        assert max_z(y.mean(0), mu, torch.sqrt(torch.diag(S) / len(y))) < 5
        assert max_z(prods.mean(0), S, prods.std(0) / math.sqrt(len(y))) < 5

    for j in range(2):
        check(x1[j * n:(j + 1) * n], mean[j], cov[j])
    check(x1[2 * n:], b.rho1.mean(), b.rho1.cov())


def test_mixture_marginal_sample_matches_exact_marginal():
    b = small_mixture_bridge(0.5)
    n = 40_000
    x = b.marginal_sample(0.5, n, torch.Generator().manual_seed(6))
    mu, Sig = b.marginal_moments(0.5)
    dS = torch.diag(Sig)
    assert max_z(x.mean(0), mu, torch.sqrt(dS / n)) < 5
    # mixture fourth moments exceed the Gaussian ones: use the empirical variance of the products
    xc = x - mu
    prods = xc[:, :, None] * xc[:, None, :]
    assert max_z(prods.mean(0), Sig, prods.std(0) / math.sqrt(n)) < 5


def test_from_rho0_samples_the_same_plan():
    b = small_mixture_bridge(0.5)
    c = MixturePotentialBridge.from_rho0(b.rho0, b.potential, b.sigma)
    n = 40_000
    x0, x1 = c.sample_plan(n, torch.Generator().manual_seed(8))
    xy = torch.cat([x0, x1], 1)
    mu, S = b.plan.mean(), b.plan.cov()
    xc = xy - mu
    prods = xc[:, :, None] * xc[:, None, :]
    assert max_z(xy.mean(0), mu, torch.sqrt(torch.diag(S) / n)) < 5
    assert max_z(prods.mean(0), S, prods.std(0) / math.sqrt(n)) < 5
    assert torch.allclose(c.drift(0.3, x0[:10]), b.drift(0.3, x0[:10]), atol=1e-12)
    with pytest.raises(ValueError, match="exact marginals"):
        c.marginal(0.5)
