"""si.sampling and si.fields against exact answers: closed-form Gaussian flows, the exact GMM oracle
and W2 against the truth-vs-truth floor. Statistical tests state n, seed and their tolerance."""
import math

import pytest
import torch

import si
from si import GaussianMixture, Interpolant
from si.fields import backward_drift, denoiser_drift, forward_drift, score_from_denoiser, velocity_from_denoiser
from si.interpolants import GAMMAS, PATHS
from si.mixtures import standard_normal
from si.oracle import InterpolantOracle
from si.sampling import sample_ode, sample_sde, sample_sde_backward, sample_sde_denoiser

F64 = torch.float64



def w2(x, y):
    """W2 between samples (POT exact, through si.metrics when it exists)."""
    try:
        from si.metrics import w2 as metric
    except ImportError:  # pragma: no cover - fallback while si.metrics is written
        import ot
        return math.sqrt(float(ot.emd2(torch.full((len(x),), 1 / len(x), dtype=F64).numpy(),
                                       torch.full((len(y),), 1 / len(y), dtype=F64).numpy(),
                                       ot.dist(x.double().numpy(), y.double().numpy()), numItermax=int(1e7))))
    return metric(x, y)


def _mixture(weights, means, covs):
    return GaussianMixture(torch.tensor(weights, dtype=F64), torch.tensor(means, dtype=F64),
                           torch.tensor(covs, dtype=F64))


def gmm_source():
    return _mixture([0.3, 0.3, 0.4], [[-2., 0.], [1., 1.5], [1., -1.5]],
                    [[[0.3, 0.1], [0.1, 0.3]], [[0.4, 0.], [0., 0.2]], [[0.25, -0.05], [-0.05, 0.3]]])


def gmm_target():
    return _mixture([0.2, 0.3, 0.25, 0.25], [[3., 3.], [-3., 3.], [3., -3.], [-3., -3.]],
                    [[[0.5, 0.2], [0.2, 0.5]], [[0.4, 0.], [0., 0.6]], [[0.3, 0.], [0., 0.3]],
                     [[0.6, -0.1], [-0.1, 0.4]]])


def gmm_target_overlapping():
    """4 overlapping components: W2 between samples at n = 2000 is then dominated by local matching
    noise, not by the (much noisier) mass moved between well-separated modes."""
    return _mixture([0.2, 0.3, 0.25, 0.25], [[1., 1.], [-1., 1.], [1., -1.], [-1., -1.]],
                    [[[0.5, 0.2], [0.2, 0.5]], [[0.4, 0.], [0., 0.6]], [[0.3, 0.], [0., 0.3]],
                     [[0.6, -0.1], [-0.1, 0.4]]])


def gmm_oracle(interpolant=None, target=gmm_target):
    """3 -> 4 component 2-D pair (full covariances), linear path with brownian gamma by default."""
    return InterpolantOracle(interpolant or Interpolant("linear", "brownian"), gmm_source(), target())


def gaussian_oracle(mean, std):
    """N(0, I) -> N(mean, diag(std^2)), one-sided linear path: the ODE map is x0 -> mean + std * x0."""
    rho1 = GaussianMixture(torch.ones(1, dtype=F64), torch.tensor([mean], dtype=F64),
                           torch.diag(torch.tensor(std, dtype=F64) ** 2)[None])
    return InterpolantOracle(Interpolant("one-sided-linear"), standard_normal(len(mean), dtype=F64), rho1)


class CountingField:
    """The test's own call counter (independent of si.fields.Counted)."""

    def __init__(self, f):
        self.f, self.n = f, 0

    def __call__(self, t, x):
        assert t.shape == (x.shape[0],)
        self.n += 1
        return self.f(t, x)


# ----------------------------------------------------------------------------------------
# ODE: order of accuracy on a closed-form flow
# ----------------------------------------------------------------------------------------
MEAN, STD = [1.0, -2.0], [3.0, 0.4]


def _ode_error(method, steps, **kw):
    oracle = gaussian_oracle(MEAN, STD)
    x0 = torch.randn(200, 2, generator=torch.Generator().manual_seed(0), dtype=F64)
    res = sample_ode(oracle.b, x0, steps=steps, method=method, **kw)
    exact = torch.tensor(MEAN, dtype=F64) + torch.tensor(STD, dtype=F64) * x0
    return float((res.x - exact).abs().max()), res


@pytest.mark.parametrize("method,order,stages", [("euler", 1, 1), ("heun", 2, 2), ("midpoint", 2, 2), ("rk4", 4, 4)])
def test_fixed_step_ode_has_its_order_and_nfe(method, order, stages):
    """Error of X_1 against the closed-form map at 16 and 32 steps: it falls at least at the method's
    order (measured 0.96, 2.09, 2.99, 6.4: midpoint and RK4 superconverge on this affine flow)."""
    e1, r1 = _ode_error(method, 16)
    e2, r2 = _ode_error(method, 32)
    observed = math.log2(e1 / e2)
    assert observed > order - 0.3, (method, e1, e2)
    assert r1.nfe == r1.calls["b"] == 16 * stages and r2.nfe == 32 * stages and r1.t == 1.0


def test_dopri5_matches_the_closed_form_and_counts_its_evaluations():
    oracle = gaussian_oracle(MEAN, STD)
    b = CountingField(oracle.b)
    x0 = torch.randn(100, 2, generator=torch.Generator().manual_seed(1), dtype=F64)
    res = sample_ode(b, x0, method="dopri5", rtol=1e-8, atol=1e-8)
    exact = torch.tensor(MEAN, dtype=F64) + torch.tensor(STD, dtype=F64) * x0
    assert float((res.x - exact).abs().max()) < 1e-6
    assert res.nfe == b.n > 6


def test_reverse_ode_inverts_the_map():
    oracle = gaussian_oracle(MEAN, STD)
    x1 = torch.tensor(MEAN, dtype=F64) + torch.tensor(STD, dtype=F64) * torch.randn(
        100, 2, generator=torch.Generator().manual_seed(2), dtype=F64)
    res = sample_ode(oracle.b, x1, steps=50, method="rk4", reverse=True)
    torch.testing.assert_close(res.x, (x1 - torch.tensor(MEAN, dtype=F64)) / torch.tensor(STD, dtype=F64),
                               rtol=0, atol=1e-6)
    assert res.t == 0.0


def test_float32_in_float32_out():
    oracle = gaussian_oracle(MEAN, STD)
    x0 = torch.randn(50, 2, generator=torch.Generator().manual_seed(3))
    for res in (sample_ode(oracle.b, x0, steps=20), sample_sde(oracle.b, oracle.s, x0, eps=1.0, steps=20)):
        assert res.x.dtype == torch.float32 and bool(torch.isfinite(res.x).all())


# ----------------------------------------------------------------------------------------
# NFE and trajectories
# ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("method,per_step", [("euler-maruyama", 1), ("heun", 2)])
def test_sde_nfe_is_exact(method, per_step):
    oracle = gaussian_oracle(MEAN, STD)
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


def test_trajectories_are_saved_on_request():
    oracle = gaussian_oracle(MEAN, STD)
    x0 = torch.randn(10, 2, generator=torch.Generator().manual_seed(5), dtype=F64)
    ode = sample_ode(oracle.b, x0, steps=8, method="heun", save_trajectory=True)
    assert ode.trajectory.shape == (9, 10, 2) and ode.times.shape == (9,)
    assert torch.equal(ode.trajectory[0], x0) and torch.equal(ode.trajectory[-1], ode.x)
    assert float(ode.times[0]) == 0.0 and float(ode.times[-1]) == 1.0 and bool((ode.times.diff() > 0).all())
    sde = sample_sde_backward(oracle.b, oracle.s, x0, eps=1.0, steps=8, save_trajectory=True,
                              generator=torch.Generator().manual_seed(5))
    assert sde.trajectory.shape == (10, 10, 2)  # start, 8 steps, the last piece [0, t_min]
    assert float(sde.times[0]) == 1 - 1e-4 and float(sde.times[-1]) == 0.0 and bool((sde.times.diff() < 0).all())
    assert torch.equal(sde.trajectory[-1], sde.x)
    assert sample_ode(oracle.b, x0, steps=8).trajectory is None


# ----------------------------------------------------------------------------------------
# SDE: exact marginals on a Gaussian, W2 floor on a Gaussian mixture
# ----------------------------------------------------------------------------------------
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


W2_REPEATS = 3


@pytest.fixture(scope="module")
def w2_setup():
    """n = 2000 source samples, 3 fresh target sets of 2000 and the truth-vs-truth floor, the mean of
    W2 over 3 independent pairs of target sets (seed 7).

    Why averages: a single W2 between two samples of the truth at n = 2000 fluctuates by ~8%, so a
    single exact sampler exceeds 1.2 x a single floor in ~1 draw out of 12 (measured); averaging
    over 3 target sets brings the spread to ~5%, making 1.2 > 3.5 standard deviations."""
    g = torch.Generator().manual_seed(7)
    n = 2000
    rho0, rho1 = gmm_source(), gmm_target_overlapping()
    ys = [rho1.sample(n, generator=g) for _ in range(W2_REPEATS)]
    floor = sum(w2(y, rho1.sample(n, generator=g)) for y in ys) / W2_REPEATS
    return {"x0": rho0.sample(n, generator=g), "ys": ys, "floor": floor, "g": g}


def _w2_to_target(x, setup):
    return sum(w2(x, y) for y in setup["ys"]) / W2_REPEATS


SAMPLERS = {
    "ode-heun": lambda o, x0, g: sample_ode(o.b, x0, steps=100, method="heun"),
    "sde-eps0.1": lambda o, x0, g: sample_sde(o.b, o.s, x0, eps=0.1, steps=100, generator=g),
    "sde-eps1": lambda o, x0, g: sample_sde(o.b, o.s, x0, eps=1.0, steps=100, generator=g),
    "sde-eps5": lambda o, x0, g: sample_sde(o.b, o.s, x0, eps=5.0, steps=100, generator=g),
    "denoiser-eps1": lambda o, x0, g: sample_sde_denoiser(o.v, o.eta, o.interpolant, x0, eps=1.0, steps=100,
                                                          generator=g),
}


@pytest.mark.parametrize("sampler", sorted(SAMPLERS))
def test_samples_reach_the_w2_floor(w2_setup, sampler):
    """Oracle fields on the 3 -> 4 component pair (linear, brownian gamma), n = 2000 (seed 7): ODE
    with Heun, 100 steps; forward SDE with Euler-Maruyama, 100 steps on [1e-4, 1 - 1e-4] then the
    ODE step, eps in {0.1, 1, 5}; the denoiser form at eps = 1. Mean W2 to the fresh target sets
    <= 1.2 x the floor (see w2_setup for the averaging)."""
    oracle = gmm_oracle(target=gmm_target_overlapping)
    res = SAMPLERS[sampler](oracle, w2_setup["x0"], w2_setup["g"])
    assert res.x.shape == w2_setup["x0"].shape
    assert _w2_to_target(res.x, w2_setup) <= 1.2 * w2_setup["floor"]


# ----------------------------------------------------------------------------------------
# field helpers
# ----------------------------------------------------------------------------------------
def test_drift_helpers_agree_with_the_oracle_identities():
    """b_F = b + eps s equals v + (gamma' - eps/gamma) eta; s = -eta/gamma; b = v + gamma' eta."""
    oracle = gmm_oracle()
    it = oracle.interpolant
    g = torch.Generator().manual_seed(8)
    t = 0.05 + 0.9 * torch.rand(64, generator=g, dtype=F64)
    x = 3 * torch.randn(64, 2, generator=g, dtype=F64)
    eps = lambda t: 0.5 + t  # noqa: E731
    close = lambda a, b: torch.testing.assert_close(a, b, rtol=1e-10, atol=1e-10)  # noqa: E731
    close(forward_drift(oracle.b, oracle.s, eps)(t, x), denoiser_drift(oracle.v, oracle.eta, it, eps)(t, x))
    close(forward_drift(oracle.b, oracle.s, eps)(t, x), oracle.b(t, x) + (0.5 + t)[:, None] * oracle.s(t, x))
    close(backward_drift(oracle.b, oracle.s, 2.0)(t, x), oracle.b(t, x) - 2.0 * oracle.s(t, x))
    close(score_from_denoiser(oracle.eta, it)(t, x), oracle.s(t, x))
    close(velocity_from_denoiser(oracle.v, oracle.eta, it)(t, x), oracle.b(t, x))
    b = oracle.b
    assert forward_drift(b, oracle.s, 0.0) is b and backward_drift(b, oracle.s, 0) is b


# ----------------------------------------------------------------------------------------
# stability: no NaN / inf for eps up to 10
# ----------------------------------------------------------------------------------------
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


# ----------------------------------------------------------------------------------------
# bad inputs
# ----------------------------------------------------------------------------------------
def _bad_calls():
    oracle = gaussian_oracle(MEAN, STD)
    b, s = oracle.b, oracle.s
    x = torch.zeros(4, 2, dtype=F64)
    return {
        "negative eps": lambda: sample_sde(b, s, x, eps=-0.1),
        "nan eps": lambda: sample_sde(b, s, x, eps=float("nan")),
        "eps(t) negative": lambda: sample_sde(b, s, x, eps=lambda t: t - 0.5, steps=4),
        "eps(t) wrong shape": lambda: sample_sde(b, s, x, eps=lambda t: torch.ones(3), steps=4),
        "steps zero": lambda: sample_ode(b, x, steps=0),
        "steps float": lambda: sample_sde(b, s, x, eps=1.0, steps=10.0),
        "window below 0": lambda: sample_sde(b, s, x, eps=1.0, t_min=-0.1),
        "window above 1": lambda: sample_ode(b, x, t_max=1.5),
        "empty window": lambda: sample_sde(b, s, x, eps=1.0, t_min=0.6, t_max=0.4),
        "last step": lambda: sample_sde(b, s, x, eps=1.0, last_step="denoise"),
        "ode method": lambda: sample_ode(b, x, method="rk45"),
        "sde method": lambda: sample_sde(b, s, x, eps=1.0, method="rk4"),
        "x0 shape": lambda: sample_ode(b, x[0]),
        "field not callable": lambda: sample_ode(None, x),
        "field wrong shape": lambda: sample_ode(lambda t, x: x[:, :1], x, steps=2),
        "dopri5 rtol": lambda: sample_ode(b, x, method="dopri5", rtol=0.0),
        "denoiser interpolant": lambda: sample_sde_denoiser(oracle.v, oracle.eta, "linear", x, eps=1.0),
    }


@pytest.mark.parametrize("case", sorted(_bad_calls()))
def test_bad_arguments_raise_value_errors(case):
    with pytest.raises(ValueError):
        _bad_calls()[case]()


def test_public_api_names():
    assert si.sampling.sample_ode is sample_ode and si.sampling.sample_sde is sample_sde
    assert callable(si.likelihood.ode_log_prob)
