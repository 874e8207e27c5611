"""si.bridges.plan: exact marginal and path samples of a Brownian bridge over a plan.

Statistical tests use fixed seeds and tolerances of 5 standard errors (SE) of the estimator, with
the SE computed from the *exact* moments: for a sample covariance entry
Var(S_ij) = (S_ii S_jj + S_ij^2) / n, for a sample cross-covariance Var(C_ij) = (A_ii B_jj + C_ij^2) / n
(Gaussian fourth moments; used as an approximation for mixtures), for a mean S_ii / n. With up to
a few hundred entries per test, 5 SE keeps the family-wise false alarm rate below 1e-3.
"""
import torch

from sibench.pairs.bridges import gaussian_sb_pair

from ...conftest import max_z, random_bridge, sample_cov

F64 = torch.float64


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
