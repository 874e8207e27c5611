"""si.sampling SDE samplers against exact answers: exact evaluation counts, the exact Gaussian
marginals, and finiteness for large eps on every path and every benchmark pair. Statistical tests
state n, seed and their tolerance."""
import math

import pytest
import torch

from si import Interpolant
from si.interpolants import GAMMAS, PATHS
from si.mixtures import standard_normal
from si.oracle import InterpolantOracle
from si.sampling import sample_sde, sample_sde_backward, sample_sde_denoiser

from ...conftest import AFFINE_MEAN, AFFINE_STD, CountingField, gaussian_oracle, gmm_source, gmm_target

F64 = torch.float64


@pytest.mark.parametrize("method,per_step", [("euler-maruyama", 1), ("heun", 2)])
def test_sde_nfe_is_exact(method, per_step):
    oracle = gaussian_oracle(AFFINE_MEAN, AFFINE_STD)
    x0 = torch.randn(20, 2, generator=torch.Generator().manual_seed(4), dtype=F64)
    g = torch.Generator().manual_seed(4)
    for sampler in (sample_sde, sample_sde_backward):
        b, s = CountingField(oracle.b), CountingField(oracle.s)
        res = sampler(b, s, x0, eps=0.5, steps=30, method=method, generator=g)  # default window, last step "ode"
        assert (res.nfe, res.calls) == (30 * per_step + 1, {"b": b.n, "s": s.n})
        assert (b.n, s.n) == (30 * per_step + 1, 30 * per_step)
        assert res.t == (0.0 if sampler is sample_sde_backward else 1.0)
    b, s = CountingField(oracle.b), CountingField(oracle.s)
    res = sample_sde(b, s, x0, eps=0.5, steps=30, method=method, last_step="none", generator=g)
    assert res.nfe == b.n == s.n == 30 * per_step and res.t == 1 - 1e-4
    b, s = CountingField(oracle.b), CountingField(oracle.s)
    res = sample_sde(b, s, x0, eps=0.0, steps=30, method=method, t_min=0.0, t_max=1.0, generator=g)
    assert res.nfe == b.n == 30 * per_step and s.n == 0  # eps = 0: the score is never evaluated
    v, eta = CountingField(oracle.v), CountingField(oracle.eta)
    res = sample_sde_denoiser(v, eta, Interpolant("one-sided-linear"), x0, eps=0.5, steps=30, method=method, generator=g)
    assert res.nfe == v.n == eta.n == 30 * per_step + 1 and res.calls == {"v": v.n, "eta": eta.n}


@pytest.mark.parametrize("direction,eps", [("forward", 1.0), ("forward", lambda t: 4 * t * (1 - t) + 0.1),
                                           ("backward", lambda t: 4 * t * (1 - t) + 0.1)],
                         ids=["forward-eps=1", "forward-eps(t)", "backward-eps(t)"])
def test_sde_has_the_exact_gaussian_marginal(direction, eps):
    """N(0, I) <-> N(m, diag(s^2)) with exact b, s: the forward SDE ends in N(m, diag(s^2)) and the
    backward SDE (b - eps s, 1 -> 0) in N(0, I), for every eps. Stochastic Heun, 100 steps,
    n = 20000, seed 6. Means within 4 SE (sd / sqrt(n)); variances within 4 SE (sqrt(2 / n), 1.1%
    relative) plus 1% for the time discretisation."""
    mean, std = [1.0, -2.0], [2.0, 0.5]
    oracle = gaussian_oracle(mean, std)
    g = torch.Generator().manual_seed(6)
    n = 20000
    m, s = torch.tensor(mean, dtype=F64), torch.tensor(std, dtype=F64)
    z = torch.randn(n, 2, generator=g, dtype=F64)
    if direction == "forward":
        x = sample_sde(oracle.b, oracle.s, z, eps=eps, steps=100, method="heun", generator=g).x
    else:
        x = sample_sde_backward(oracle.b, oracle.s, m + s * z, eps=eps, steps=100, method="heun", generator=g).x
        m, s = torch.zeros(2, dtype=F64), torch.ones(2, dtype=F64)
    assert bool(((x.mean(0) - m).abs() < 4 * s / math.sqrt(n)).all())
    rel = (x.var(0) / s ** 2 - 1).abs()
    assert bool((rel < 4 * math.sqrt(2 / n) + 0.01).all()), rel


def _interpolant_pairs():
    """Every valid (path, gamma) of docs/theory.md §1 with a fitting GMM pair: N(0, I) latent when
    one-sided, rho0 = rho1 for the mirror path, else the 3 -> 4 component pair."""
    out = []
    for p in PATHS:
        for gname in GAMMAS if p == "linear" else [None]:  # every gamma on the linear path, else the default
            it = Interpolant(p, gname)
            gname = it.gamma_name
            rho0 = standard_normal(2, dtype=F64) if it.one_sided else gmm_target() if it.mirror else gmm_source()
            out.append(pytest.param(it, rho0, gmm_target(), id=f"{p}-{gname}"))
    return out


@pytest.mark.parametrize("interpolant,rho0,rho1", _interpolant_pairs())
def test_forward_sde_is_finite_for_large_eps(interpolant, rho0, rho1):
    """n = 128 (seed 9), 100 steps, default window: Euler-Maruyama with eps in {0.1, 1, 10} and
    stochastic Heun with eps = 10."""
    oracle = InterpolantOracle(interpolant, rho0, rho1)
    g = torch.Generator().manual_seed(9)
    x0 = rho0.sample(128, generator=g)
    for method, eps in [("euler-maruyama", 0.1), ("euler-maruyama", 1.0), ("euler-maruyama", 10.0), ("heun", 10.0)]:
        x = sample_sde(oracle.b, oracle.s, x0, eps=eps, steps=100, method=method, generator=g).x
        assert bool(torch.isfinite(x).all()), (method, eps)


def _benchmark_pairs():
    """The registry of si.densities, every pair with an exact oracle, with the interpolant it admits
    (mirror for mirror pairs, else linear-brownian; also one-sided-linear for latent pairs). Pairs
    whose oracle is expensive (d >= 32, or d >= 16 with many components) are marked slow."""
    try:
        from sibench.pairs import BENCHMARKS
    except ImportError:  # pragma: no cover - while si.densities is being written
        return []
    out = []
    for name in BENCHMARKS:
        pair = BENCHMARKS[name]
        if not pair.has_oracle:
            continue
        interps = [Interpolant("mirror")] if pair.mirror else [Interpolant("linear", "brownian")]
        if pair.latent == "rho0":
            interps.append(Interpolant("one-sided-linear"))
        K = pair.rho0.gmm.n_components * pair.rho1.gmm.n_components
        slow = pair.dim >= 32 or (pair.dim >= 16 and K > 4)
        for it in interps:
            out.append(pytest.param(name, it, id=f"{name}-{it.path}", marks=[pytest.mark.slow] if slow else []))
    return out


@pytest.mark.parametrize("name,interpolant", _benchmark_pairs())
def test_forward_sde_is_finite_on_every_benchmark_pair(name, interpolant):
    """n = 64 (seed 10), Euler-Maruyama 100 steps, eps in {1, 10}, default window."""
    from sibench.pairs import BENCHMARKS
    pair = BENCHMARKS[name]
    oracle = pair.oracle(interpolant)
    g = torch.Generator().manual_seed(10)
    x0 = pair.rho0.sample(64, generator=g)
    for eps in (1.0, 10.0):
        x = sample_sde(oracle.b, oracle.s, x0, eps=eps, steps=100, generator=g).x
        assert bool(torch.isfinite(x).all()), eps
