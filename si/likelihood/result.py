"""What the likelihood estimators return, the choice of divergence, and the checked call of the base
density log rho0 (docs/theory.md §5).

The base density log rho0 is given as a callable x -> (n,) or as a density object with .log_prob
(`as_log_density`). A tensor of samples of rho0 cannot stand in for it: the likelihood needs log rho0
at the points X_0 the flow maps x to, which samples alone do not give; that is an error naming the
problem (train from samples, evaluate the likelihood against a density you know, e.g. N(0, I)).

The divergence in the likelihood ODE of Albergo, Boffi & Vanden-Eijnden, arXiv:2303.08797, is exact
or Hutchinson's estimate with k probes per point (`divergence_probes`); the spread over probes or
paths gives the standard error (`mean_stderr`). The Feynman-Kac estimator also reports, per point, the
effective sample size of its path weights (`effective_sample_size`, docs/theory.md §5.3): a value whose
ESS is near 1 is carried by one path and is not a number to rank (docs/estimators.md).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Dict, Optional

import numpy as np
import torch

from ..divergence import PROBES, make_probes

Tensor = torch.Tensor
LogDensity = Callable[[Tensor], Tensor]
DIVERGENCES = ("exact", "hutchinson")

__all__ = ["LogProbResult", "LogDensity", "DIVERGENCES", "divergence_probes", "mean_stderr", "log_prob0_at",
           "effective_sample_size", "as_log_density"]


@dataclass(frozen=True)
class LogProbResult:
    log_prob: Tensor                 # (n,) estimate of log rho^_1(x)
    stderr: Optional[Tensor]         # (n,) Monte Carlo standard error (None: deterministic)
    nfe: int                         # (t, x) points at which the model was evaluated, per row
    calls: Dict[str, int]            # exact calls of each field (each call covers a batch)
    x0: Optional[Tensor] = None      # (n, d) ODE only: the point X_0 that x is mapped to
    ess: Optional[Tensor] = None     # (n,) Feynman-Kac only: effective number of paths (sum w)^2 / sum w^2


def divergence_probes(divergence: str, k: int, kind: str, x: Tensor, generator) -> Optional[Tensor]:
    """None for the exact divergence, else k Hutchinson probes per row of x (validated names)."""
    if divergence == "exact":
        return None
    if divergence != "hutchinson":
        raise ValueError(f"unknown divergence {divergence!r}; valid: {list(DIVERGENCES)}")
    if kind not in PROBES:
        raise ValueError(f"unknown probe distribution {kind!r}; valid: {list(PROBES)}")
    return make_probes(k, x, kind, generator)


def mean_stderr(v: Tensor) -> Optional[Tensor]:
    """Standard error of the mean over the last axis (None for a single value)."""
    k = v.shape[-1]
    return v.std(-1) / math.sqrt(k) if k > 1 else None


def as_log_density(obj, name: str = "log_prob0") -> LogDensity:
    """log rho0 as a callable x -> (n,): a density object's .log_prob, or a callable as it is.

    A tensor, array or iterable of samples has no log density: ValueError saying so."""
    log_prob = getattr(obj, "log_prob", None)
    if callable(log_prob):
        return log_prob
    if callable(obj):
        return obj
    if isinstance(obj, (Tensor, np.ndarray, list, tuple)) or hasattr(obj, "__iter__"):
        what = f"shape {tuple(obj.shape)}" if hasattr(obj, "shape") else type(obj).__name__
        raise ValueError(f"{name}: got samples ({what}), but the likelihood needs the log density log rho0 at "
                         f"arbitrary points, which samples do not give; pass a density with .log_prob(x) (e.g. "
                         f"si.mixtures.standard_normal(d) for a Gaussian base) or a callable x -> log rho0(x) of "
                         f"shape (n,)")
    raise ValueError(f"{name} must be a callable x -> log rho0(x) of shape (n,) or a density with .log_prob(x), "
                     f"got {type(obj).__name__}")


def log_prob0_at(log_prob0: LogDensity, x: Tensor) -> Tensor:
    """log rho0 at the rows of x (n, d), which must come back as a tensor of shape (n,): an (n, 1) answer
    would broadcast against the (n,) path integrals into a silent (n, n) result."""
    out = log_prob0(x)
    if not isinstance(out, Tensor) or out.shape != (x.shape[0],):
        got = tuple(out.shape) if isinstance(out, Tensor) else type(out).__name__
        raise ValueError(f"log_prob0(x) must return one value per row of x, a tensor of shape ({x.shape[0]},); "
                         f"got {got}")
    return out


def effective_sample_size(log_w: Tensor) -> Tensor:
    """ESS = (sum_p w_p)^2 / sum_p w_p^2 over the first axis (paths) of log weights (paths, n) -> (n,).

    In [1, paths]: paths when the weights are equal, 1 when one path carries all the mass. Computed
    from w_p / max_p w_p, so it is invariant to a common factor and never overflows.
    """
    if log_w.dim() < 1 or log_w.shape[0] < 1:
        raise ValueError(f"log weights must have a leading paths axis, got shape {tuple(log_w.shape)}")
    w = torch.exp(log_w - log_w.max(0).values)
    return w.sum(0) ** 2 / (w * w).sum(0)
