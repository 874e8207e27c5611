"""Relative mean squared error of a field against the exact one (docs/theory.md §7.5):

    err_f = E |f^(t, x_t) - f(t, x_t)|^2 / E |f(t, x_t)|^2,

the means over the same points (t, x_t) of the interpolant. Its standard error treats the
denominator (the exact field's mean square on the same points) as fixed: sd(|f^ - f|^2) / sqrt(n)
/ mean |f|^2. Field errors of stochastic-interpolant models (Albergo, Boffi & Vanden-Eijnden,
arXiv:2303.08797) against the Gaussian-mixture oracle (docs/theory.md §6.1).
"""
from __future__ import annotations

import math

import torch

from ..likelihood.entropy import Estimate

Tensor = torch.Tensor

__all__ = ["field_rel_mse"]


def field_rel_mse(f_hat: Tensor, f: Tensor) -> Estimate:
    """E|f^ - f|^2 / E|f|^2 over the rows of f_hat, f (n, d), in float64, with its standard error (module doc)."""
    f_hat, f = torch.as_tensor(f_hat).double(), torch.as_tensor(f).double()
    if f_hat.shape != f.shape or f.dim() != 2 or f.shape[0] < 2:
        raise ValueError(f"f_hat and f must have the same shape (n, d) with n >= 2, got {tuple(f_hat.shape)} "
                         f"and {tuple(f.shape)}")
    if not (bool(torch.isfinite(f_hat).all()) and bool(torch.isfinite(f).all())):
        raise ValueError("field values contain NaN or inf")
    sq = ((f_hat - f) ** 2).sum(1)
    norm = (f ** 2).sum(1).mean()
    if not float(norm) > 0:
        raise ValueError("the exact field is zero at every point: the relative error is undefined")
    n = sq.numel()
    return Estimate(value=float(sq.mean() / norm), stderr=float(sq.std() / math.sqrt(n) / norm), n=n)
