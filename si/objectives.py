"""Quadratic objectives for b, v, s and eta, and the objective sets of the benchmark (docs/theory.md §3;
Albergo, Boffi & Vanden-Eijnden, arXiv:2303.08797).

    L_b   = E[ 1/2 |b^(t,x_t)|^2 - (dI/dt + gamma' z) . b^(t,x_t) ]
    L_s   = E[ 1/2 |s^(t,x_t)|^2 + gamma^-1 z . s^(t,x_t) ]
    L_v   = E[ 1/2 |v^|^2 - dI/dt . v^ ]
    L_eta = E[ 1/2 |eta^|^2 - z . eta^ ]

Each equals 1/2 E|f^ - f|^2 minus a constant, so a loss can be negative. One-sided paths read
alpha for gamma and x0 for z (`Interpolant.noise_scale`, `InterpolantPoints.noise`).
Antithetic sampling averages the loss at x_t+ = I + gamma z and at x_t- = I - gamma z (same z,
the sign of z flipped in the target as well), which cancels the 1/gamma blow-up of L_s.
"""
from __future__ import annotations

from typing import Dict, Optional, Tuple

import torch

from .fields import Field, score_from_denoiser, velocity_from_denoiser, velocity_from_score
from .interpolants import Interpolant, InterpolantPoints

Tensor = torch.Tensor

__all__ = ["fields_of", "check_objective", "field_loss", "assemble", "OBJECTIVES", "FIELD_KINDS", "NOISE_FIELDS"]

FIELD_KINDS = ("b", "v", "s", "eta")
NOISE_FIELDS = ("s", "eta")  # defined through the latent's scale: they need noise_scale > 0 (check_objective)
OBJECTIVES: Dict[str, Tuple[str, ...]] = {
    "b,s": ("b", "s"),
    "v,s": ("v", "s"),
    "b,eta": ("b", "eta"),
    "v,eta": ("v", "eta"),
    "b": ("b",),
}


def fields_of(objective: str) -> Tuple[str, ...]:
    """The learned fields of an objective choice such as "b,s"."""
    if objective not in OBJECTIVES:
        raise ValueError(f"unknown objective {objective!r}; valid objectives: {list(OBJECTIVES)}")
    return OBJECTIVES[objective]


def check_objective(objective: str, interpolant: Interpolant,
                    window: Optional[Tuple[float, float]] = None) -> Tuple[str, ...]:
    """The learned fields of `objective` (as fields_of), after checking that they work with `interpolant`.

    s = -eta / gamma and eta = E[z | x_t] are defined through the latent's scale (gamma on two-sided
    paths, alpha on one-sided ones; docs/theory.md §2, §3): an objective that learns either needs that
    scale > 0 on (0, 1). With gamma = 0 on a two-sided path, L_s divides by zero and eta = 0 carries no
    score, so the objective is refused rather than trained into NaN or infinite SDE results.
    Drifts built from eta divide by the scale (s = -eta / gamma, b = v + gamma' eta with gamma' infinite
    where gamma = 0), so with `window` = (t_min, t_max), the sampling window of an eta objective must
    keep the scale > 0 at both ends: every two-sided gamma vanishes at t = 0 and 1, alpha at t = 1.
    Raises ValueError naming the objective, the path and its gamma.
    """
    kinds = fields_of(objective)
    noisy = [k for k in kinds if k in NOISE_FIELDS]
    scale = "alpha" if interpolant.one_sided else "gamma"
    where = f"path {interpolant.path!r} with gamma {interpolant.gamma_name!r}"
    inside = torch.linspace(0.0, 1.0, 65, dtype=torch.float64)[1:-1]
    if noisy and not bool((interpolant.noise_scale(inside) > 0).all()):
        raise ValueError(f"objective {objective!r} learns {noisy[0]}, which needs {scale}(t) > 0 on (0, 1), but "
                         f"the {where} has {scale} = 0 there (s = -eta / {scale} and L_s divide by it); use a "
                         f"nonzero gamma, or the objective 'b' for a deterministic flow")
    if window is not None and "eta" in kinds:
        lo, hi = (float(t) for t in window)
        ends = interpolant.noise_scale(torch.tensor([lo, hi], dtype=torch.float64))
        if not bool((ends > 0).all()):
            at = [t for t, g in zip((lo, hi), ends.tolist()) if not g > 0]
            raise ValueError(f"objective {objective!r} builds its drift from eta through s = -eta / {scale}, "
                             f"infinite where {scale} = 0: the window [{lo:g}, {hi:g}] reaches {scale} = 0 at "
                             f"t = {at[0]:g} on the {where}; keep the window inside (0, 1) (e.g. t_min = 0.001, "
                             f"t_max = 0.99)")
    return kinds


def _one_side(kind: str, f_hat: Tensor, sign: float, t: Tensor, pts: InterpolantPoints,
              interp: Interpolant) -> Tensor:
    """Per-sample integrand at x_t = mean + sign * noise_scale * noise."""
    tc = t[:, None]
    half_sq = 0.5 * (f_hat ** 2).sum(1)
    if kind == "b":
        target = pts.dmean + sign * interp.dnoise_scale(tc) * pts.noise
        return half_sq - (target * f_hat).sum(1)
    if kind == "v":
        return half_sq - (pts.dmean * f_hat).sum(1)
    if kind == "eta":
        return half_sq - sign * (pts.noise * f_hat).sum(1)
    if kind == "s":
        return half_sq + sign * (pts.noise * f_hat).sum(1) / interp.noise_scale(t)
    raise ValueError(f"unknown field {kind!r}; valid fields: {list(FIELD_KINDS)}")


def field_loss(kind: str, f: Field, t: Tensor, pts: InterpolantPoints, interp: Interpolant,
               antithetic: bool = True, reduce: bool = True) -> Tensor:
    """Monte Carlo estimate of L_kind for the field f at the points `pts` drawn at times t."""
    loss = _one_side(kind, f(t, pts.xt), 1.0, t, pts, interp)
    if antithetic:
        loss = 0.5 * (loss + _one_side(kind, f(t, pts.xt_anti), -1.0, t, pts, interp))
    return loss.mean() if reduce else loss


def assemble(objective: str, learned: Dict[str, Field], interp: Interpolant) -> Tuple[Field, Optional[Field]]:
    """The (b, s) used for sampling, built from the learned fields (docs/theory.md §2):

        b = v + gamma' eta = v - gamma gamma' s,     s = -eta / gamma.
    Returns s = None for the velocity-only objective "b".
    """
    kinds = fields_of(objective)
    missing = [k for k in kinds if k not in learned]
    if missing:
        raise ValueError(f"objective {objective!r} needs learned fields {missing}")
    s: Optional[Field] = None
    if "s" in kinds:
        s = learned["s"]
    elif "eta" in kinds:
        s = score_from_denoiser(learned["eta"], interp)
    if "b" in kinds:
        b = learned["b"]
    elif "s" in kinds:
        b = velocity_from_score(learned["v"], learned["s"], interp)
    else:
        b = velocity_from_denoiser(learned["v"], learned["eta"], interp)
    return b, s
