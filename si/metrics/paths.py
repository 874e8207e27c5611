"""Distances of couplings and energies of paths (docs/theory.md §7).

- coupling_w2: W2 between joint (x0, x1) samples of a model and samples of an exact plan.
- path_energy: mean of sum_k |x_{k+1} - x_k|^2 / (t_{k+1} - t_k) along discretised paths.
Couplings and transport costs of stochastic interpolants: Albergo, Boffi & Vanden-Eijnden, arXiv:2303.08797.
"""
from __future__ import annotations

import numpy as np

from ..couplings import NUM_ITERMAX
from .samples import ArrayLike, as_array, as_sample_pair, w2

__all__ = ["coupling_w2", "path_energy"]


def coupling_w2(x0: ArrayLike, x1: ArrayLike, y0: ArrayLike, y1: ArrayLike, num_itermax: int = NUM_ITERMAX) -> float:
    """W2 on R^{2d} between joint samples (x0, x1) of a model and (y0, y1) of an exact plan."""
    a0, a1 = as_sample_pair(x0, x1)
    b0, b1 = as_sample_pair(y0, y1)
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
    X = as_array(trajectory, "trajectory", 3)
    t = as_array(times, "times", 1)
    if len(t) != X.shape[0] or len(t) < 2:
        raise ValueError(f"times must have length {X.shape[0]} (>= 2), got {len(t)}")
    dt = np.diff(t)
    if (dt <= 0).any():
        raise ValueError("times must be strictly increasing")
    inc = np.sum(np.diff(X, axis=0) ** 2, axis=2)  # (T, n)
    return float(np.mean(np.sum(inc / dt[:, None], axis=0)))
