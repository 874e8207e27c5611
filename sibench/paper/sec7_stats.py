"""Uncertainties of the section 7 numbers (docs/paper.md): means and variances with their standard errors,
paired differences at common points, and the location of an optimal eps from bootstrap replicates.

Locating the optimum (section 7.2's finding "every objective has an interior optimal eps"): given the
metric at every eps of a grid (E values) and B bootstrap replicates of it (B, E),
  * the best eps is the argmin of the estimate; each replicate's argmin gives its bootstrap frequency;
  * eps is "not significantly worse" than the best when the metric exceeds the best's in fewer than
    `level` (default 95%) of the replicates (a one-sided bootstrap test of the paired difference);
  * the fitted optimum: in every replicate, the vertex of the parabola in log10(eps) through its argmin
    and the two neighbours (only where the argmin is interior and eps > 0), summarised by the median
    and the 2.5 / 97.5 percentiles;
  * interior: the best eps is neither the smallest nor the largest of the grid, and both ends are
    significantly worse than it.
"""
from __future__ import annotations

import math
from typing import Dict, Sequence

import numpy as np

__all__ = ["mean_se", "var_se", "abs_error_stats", "paired_gap", "locate_optimum"]


def _values(v) -> np.ndarray:
    a = np.asarray(v, dtype=np.float64).reshape(-1)
    if a.size < 2 or not np.isfinite(a).all():
        raise ValueError(f"need at least 2 finite values, got {a.size} (finite: {int(np.isfinite(a).sum())})")
    return a


def mean_se(v) -> tuple:
    """(mean, standard error sd / sqrt(n))."""
    a = _values(v)
    return float(a.mean()), float(a.std(ddof=1) / math.sqrt(a.size))


def var_se(v) -> tuple:
    """(unbiased variance s^2, its standard error sqrt((m4 - (n-3)/(n-1) s^4) / n)), m4 the 4th central moment."""
    a = _values(v)
    n, s2 = a.size, float(a.var(ddof=1))
    m4 = float(np.mean((a - a.mean()) ** 4))
    return s2, float(math.sqrt(max(m4 - (n - 3) / (n - 1) * s2 * s2, 0.0) / n))


def abs_error_stats(log_p, log_q, prefix: str) -> Dict[str, float]:
    """|log p - log q| at common points: mean and variance with standard errors, and the KL estimate
    mean(log p - log q) with its standard error, as {prefix}_mean_abs, ..._se, {prefix}_var_abs, ...,
    {prefix}_kl, {prefix}_kl_se."""
    d = _values(log_p) - _values(log_q)
    m, mse = mean_se(np.abs(d))
    v, vse = var_se(np.abs(d))
    kl, klse = mean_se(d)
    return {f"{prefix}_mean_abs": m, f"{prefix}_mean_abs_se": mse, f"{prefix}_var_abs": v, f"{prefix}_var_abs_se": vse,
            f"{prefix}_kl": kl, f"{prefix}_kl_se": klse}


def paired_gap(a, b) -> tuple:
    """mean(a - b) and its standard error for values at common points (a paired difference)."""
    return mean_se(_values(a) - _values(b))


def locate_optimum(eps: Sequence[float], estimate: Sequence[float], replicates, level: float = 0.95) -> Dict:
    """The optimal eps of a metric on a grid, with its bootstrap uncertainty (module doc)."""
    e = np.asarray(eps, dtype=np.float64)
    est = np.asarray(estimate, dtype=np.float64)
    R = np.asarray(replicates, dtype=np.float64)
    if e.ndim != 1 or est.shape != e.shape or R.ndim != 2 or R.shape[1] != e.size or e.size < 1:
        raise ValueError(f"eps (E,), estimate (E,) and replicates (B, E) must agree, got {e.shape}, {est.shape}, "
                         f"{R.shape}")
    if np.any(np.diff(e) <= 0):
        raise ValueError("eps must be strictly increasing")
    best = int(np.argmin(est))
    worse = (R > R[:, [best]]).mean(0)                              # share of replicates where eps is worse
    significant = worse >= level
    significant[best] = False
    arg = np.argmin(R, axis=1)
    freq = np.bincount(arg, minlength=e.size) / R.shape[0]
    vertices = []
    for r, k in zip(R, arg):
        if 0 < k < e.size - 1 and e[k - 1] > 0:
            x = np.log10(e[k - 1:k + 2])
            a, b_, _ = np.polyfit(x, r[k - 1:k + 2], 2)
            vertices.append(10 ** (-b_ / (2 * a)) if a > 0 else e[k])
    interior = bool(0 < best < e.size - 1 and significant[0] and significant[-1])
    lo, mid, hi = (np.percentile(vertices, [2.5, 50, 97.5]) if vertices else (math.nan,) * 3)
    return {"best_eps": float(e[best]), "best_value": float(est[best]), "interior": interior,
            "argmin_frequency": {float(x): float(f) for x, f in zip(e, freq)},
            "not_worse": [float(x) for x, s in zip(e, significant) if not s],
            "worse_share": {float(x): float(w) for x, w in zip(e, worse)},
            "fitted_eps": float(mid), "fitted_eps_lo": float(lo), "fitted_eps_hi": float(hi),
            "fitted_share": len(vertices) / R.shape[0]}
