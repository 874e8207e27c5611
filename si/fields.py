"""Fields and the drifts built from them (docs/theory.md §2, §4; Albergo, Boffi & Vanden-Eijnden,
arXiv:2303.08797).

A *field* is any callable ``f(t, x) -> Tensor`` with t of shape (n,) and x, f of shape (n, d):
a learned network, an ``si.oracle.InterpolantOracle`` method, or a drift assembled here. The
samplers (``si.sampling``) and estimators (``si.likelihood``) only ever see fields, so learned and
exact models are interchangeable.

The drifts are compositions of fields, never copies of their formulas:

    forward SDE   b_F = b + eps s                       (docs/theory.md §4)
    backward SDE  b_B = b - eps s
    denoiser form b_F = v + (gamma' - eps / gamma) eta  (s = -eta / gamma, b = v + gamma' eta)

eps (the diffusion coefficient; the SDE noise is sqrt(2 eps) dW) is a non-negative float or a
callable of t (shape (n,)) returning a tensor of shape (n,) or a float.
"""
from __future__ import annotations

import math
import numbers
from typing import Callable, Dict, Union

import torch

from .interpolants import Interpolant
from .times import as_time

Tensor = torch.Tensor
Field = Callable[[Tensor, Tensor], Tensor]
Schedule = Union[float, Callable[[Tensor], Union[Tensor, float]]]


# ----------------------------------------------------------------------------------------
# eps: a constant or a function of t
# ----------------------------------------------------------------------------------------
def check_eps(eps: Schedule) -> Schedule:
    """Validate eps: a finite float >= 0, or a callable of t (checked when evaluated)."""
    if callable(eps):
        return eps
    if isinstance(eps, torch.Tensor) and eps.numel() == 1:
        eps = eps.item()
    if isinstance(eps, bool) or not isinstance(eps, numbers.Real) or not math.isfinite(float(eps)):
        raise ValueError(f"eps must be a finite non-negative number or a callable of t, got {eps!r}")
    if float(eps) < 0:
        raise ValueError(f"eps must be non-negative (the SDE noise is sqrt(2 eps) dW), got {eps!r}")
    return float(eps)


def eps_at(eps: Schedule, t: Tensor) -> Tensor:
    """eps(t) as a tensor of shape (n,) on t's device and dtype; raises if any value is < 0 or not finite."""
    if not callable(eps):
        return torch.full_like(t, check_eps(eps))
    e = torch.as_tensor(eps(t), dtype=t.dtype, device=t.device)
    e = e.expand(t.shape) if e.dim() == 0 else e
    if e.shape != t.shape:
        raise ValueError(f"eps(t) must return a scalar or a tensor of shape {tuple(t.shape)}, got {tuple(e.shape)}")
    if not bool(torch.isfinite(e).all()) or bool((e < 0).any()):
        raise ValueError(f"eps(t) must be finite and non-negative; got values such as {e.flatten()[:3].tolist()}")
    return e


def is_zero(eps: Schedule) -> bool:
    """True when eps is the constant 0 (the SDE is then the probability-flow ODE)."""
    return not callable(eps) and check_eps(eps) == 0.0


# ----------------------------------------------------------------------------------------
# counting: the number of calls of every field, exactly
# ----------------------------------------------------------------------------------------
class Counted:
    """Wrap a field and count its calls (``.calls``)."""

    def __init__(self, field: Field, name: str = "field"):
        if not callable(field):
            raise ValueError(f"{name} must be a callable field (t, x) -> tensor, got {type(field).__name__}")
        self.field, self.name, self.calls = field, name, 0

    def __call__(self, t: Tensor, x: Tensor) -> Tensor:
        self.calls += 1
        return check_field_output(self.field(t, x), x, self.name)


def call_counts(*fields: Counted) -> Dict[str, int]:
    return {f.name: f.calls for f in fields}


# ----------------------------------------------------------------------------------------
# drifts as compositions of fields
# ----------------------------------------------------------------------------------------
def _combine(f: Field, g: Field, coef: Callable[[Tensor], Tensor]) -> Field:
    """(t, x) -> f(t, x) + coef(t) g(t, x)."""
    def field(t: Tensor, x: Tensor) -> Tensor:
        return f(t, x) + coef(t)[:, None] * g(t, x)
    return field


def forward_drift(b: Field, s: Field, eps: Schedule) -> Field:
    """b_F = b + eps s, the drift of the forward SDE dX = b_F dt + sqrt(2 eps) dW (docs/theory.md §4).

    With eps identically 0 this returns b itself (the score is then never evaluated).
    """
    eps = check_eps(eps)
    return b if is_zero(eps) else _combine(b, s, lambda t: eps_at(eps, t))


def backward_drift(b: Field, s: Field, eps: Schedule) -> Field:
    """b_B = b - eps s, the drift of the backward SDE, integrated from t = 1 to t = 0 (docs/theory.md §4)."""
    eps = check_eps(eps)
    return b if is_zero(eps) else _combine(b, s, lambda t: -eps_at(eps, t))


def score_from_denoiser(eta: Field, interpolant: Interpolant) -> Field:
    """s = -eta / gamma (gamma -> alpha for one-sided paths; docs/theory.md §2). Singular where gamma = 0."""
    return lambda t, x: -eta(t, x) / interpolant.noise_scale(t)[:, None]


def velocity_from_denoiser(v: Field, eta: Field, interpolant: Interpolant) -> Field:
    """b = v + gamma' eta (docs/theory.md §2)."""
    return _combine(v, eta, interpolant.dnoise_scale)


def velocity_from_score(v: Field, s: Field, interpolant: Interpolant) -> Field:
    """b = v - gamma gamma' s (docs/theory.md §2: eta = -gamma s)."""
    return _combine(v, s, lambda t: -interpolant.noise_dnoise(t))


def denoiser_drift(v: Field, eta: Field, interpolant: Interpolant, eps: Schedule) -> Field:
    """b_F = v + (gamma' - eps / gamma) eta, the forward drift in denoiser form (docs/theory.md §4).

    eta is called once per evaluation. Singular where gamma = 0 unless eps = 0: use a window.
    """
    eps = check_eps(eps)
    if is_zero(eps):
        return velocity_from_denoiser(v, eta, interpolant)
    coef = lambda t: interpolant.dnoise_scale(t) - eps_at(eps, t) / interpolant.noise_scale(t)  # noqa: E731
    return _combine(v, eta, coef)


def check_field_output(out: Tensor, x: Tensor, name: str = "field") -> Tensor:
    if not isinstance(out, Tensor) or out.shape != x.shape:
        shape = tuple(out.shape) if isinstance(out, Tensor) else type(out).__name__
        raise ValueError(f"{name}(t, x) must return a tensor of shape {tuple(x.shape)}, got {shape}")
    return out


__all__ = ["Field", "Schedule", "Counted", "call_counts", "check_eps", "eps_at", "is_zero", "forward_drift",
           "backward_drift", "score_from_denoiser", "velocity_from_denoiser", "denoiser_drift", "as_time",
           "check_field_output"]
