"""Gaussian (Bures) distances and BW-UVP (docs/theory.md §7).

- bures_w2 / bures_w2_samples: W2 between Gaussians / Gaussian moment fits (closed form), with the
  PSD square roots of si.linalg.
- bw_uvp: 100 W2^2(fit of the model, truth) / Var(truth), Var the total variance trace(cov).
- conditional_bw_uvp: the same per conditioning point, averaged, against a known plan.
Returned as Python floats computed in float64. Used to score samplers of stochastic interpolants
(Albergo, Boffi & Vanden-Eijnden, arXiv:2303.08797) against closed-form bridges.
"""
from __future__ import annotations

import math
from typing import Tuple

import numpy as np
import torch

from ..linalg import sqrtm_psd_array
from .samples import ArrayLike, as_array

Tensor = torch.Tensor

__all__ = ["gaussian_fit", "bures_w2", "bures_w2_samples", "bw_uvp", "conditional_bw_uvp"]


def gaussian_fit(x: ArrayLike) -> Tuple[np.ndarray, np.ndarray]:
    """Moment fit: mean (d,) and unbiased covariance (d, d) of x (n, d), n >= 2."""
    a = as_array(x, "x")
    if len(a) < 2:
        raise ValueError("need at least 2 samples for a covariance")
    return a.mean(0), np.atleast_2d(np.cov(a, rowvar=False))


def _check_gaussian(mean, cov, name: str) -> Tuple[np.ndarray, np.ndarray]:
    m, S = as_array(mean, f"{name} mean", 1), as_array(cov, f"{name} cov", 2)
    if S.shape != (len(m), len(m)):
        raise ValueError(f"{name} cov must have shape ({len(m)}, {len(m)}), got {S.shape}")
    if not np.allclose(S, S.T, atol=1e-8, rtol=1e-6):
        raise ValueError(f"{name} cov must be symmetric")
    if np.linalg.eigvalsh(0.5 * (S + S.T)).min() < -1e-10 * max(1.0, np.abs(S).max()):
        raise ValueError(f"{name} cov must be positive semidefinite")
    return m, 0.5 * (S + S.T)


def bures_w2(mean0, cov0, mean1, cov1) -> float:
    """W2(N(m0, S0), N(m1, S1)) = (|m0 - m1|^2 + tr(S0 + S1 - 2 (S0^1/2 S1 S0^1/2)^1/2))^1/2."""
    m0, S0 = _check_gaussian(mean0, cov0, "first")
    m1, S1 = _check_gaussian(mean1, cov1, "second")
    if len(m0) != len(m1):
        raise ValueError(f"dimensions differ: {len(m0)} and {len(m1)}")
    r0 = sqrtm_psd_array(S0)
    cross = sqrtm_psd_array(r0 @ S1 @ r0)
    sq = float(np.sum((m0 - m1) ** 2) + np.trace(S0) + np.trace(S1) - 2 * np.trace(cross))
    return math.sqrt(max(sq, 0.0))


def bures_w2_samples(x: ArrayLike, y: ArrayLike) -> float:
    """Bures-W2 between the Gaussian moment fits of x and y."""
    return bures_w2(*gaussian_fit(x), *gaussian_fit(y))


def bw_uvp(x: ArrayLike, mean, cov) -> float:
    """BW-UVP = 100 W2^2(N(moment fit of x), N(mean, cov)) / tr(cov)  (percent of the target's variance)."""
    m, S = _check_gaussian(mean, cov, "target")
    var = float(np.trace(S))
    if var <= 0:
        raise ValueError("target variance must be positive")
    return 100.0 * bures_w2(*gaussian_fit(x), m, S) ** 2 / var


def conditional_bw_uvp(y: ArrayLike, cond_mean, cond_cov, var1: float) -> float:
    """Conditional BW-UVP against a known plan (Gushchin et al. 2023):

        100 / Var(rho1) * mean_i W2^2( N(fit of y[i]), N(cond_mean[i], cond_cov[i]) ),

    y (m, k, d): k model samples of X1 given each of m conditioning points x0_i; cond_mean (m, d) and
    cond_cov (m, d, d) or (d, d): the exact moments of X1 | X0 = x0_i; var1 = tr Cov(rho1).
    """
    Y = as_array(y, "y", 3)
    m, k, d = Y.shape
    if k < 2:
        raise ValueError("need at least 2 model samples per conditioning point")
    mu = as_array(cond_mean, "cond_mean", 2)
    S = np.asarray(cond_cov.detach().cpu().double() if isinstance(cond_cov, Tensor) else cond_cov, dtype=np.float64)
    if S.ndim == 2:
        S = np.broadcast_to(S, (m, d, d))
    if mu.shape != (m, d) or S.shape != (m, d, d):
        raise ValueError(f"cond_mean must be ({m}, {d}) and cond_cov ({m}, {d}, {d}) or ({d}, {d})")
    var1 = float(var1)
    if not var1 > 0:
        raise ValueError(f"var1 must be positive, got {var1}")
    total = sum(bures_w2(*gaussian_fit(Y[i]), mu[i], S[i]) ** 2 for i in range(m))
    return 100.0 * total / m / var1
