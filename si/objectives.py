"""Quadratic objectives for b, v, s and eta, and the objective sets of the benchmark (docs/theory.md §3;
Albergo, Boffi & Vanden-Eijnden, arXiv:2303.08797).

    L_b   = E[ 1/2 |b^(t,x_t)|^2 - (dI/dt + gamma' z) . b^(t,x_t) ]
    L_s   = E[ 1/2 |s^(t,x_t)|^2 + gamma^-1 z . s^(t,x_t) ]
    L_v   = E[ 1/2 |v^|^2 - dI/dt . v^ ]
    L_eta = E[ 1/2 |eta^|^2 - z . eta^ ]

Each equals 1/2 E|f^ - f|^2 minus a constant, so a loss can be negative. One-sided paths read
alpha for gamma and x0 for z (`Interpolant.noise_scale`, `InterpolantPoints.noise`).
Antithetic sampling averages the loss at x_t+ = I + gamma z and at x_t- = I - gamma z (same z,
the sign of z flipped in the target as well), which cancels the 1/gamma blow-up of L_s. It costs one
more forward pass of the field, so it is chosen per field (`antithetic_fields`): by default where it
pays per unit of time (measured, docs/performance.md: b, s, eta on two-sided paths, s and eta on
one-sided ones, every field on the mirror path), and never when gamma = 0 on a two-sided path (x_t- is then x_t itself).

`BatchLoss` is the trainer's form: every field's loss on one batch (t, x0, x1, z), with x_t and the
targets formed once from the path and gamma records and t not re-checked (the trainer draws t in
[t_min, t_max] itself); it gives the same numbers as `field_loss` on `Interpolant.points`.
"""
from __future__ import annotations

from typing import Dict, Optional, Tuple

import torch

from .fields import Field, score_from_denoiser, velocity_from_denoiser, velocity_from_score
from .interpolants import Interpolant, InterpolantPoints

Tensor = torch.Tensor

__all__ = ["fields_of", "check_objective", "field_loss", "assemble", "antithetic_fields", "noise_free", "BatchLoss",
           "OBJECTIVES", "FIELD_KINDS", "NOISE_FIELDS", "ANTITHETIC_AUTO"]

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


# antithetic="auto" (docs/performance.md): measured per field as gradient variance x step time,
# antithetic against plain: s 0.000-0.14 and eta 0.01-0.58 on every path (the pair cancels the 1/gamma
# term of L_s exactly); b 0.82-1.01 on two-sided Brownian paths (and the learning test's b error at 3000
# steps rises from under 5% to 5.7% without it), 0.10 with v on the mirror path (x_t's whole spread is
# gamma z there); v on the other two-sided paths 1.0-1.4 (dI/dt has no z). On one-sided paths b measured
# 0.45, but end to end on the checkerboard the fourth pass for b bought no support fraction per CPU
# second (0.847 after 147 s with it, 0.848 after 134 s without): {b,s} takes 3 passes there, as in the
# paper's code.
ANTITHETIC_AUTO = {"two-sided": ("b", "s", "eta"), "one-sided": ("s", "eta"), "mirror": FIELD_KINDS}


def noise_free(interp: Interpolant) -> bool:
    """True for a two-sided path with gamma = 0: x_t = I exactly, no z, and x_t- = x_t."""
    return not interp.one_sided and interp.gamma_name == "zero"


def antithetic_fields(antithetic, kinds: Tuple[str, ...], interp: Interpolant) -> Tuple[str, ...]:
    """The fields among `kinds` whose loss is averaged over x_t+ and x_t-.

    antithetic: True (every field), False (none), "auto" (ANTITHETIC_AUTO by kind of path: b, s, eta on
    two-sided paths, s and eta on one-sided ones, every field on the mirror path: where it pays, measured
    in docs/performance.md) or a comma-separated list of field
    kinds such as "s" or "b,s" (kinds the objective does not learn are ignored). Never any field when
    gamma = 0 on a two-sided path, where x_t- = x_t (the second pass would repeat the first).
    """
    if antithetic is True or antithetic is False:
        chosen = kinds if antithetic else ()
    elif antithetic == "auto":
        side = "mirror" if interp.mirror else "one-sided" if interp.one_sided else "two-sided"
        chosen = ANTITHETIC_AUTO[side]
    elif isinstance(antithetic, str):
        chosen = tuple(k.strip() for k in antithetic.split(",") if k.strip())
        bad = [k for k in chosen if k not in FIELD_KINDS]
        if bad or not chosen:
            raise ValueError(f"antithetic must be True, False, 'auto' or a comma-separated list of field kinds "
                             f"{list(FIELD_KINDS)}, got {antithetic!r}")
    else:
        raise ValueError(f"antithetic must be True, False, 'auto' or a comma-separated list of field kinds, "
                         f"got {antithetic!r}")
    if noise_free(interp):
        return ()
    return tuple(k for k in kinds if k in chosen)


class BatchLoss:
    """The losses of an objective's fields on one batch (the trainer's step; docs/theory.md §3).

    `loss(fields, t, x0, x1, z)` returns {kind: L_kind} for t (n,) in [0, 1] (not re-checked) and x0,
    x1 (n, d); z (n, d) is the Gaussian noise when `needs_z` (two-sided paths with gamma != 0), else
    None. Same operations, in the same order, as `field_loss` on `Interpolant.points`.
    """

    def __init__(self, objective: str, interp: Interpolant, antithetic=True):
        self.kinds = check_objective(objective, interp)   # s and eta need gamma > 0 on (0, 1)
        self.interp = interp
        self.antithetic = antithetic_fields(antithetic, self.kinds, interp)
        self.noise_free = noise_free(interp)
        # z enters x_t when gamma != 0; with gamma = 0 only the eta loss reads it (eta = E[z | x_t] = 0 then)
        self.needs_z = not interp.one_sided and (not self.noise_free or "eta" in self.kinds)

    def passes(self) -> int:
        """Forward passes of the fields per step."""
        return len(self.kinds) + len(self.antithetic)

    def __call__(self, fields: Dict[str, Field], t: Tensor, x0: Tensor, x1: Tensor,
                 z: Optional[Tensor] = None) -> Dict[str, Tensor]:
        it = self.interp
        path, gam = it.path_record, it.gamma_record
        tc = t[:, None]
        a, b = path.alpha(tc, gam), path.beta(tc, gam)
        if it.one_sided:  # alpha x0 plays gamma z: noise x0, scale alpha
            xt, anti = a * x0 + b * x1, -a * x0 + b * x1
            noise, dmean = x0, path.dbeta(tc, gam) * x1
            scale, dscale = path.alpha, path.dalpha
        else:
            I = a * x0 + b * x1
            dmean = path.dalpha(tc, gam) * x0 + path.dbeta(tc, gam) * x1
            if self.noise_free:
                xt = anti = I
            else:
                g = gam.value(tc)
                xt, anti = I + g * z, I - g * z
            noise = z
            scale, dscale = (lambda u, _: gam.value(u)), (lambda u, _: gam.deriv(u))
        out = {}
        for kind in self.kinds:
            f = fields[kind]
            if kind == "b":
                if self.noise_free:
                    loss = _integrand_b(f(t, xt), dmean)
                else:
                    w = dscale(tc, gam) * noise
                    loss = _integrand_b(f(t, xt), dmean + w)
                    if kind in self.antithetic:
                        loss = 0.5 * (loss + _integrand_b(f(t, anti), dmean - w))
            elif kind == "v":
                loss = _integrand_b(f(t, xt), dmean)
                if kind in self.antithetic:
                    loss = 0.5 * (loss + _integrand_b(f(t, anti), dmean))
            elif kind == "eta":
                loss = _integrand_eta(f(t, xt), noise, False)
                if kind in self.antithetic:
                    loss = 0.5 * (loss + _integrand_eta(f(t, anti), noise, True))
            else:  # "s"
                gt = scale(t, gam)
                loss = _integrand_s(f(t, xt), noise, gt, False)
                if kind in self.antithetic:
                    loss = 0.5 * (loss + _integrand_s(f(t, anti), noise, gt, True))
            out[kind] = loss.mean()
        return out


def _integrand_b(f_hat: Tensor, target: Tensor) -> Tensor:
    return 0.5 * (f_hat ** 2).sum(1) - (target * f_hat).sum(1)


def _integrand_eta(f_hat: Tensor, noise: Tensor, minus: bool) -> Tensor:
    half_sq, u = 0.5 * (f_hat ** 2).sum(1), (noise * f_hat).sum(1)
    return half_sq + u if minus else half_sq - u


def _integrand_s(f_hat: Tensor, noise: Tensor, scale: Tensor, minus: bool) -> Tensor:
    half_sq, u = 0.5 * (f_hat ** 2).sum(1), (noise * f_hat).sum(1) / scale
    return half_sq - u if minus else half_sq + u


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
