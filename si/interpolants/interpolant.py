"""Stochastic interpolants x_t = alpha(t) x0 + beta(t) x1 + gamma(t) z  (docs/theory.md §1).

An Interpolant is a path record (alpha, beta and their derivatives, `paths.PATHS`) and a gamma
record (gamma, gamma', gamma gamma', `gammas.GAMMAS`); its methods check t and evaluate them.

One-sided paths (x0 ~ N(0, I) is the latent, gamma = 0) use alpha x0 in the role of gamma z;
`noise_scale` / `dnoise_scale` / `noise_dnoise` expose that common role (gamma for two-sided
paths, alpha for one-sided ones), so objectives and field conversions are written once.
Following Albergo, Boffi & Vanden-Eijnden, arXiv:2303.08797.
"""
from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Optional

import torch

from ..times import check_time
from .gammas import GAMMAS, Gamma
from .paths import PATHS, InterpolantPath

Tensor = torch.Tensor

__all__ = ["Interpolant", "InterpolantPoints"]


@dataclass(frozen=True)
class InterpolantPoints:
    """x_t = I + gamma z, its antithetic partner I - gamma z, and dI/dt.

    For a one-sided path the latent x0 plays the role of z, so the partner is -alpha x0 + beta x1.
    `noise` is the latent whose conditional mean is eta (z, or x0 when one-sided), and `dmean` the
    time derivative of the rest of x_t (dI/dt, or beta' x1 when one-sided): the velocity target is
    dmean + noise_scale' * noise, and the v target is dmean.
    """
    xt: Tensor
    xt_anti: Tensor
    dI: Tensor
    noise: Tensor
    dmean: Tensor


class Interpolant:
    """A spatially linear stochastic interpolant (docs/theory.md §1): a path and a gamma.

    >>> Interpolant(path="linear", gamma="brownian", a=1.0)
    """

    def __init__(self, path: str = "linear", gamma: Optional[str] = None, a: float = 1.0):
        if path not in PATHS:
            raise ValueError(f"unknown interpolant path {path!r}; valid paths: {sorted(PATHS)}")
        info = PATHS[path]
        gamma = info.default_gamma if gamma is None else gamma
        if gamma not in GAMMAS:
            raise ValueError(f"unknown gamma {gamma!r}; valid gammas: {sorted(GAMMAS)}")
        if info.allowed_gammas is not None and gamma not in info.allowed_gammas:
            raise ValueError(f"path {path!r} requires gamma in {list(info.allowed_gammas)}, got {gamma!r}")
        # bool is an int in Python: a=True would silently be a = 1.0
        if isinstance(a, bool) or not (isinstance(a, numbers.Real) and math.isfinite(a) and a > 0):
            raise ValueError(f"gamma parameter a must be a finite positive number, got {a!r}")
        if info.needs_noise and gamma == "zero":
            raise ValueError(f"the {path} path needs a nonzero gamma ({info.formula})")
        self.path, self.gamma_name, self.a = path, gamma, float(a)
        self.one_sided, self.mirror = info.one_sided, info.mirror
        self.path_record: InterpolantPath = info
        self.gamma_record: Gamma = GAMMAS[gamma](float(a))
        g = self.gamma_record
        if info.gamma_bound is not None and g.max_value >= info.gamma_bound:
            raise ValueError(f"{path} path needs gamma < {info.gamma_bound:g} everywhere; gamma={gamma!r}, a={a} "
                             f"peaks at {g.max_value:.3f}")

    def __repr__(self) -> str:
        return f"Interpolant(path={self.path!r}, gamma={self.gamma_name!r}, a={self.a})"

    def spec(self) -> dict:
        return {"path": self.path, "gamma": self.gamma_name, "a": self.a}

    # -- gamma ------------------------------------------------------------------------
    def gamma(self, t: Tensor) -> Tensor:
        return self.gamma_record.value(check_time(t))

    def dgamma(self, t: Tensor) -> Tensor:
        return self.gamma_record.deriv(check_time(t))

    def gamma_dgamma(self, t: Tensor) -> Tensor:
        return self.gamma_record.product(check_time(t))

    # -- alpha, beta ------------------------------------------------------------------
    def alpha(self, t: Tensor) -> Tensor:
        return self.path_record.alpha(check_time(t), self.gamma_record)

    def beta(self, t: Tensor) -> Tensor:
        return self.path_record.beta(check_time(t), self.gamma_record)

    def dalpha(self, t: Tensor) -> Tensor:
        return self.path_record.dalpha(check_time(t), self.gamma_record)

    def dbeta(self, t: Tensor) -> Tensor:
        return self.path_record.dbeta(check_time(t), self.gamma_record)

    def alpha_dalpha(self, t: Tensor) -> Tensor:
        """alpha * alpha' in closed form (finite at t = 1 for the vp path)."""
        closed_form = self.path_record.alpha_dalpha
        if closed_form is not None:
            return closed_form(check_time(t), self.gamma_record)
        return self.alpha(t) * self.dalpha(t)

    # -- the latent's scale: gamma (two-sided) or alpha (one-sided) --------------------
    def noise_scale(self, t: Tensor) -> Tensor:
        return self.alpha(t) if self.one_sided else self.gamma(t)

    def dnoise_scale(self, t: Tensor) -> Tensor:
        return self.dalpha(t) if self.one_sided else self.dgamma(t)

    def noise_dnoise(self, t: Tensor) -> Tensor:
        return self.alpha_dalpha(t) if self.one_sided else self.gamma_dgamma(t)

    # -- sampling x_t -----------------------------------------------------------------
    def points(self, t: Tensor, x0: Tensor, x1: Tensor, z: Optional[Tensor] = None) -> InterpolantPoints:
        """x_t, its antithetic partner and dI/dt for t of shape (n,), x0, x1, z of shape (n, d)."""
        t = check_time(t)
        if x0.shape != x1.shape or x0.dim() != 2:
            raise ValueError(f"x0 and x1 must both have shape (n, d); got {tuple(x0.shape)} and {tuple(x1.shape)}")
        if t.shape != (x0.shape[0],):
            raise ValueError(f"t must have shape ({x0.shape[0]},), got {tuple(t.shape)}")
        if z is None:
            z = torch.zeros_like(x0) if self.one_sided else torch.randn_like(x0)
        if z.shape != x0.shape:
            raise ValueError(f"z must have shape {tuple(x0.shape)}, got {tuple(z.shape)}")
        tc = t[:, None]
        a, b = self.alpha(tc), self.beta(tc)
        dI = self.dalpha(tc) * x0 + self.dbeta(tc) * x1
        if self.one_sided:
            return InterpolantPoints(a * x0 + b * x1, -a * x0 + b * x1, dI, x0, self.dbeta(tc) * x1)
        g = self.gamma(tc)
        I = a * x0 + b * x1
        return InterpolantPoints(I + g * z, I - g * z, dI, z, dI)
