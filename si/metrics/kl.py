"""Paired KL divergence with the control variate of the paper's section 7.2 (docs/theory.md §5.5).

At points x_1..x_n drawn from the exact density p (= rho_1), given the exact log p(x_i) and a model's
log q(x_i) (= log rho^_1, e.g. from ``si.likelihood``), with u_i = log q(x_i) - log p(x_i) and
r_i = e^{u_i} = q(x_i) / p(x_i):

    plain:             KL(p || q) ~ (1/n) sum_i -u_i
    control variate:   KL(p || q) ~ (1/n) sum_i [ -u_i + (r_i - 1) ] = (1/n) sum_i (r_i - 1 - log r_i)

E_p[r - 1] = int q - 1 = 0, so adding it costs no bias, and it cancels the first-order fluctuation
of -u: each term r - 1 - log r = u^2/2 + O(u^3) is >= 0 (0 iff r = 1), so the estimate is never
negative and its variance is second order in the model error (Albergo, Boffi & Vanden-Eijnden,
arXiv:2303.08797, section 7.2).

Sign. The control variate is ADDED to log p - log q. The bracket written as
``log rho1 - log rho^1 - (rho^1/rho1 - 1)`` (a minus sign) is a sign slip: it doubles the
first-order fluctuation instead of cancelling it; the paper's own bracket log q - log p - (q/p - 1)
= -(r - 1 - log r) is minus the term used here (docs/theory.md §5.5 derives the sign).

Support. The points come from p, so a region where q has mass and p has none is never visited:
there the plain estimator is unbiased (KL(p || q) does not see it), while E_p[r - 1] = -m, with m
the mass of q outside the support of p (also m > 0 for a sub-normalised q), so the control-variate
estimate is biased LOW by exactly m. Where p has mass and q has none, KL is infinite: log q = -inf
is refused with an error rather than reported as a number.
"""
from __future__ import annotations

import math
from typing import Union

import numpy as np
import torch

from ..likelihood.entropy import Estimate

Tensor = torch.Tensor

__all__ = ["paired_kl", "kl_terms"]

SERIES_BELOW = 1e-3  # |u| below which r - 1 - log r is summed as its Taylor series (no cancellation)


def _as_log_densities(v, name: str) -> Tensor:
    if isinstance(v, np.ndarray):
        v = torch.from_numpy(v)
    v = torch.as_tensor(v).detach().to("cpu", torch.float64)
    if v.dim() != 1:
        raise ValueError(f"{name} must have shape (n,), got {tuple(v.shape)}")
    if torch.isneginf(v).any():
        raise ValueError(f"{name} has -inf entries: that density is zero at a point drawn from p "
                         "(if it is log_q, KL(p || q) is infinite)")
    if not bool(torch.isfinite(v).all()):
        raise ValueError(f"{name} has non-finite entries (NaN or +inf)")
    return v


def kl_terms(log_p: Union[Tensor, np.ndarray], log_q: Union[Tensor, np.ndarray],
             control_variate: bool = True) -> Tensor:
    """Per-point terms (float64, shape (n,)) whose mean is the paired KL estimate (module doc).

    control_variate=True: r - 1 - log r = expm1(u) - u >= 0, as the series u^2/2 + u^3/6 + u^4/24
    + u^5/120 + u^6/720 where |u| < 1e-3 (relative error < 1e-15); False: -u = log p - log q.
    """
    lp, lq = _as_log_densities(log_p, "log_p"), _as_log_densities(log_q, "log_q")
    if lp.shape != lq.shape:
        raise ValueError(f"log_p and log_q must have the same shape, got {tuple(lp.shape)} and {tuple(lq.shape)}")
    u = lq - lp
    if not control_variate:
        return -u
    if bool((u > 709.0).any()):  # e^u overflows float64
        raise ValueError(f"q/p exceeds the float64 range (log q - log p up to {float(u.max()):.4g}); the "
                         "control-variate term r - 1 - log r is not finite; use control_variate=False")
    series = u * u * (0.5 + u * (1 / 6 + u * (1 / 24 + u * (1 / 120 + u / 720))))
    return torch.where(u.abs() < SERIES_BELOW, series, torch.expm1(u) - u)


def paired_kl(log_p: Union[Tensor, np.ndarray], log_q: Union[Tensor, np.ndarray],
              control_variate: bool = True) -> Estimate:
    """KL(p || q) from exact log p and model log q at n >= 2 points drawn from p, with its standard error.

    Returns ``Estimate(value, stderr, n)``: value = mean of ``kl_terms`` (never negative with the
    control variate), stderr = their sd / sqrt(n). Refuses shape mismatches, n < 2 and non-finite
    entries (module doc: -inf in log_q means infinite KL; q's mass outside p's support biases the
    control-variate value low by that mass).
    """
    t = kl_terms(log_p, log_q, control_variate)
    n = t.numel()
    if n < 2:
        raise ValueError(f"paired_kl needs n >= 2 points, got {n}")
    return Estimate(value=float(t.mean()), stderr=float(t.std() / math.sqrt(n)), n=n)
