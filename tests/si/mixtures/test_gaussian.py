"""si.mixtures.gaussian, the one Gaussian log-density kernel, against torch.distributions and autograd.

Everything is float64 and deterministic; tolerances 1e-10 cover round-off of O(1) quantities
(a wrong formula is off by O(1)).
"""
import math

import torch
from torch.distributions import MultivariateNormal

from si.mixtures import (cholesky_logdet, component_log_probs, gaussian_log_density, gaussian_log_prob,
                         is_diagonal, mixture_score, precision_solve, whiten)

from ...conftest import randn, spd

F64 = torch.float64
K, D, N = 3, 4, 50


def components(diagonal=False):
    """(weights (K,), means (K, D), covariances (K, D, D)), fixed."""
    g = torch.Generator().manual_seed(3)
    w = torch.rand(K, generator=g, dtype=F64) + 0.5
    means = 2 * torch.randn(K, D, generator=g, dtype=F64)
    if diagonal:
        covs = torch.diag_embed(0.3 + torch.rand(K, D, generator=g, dtype=F64))
    else:
        covs = torch.stack([spd(D, seed, 0.3, 2.0) for seed in range(K)])
    return w / w.sum(), means, covs


def reference_component_log_probs(x, w, means, covs):
    return torch.stack([torch.log(w[k]) + MultivariateNormal(means[k], covs[k]).log_prob(x) for k in range(K)], -1)


def test_gaussian_log_prob_and_density_formula():
    _, means, covs = components()
    x = randn(N, D, 1)
    chol = torch.linalg.cholesky(covs[0])
    expected = MultivariateNormal(means[0], covs[0]).log_prob(x)
    torch.testing.assert_close(gaussian_log_prob(x, means[0], chol), expected, rtol=1e-10, atol=1e-10)
    sq = (whiten(chol, x - means[0]) ** 2).sum(-1)
    logdet = cholesky_logdet(chol)
    torch.testing.assert_close(logdet, torch.logdet(covs[0]), rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(gaussian_log_density(sq, logdet, D), expected, rtol=1e-10, atol=1e-10)
    lw = torch.tensor(math.log(0.25), dtype=F64)
    torch.testing.assert_close(gaussian_log_density(sq, logdet, D, lw), expected + lw, rtol=1e-10, atol=1e-10)


def test_component_log_probs_shared_and_per_row_agree_with_torch():
    """Shared components (K, D) and the same components repeated per row (N, K, D) give the same
    values, both equal to torch.distributions'."""
    w, means, covs = components()
    x = randn(N, D, 2)
    chol = torch.linalg.cholesky(covs)
    expected = reference_component_log_probs(x, w, means, covs)
    shared = component_log_probs(x, means, chol, cholesky_logdet(chol), weights=w)
    rows = component_log_probs(x, means.expand(N, -1, -1), chol.expand(N, -1, -1, -1),
                               cholesky_logdet(chol).expand(N, -1), weights=w)
    torch.testing.assert_close(shared, expected, rtol=1e-10, atol=1e-10)
    torch.testing.assert_close(rows, expected, rtol=1e-10, atol=1e-10)
    no_weights = component_log_probs(x, means, chol, cholesky_logdet(chol))
    torch.testing.assert_close(no_weights, expected - torch.log(w), rtol=1e-10, atol=1e-10)


def test_diagonal_fast_path_equals_the_triangular_solves():
    w, means, covs = components(diagonal=True)
    assert is_diagonal(covs) and not is_diagonal(components()[2])
    x = randn(N, D, 4)
    chol = torch.linalg.cholesky(covs)
    for c in range(K):
        diff = x - means[c]
        torch.testing.assert_close(whiten(chol[c], diff, diagonal=True), whiten(chol[c], diff), rtol=1e-12, atol=1e-12)
        torch.testing.assert_close(precision_solve(chol[c], diff, diagonal=True),
                                   torch.linalg.solve(covs[c], diff.T).T, rtol=1e-12, atol=1e-12)
    fast = component_log_probs(x, means, chol, cholesky_logdet(chol), weights=w, diagonal=True)
    torch.testing.assert_close(fast, reference_component_log_probs(x, w, means, covs), rtol=1e-10, atol=1e-10)


def test_precision_solve_shared_and_per_row():
    _, means, covs = components()
    x = randn(N, D, 5)
    chol = torch.linalg.cholesky(covs[1])
    expected = torch.linalg.solve(covs[1], (x - means[1]).T).T
    torch.testing.assert_close(precision_solve(chol, x - means[1]), expected, rtol=1e-10, atol=1e-10)
    torch.testing.assert_close(precision_solve(chol.expand(N, -1, -1), x - means[1]), expected, rtol=1e-10, atol=1e-10)


def test_mixture_score_is_the_gradient_of_the_log_density():
    for diagonal in (False, True):
        w, means, covs = components(diagonal)
        chol = torch.linalg.cholesky(covs)
        x = randn(N, D, 6).requires_grad_(True)
        comp = component_log_probs(x, means, chol, cholesky_logdet(chol), weights=w, diagonal=diagonal)
        (grad,) = torch.autograd.grad(torch.logsumexp(comp, -1).sum(), x)
        score = mixture_score(x.detach(), torch.softmax(comp.detach(), -1), means, chol, diagonal)
        torch.testing.assert_close(score, grad, rtol=1e-10, atol=1e-10)
