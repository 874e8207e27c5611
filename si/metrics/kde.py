"""Gaussian kernel density estimates and the KL between two of them: the metric of the paper's
section 7.2 (Albergo, Boffi & Vanden-Eijnden, arXiv:2303.08797; docs/theory.md §9.3).

A Gaussian KDE of samples x_1..x_n in R^d with bandwidth matrix H is

    p^(y) = (1/n) sum_i N(y; x_i, H),     H = f^2 S,

S the samples' unbiased covariance and f the bandwidth factor; Scott's rule f = n^(-1/(d+4)) (the
default of scipy.stats.gaussian_kde), Silverman's f = (n (d+2) / 4)^(-1/(d+4)). Its mean is the
true density convolved with N(0, H): for p = N(m, C) and S = C, E p^ = N(m, (1 + f^2) C).

The paper's metric: KDEs p^ of target samples and q^ of model samples (50,000 each), and
KL(p^ || q^) estimated at fresh target points y_j ~ rho_1 (not drawn from p^) by the paired
estimator of `si.metrics.kl` with its control variate:

    KL ~ (1/m) sum_j [ r_j - 1 - log r_j ],   r_j = q^(y_j) / p^(y_j).

The control variate has mean E_rho1[r - 1], which is zero only to the extent that p^ = rho_1: the
estimate mixes the KDEs' smoothing bias with the KL (a marginal's KL is at most the joint's).
Log densities are summed with logsumexp in float64, the data in chunks of rows (memory bounded by
CHUNK_ELEMENTS pairs at a time).
"""
from __future__ import annotations

import math
from typing import Optional, Union

import numpy as np
import torch

from ..likelihood.entropy import Estimate
from ..mixtures import LOG_2PI
from .kl import paired_kl
from .samples import ArrayLike, as_array

Tensor = torch.Tensor
RULES = ("scott", "silverman")
CHUNK_ELEMENTS = 2 ** 23   # (evaluation points) x (data points) handled at once

__all__ = ["GaussianKDE", "bandwidth_factor", "kde_kl", "RULES", "CHUNK_ELEMENTS"]


def bandwidth_factor(n: int, d: int, rule: Union[str, float] = "scott") -> float:
    """f of H = f^2 S: Scott's n^(-1/(d+4)), Silverman's (n (d+2)/4)^(-1/(d+4)), or a given f > 0."""
    if isinstance(rule, bool):
        raise ValueError(f"bandwidth rule must be {list(RULES)} or a positive number, got {rule!r}")
    if isinstance(rule, (int, float)):
        if not (math.isfinite(rule) and rule > 0):
            raise ValueError(f"a bandwidth factor must be a positive number, got {rule!r}")
        return float(rule)
    if rule == "scott":
        return float(n) ** (-1.0 / (d + 4))
    if rule == "silverman":
        return (n * (d + 2) / 4.0) ** (-1.0 / (d + 4))
    raise ValueError(f"unknown bandwidth rule {rule!r}; valid: {list(RULES)} or a positive number")


class GaussianKDE:
    """p^(y) = (1/n) sum_i N(y; x_i, H) with H = f^2 Cov(x) (module doc); float64 on the CPU.

    >>> kde = GaussianKDE(x)                # Scott's rule
    >>> kde.log_prob(y)                     # (m,) float64 tensor
    """

    def __init__(self, x: ArrayLike, rule: Union[str, float] = "scott", bandwidth: Optional[ArrayLike] = None):
        data = torch.from_numpy(as_array(x, "x"))
        n, d = data.shape
        if bandwidth is not None:
            H = torch.from_numpy(as_array(bandwidth, "bandwidth"))
            if H.shape != (d, d):
                raise ValueError(f"bandwidth must have shape ({d}, {d}), got {tuple(H.shape)}")
            self.factor = float("nan")
        else:
            if n < 2:
                raise ValueError(f"a bandwidth rule needs at least 2 samples, got {n}")
            self.factor = bandwidth_factor(n, d, rule)
            H = self.factor ** 2 * torch.from_numpy(np.atleast_2d(np.cov(data.numpy(), rowvar=False)))
        L, info = torch.linalg.cholesky_ex(H)
        if int(info) != 0:
            raise ValueError("the KDE bandwidth matrix is not positive definite (samples on a subspace, or "
                             "all equal); give a bandwidth")
        self.data, self.bandwidth, self._chol = data, H, L
        self._white = torch.linalg.solve_triangular(L, data.T, upper=False).T     # L^-1 x_i, (n, d)
        # log N(0; 0, H) = -d/2 log 2 pi - 1/2 log det H
        self._log_norm = -0.5 * d * LOG_2PI - float(torch.log(torch.diagonal(L)).sum())

    @property
    def n(self) -> int:
        return self.data.shape[0]

    @property
    def dim(self) -> int:
        return self.data.shape[1]

    def _whitened(self, y: ArrayLike) -> Tensor:
        pts = torch.from_numpy(as_array(y, "y"))
        if pts.shape[1] != self.dim:
            raise ValueError(f"y must have shape (m, {self.dim}), got {tuple(pts.shape)}")
        return torch.linalg.solve_triangular(self._chol, pts.T, upper=False).T        # (m, d)

    def _log_kernels(self, wy: Tensor) -> Tensor:
        # |L^-1 (y - x)|^2 = |wy|^2 + |wx|^2 - 2 wy . wx  (clamped at 0 against round-off of the expansion)
        sq = (wy ** 2).sum(1, keepdim=True) + (self._white ** 2).sum(1)[None, :] - 2.0 * (wy @ self._white.T)
        return -0.5 * sq.clamp_min(0.0) + self._log_norm

    def log_kernels(self, y: ArrayLike) -> Tensor:
        """log N(y_j; x_i, H) for every point y_j (rows) and sample x_i (columns): (m, n), float64. A
        resampled KDE with multiplicities c_i is log sum_i c_i e^(entry) - log sum_i c_i (a bootstrap)."""
        return self._log_kernels(self._whitened(y))

    def log_prob(self, y: ArrayLike) -> Tensor:
        """log p^(y) for the rows of y (m, d), float64, shape (m,)."""
        wy = self._whitened(y)
        rows = max(1, CHUNK_ELEMENTS // self.n)
        out = [torch.logsumexp(self._log_kernels(wy[i:i + rows]), dim=1) for i in range(0, len(wy), rows)]
        return torch.cat(out) - math.log(self.n) if out else torch.zeros(0, dtype=torch.float64)


def kde_kl(p_samples: ArrayLike, q_samples: ArrayLike, points: ArrayLike, rule: Union[str, float] = "scott",
           control_variate: bool = True) -> Estimate:
    """KL(p^ || q^) between the Gaussian KDEs of p_samples and q_samples, estimated at `points` drawn from
    the target (module doc; si.metrics.paired_kl with or without its control variate). Raises if q^
    underflows to 0 at a point (log q^ = -inf: the model's KDE has no mass there at float64)."""
    log_p = GaussianKDE(p_samples, rule).log_prob(points)
    log_q = GaussianKDE(q_samples, rule).log_prob(points)
    return paired_kl(log_p, log_q, control_variate=control_variate)
