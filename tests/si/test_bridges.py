"""si.bridges against exact answers (closed forms, structural identities, simulation).

Statistical tests use fixed seeds and tolerances of 5 standard errors (SE) of the estimator, with
the SE computed from the *exact* moments: for a sample covariance entry
Var(S_ij) = (S_ii S_jj + S_ij^2) / n, for a sample cross-covariance Var(C_ij) = (A_ii B_jj + C_ij^2) / n
(Gaussian fourth moments; used as an approximation for mixtures), for a mean S_ii / n. With up to
a few hundred entries per test, 5 SE keeps the family-wise false alarm rate below 1e-3.
"""
import math

import numpy as np
import ot
import pytest
import torch

from si.bridges import GaussianBridge, MixturePotentialBridge, bures_map, sb_cross_cov
from sibench.pairs.bridges import gaussian_sb_pair, mixture_potential_bridge
from si.interpolants import Interpolant
from si.mixtures import GaussianMixture, gaussian_log_prob
from si.oracle import InterpolantOracle

F64 = torch.float64



def spd(d, seed, lo=0.3, hi=2.0):
    g = torch.Generator().manual_seed(seed)
    Q, _ = torch.linalg.qr(torch.randn(d, d, generator=g, dtype=F64))
    return Q @ torch.diag(torch.linspace(lo, hi, d, dtype=F64)) @ Q.T


def random_bridge(d=3, sigma=0.7, coupling="schrodinger"):
    g = torch.Generator().manual_seed(d)
    a, b = torch.randn(d, generator=g, dtype=F64), torch.randn(d, generator=g, dtype=F64)
    return GaussianBridge(a, spd(d, 1), b, spd(d, 2, 0.5, 3.0), sigma, coupling=coupling)


def sample_cov(x, y=None):
    y = x if y is None else y
    xc, yc = x - x.mean(0), y - y.mean(0)
    return xc.T @ yc / (len(x) - 1)


def max_z(est, exact, se):
    return float(((est - exact) / se).abs().max())


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


GRID = [(d, s2) for d in (2, 16, 64) for s2 in (0.1, 1.0)]


# ----------------------------------------------------------------------------------------
# Gaussian Schroedinger bridge: the static plan
# ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("d,s2", GRID)
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


# ----------------------------------------------------------------------------------------
# Gaussian bridge: fields
# ----------------------------------------------------------------------------------------
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


def test_sample_paths_have_the_bridge_covariances():
    # Brownian bridge over the plan: for s < u,
    # Cov(X_s, X_u) = (1-s)(1-u) A + s u B + (1-s) u C + s (1-u) C^T + sigma^2 s (1-u) I
    g = random_bridge(2, sigma=0.9)
    n, s, u = 40_000, 0.3, 0.7
    X = g.sample_paths(n, [0.0, s, u, 1.0], torch.Generator().manual_seed(5))
    A, B, C = g.cov0, g.cov1, g.cross_cov
    eye = torch.eye(2, dtype=F64)
    exact = (1 - s) * (1 - u) * A + s * u * B + (1 - s) * u * C + s * (1 - u) * C.T + g.sigma2 * s * (1 - u) * eye
    _, Ss = g.marginal(s)
    _, Su = g.marginal(u)
    se = torch.sqrt((torch.diag(Ss)[:, None] * torch.diag(Su)[None] + exact ** 2) / n)
    assert max_z(sample_cov(X[1], X[2]), exact, se) < 5
    assert max_z(sample_cov(X[2]), Su, torch.sqrt((torch.diag(Su)[:, None] * torch.diag(Su)[None] + Su ** 2) / n)) < 5
    assert max_z(sample_cov(X[0], X[3]), C, torch.sqrt((torch.diag(A)[:, None] * torch.diag(B)[None] + C ** 2) / n)) < 5


def test_marginal_sample_matches_marginal():
    g = gaussian_sb_pair(2, 0.1)
    n = 40_000
    x = g.marginal_sample(0.4, n, torch.Generator().manual_seed(2))
    mu, Sig = g.marginal(0.4)
    dS = torch.diag(Sig)
    assert max_z(x.mean(0), mu, torch.sqrt(dS / n)) < 5
    assert max_z(sample_cov(x), Sig, torch.sqrt((dS[:, None] * dS[None] + Sig ** 2) / n)) < 5


def test_fields_follow_dtype_and_accept_scalar_time():
    g = gaussian_sb_pair(2, 1.0)
    x = torch.randn(4, 2)
    out = g.drift(0.5, x)
    assert out.dtype == torch.float32 and out.shape == (4, 2)
    assert torch.allclose(out.double(), g.drift(torch.full((4,), 0.5, dtype=F64), x.double()), atol=1e-6)


# ----------------------------------------------------------------------------------------
# mixture-potential bridges
# ----------------------------------------------------------------------------------------
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


# ----------------------------------------------------------------------------------------
# benchmark pairs and input checking
# ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("d,s2", GRID)
def test_gaussian_sb_pairs_are_fixed_and_nontrivial(d, s2):
    g, h = gaussian_sb_pair(d, s2), gaussian_sb_pair(d, s2)
    assert torch.equal(g.cov0, h.cov0) and torch.equal(g.cross_cov, h.cross_cov)
    assert g.dim == d and abs(g.sigma2 - s2) < 1e-14
    A, B = g.cov0, g.cov1
    assert float((A @ B - B @ A).abs().max()) > 0.1  # the two covariances do not commute
    for M, lo, hi in ((A, 0.5, 2.0), (B, 0.25, 1.5)):
        ev = torch.linalg.eigvalsh(M)
        assert abs(float(ev.min()) - lo) < 1e-10 and abs(float(ev.max()) - hi) < 1e-10
    assert abs(float((g.mean1 - g.mean0).norm()) - 2) < 1e-12


@pytest.mark.parametrize("d,s2,base_var", [(2, 0.1, 2.0), (2, 1.0, 2.0), (16, 0.1, 2.0), (16, 1.0, 2.0),
                                             (2, 0.1, 0.25), (16, 1.0, 0.25)])
def test_mixture_potential_pairs(d, s2, base_var):
    b = mixture_potential_bridge(d, s2, base_var=base_var)
    assert b.dim == d and b.rho0.dim == d and b.rho1.dim == d and b.plan.dim == 2 * d
    assert b.potential.n_components == 8 and abs(b.sigma2 - s2) < 1e-14
    # rho1 is the sharper, outer one: larger mean radius, smaller per-component spread
    assert float(b.rho1.means.norm(dim=1).mean()) > float(b.rho0.means.norm(dim=1).mean())
    x0, x1 = b.sample_plan(5, torch.Generator().manual_seed(0))
    assert x0.shape == x1.shape == (5, d)


def test_bad_input_raises_value_error():
    eye = torch.eye(2, dtype=F64)
    z = torch.zeros(2, dtype=F64)
    with pytest.raises(ValueError, match="positive definite"):
        GaussianBridge(z, torch.diag(torch.tensor([1.0, -1.0])), z, eye, 1.0)
    with pytest.raises(ValueError, match="symmetric"):
        GaussianBridge(z, torch.tensor([[1.0, 0.5], [0.0, 1.0]]), z, eye, 1.0)
    with pytest.raises(ValueError, match="shape"):
        GaussianBridge(z, torch.eye(3), z, eye, 1.0)
    with pytest.raises(ValueError, match="sigma"):
        GaussianBridge(z, eye, z, eye, -1.0)
    with pytest.raises(ValueError, match="coupling"):
        GaussianBridge(z, eye, z, eye, 1.0, coupling="sinkhorn")
    g = GaussianBridge(z, eye, z, eye, 1.0)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        g.drift(1.5, torch.zeros(3, 2))
    with pytest.raises(ValueError, match="shape"):
        g.drift(0.5, torch.zeros(3, 4))
    with pytest.raises(ValueError, match="shape"):
        g.drift(torch.zeros(2), torch.zeros(3, 2))
    with pytest.raises(ValueError):
        g.sample_plan(-1)
    with pytest.raises(ValueError):
        g.sample_paths(3, [0.5, 0.2])
    with pytest.raises(ValueError):
        gaussian_sb_pair(0, 1.0)
    with pytest.raises(ValueError):
        gaussian_sb_pair(2, 0.0)
    with pytest.raises(ValueError):
        mixture_potential_bridge(1, 1.0)
    with pytest.raises(ValueError, match="base_var"):
        mixture_potential_bridge(2, 1.0, base_var=0.0)
    f = GaussianMixture(torch.ones(1, dtype=F64), torch.zeros(1, 2, dtype=F64), eye[None])
    with pytest.raises(ValueError, match="sigma"):
        MixturePotentialBridge(f, 0.0, f)
    with pytest.raises(ValueError, match="dimension"):
        MixturePotentialBridge(f, 1.0, GaussianMixture(torch.ones(1), torch.zeros(1, 3), torch.eye(3)[None]))


def test_bures_map_pushes_A_to_B():
    A, B = spd(4, 1), spd(4, 2, 0.5, 3.0)
    T = bures_map(A, B)
    assert torch.allclose(T @ A @ T, B, atol=1e-10) and torch.allclose(T, T.T, atol=1e-12)
    assert float(torch.linalg.eigvalsh(T).min()) > 0
