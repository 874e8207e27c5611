"""Gaussian mixtures with exact sampling, log density and score (docs/theory.md §6, §8).

rho(x) = sum_k w_k N(x; m_k, S_k), evaluated with the kernel of `si.mixtures.gaussian`: one component
at a time, triangular solves on (d, n) blocks, elementwise when every covariance is diagonal (memory
O(n d) per component). Parameters are cast to the dtype and device of x before evaluating.
Mixtures as ground truth for stochastic interpolants: Albergo, Boffi & Vanden-Eijnden, arXiv:2303.08797.
"""
from __future__ import annotations

from typing import Optional, Tuple

import torch

from .gaussian import cholesky_logdet, component_log_probs, is_diagonal, mixture_score

Tensor = torch.Tensor

__all__ = ["GaussianMixture", "standard_normal"]


class GaussianMixture:
    """rho(x) = sum_k w_k N(x; m_k, S_k).

    weights (K,) positive, summing to one; means (K, d); covs (K, d, d) symmetric positive definite;
    every entry finite (a NaN or inf is refused, naming the component, rather than spread into every density).
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
        for name, a in (("weights", w), ("means", m), ("covs", S)):
            bad = [k for k in range(K) if not bool(torch.isfinite(a[k]).all())]
            if bad:
                raise ValueError(f"{name} must be finite; component(s) {bad} hold NaN or inf")
        if not bool((w > 0).all()):
            raise ValueError(f"weights must be positive; component(s) {(w <= 0).nonzero().flatten().tolist()} have "
                             f"weight(s) {w[w <= 0].tolist()}")
        if abs(float(w.sum()) - 1) > 1e-6:
            raise ValueError(f"weights must sum to 1, got sum {float(w.sum()):.6g}")
        if not torch.allclose(S, S.transpose(-1, -2), atol=1e-10, rtol=1e-8):
            raise ValueError("covs must be symmetric")
        chol, info = torch.linalg.cholesky_ex(S)
        if bool((info != 0).any()):
            raise ValueError("covs must be positive definite")
        self.weights, self.means, self.covs, self.chol = w / w.sum(), m, S, chol
        self.logdet = cholesky_logdet(chol)   # (K,) log det S_k
        self.diagonal = is_diagonal(S)        # every S_k diagonal: elementwise solves

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

    def params_like(self, x: Tensor) -> Tuple[Tensor, Tensor, Tensor, Tensor]:
        """(weights, means, chol, logdet) in the dtype and on the device of x."""
        f = lambda a: a.to(dtype=x.dtype, device=x.device)  # noqa: E731
        return f(self.weights), f(self.means), f(self.chol), f(self.logdet)

    def component_log_prob(self, x: Tensor) -> Tensor:
        """log w_k + log N(x; m_k, S_k), shape (n, K), in the dtype and on the device of x."""
        self._check(x)
        w, m, L, logdet = self.params_like(x)
        return component_log_probs(x, m, L, logdet, weights=w, diagonal=self.diagonal)

    def log_prob(self, x: Tensor) -> Tensor:
        return torch.logsumexp(self.component_log_prob(x), dim=-1)

    def score(self, x: Tensor) -> Tensor:
        """grad log rho(x) = sum_k w_k(x) [-S_k^-1 (x - m_k)], exact."""
        post = torch.softmax(self.component_log_prob(x), dim=-1)  # (n, K)
        _, m, L, _ = self.params_like(x)
        return mixture_score(x, post, m, L, self.diagonal)

    def _check(self, x: Tensor) -> None:
        if x.dim() != 2 or x.shape[1] != self.dim:
            raise ValueError(f"x must have shape (n, {self.dim}), got {tuple(x.shape)}")


def standard_normal(d: int, dtype=None, device=None) -> GaussianMixture:
    dtype = dtype or torch.get_default_dtype()
    return GaussianMixture(torch.ones(1, dtype=dtype, device=device), torch.zeros(1, d, dtype=dtype, device=device),
                           torch.eye(d, dtype=dtype, device=device)[None])
