"""sibench.pairs: the registry, each pair's ground truth (oracle endpoints, entropies), the bridge pairs."""
from __future__ import annotations

import dataclasses
import math

import pytest
import torch

from sibench.pairs import BENCHMARKS, BenchmarkPair, benchmark_names, get_benchmark
from si.interpolants import Interpolant

from ..densities.common import F64, gen


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
