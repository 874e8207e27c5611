"""fit_maxmin (docs/theory.md §10) against the exact Gaussian Schroedinger bridge (si.bridges).

Gaussian pairs with non-commuting covariances (tests/si/schrodinger/pairs.py, fixed seeds). With
the affine parametrisation the marginals of x^_t and the coupling of the learned SDE are exact
functions of the weights (`marginal_moments`, `coupling_moments`), so the errors below are the
optimisation error alone, no sampling error of the evaluation. Tolerances are about 3x the
errors measured for these seeds and options (stated next to each); the un-optimised interpolant
(the linear one, `freeze_interpolant=True`) is 30x or more above them, so the check has power.
Statistical checks (sampling against exact moments) use 5 standard errors.
"""
import math

import pytest
import torch

from si.metrics import bures_w2
from si.schrodinger import KL_TIMES, MaxMinConfig, fit_maxmin, gaussian_kl, load_result

from .pairs import gaussian_pair

F64 = torch.float64
FAST = dict(parametrisation="affine", batch=256, inner_steps=3, polish_steps=200)


def bridge_errors(res, br):
    """Mean KL(x^_t || rho_t) over t = 0.1..0.9, max Bures-W2, relative coupling error |C - C*|_F / |C*|_F."""
    kls, bws = [], []
    for t in KL_TIMES:
        m, S = res.marginal_moments(t)
        mt, St = br.marginal_moments(t)
        kls.append(float(gaussian_kl(m, S, mt, St)))
        bws.append(bures_w2(m, S, mt, St))
    _, _, C = res.coupling_moments()
    cerr = float(torch.linalg.norm(C - br.cross_cov) / torch.linalg.norm(br.cross_cov))
    return sum(kls) / len(kls), max(bws), cerr


def is_bridge(res, br, kl_tol, bw_tol, coupling_tol) -> bool:
    kl, bw, c = bridge_errors(res, br)
    return kl < kl_tol and bw < bw_tol and c < coupling_tol


@pytest.fixture(scope="module")
def fit2():
    rho0, rho1, br = gaussian_pair(2, 1.0)
    return rho0, rho1, br, fit_maxmin(rho0, rho1, 0.5, steps=600, seed=0, **FAST)


# measured for fit2: mean KL 3.4e-5, max Bures-W2 6.9e-3, coupling error 7.0e-3 (tolerances ~3x above);
# the frozen (linear) interpolant of the same run: 2.6e-2, 0.24, 0.21
TOL2 = dict(kl_tol=1e-4, bw_tol=0.02, coupling_tol=0.02)


def test_gaussian_bridge_d2(fit2):
    _, _, br, res = fit2
    kl, bw, c = bridge_errors(res, br)
    assert kl < TOL2["kl_tol"] and bw < TOL2["bw_tol"] and c < TOL2["coupling_tol"], (kl, bw, c)


def test_gaussian_bridge_d16_small_sigma():
    # measured: mean KL 7.8e-4, max Bures-W2 0.029, coupling error 0.017 (tolerances ~3x above)
    rho0, rho1, br = gaussian_pair(16, 0.1, seed=1)
    res = fit_maxmin(rho0, rho1, 0.05, steps=600, seed=0, **{**FAST, "batch": 512})
    kl, bw, c = bridge_errors(res, br)
    assert kl < 2.5e-3 and bw < 0.09 and c < 0.05, (kl, bw, c)


def test_optimised_interpolant_passes_and_unoptimised_fails(fit2):
    rho0, rho1, br, res = fit2
    frozen = fit_maxmin(rho0, rho1, 0.5, steps=600, seed=0, freeze_interpolant=True, **FAST)
    assert is_bridge(res, br, **TOL2)
    assert not is_bridge(frozen, br, **TOL2)
    kl_frozen = bridge_errors(frozen, br)[0]
    assert kl_frozen > 30 * TOL2["kl_tol"], kl_frozen  # the linear interpolant is far from the bridge


def test_diagnostics_are_recorded(fit2):
    res = fit2[3]
    rec = [r for r in res.losses if "saddle" in r]
    assert {"step", "inner", "saddle", "kinetic", "kl_mean"} <= set(rec[0])
    assert rec[-1]["kl_mean"] < rec[0]["kl_mean"] / 10
    # at the inner optimum saddle = kinetic = -1/2 int E|b_F|^2: their gap is the inner error
    assert abs(rec[-1]["saddle"] - rec[-1]["kinetic"]) < 0.2 * abs(rec[-1]["kinetic"])


def test_sample_marginal_has_the_exact_moments(fit2):
    # n = 20000 samples at t = 0.3; SE of a mean S_ii / n, of a covariance entry (S_ii S_jj + S_ij^2) / n
    _, _, _, res = fit2
    n = 20000
    x = res.sample_marginal(0.3, n, generator=torch.Generator().manual_seed(5)).to(F64)
    m, S = res.marginal_moments(0.3)
    se_m = (S.diagonal() / n).sqrt()
    assert float(((x.mean(0) - m) / se_m).abs().max()) < 5
    se_S = ((S.diagonal()[:, None] * S.diagonal()[None, :] + S ** 2) / n).sqrt()
    assert float(((torch.cov(x.T) - S) / se_S).abs().max()) < 5


def test_sde_coupling_matches_the_moment_equations(fit2):
    # n = 20000 paths, 500 Euler-Maruyama steps (discretisation bias O(1/500), below 0.1 SE);
    # SE of a cross-covariance entry (A_ii S1_jj + C_ij^2) / n
    rho0, _, _, res = fit2
    n = 20000
    gen = torch.Generator().manual_seed(6)
    x0 = rho0.sample(n, generator=gen)
    x1 = res.sample_bridge(x0, steps=500, generator=gen).x.to(F64)
    m1, S1, C = res.coupling_moments()
    x0c, x1c = x0 - x0.mean(0), x1 - x1.mean(0)
    C_hat = x0c.T @ x1c / (n - 1)
    A = rho0.covs[0]
    se = ((A.diagonal()[:, None] * S1.diagonal()[None, :] + C ** 2) / n).sqrt()
    assert float(((C_hat - C) / se).abs().max()) < 5
    assert float(((x1.mean(0) - m1) / (S1.diagonal() / n).sqrt()).abs().max()) < 5


def test_save_load_round_trip(fit2, tmp_path):
    _, _, _, res = fit2
    res.save(tmp_path / "sb.pt")
    back = load_result(tmp_path / "sb.pt")
    assert back.spec == res.spec and back.config == res.config
    t, x = torch.rand(7, dtype=torch.float32), torch.randn(7, 2)
    assert torch.equal(back.drift(t, x), res.drift(t, x))
    for k in (0.2, 0.7):
        assert all(torch.equal(a, b) for a, b in zip(back.marginal_moments(k), res.marginal_moments(k)))
    a = back.sample_marginal(0.4, 50, generator=torch.Generator().manual_seed(1))
    b = res.sample_marginal(0.4, 50, generator=torch.Generator().manual_seed(1))
    assert torch.equal(a, b)
    assert (tmp_path / "sb.json").exists()


def _tiny(param, seed=0, **kw):
    rho0, rho1, _ = gaussian_pair(2, 1.0)
    opts = dict(parametrisation=param, batch=32, inner_steps=2, polish_steps=3, hidden=16, depth=2)
    return fit_maxmin(rho0, rho1, 0.5, steps=4, seed=seed, **{**opts, **kw})


def _weights(res):
    return torch.cat([p.detach().flatten() for m in (res.interpolant, res.drift_net) for p in m.parameters()])


@pytest.mark.parametrize("param", ["affine", "mlp"])
def test_same_seed_same_numbers(param):
    a, b, c = _tiny(param), _tiny(param), _tiny(param, seed=1)
    assert torch.equal(_weights(a), _weights(b))
    assert [r.get("saddle") for r in a.losses] == [r.get("saddle") for r in b.losses]
    assert not torch.equal(_weights(a), _weights(c))


@pytest.mark.parametrize("param", ["affine", "mlp"])
def test_endpoint_conditions_hold_exactly(param):
    res = _tiny(param)
    g = torch.Generator().manual_seed(2)
    with torch.no_grad():  # any theta: move every weight away from its initial value
        for p in res.interpolant.parameters():
            p.add_(torch.randn(p.shape, generator=g, dtype=p.dtype))
    x0, x1 = torch.randn(64, 2, generator=g), torch.randn(64, 2, generator=g)
    assert not torch.allclose(res.interpolate(0.5, x0, x1), 0.5 * (x0 + x1))  # theta matters
    assert torch.equal(res.interpolate(0.0, x0, x1), x0)
    assert torch.equal(res.interpolate(1.0, x0, x1), x1)
    rho0, rho1 = res.rho0, res.rho1
    s0 = res.sample_marginal(0.0, 10, generator=torch.Generator().manual_seed(3))
    assert torch.equal(s0, rho0.sample(10, generator=torch.Generator().manual_seed(3)).float())


def test_mlp_fit_runs_and_gives_fields():
    res = _tiny("mlp")
    x = torch.randn(5, 2)
    assert res.drift(torch.full((5,), 0.3), x).shape == (5, 2)
    assert res.sample_marginal(0.5, 9).shape == (9, 2)
    with pytest.raises(ValueError, match="affine"):
        res.marginal_moments(0.5)


class _Sampler:
    def __init__(self, dim):
        self.dim = dim

    def sample(self, n, generator=None):
        return torch.randn(n, self.dim, generator=generator)


@pytest.mark.parametrize("eps", [0.0, -1.0, math.nan, math.inf, "x", None, True])
def test_bad_eps_raises(eps):
    with pytest.raises(ValueError, match="eps"):
        fit_maxmin(_Sampler(2), _Sampler(2), eps, steps=1)


@pytest.mark.parametrize("steps", [0, -3, 1.5, "10", True])
def test_bad_steps_raises(steps):
    with pytest.raises(ValueError, match="steps"):
        fit_maxmin(_Sampler(2), _Sampler(2), 0.5, steps=steps)


def test_bad_pair_and_options_raise():
    with pytest.raises(ValueError, match="dimension"):
        fit_maxmin(_Sampler(2), _Sampler(3), 0.5, steps=1)
    with pytest.raises(ValueError, match="sample"):
        fit_maxmin(object(), _Sampler(2), 0.5, steps=1)
    with pytest.raises(ValueError, match="parametrisation"):
        fit_maxmin(_Sampler(2), _Sampler(2), 0.5, steps=1, parametrisation="spline")
    with pytest.raises(TypeError):
        fit_maxmin(_Sampler(2), _Sampler(2), 0.5, steps=1, no_such_option=3)
    with pytest.raises(ValueError, match="unknown"):
        MaxMinConfig.from_dict({"steps": 3, "no_such_option": 1})
    with pytest.raises(ValueError, match="t_min"):
        MaxMinConfig(t_min=0.0)
    with pytest.raises(ValueError, match="lr_outer"):
        MaxMinConfig(lr_outer=-1.0)
