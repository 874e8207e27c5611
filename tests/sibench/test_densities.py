"""si.densities: every benchmark density's sampler agrees with its log density, and its stated entropy
agrees with a fresh Monte Carlo estimate; the benchmark-pair registry and its ground truth."""
from __future__ import annotations

import dataclasses
import math
import pathlib

import pytest
import torch

from sibench import densities as D
from sibench.pairs import BENCHMARKS, BenchmarkPair, benchmark_names, get_benchmark
from si.interpolants import Interpolant
from si.mixtures import GaussianMixture

F64 = torch.float64
DOCS = pathlib.Path(__file__).resolve().parents[2] / "docs" / "densities.md"


def _all_densities():
    """Every density of the registry and every rho0 / rho1 of a registered benchmark pair, by name."""
    out = {name: D.get_density(name, dtype=F64) for name in D.DENSITIES}
    for pair in BENCHMARKS.values():
        for rho in (pair.rho0, pair.rho1):
            out.setdefault(rho.name, rho.to(dtype=F64))
    return out


ALL = _all_densities()
LOW_DIM = sorted(n for n, d in ALL.items() if d.dim <= 2)
HIGH_DIM = sorted(n for n, d in ALL.items() if d.dim > 2)
GMMS = sorted(n for n, d in ALL.items() if d.gmm is not None)


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    """These tests are many small tensor operations: on a shared 2-core machine, intra-op threads
    contend and slow them ~50x. Run them single-threaded and restore the setting afterwards."""
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)


def gen(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


# ----------------------------------------------------------------------------------------
# sampler versus log density
# ----------------------------------------------------------------------------------------
def _grid_probabilities(density, lo, hi, width, sub):
    """Bin probabilities from the log density by the midpoint rule (sub^dim points per bin)."""
    dim = density.dim
    nb = [int(round((h - l) / width)) for l, h in zip(lo, hi)]
    axes = [l + (torch.arange(n * sub, dtype=F64) + 0.5) * width / sub for l, n in zip(lo, nb)]
    pts = torch.stack(torch.meshgrid(*axes, indexing="ij"), -1).reshape(-1, dim)
    mass = torch.exp(density.log_prob(pts)) * (width / sub) ** dim
    mass = mass.reshape(*[n * sub for n in nb])
    for ax in range(dim):  # sum the sub-cells of every bin
        shape = list(mass.shape)
        mass = mass.reshape(*shape[:ax], nb[ax], sub, *shape[ax + 1:]).sum(ax + 1)
    return mass, nb


@pytest.mark.parametrize("name", LOW_DIM)
def test_histogram_matches_log_density(name):
    """Counts of n samples in bins of width 1/2 against the bin masses integrated from exp(log_prob):
    every bin within 5.5 binomial standard deviations, and the total mass on the grid matches."""
    rho = ALL[name]
    n = 40_000
    x = rho.sample(n, generator=gen(1))
    assert x.shape == (n, rho.dim) and x.dtype == F64
    width = 0.5
    lo = [math.floor(float(x[:, i].quantile(0.0005))) for i in range(rho.dim)]  # integer edges: aligned with
    hi = [math.ceil(float(x[:, i].quantile(0.9995))) for i in range(rho.dim)]  # the checkerboard's squares
    p, nb = _grid_probabilities(rho, lo, hi, width, sub=12 if rho.dim == 2 else 100)
    idx = torch.stack([((x[:, i] - lo[i]) / width).floor().long() for i in range(rho.dim)], -1)
    keep = ((idx >= 0) & (idx < torch.tensor(nb))).all(-1)
    counts = torch.zeros(nb, dtype=F64)
    counts.index_put_(tuple(idx[keep].T), torch.ones(int(keep.sum()), dtype=F64), accumulate=True)
    expected = n * p
    sd = torch.sqrt(n * p * (1 - p)).clamp_min(1.0)
    z = (counts - expected) / sd
    assert float(z.abs().max()) < 5.5, f"{name}: worst bin z = {float(z.abs().max()):.2f}"
    total = float(p.sum())
    frac = float(keep.to(F64).mean())
    assert abs(total - frac) < 5 * math.sqrt(frac * (1 - frac) / n) + 2e-3, (total, frac)
    assert total > 0.99  # the log density is normalised (the grid holds 99.9% of the samples)


@pytest.mark.parametrize("name", GMMS)
def test_stein_identity(name):
    """E[grad log rho(X) X^T] = -I and E[grad log rho(X)] = 0 under the sampler, with grad log rho taken
    by autograd through log_prob: ties the sampler to the log density in any dimension."""
    rho = ALL[name]
    n = 20_000
    x = rho.sample(n, generator=gen(2)).requires_grad_(True)
    s = torch.autograd.grad(rho.log_prob(x).sum(), x)[0]
    x = x.detach()
    xc = x - x.mean(0)  # E[s x^T] = E[s (x - c)^T] for any constant c, since E[s] = 0; centring cuts the variance
    mean = s.T @ xc / n                              # (d, d): E[s_i x_j]
    var = (s ** 2).T @ (xc ** 2) / n - mean ** 2
    eye = torch.eye(rho.dim, dtype=F64)
    z_mat = (mean + eye) / (var.clamp_min(0).sqrt() / math.sqrt(n)).clamp_min(1e-12)
    z_mean = s.mean(0) / (s.std(0) / math.sqrt(n))
    # d^2 entries (4096 at d = 64) and centring by the sample mean: allow 6 standard errors
    assert float(z_mat.abs().max()) < 6.0, f"{name}: Stein z = {float(z_mat.abs().max()):.2f}"
    assert float(z_mean.abs().max()) < 5.0


@pytest.mark.parametrize("name", GMMS)
def test_mixture_log_prob_and_score_match_reference(name):
    """The component-loop log_prob / score equal si.mixtures.GaussianMixture's, and the samples have the
    mixture's mean and covariance."""
    rho = ALL[name]
    x = rho.sample(4000, generator=gen(3))
    torch.testing.assert_close(rho.log_prob(x[:200]), rho.gmm.log_prob(x[:200]), rtol=1e-10, atol=1e-10)
    torch.testing.assert_close(rho.score(x[:200]), rho.gmm.score(x[:200]), rtol=1e-8, atol=1e-8)
    mean, cov = rho.gmm.mean(), rho.gmm.cov()
    sd = torch.sqrt(torch.diagonal(cov))
    z = (x.mean(0) - mean) / (sd / math.sqrt(x.shape[0]))
    assert float(z.abs().max()) < 5.0
    corr_err = (torch.cov(x.T) - cov) / (sd[:, None] * sd[None, :])
    assert float(corr_err.abs().max()) < 0.12


# ----------------------------------------------------------------------------------------
# entropies
# ----------------------------------------------------------------------------------------
def test_every_benchmark_density_has_a_stated_entropy():
    """Every named density carries its entropy in code (analytic or a stored constant), none lazily."""
    for name, rho in ALL.items():
        if isinstance(rho, D.MixtureDensity):
            assert rho._entropy is not None, f"{name}: entropy not stored (run benchmarks/entropies.py)"
        assert math.isfinite(rho.entropy) and rho.entropy_se >= 0
        if rho.gmm is not None and rho.gmm.n_components > 1:
            assert name in D._MC_ENTROPY and 0 < rho.entropy_se < 0.02


@pytest.mark.parametrize("name", sorted(ALL))
def test_stated_entropy_matches_fresh_monte_carlo(name):
    """The stored (or analytic) entropy against an independent Monte Carlo estimate (another seed),
    within 4 combined standard errors."""
    rho = ALL[name]
    n = 40_000 if rho.dim <= 2 else 10_000
    H, se = D.estimate_entropy(rho, n=n, seed=12345)
    tol = 4 * math.sqrt(se ** 2 + rho.entropy_se ** 2) + 1e-9  # (the checkerboard's log density is constant)
    assert abs(H - rho.entropy) < tol, \
        f"{name}: stated {rho.entropy:.5f} +- {rho.entropy_se:.5f}, fresh {H:.5f} +- {se:.5f}"


def test_analytic_entropies():
    assert ALL["checkerboard"].entropy == pytest.approx(math.log(32)) and ALL["checkerboard"].entropy_se == 0
    for d, var in [(2, 1.0), (16, 1.5), (64, 1.0)]:
        g = D.gaussian(d, var)
        assert g.entropy == pytest.approx(0.5 * d * math.log(2 * math.pi * math.e * var), rel=1e-12)
        assert g.entropy_se == 0
    A = torch.tensor([[2.0, 0.5], [0.5, 1.0]], dtype=F64)
    g = D.gaussian_density("g", torch.zeros(2), A)
    assert g.entropy == pytest.approx(0.5 * math.log(torch.linalg.det(2 * math.pi * math.e * A).item()), rel=1e-12)


def test_highdim_entropies_match_separated_components():
    """mixture3-d{d} has components at least 6.9 std apart: its entropy is H(w) + sum_k w_k H(N_k) up to
    a negligible overlap. Checks every stored d (up to 400) without sampling."""
    for d in (2, 4, 8, 16, 32, 64, 128, 256, 400):
        H, se = D._MC_ENTROPY[f"mixture3-d{d}"]
        assert abs(H - D.highdim_separated_entropy(d)) < 4 * se + 1e-3, d


def test_one_dimensional_entropies_match_separated_components():
    for name, w in [("gmm1d-source", [0.5] * 2), ("gmm1d-target", [1 / 3] * 3)]:
        H, se = D._MC_ENTROPY[name]
        approx = -sum(p * math.log(p) for p in w) + 0.5 * math.log(2 * math.pi * math.e * 0.25)
        assert abs(H - approx) < 4 * se


def test_estimate_entropy_is_reproducible_and_correct_for_a_gaussian():
    g = D.gaussian(3, 2.0)
    a, b = D.estimate_entropy(g, n=5000, seed=7), D.estimate_entropy(g, n=5000, seed=7)
    assert a == b
    assert abs(a[0] - g.entropy) < 4 * a[1]
    assert a[1] == pytest.approx(math.sqrt(3 / 2) / math.sqrt(5000), rel=0.1)  # Var log N = d/2


def test_lazy_entropy_for_a_user_mixture():
    m = D.mixture_density("two", [0.5, 0.5], [[-5.0, 0.0], [5.0, 0.0]], torch.eye(2).expand(2, 2, 2))
    assert m._entropy is None
    assert abs(m.entropy - (math.log(2) + math.log(2 * math.pi * math.e))) < 4 * m.entropy_se + 1e-3
    m2 = D.mixture_density("two", [0.5, 0.5], [[-5.0, 0.0], [5.0, 0.0]], torch.eye(2).expand(2, 2, 2),
                           entropy=1.0, entropy_se=0.1)
    assert (m2.entropy, m2.entropy_se) == (1.0, 0.1)


# ----------------------------------------------------------------------------------------
# the checkerboard
# ----------------------------------------------------------------------------------------
def test_checkerboard_log_prob_and_support():
    cb = D.Checkerboard(dtype=F64)
    x = cb.sample(10_000, generator=gen(4))
    assert cb.support_fraction(x) == 1.0
    assert torch.all(cb.log_prob(x) == -math.log(32))
    pts = torch.tensor([[-3.0, -3.0], [-1.0, -3.0], [1.0, 1.0], [3.0, -1.0], [0.5, -0.5], [4.5, 0.0],
                        [-3.5, 3.5]], dtype=F64)
    inside = [True, False, True, True, False, False, False]
    assert cb.inside(pts).tolist() == inside
    lp = cb.log_prob(pts)
    assert torch.all(torch.isneginf(lp[~torch.tensor(inside)]))
    # each of the 8 squares holds 1/8 of the samples
    k = (((x + 4) / 2).floor() @ torch.tensor([4.0, 1.0], dtype=F64)).long()
    counts = torch.bincount(k, minlength=16)
    occupied = counts[counts > 0]
    assert len(occupied) == 8
    assert float(((occupied - 1250.0).abs() / math.sqrt(10_000 / 8 * 7 / 8)).max()) < 5


def test_checkerboard_support_fraction_of_a_gaussian():
    """support_fraction of N(0, I) samples against the exact probability of the support."""
    cb = D.Checkerboard(dtype=F64)
    Phi = lambda v: 0.5 * (1 + math.erf(v / math.sqrt(2)))  # noqa: E731
    exact = sum((Phi(c[0] + 2) - Phi(c[0])) * (Phi(c[1] + 2) - Phi(c[1])) for c in cb.corners().tolist())
    n = 50_000
    frac = cb.support_fraction(torch.randn(n, 2, generator=gen(5), dtype=F64))
    assert abs(frac - exact) < 5 * math.sqrt(exact * (1 - exact) / n)
    assert 0.45 < exact < 0.55


# ----------------------------------------------------------------------------------------
# interface, determinism, dtype
# ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(D.DENSITIES))
def test_interface_determinism_and_dtype(name):
    a, b = D.get_density(name), D.get_density(name)
    assert isinstance(a, D.Density) and a.name == name
    assert a.dtype == torch.get_default_dtype()
    torch.testing.assert_close(a.sample(50, generator=gen(6)), b.sample(50, generator=gen(6)), rtol=0, atol=0)
    assert a.sample(0).shape == (0, a.dim)
    c = a.to(dtype=F64)
    assert c.sample(5).dtype == F64 and c.entropy == a.entropy and c.name == a.name
    x32 = a.sample(7)
    assert a.log_prob(x32).dtype == x32.dtype and a.log_prob(x32.double()).dtype == F64
    with pytest.raises(ValueError):
        a.log_prob(torch.zeros(3, a.dim + 1))
    if a.gmm is not None:
        assert isinstance(a.gmm, GaussianMixture) and a.gmm.dim == a.dim
    else:
        assert name == "checkerboard"


def test_mixture_sample_matches_gaussian_mixture_draws():
    rho = D.gmm3_target(dtype=F64)
    torch.testing.assert_close(rho.sample(100, generator=gen(8)), rho.gmm.sample(100, generator=gen(8)))


def test_get_density_patterns_and_errors():
    assert D.get_density("gaussian-d5").dim == 5
    g = D.get_density("gaussian-d3-v1.5")
    assert g.name == "gaussian-d3-v1.5" and torch.allclose(g.gmm.covs[0], 1.5 * torch.eye(3, dtype=F64))
    assert g.gmm.dtype == F64 and g.sample(2).dtype == torch.get_default_dtype()
    assert D.get_density("mixture3-d400").entropy == D._MC_ENTROPY["mixture3-d400"][0]
    with pytest.raises(ValueError, match="8gaussians"):
        D.get_density("nope")


def test_parameters_are_as_documented():
    ring = D.eight_gaussians(dtype=F64)
    assert torch.allclose(ring.gmm.means.norm(dim=1), torch.full((8,), 4.0, dtype=F64))
    assert torch.allclose(ring.gmm.covs, 0.25 * torch.eye(2, dtype=F64).expand(8, 2, 2))
    mo = D.moons(dtype=F64)
    assert mo.gmm.n_components == 32 and torch.allclose(mo.gmm.mean(), torch.zeros(2, dtype=F64), atol=1e-12)
    w, m, v = D.highdim_mixture_params(16)
    assert torch.allclose(m.norm(dim=1), torch.full((3,), 4.0, dtype=F64))
    dist = torch.cdist(m, m)[~torch.eye(3, dtype=bool)]
    assert torch.allclose(dist, torch.full_like(dist, 4 * math.sqrt(3)))
    assert set(v.unique().tolist()) == {0.25, 0.5, 1.0}


# ----------------------------------------------------------------------------------------
# benchmark pairs
# ----------------------------------------------------------------------------------------
REQUIRED = ["gauss-8gaussians", "gauss-checkerboard", "gauss-moons", "gmm-pair", "mirror-checkerboard",
            "mirror-8gaussians", "hd-mixture-d16", "hd-mixture-d32"] + \
           [f"sb-gauss-d{d}-s{s}" for d in (2, 16, 64) for s in ("0.1", "1")] + \
           [f"sb-mixture-d{d}-s{s}" for d in (2, 16) for s in ("0.1", "1")]


def test_registry_names_and_errors():
    assert set(REQUIRED) <= set(BENCHMARKS)
    for name in BENCHMARKS:
        assert all(c.isalnum() or c in ".-" for c in name), name
    with pytest.raises(ValueError, match="gauss-checkerboard"):
        get_benchmark("no-such-pair")
    with pytest.raises(KeyError):
        BENCHMARKS["no-such-pair"]
    assert "hd-mixture-d100" in BENCHMARKS and "hd-mixture-d100" not in list(BENCHMARKS)
    p = get_benchmark("hd-mixture-d100")
    assert p.dim == 100 and p.rho1.name == "mixture3-d100"
    assert get_benchmark("gmm-pair") is get_benchmark("gmm-pair")  # cached
    assert set(benchmark_names("sb")) == {n for n in REQUIRED if n.startswith("sb-")}
    assert "mirror-checkerboard" in benchmark_names("mirror")


def _admitted_interpolant(pair: BenchmarkPair) -> Interpolant:
    if pair.mirror:
        return Interpolant("mirror", "brownian")
    if pair.latent == "rho0":
        return Interpolant("one-sided-linear")
    return Interpolant("linear", "brownian")


@pytest.mark.parametrize("name", list(BENCHMARKS))
def test_pair_ground_truth(name):
    pair = get_benchmark(name)
    assert pair.name == name and pair.rho0.dim == pair.rho1.dim == pair.dim
    assert pair.description
    assert pair.target_entropy == pair.rho1.entropy and pair.target_entropy_se == pair.rho1.entropy_se
    if pair.latent == "rho0":
        assert pair.rho0.gmm.is_standard_normal()
    if pair.mirror:
        assert pair.rho0 is pair.rho1
    with pytest.raises(dataclasses.FrozenInstanceError):
        pair.name = "x"
    x0, x1 = pair.sample(5, generator=gen(9))
    assert x0.shape == x1.shape == (5, pair.dim)
    if not pair.has_oracle:
        assert "checkerboard" in (pair.rho0.name, pair.rho1.name)
        with pytest.raises(ValueError, match="no exact oracle"):
            pair.oracle(Interpolant("linear", "brownian"))
        return
    # the oracle's rho_t is rho0 at t = 0 and rho1 at t = 1
    it = _admitted_interpolant(pair)
    assert pair.admits(it)
    orc = pair.oracle(it)
    for t, rho in ((0.0, pair.rho0), (1.0, pair.rho1)):  # (a mirror pair's rho0 is its rho1)
        x = rho.sample(64, generator=gen(10)).double()
        torch.testing.assert_close(orc.log_prob(torch.full((64,), t, dtype=F64), x), rho.log_prob(x),
                                   rtol=1e-8, atol=1e-8)


def test_oracle_rejects_inadmissible_interpolants():
    with pytest.raises(ValueError, match="N\\(0, I\\)"):
        get_benchmark("gmm-pair").oracle(Interpolant("one-sided-linear"))
    with pytest.raises(ValueError, match="mirror"):
        get_benchmark("gauss-8gaussians").oracle(Interpolant("mirror", "brownian"))
    assert not get_benchmark("hd-mixture-d16").admits(Interpolant("one-sided-trig"))
    # a two-sided path on a latent pair and a non-mirror path on a mirror pair are fine
    get_benchmark("gauss-moons").oracle(Interpolant("linear", "brownian"))
    get_benchmark("mirror-8gaussians").oracle(Interpolant("linear", "brownian"))


def test_bridge_pairs():
    for name in BENCHMARKS:
        pair = get_benchmark(name)
        assert pair.is_bridge == name.startswith("sb-")
        if not pair.is_bridge:
            assert pair.bridge is None and pair.sigma2 is None
            continue
        br = pair.bridge
        assert br.dim == pair.dim and br.sigma2 == pytest.approx(pair.sigma2)
        assert f"-s{pair.sigma2:g}" in name
        if name.startswith("sb-gauss"):
            torch.testing.assert_close(pair.rho0.gmm.means[0].double(), br.mean0, rtol=1e-6, atol=1e-6)
            torch.testing.assert_close(pair.rho1.gmm.covs[0].double(), br.cov1, rtol=1e-6, atol=1e-6)
        else:
            torch.testing.assert_close(pair.rho0.gmm.means.double(), br.rho0.means, rtol=1e-6, atol=1e-6)
            torch.testing.assert_close(pair.rho1.gmm.covs.double(), br.rho1.covs, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("name", ["sb-gauss-d2-s1", "sb-gauss-d16-s0.1"])
def test_gaussian_bridge_pair_oracle_matches_independent_coupling_bridge(name):
    """docs/theory.md §6: with C = 0 the bridge formulas give the independent-coupling interpolant with
    gamma = sigma sqrt(t(1-t)), i.e. the linear path with brownian gamma, a = sigma^2: its b and s
    are the pair's oracle fields."""
    from si.bridges import GaussianBridge
    pair = get_benchmark(name)
    br = pair.bridge
    ind = GaussianBridge(br.mean0, br.cov0, br.mean1, br.cov1, br.sigma, coupling="independent")
    orc = pair.oracle(Interpolant("linear", "brownian", a=pair.sigma2))
    t = torch.linspace(0.05, 0.95, 50, dtype=F64)
    x = ind.marginal_sample(t, 50, generator=gen(11))
    torch.testing.assert_close(orc.b(t, x), ind.velocity(t, x), rtol=1e-7, atol=1e-7)
    torch.testing.assert_close(orc.s(t, x), ind.score(t, x), rtol=1e-7, atol=1e-7)


def test_bridge_plan_marginals_are_the_pair_densities():
    """x0 and x1 of the bridge's plan follow rho0 and rho1 (mean log density = -entropy)."""
    for name in ("sb-gauss-d16-s1", "sb-mixture-d2-s0.1", "sb-mixture-d16-s1"):
        pair = get_benchmark(name)
        x0, x1 = pair.bridge.sample_plan(20_000, generator=gen(12))
        for x, rho in ((x0, pair.rho0), (x1, pair.rho1)):
            lp = rho.to(dtype=F64).log_prob(x)
            se = float(lp.std()) / math.sqrt(len(lp))
            assert abs(-float(lp.mean()) - rho.entropy) < 5 * math.sqrt(se ** 2 + rho.entropy_se ** 2), (name, rho.name)


# ----------------------------------------------------------------------------------------
# documentation
# ----------------------------------------------------------------------------------------
def test_docs_table_lists_every_density_and_pair():
    text = DOCS.read_text()
    for name in list(D.DENSITIES) + list(BENCHMARKS):
        assert f"`{name}`" in text, f"{name} missing from docs/densities.md"
    for name, (H, se) in D._MC_ENTROPY.items():
        if not name.startswith("mixture3-") or name in ("mixture3-d16", "mixture3-d32"):
            assert f"{H:.4f}" in text, f"entropy of {name} ({H:.4f}) missing from docs/densities.md"
