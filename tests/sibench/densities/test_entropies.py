"""sibench.densities: every stated entropy (analytic or stored) agrees with a fresh Monte Carlo estimate."""
from __future__ import annotations

import math

import pytest
import torch

from sibench import densities as D

from .common import ALL, F64


# ----------------------------------------------------------------------------------------
# entropies
# ----------------------------------------------------------------------------------------
def test_every_benchmark_density_has_a_stated_entropy():
    """Every named density carries its entropy in code (analytic or a stored constant), none lazily."""
    for name, rho in ALL.items():
        if isinstance(rho, D.MixtureDensity):
            assert rho.entropy_known, f"{name}: entropy not stored (run benchmarks/entropies.py)"
        assert math.isfinite(rho.entropy) and rho.entropy_se >= 0
        if rho.gmm is not None and rho.gmm.n_components > 1:
            assert name in D.MC_ENTROPIES and 0 < rho.entropy_se < 0.02


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
        H, se = D.MC_ENTROPIES[f"mixture3-d{d}"]
        assert abs(H - D.highdim_separated_entropy(d)) < 4 * se + 1e-3, d


def test_one_dimensional_entropies_match_separated_components():
    for name, w in [("gmm1d-source", [0.5] * 2), ("gmm1d-target", [1 / 3] * 3)]:
        H, se = D.MC_ENTROPIES[name]
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
    assert not m.entropy_known
    assert abs(m.entropy - (math.log(2) + math.log(2 * math.pi * math.e))) < 4 * m.entropy_se + 1e-3
    m2 = D.mixture_density("two", [0.5, 0.5], [[-5.0, 0.0], [5.0, 0.0]], torch.eye(2).expand(2, 2, 2),
                           entropy=1.0, entropy_se=0.1)
    assert (m2.entropy, m2.entropy_se) == (1.0, 0.1)
