"""The exact Gaussian-mixture oracle, checked against independent answers (float64)."""
import pytest
import torch
from torch.distributions import MultivariateNormal

from si.oracle import InterpolantOracle

from ..conftest import all_interpolants, pair_for

F64 = torch.float64


def _points(interp, rho0, rho1, n=300, seed=0, lo=0.05, hi=0.95):
    g = torch.Generator().manual_seed(seed)
    t = lo + (hi - lo) * torch.rand(n, generator=g, dtype=F64)
    z = torch.randn(n, rho1.dim, generator=g, dtype=F64)
    pts = interp.points(t, rho0.sample(n, generator=g), rho1.sample(n, generator=g), z)
    return t, pts.xt


@pytest.mark.parametrize("interp", all_interpolants(), ids=repr)
def test_score_is_gradient_of_log_prob(interp):
    rho0, rho1 = pair_for(interp)
    o = InterpolantOracle(interp, rho0, rho1)
    t, x = _points(interp, rho0, rho1)
    xr = x.clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(o.log_prob(t, xr).sum(), xr)
    torch.testing.assert_close(o.s(t, x), grad, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("interp", all_interpolants(), ids=repr)
def test_velocity_solves_continuity_equation(interp):
    """d/dt rho + div(b rho) = 0, i.e. d/dt log rho + div b + b . grad log rho = 0.

    d/dt by central differences (h = 1e-5, truncation ~h^2 ~ 1e-10), div b and grad log rho by
    autograd. Relative error = |residual| / (|d/dt log rho| + |div b| + |b . grad log rho|)."""
    rho0, rho1 = pair_for(interp)
    o = InterpolantOracle(interp, rho0, rho1)
    t, x = _points(interp, rho0, rho1)
    h = 1e-5
    dlogp = (o.log_prob(t + h, x) - o.log_prob(t - h, x)) / (2 * h)
    xr = x.clone().requires_grad_(True)
    b = o.b(t, xr)
    div = sum(torch.autograd.grad(b[:, i].sum(), xr, retain_graph=True)[0][:, i] for i in range(x.shape[1]))
    transport = (b * o.s(t, x)).sum(1).detach()
    residual = dlogp + div.detach() + transport
    rel = residual.abs() / (dlogp.abs() + div.abs().detach() + transport.abs())
    assert rel.max() <= 1e-4, float(rel.max())


@pytest.mark.parametrize("interp", all_interpolants(), ids=repr)
def test_denoiser_and_v_relations(interp):
    """eta = -gamma s and v = b - gamma' eta (alpha in place of gamma when one-sided)."""
    rho0, rho1 = pair_for(interp)
    o = InterpolantOracle(interp, rho0, rho1)
    t, x = _points(interp, rho0, rho1)
    g = (interp.alpha(t) if interp.one_sided else interp.gamma(t))[:, None]
    dg = (interp.dalpha(t) if interp.one_sided else interp.dgamma(t))[:, None]
    torch.testing.assert_close(o.eta(t, x), -g * o.s(t, x))
    torch.testing.assert_close(o.v(t, x), o.b(t, x) - dg * o.eta(t, x))


@pytest.mark.parametrize("path,gamma", [("linear", "brownian"), ("trig", "sigmoid"),
                                        ("encoding-decoding", None), ("one-sided-trig", None),
                                        ("mirror", "bsquared")])
def test_fields_equal_conditional_expectations(path, gamma):
    """b = E[dI + gamma' z | x_t], eta = E[z | x_t], v = E[dI | x_t] and log rho_t computed from
    scratch: condition on the mixture pair (i, j), build the joint Gaussian of (x0, x1, z) and
    regress (dI, z) on x_t with torch.distributions. Independent of the oracle's formulas."""
    from si import Interpolant
    interp = Interpolant(path, gamma)
    rho0, rho1 = pair_for(interp)
    o = InterpolantOracle(interp, rho0, rho1)
    t, x = _points(interp, rho0, rho1, n=40)
    d = x.shape[1]
    eye = torch.eye(d, dtype=F64)
    for k in range(len(t)):
        tk = t[k:k + 1]
        a, b_, g = (float(f(tk)) for f in (interp.alpha, interp.beta, interp.gamma))
        da, db, dg = (float(f(tk)) for f in (interp.dalpha, interp.dbeta, interp.dgamma))
        logw, means_b, means_z, means_v = [], [], [], []
        for i in range(rho0.n_components):
            for j in range(rho1.n_components):
                m = torch.cat([rho0.means[i], rho1.means[j], torch.zeros(d, dtype=F64)])
                S = torch.block_diag(rho0.covs[i], rho1.covs[j], eye)
                Lx = torch.cat([a * eye, b_ * eye, g * eye], 1)       # x_t = Lx (x0, x1, z)
                Lv = torch.cat([da * eye, db * eye, 0 * eye], 1)     # dI
                Lz = torch.cat([0 * eye, 0 * eye, eye], 1)           # z
                Cxx = Lx @ S @ Lx.T
                mx = Lx @ m
                logw.append(torch.log(rho0.weights[i] * rho1.weights[j])
                            + MultivariateNormal(mx, Cxx).log_prob(x[k]))
                r = torch.linalg.solve(Cxx, x[k] - mx)
                means_v.append(Lv @ m + Lv @ S @ Lx.T @ r)
                means_z.append(Lz @ S @ Lx.T @ r)
        logw = torch.stack(logw)
        w = torch.softmax(logw, 0)[:, None]
        v = (w * torch.stack(means_v)).sum(0)
        ez = (w * torch.stack(means_z)).sum(0)
        xk = x[k:k + 1]
        torch.testing.assert_close(o.log_prob(tk, xk)[0], torch.logsumexp(logw, 0), rtol=1e-9, atol=1e-9)
        if interp.one_sided:  # the latent is x0: eta = E[x0 | x_t]; v = E[beta' x1 | x_t]
            continue
        torch.testing.assert_close(o.v(tk, xk)[0], v, rtol=1e-8, atol=1e-8)
        torch.testing.assert_close(o.eta(tk, xk)[0], ez, rtol=1e-8, atol=1e-8)
        torch.testing.assert_close(o.b(tk, xk)[0], v + dg * ez, rtol=1e-8, atol=1e-8)


def test_float32_is_stable_far_from_modes():
    """log-sum-exp keeps the float32 oracle finite 30 standard deviations from every mode."""
    from si import Interpolant
    interp = Interpolant("linear", "brownian")
    rho0, rho1 = pair_for(interp)
    o = InterpolantOracle(interp, rho0.to(dtype=torch.float32), rho1.to(dtype=torch.float32))
    x = torch.full((4, 2), 40.0)
    t = torch.tensor([0.0, 0.3, 0.7, 1.0])
    for f in (o.b, o.s, o.log_prob):
        assert torch.isfinite(f(t, x)).all()
    o64 = InterpolantOracle(interp, rho0, rho1)
    torch.testing.assert_close(o.b(t, x).double(), o64.b(t.double(), x.double()), rtol=1e-4, atol=1e-4)


def test_oracle_rejects_bad_shapes_and_times():
    from si import Interpolant
    interp = Interpolant("linear")
    rho0, rho1 = pair_for(interp)
    o = InterpolantOracle(interp, rho0, rho1)
    with pytest.raises(ValueError, match="shape"):
        o.b(torch.rand(3, dtype=F64), torch.zeros(3, 5, dtype=F64))
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        o.s(torch.tensor([1.2], dtype=F64), torch.zeros(1, 2, dtype=F64))


def test_diagonal_covariances_take_the_elementwise_path_and_stay_exact():
    """With diagonal component covariances every C_ij is diagonal and the oracle uses elementwise
    solves: log rho_t against torch.distributions on the mixture of the N(mu_ij, C_ij) built by hand,
    s against autograd, at shared and per-row times (float64, round-off tolerances)."""
    from torch.distributions import Categorical, MixtureSameFamily
    from si import GaussianMixture, Interpolant
    g = torch.Generator().manual_seed(3)

    def diagonal_gmm(K, shift):
        w = torch.rand(K, generator=g, dtype=F64) + 0.5
        return GaussianMixture(w / w.sum(), shift + torch.randn(K, 3, generator=g, dtype=F64),
                               torch.diag_embed(0.2 + torch.rand(K, 3, generator=g, dtype=F64)))

    rho0, rho1 = diagonal_gmm(2, -1.0), diagonal_gmm(3, 2.0)
    interp = Interpolant("trig", "bsquared")
    o = InterpolantOracle(interp, rho0, rho1)
    x = torch.randn(40, 3, generator=g, dtype=F64)
    for t in (torch.full((40,), 0.35, dtype=F64), 0.05 + 0.9 * torch.rand(40, generator=g, dtype=F64)):
        expected = []
        for k in range(40):
            a, b, gm = (float(f(t[k:k + 1])) for f in (interp.alpha, interp.beta, interp.gamma))
            mu = (a * rho0.means[:, None] + b * rho1.means[None]).reshape(-1, 3)
            C = (a ** 2 * rho0.covs[:, None] + b ** 2 * rho1.covs[None]
                 + gm ** 2 * torch.eye(3, dtype=F64)).reshape(-1, 3, 3)
            w = (rho0.weights[:, None] * rho1.weights[None]).reshape(-1)
            expected.append(MixtureSameFamily(Categorical(probs=w), MultivariateNormal(mu, C)).log_prob(x[k]))
        torch.testing.assert_close(o.log_prob(t, x), torch.stack(expected), rtol=1e-10, atol=1e-10)
        xr = x.clone().requires_grad_(True)
        (grad,) = torch.autograd.grad(o.log_prob(t, xr).sum(), xr)
        torch.testing.assert_close(o.s(t, x), grad, rtol=1e-10, atol=1e-10)
