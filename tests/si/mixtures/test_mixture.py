"""si.mixtures.GaussianMixture against torch.distributions and autograd, in low and high dimension,
with full and diagonal covariances (docs/theory.md §6, §8). Deterministic, float64 unless stated;
tolerances 1e-10 cover round-off of O(1) log densities (a wrong formula is off by O(1))."""
import math

import pytest
import torch
from torch.distributions import Categorical, MixtureSameFamily, MultivariateNormal

from si import GaussianMixture
from si.mixtures import standard_normal

from ...conftest import randn, random_gmm

F64 = torch.float64


def reference(gmm):
    return MixtureSameFamily(Categorical(probs=gmm.weights), MultivariateNormal(gmm.means, gmm.covs))


def diagonal_gmm(K, d, seed):
    g = torch.Generator().manual_seed(seed)
    w = torch.rand(K, generator=g, dtype=F64) + 0.5
    return GaussianMixture(w / w.sum(), 2 * torch.randn(K, d, generator=g, dtype=F64),
                           torch.diag_embed(0.2 + torch.rand(K, d, generator=g, dtype=F64)))


@pytest.mark.parametrize("make", [lambda: random_gmm(3, 1, 0), lambda: random_gmm(4, 3, 1),
                                  lambda: random_gmm(3, 20, 2), lambda: diagonal_gmm(3, 5, 3)],
                         ids=["d1", "d3", "d20", "diagonal-d5"])
def test_log_prob_and_score_are_exact(make):
    gmm = make()
    x = gmm.sample(200, generator=torch.Generator().manual_seed(4)) + randn(200, gmm.dim, 5)
    torch.testing.assert_close(gmm.log_prob(x), reference(gmm).log_prob(x), rtol=1e-10, atol=1e-10)
    xr = x.clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(reference(gmm).log_prob(xr).sum(), xr)
    torch.testing.assert_close(gmm.score(x), grad, rtol=1e-9, atol=1e-10)
    assert gmm.component_log_prob(x).shape == (200, gmm.n_components)


def test_high_dimension_diagonal_and_full():
    """d = 256: the kernel loops over components with (d, n) solves; checked against per-component
    torch.distributions on a few rows (n = 500 evaluated)."""
    for gmm in (diagonal_gmm(3, 256, 6), random_gmm(3, 256, 7, spread=0.5)):
        x = gmm.sample(500, generator=torch.Generator().manual_seed(8))
        lp = gmm.log_prob(x)
        torch.testing.assert_close(lp[:5], reference(gmm).log_prob(x[:5]), rtol=1e-10, atol=1e-8)
        assert bool(torch.isfinite(gmm.score(x)).all())
    assert diagonal_gmm(2, 4, 0).diagonal and not random_gmm(2, 4, 0).diagonal


def test_results_follow_the_dtype_of_x():
    gmm = random_gmm(3, 2, 9)
    x = randn(100, 2, 10)
    lp32, s32 = gmm.log_prob(x.float()), gmm.score(x.float())
    assert lp32.dtype == s32.dtype == torch.float32
    torch.testing.assert_close(lp32.double(), gmm.log_prob(x), rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(s32.double(), gmm.score(x), rtol=1e-4, atol=1e-5)


def test_standard_normal_and_bad_shapes():
    rho = standard_normal(3, dtype=F64)
    x = randn(10, 3, 11)
    torch.testing.assert_close(rho.log_prob(x), -0.5 * (x ** 2).sum(1) - 1.5 * math.log(2 * math.pi))
    torch.testing.assert_close(rho.score(x), -x)
    assert rho.is_standard_normal() and rho.diagonal
    with pytest.raises(ValueError, match="shape"):
        rho.log_prob(torch.zeros(4, 2, dtype=F64))


EYE2 = torch.eye(2, dtype=F64)


@pytest.mark.parametrize("weights,means,covs,message", [
    ([1.0], [[float("nan"), 0.0]], [EYE2], r"means must be finite; component\(s\) \[0\]"),
    ([0.5, 0.5], [[0.0, 0.0], [1.0, float("inf")]], [EYE2, EYE2], r"means must be finite; component\(s\) \[1\]"),
    ([1.0], [[0.0, 0.0]], [[[float("inf"), 0.0], [0.0, 1.0]]], r"covs must be finite; component\(s\) \[0\]"),
    ([float("nan"), 0.5], [[0.0, 0.0], [1.0, 1.0]], [EYE2, EYE2], r"weights must be finite; component\(s\) \[0\]"),
    ([1.5, -0.5], [[0.0, 0.0], [1.0, 1.0]], [EYE2, EYE2], r"weights must be positive; component\(s\) \[1\]"),
    ([0.7, 0.7], [[0.0, 0.0], [1.0, 1.0]], [EYE2, EYE2], r"weights must sum to 1, got sum 1.4"),
], ids=["nan mean", "inf mean", "inf cov", "nan weight", "negative weight", "sum"])
def test_bad_parameters_are_refused_naming_the_problem(weights, means, covs, message):
    """A NaN mean used to give a mixture whose every log density is NaN; a negative weight whose
    weights still sum to 1 used to be refused with 'got sum 1'."""
    with pytest.raises(ValueError, match=message):
        GaussianMixture(torch.tensor(weights, dtype=F64), torch.tensor(means, dtype=F64),
                        torch.stack([torch.as_tensor(c, dtype=F64) for c in covs]))
