"""The Gaussian log-density kernel shared by every Gaussian mixture in si (docs/theory.md §6, §8).

    log w_k + log N(x; m_k, S_k) = log w_k - 1/2 |L_k^-1 (x - m_k)|^2 - 1/2 log det S_k - d/2 log 2 pi,
    grad_x log sum_k w_k N(x; m_k, S_k) = sum_k p_k(x) S_k^-1 (m_k - x),   p_k the posterior weights,

with S_k = L_k L_k^T (Cholesky). `GaussianMixture`, the exact interpolant oracle (`si.oracle`) and the
mixture-potential bridge (`si.bridges`) all compose these functions. Components are visited one at
a time, each solving on the whole (d, n) block of rows at once (or row by row when every row has its
own factor), with elementwise arithmetic when every covariance is diagonal: memory stays O(n d) per
component, so the kernel is usable in high dimension.
Mixtures as ground truth for stochastic interpolants: Albergo, Boffi & Vanden-Eijnden, arXiv:2303.08797.
"""
from __future__ import annotations

import math
from typing import Optional

import torch

Tensor = torch.Tensor
LOG_2PI = math.log(2 * math.pi)

__all__ = ["LOG_2PI", "cholesky_logdet", "is_diagonal", "whiten", "precision_solve", "gaussian_log_density",
           "gaussian_log_prob", "component_log_probs", "mixture_score"]


def cholesky_logdet(chol: Tensor) -> Tensor:
    """log det S = 2 sum_i log L_ii for Cholesky factors L (..., d, d)."""
    return 2 * torch.log(torch.diagonal(chol, dim1=-2, dim2=-1)).sum(-1)


def is_diagonal(covs: Tensor) -> bool:
    """True when every matrix of covs (..., d, d) has exactly zero off-diagonal entries."""
    off = covs - torch.diag_embed(torch.diagonal(covs, dim1=-2, dim2=-1))
    return bool((off == 0).all())


def whiten(chol: Tensor, diff: Tensor, diagonal: bool = False) -> Tensor:
    """L^-1 diff for rows diff (n, d): chol (d, d) shared by all rows (one triangular solve on the
    (d, n) block) or (n, d, d), one factor per row; elementwise division when L is diagonal."""
    if diagonal:
        return diff / torch.diagonal(chol, dim1=-2, dim2=-1)
    if chol.dim() == 2:
        return torch.linalg.solve_triangular(chol, diff.T, upper=False).T
    return torch.linalg.solve_triangular(chol, diff.unsqueeze(-1), upper=False).squeeze(-1)


def precision_solve(chol: Tensor, diff: Tensor, diagonal: bool = False) -> Tensor:
    """S^-1 diff for rows diff (n, d), S = L L^T; chol as in `whiten`."""
    if diagonal:
        return diff / torch.diagonal(chol, dim1=-2, dim2=-1) ** 2
    if chol.dim() == 2:
        return torch.cholesky_solve(diff.T, chol).T
    return torch.cholesky_solve(diff.unsqueeze(-1), chol).squeeze(-1)


def gaussian_log_density(sq_norm: Tensor, logdet: Tensor, dim: int, log_weight: Optional[Tensor] = None) -> Tensor:
    """[log w] + log N(x; m, S) from the squared whitened residual |L^-1 (x - m)|^2 and log det S."""
    head = -0.5 * sq_norm if log_weight is None else log_weight - 0.5 * sq_norm
    return head - 0.5 * logdet - 0.5 * dim * LOG_2PI


def gaussian_log_prob(x: Tensor, mean: Tensor, chol: Tensor) -> Tensor:
    """log N(x; mean, L L^T) for x (..., d), mean (..., d), chol L (..., d, d), broadcasting."""
    diff = (x - mean).unsqueeze(-1)
    chol, diff = torch.broadcast_tensors(chol, diff.expand(*diff.shape[:-1], chol.shape[-1]))
    sol = torch.linalg.solve_triangular(chol, diff[..., :1], upper=False).squeeze(-1)
    return gaussian_log_density((sol ** 2).sum(-1), cholesky_logdet(chol), mean.shape[-1])


def component_log_probs(x: Tensor, means: Tensor, chol: Tensor, logdet: Tensor, weights: Optional[Tensor] = None,
                        diagonal: bool = False) -> Tensor:
    """[log w_k] + log N(x; m_k, S_k) for x (n, d), shape (n, K).

    Shared components: means (K, d), chol (K, d, d), logdet (K,); or one set per row: means (n, K, d),
    chol (n, K, d, d), logdet (n, K). weights (K,) or None (then the log weights are left out).
    """
    d = x.shape[-1]
    cols = []
    for c in range(means.shape[-2]):
        sol = whiten(chol[..., c, :, :], x - means[..., c, :], diagonal)
        log_weight = None if weights is None else torch.log(weights[c])
        cols.append(gaussian_log_density((sol ** 2).sum(-1), logdet[..., c], d, log_weight))
    return torch.stack(cols, dim=-1)


def mixture_score(x: Tensor, posterior: Tensor, means: Tensor, chol: Tensor, diagonal: bool = False) -> Tensor:
    """sum_k p_k(x) S_k^-1 (m_k - x), the score of the mixture whose posterior weights are p (n, K)."""
    out = torch.zeros_like(x)
    for c in range(means.shape[-2]):
        sol = precision_solve(chol[..., c, :, :], x - means[..., c, :], diagonal)
        out -= posterior[:, c:c + 1] * sol
    return out
