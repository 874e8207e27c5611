"""Gaussian mixtures with exact sampling and log density (Cholesky solves, log-sum-exp)."""
from __future__ import annotations

import math
from typing import Optional

import torch

Tensor = torch.Tensor
LOG_2PI = math.log(2 * math.pi)


def gaussian_log_prob(x: Tensor, mean: Tensor, chol: Tensor) -> Tensor:
    """log N(x; mean, L L^T) for x (..., d), mean (..., d), chol L (..., d, d), broadcasting."""
    diff = (x - mean).unsqueeze(-1)
    chol, diff = torch.broadcast_tensors(chol, diff.expand(*diff.shape[:-1], chol.shape[-1]))
    sol = torch.linalg.solve_triangular(chol, diff[..., :1], upper=False).squeeze(-1)
    logdet = 2 * torch.log(torch.diagonal(chol, dim1=-2, dim2=-1)).sum(-1)
    d = mean.shape[-1]
    return -0.5 * (sol ** 2).sum(-1) - 0.5 * logdet - 0.5 * d * LOG_2PI


class GaussianMixture:
    """rho(x) = sum_k w_k N(x; m_k, S_k).

    weights (K,) positive, summing to one; means (K, d); covs (K, d, d) symmetric positive definite.
    """

    def __init__(self, weights, means, covs):
        w = torch.as_tensor(weights)
        m = torch.as_tensor(means)
        S = torch.as_tensor(covs)
        dtype = torch.promote_types(torch.promote_types(w.dtype, m.dtype), S.dtype)
        if not dtype.is_floating_point:
            dtype = torch.get_default_dtype()
        w, m, S = w.to(dtype), m.to(dtype), S.to(dtype)
        if m.dim() != 2:
            raise ValueError(f"means must have shape (K, d), got {tuple(m.shape)}")
        K, d = m.shape
        if w.shape != (K,):
            raise ValueError(f"weights must have shape ({K},), got {tuple(w.shape)}")
        if S.shape != (K, d, d):
            raise ValueError(f"covs must have shape ({K}, {d}, {d}), got {tuple(S.shape)}")
        if not bool((w > 0).all()) or abs(float(w.sum()) - 1) > 1e-6:
            raise ValueError(f"weights must be positive and sum to 1, got sum {float(w.sum()):.6g}")
        if not torch.allclose(S, S.transpose(-1, -2), atol=1e-10, rtol=1e-8):
            raise ValueError("covs must be symmetric")
        chol, info = torch.linalg.cholesky_ex(S)
        if bool((info != 0).any()):
            raise ValueError("covs must be positive definite")
        self.weights, self.means, self.covs, self.chol = w / w.sum(), m, S, chol

    # -- basic properties ----------------------------------------------------------------
    @property
    def dim(self) -> int:
        return self.means.shape[1]

    @property
    def n_components(self) -> int:
        return self.means.shape[0]

    @property
    def dtype(self) -> torch.dtype:
        return self.means.dtype

    def to(self, device=None, dtype=None) -> "GaussianMixture":
        f = lambda a: a.to(device=device, dtype=dtype)  # noqa: E731
        return GaussianMixture(f(self.weights), f(self.means), f(self.covs))

    def mean(self) -> Tensor:
        return self.weights @ self.means

    def cov(self) -> Tensor:
        mu = self.mean()
        dm = self.means - mu
        return torch.einsum("k,kij->ij", self.weights, self.covs) + torch.einsum("k,ki,kj->ij", self.weights, dm, dm)

    def is_standard_normal(self) -> bool:
        eye = torch.eye(self.dim, dtype=self.dtype, device=self.means.device)
        return self.n_components == 1 and bool(self.means.abs().max() == 0) and bool(
            torch.allclose(self.covs[0], eye))

    # -- sampling and density ------------------------------------------------------------
    def sample(self, n: int, generator: Optional[torch.Generator] = None) -> Tensor:
        if n < 0:
            raise ValueError(f"n must be non-negative, got {n}")
        dev = self.means.device
        k = torch.multinomial(self.weights, n, replacement=True, generator=generator) if n else \
            torch.zeros(0, dtype=torch.long, device=dev)
        z = torch.randn(n, self.dim, generator=generator, dtype=self.dtype, device=dev)
        return self.means[k] + torch.einsum("nij,nj->ni", self.chol[k], z)

    def component_log_prob(self, x: Tensor) -> Tensor:
        """log w_k + log N(x; m_k, S_k), shape (n, K)."""
        self._check(x)
        return torch.log(self.weights) + gaussian_log_prob(x[:, None, :], self.means, self.chol)

    def log_prob(self, x: Tensor) -> Tensor:
        return torch.logsumexp(self.component_log_prob(x), dim=-1)

    def score(self, x: Tensor) -> Tensor:
        """grad log rho(x), exact."""
        self._check(x)
        w = torch.softmax(self.component_log_prob(x), dim=-1)  # (n, K)
        diff = (self.means[None] - x[:, None, :]).unsqueeze(-1)
        sol = torch.cholesky_solve(diff, self.chol[None].expand(x.shape[0], -1, -1, -1)).squeeze(-1)
        return (w[..., None] * sol).sum(1)

    def _check(self, x: Tensor) -> None:
        if x.dim() != 2 or x.shape[1] != self.dim:
            raise ValueError(f"x must have shape (n, {self.dim}), got {tuple(x.shape)}")


def standard_normal(d: int, dtype=None, device=None) -> GaussianMixture:
    dtype = dtype or torch.get_default_dtype()
    return GaussianMixture(torch.ones(1, dtype=dtype, device=device), torch.zeros(1, d, dtype=dtype, device=device),
                           torch.eye(d, dtype=dtype, device=device)[None])
