"""Distances between sample sets and to exact ground truth (docs/theory.md §7), on POT.

Every distance here is returned as W2 (a distance), never its square, as a Python float computed in
float64. Inputs are tensors or arrays of shape (n, d).

- w2: exact W2 between empirical measures, ot.emd2 on the squared Euclidean cost with numItermax
  >= 1e7; POT stops early with only a warning, which is raised here as an error.
- w2_floor: W2 between two independent sample sets of the truth at the same n (report beside w2).
- sliced_w2: sliced W2 (random directions), for large n.
- bures_w2 / bures_w2_samples: W2 between Gaussians / Gaussian moment fits (closed form).
- bw_uvp: 100 W2^2(fit of the model, truth) / Var(truth), Var the total variance trace(cov).
- conditional_bw_uvp: the same per conditioning point, averaged, against a known plan.
- coupling_w2: W2 between joint (x0, x1) samples and samples of an exact plan.
- path_energy: mean of sum_k |x_{k+1} - x_k|^2 / (t_{k+1} - t_k) along discretised paths.
- bridge_metrics: the Schroedinger-bridge benchmark's evaluations in one call.
"""
from __future__ import annotations

import math
from typing import Dict, Mapping, Optional, Tuple, Union

import numpy as np
import ot
import torch

from .couplings import NUM_ITERMAX, exact_ot

Tensor = torch.Tensor
ArrayLike = Union[Tensor, np.ndarray]

__all__ = ["w2", "w2_floor", "sliced_w2", "gaussian_fit", "bures_w2", "bures_w2_samples", "bw_uvp",
           "conditional_bw_uvp", "coupling_w2", "path_energy", "bridge_metrics", "NUM_ITERMAX"]


def _np(x: ArrayLike, name: str = "x", ndim: int = 2) -> np.ndarray:
    if isinstance(x, Tensor):
        x = x.detach().to("cpu", torch.float64).numpy()
    a = np.asarray(x, dtype=np.float64)
    if a.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimensions, got shape {a.shape}")
    if not np.isfinite(a).all():
        raise ValueError(f"{name} has non-finite entries")
    return a


def _pair(x: ArrayLike, y: ArrayLike) -> Tuple[np.ndarray, np.ndarray]:
    a, b = _np(x, "x"), _np(y, "y")
    if a.shape[1] != b.shape[1]:
        raise ValueError(f"x and y must share a dimension, got {a.shape[1]} and {b.shape[1]}")
    if len(a) == 0 or len(b) == 0:
        raise ValueError("x and y must be non-empty")
    return a, b


# ----------------------------------------------------------------------------------------
# sample-based W2
# ----------------------------------------------------------------------------------------
def w2(x: ArrayLike, y: ArrayLike, num_itermax: int = NUM_ITERMAX) -> float:
    """Exact W2 between the empirical measures of x (n, d) and y (m, d), uniform weights.

    ot.emd2 on ot.dist (squared Euclidean). If the network simplex stops before optimality (POT
    only warns), RuntimeError is raised: the returned value would be an upper bound, not W2.
    """
    a, b = _pair(x, y)
    if num_itermax < 1:
        raise ValueError(f"num_itermax must be positive, got {num_itermax}")
    M = ot.dist(a, b)  # squared Euclidean by default
    wa, wb = np.full(len(a), 1.0 / len(a)), np.full(len(b), 1.0 / len(b))
    cost = exact_ot(ot.emd2, wa, wb, M, num_itermax)
    return math.sqrt(max(float(cost), 0.0))


def _draw(sample, n: int, generator: Optional[torch.Generator]):
    if hasattr(sample, "sample"):
        return sample.sample(n, generator=generator)
    if callable(sample):
        return sample(n, generator)
    raise ValueError("sample must be a callable (n, generator) -> samples or have a .sample(n, generator=) method")


def w2_floor(sample, n: int, generator: Optional[torch.Generator] = None, num_itermax: int = NUM_ITERMAX) -> float:
    """W2 between two independent sample sets of size n of the truth (the value a perfect model gets).

    sample: an object with .sample(n, generator=None), or a callable (n, generator) -> (n, d).
    """
    if int(n) != n or n < 1:
        raise ValueError(f"n must be a positive integer, got {n}")
    return w2(_draw(sample, n, generator), _draw(sample, n, generator), num_itermax=num_itermax)


def sliced_w2(x: ArrayLike, y: ArrayLike, n_projections: int = 256, seed: int = 0) -> float:
    """Sliced W2, (mean over random unit directions theta of W2^2(theta.x, theta.y))^1/2
    (ot.sliced_wasserstein_distance, p = 2). In d = 1 it is W2 itself; in general SW2 <= W2 / sqrt(d)
    (E (theta.v)^2 = |v|^2 / d), so compare sliced values with each other, not with W2."""
    a, b = _pair(x, y)
    if n_projections < 1:
        raise ValueError(f"n_projections must be positive, got {n_projections}")
    return float(ot.sliced_wasserstein_distance(a, b, n_projections=int(n_projections), p=2, seed=seed))


# ----------------------------------------------------------------------------------------
# Gaussian (Bures) distances
# ----------------------------------------------------------------------------------------
def gaussian_fit(x: ArrayLike) -> Tuple[np.ndarray, np.ndarray]:
    """Moment fit: mean (d,) and unbiased covariance (d, d) of x (n, d), n >= 2."""
    a = _np(x, "x")
    if len(a) < 2:
        raise ValueError("need at least 2 samples for a covariance")
    return a.mean(0), np.atleast_2d(np.cov(a, rowvar=False))


def _sqrtm_psd(M: np.ndarray) -> np.ndarray:
    lam, V = np.linalg.eigh(0.5 * (M + M.T))
    return (V * np.sqrt(np.clip(lam, 0, None))) @ V.T


def _check_gaussian(mean, cov, name: str) -> Tuple[np.ndarray, np.ndarray]:
    m, S = _np(mean, f"{name} mean", 1), _np(cov, f"{name} cov", 2)
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
    r0 = _sqrtm_psd(S0)
    cross = _sqrtm_psd(r0 @ S1 @ r0)
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
    Y = _np(y, "y", 3)
    m, k, d = Y.shape
    if k < 2:
        raise ValueError("need at least 2 model samples per conditioning point")
    mu = _np(cond_mean, "cond_mean", 2)
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


# ----------------------------------------------------------------------------------------
# couplings and paths
# ----------------------------------------------------------------------------------------
def coupling_w2(x0: ArrayLike, x1: ArrayLike, y0: ArrayLike, y1: ArrayLike, num_itermax: int = NUM_ITERMAX) -> float:
    """W2 on R^{2d} between joint samples (x0, x1) of a model and (y0, y1) of an exact plan."""
    a0, a1 = _pair(x0, x1)
    b0, b1 = _pair(y0, y1)
    if len(a0) != len(a1) or len(b0) != len(b1):
        raise ValueError("x0/x1 and y0/y1 must be paired (same number of rows)")
    return w2(np.concatenate([a0, a1], 1), np.concatenate([b0, b1], 1), num_itermax=num_itermax)


def path_energy(trajectory: ArrayLike, times: ArrayLike) -> float:
    """Mean over paths of sum_k |x_{k+1} - x_k|^2 / (t_{k+1} - t_k), trajectory (T+1, n, d).

    For ODE paths this is the discretised kinetic energy int_0^1 E|dX/dt|^2 dt (>= W2^2 of the
    endpoints, equal for the OT displacement). For SDE paths it diverges as the steps shrink
    (quadratic variation d sigma^2 / dt per step): compare SDE paths only at equal steps, or use
    the drift's energy instead.
    """
    X = _np(trajectory, "trajectory", 3)
    t = _np(times, "times", 1)
    if len(t) != X.shape[0] or len(t) < 2:
        raise ValueError(f"times must have length {X.shape[0]} (>= 2), got {len(t)}")
    dt = np.diff(t)
    if (dt <= 0).any():
        raise ValueError("times must be strictly increasing")
    inc = np.sum(np.diff(X, axis=0) ** 2, axis=2)  # (T, n)
    return float(np.mean(np.sum(inc / dt[:, None], axis=0)))


# ----------------------------------------------------------------------------------------
# the Schroedinger-bridge benchmark's evaluations
# ----------------------------------------------------------------------------------------
def bridge_metrics(bridge, x0: ArrayLike, x1: ArrayLike, marginals: Optional[Mapping[float, ArrayLike]] = None,
                   generator: Optional[torch.Generator] = None, num_itermax: int = NUM_ITERMAX) -> Dict[str, float]:
    """Evaluations of a model of a known bridge (si.bridges.GaussianBridge or MixturePotentialBridge).

    x0, x1 (n, d): start and end points of the *same* model paths; marginals: {t: samples of X_t}.
    Returns a flat dict:
      w2_terminal, w2_terminal_floor    W2(x1, rho1 samples) and truth-vs-truth at the same n
      w2_coupling, w2_coupling_floor    W2 on (x0, x1) against exact plan samples, and its floor
      bures_w2_t{t}                     Bures-W2 between the moment fit of marginals[t] and the exact
                                        moments of rho_t (for t in marginals)
      bures_w2_terminal                 the same at t = 1
    """
    a0, a1 = _pair(x0, x1)
    n = len(a1)
    y0, y1 = bridge.sample_plan(n, generator)
    z0, z1 = bridge.sample_plan(n, generator)
    out = {
        "w2_terminal": w2(a1, y1, num_itermax),
        "w2_terminal_floor": w2(z1, y1, num_itermax),
        "w2_coupling": coupling_w2(a0, a1, y0, y1, num_itermax),
        "w2_coupling_floor": coupling_w2(z0, z1, y0, y1, num_itermax),
    }
    m1, S1 = bridge.marginal_moments(1.0)
    out["bures_w2_terminal"] = bures_w2(*gaussian_fit(a1), m1, S1)
    for t, xt in (marginals or {}).items():
        mt, St = bridge.marginal_moments(float(t))
        out[f"bures_w2_t{float(t):g}"] = bures_w2(*gaussian_fit(xt), mt, St)
    return out
