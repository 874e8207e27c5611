"""Stochastic interpolants x_t = alpha(t) x0 + beta(t) x1 + gamma(t) z  (docs/theory.md §1).

Every schedule carries its derivative analytically, and gamma carries the product
gamma * gamma' in closed form, so nothing is differentiated through a square root at an
endpoint and no 0 * inf is ever formed.

One-sided paths (x0 ~ N(0, I) is the latent, gamma = 0) use alpha x0 in the role of gamma z;
`noise_scale` / `dnoise_scale` / `noise_dnoise` expose that common role (gamma for two-sided
paths, alpha for one-sided ones), so objectives and field conversions are written once.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Dict, Optional

import torch

Tensor = torch.Tensor
PI = math.pi


def check_time(t: Tensor, name: str = "t") -> Tensor:
    """Raise a ValueError if any entry of t lies outside [0, 1] (or is NaN)."""
    t = torch.as_tensor(t)
    if t.numel() and not bool(((t >= 0) & (t <= 1)).all()):
        bad = t[~((t >= 0) & (t <= 1))].flatten()[:3].tolist()
        raise ValueError(f"{name} must lie in [0, 1]; got values such as {bad}")
    return t


# ----------------------------------------------------------------------------------------
# gamma(t): value, derivative and the product gamma * gamma'
# ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Gamma:
    name: str
    value: Callable[[Tensor], Tensor]
    deriv: Callable[[Tensor], Tensor]
    product: Callable[[Tensor], Tensor]  # gamma * gamma'
    max_value: float                      # sup_t gamma(t), used to validate the trig path


def _brownian(a: float) -> Gamma:
    # gamma = sqrt(a t (1-t)), gamma' = a (1-2t) / (2 gamma), gamma gamma' = a (1-2t)/2
    def value(t):
        return torch.sqrt(a * t * (1 - t))

    def deriv(t):
        return a * (1 - 2 * t) / (2 * torch.sqrt(a * t * (1 - t)))

    def product(t):
        return a * (1 - 2 * t) / 2

    return Gamma("brownian", value, deriv, product, math.sqrt(a / 4))


def _bsquared(a: float) -> Gamma:
    # gamma = t (1-t)
    return Gamma("bsquared", lambda t: t * (1 - t), lambda t: 1 - 2 * t,
                 lambda t: t * (1 - t) * (1 - 2 * t), 0.25)


def _sinesquared(a: float) -> Gamma:
    # gamma = sin^2(pi t), gamma' = pi sin(2 pi t)
    return Gamma("sinesquared", lambda t: torch.sin(PI * t) ** 2,
                 lambda t: PI * torch.sin(2 * PI * t),
                 lambda t: PI * torch.sin(PI * t) ** 2 * torch.sin(2 * PI * t), 1.0)


_SIGMOID_SCALE = 10.0  # sharpness f of the sigmoid bump


def _sigmoid(a: float) -> Gamma:
    # gamma = sigma(f(t-1/2) + 1) - sigma(f(t-1/2) - 1) - sigma(-f/2 + 1) + sigma(-f/2 - 1),
    # a smooth bump with gamma(0) = gamma(1) = 0 (the paper's sigmoid gamma).
    f = _SIGMOID_SCALE
    sig = lambda y: 1.0 / (1.0 + math.exp(-y))  # noqa: E731
    c = sig(-f / 2 + 1.0) - sig(-f / 2 - 1.0)

    def value(t):
        u = f * (t - 0.5)
        return torch.sigmoid(u + 1) - torch.sigmoid(u - 1) - c

    def deriv(t):
        u = f * (t - 0.5)
        dsig = lambda y: torch.sigmoid(y) * (1 - torch.sigmoid(y))  # noqa: E731
        return f * (dsig(u + 1) - dsig(u - 1))

    peak = 2 * sig(1.0) - 1 - c
    return Gamma("sigmoid", value, deriv, lambda t: value(t) * deriv(t), peak)


def _zero(a: float) -> Gamma:
    return Gamma("zero", torch.zeros_like, torch.zeros_like, torch.zeros_like, 0.0)


GAMMAS: Dict[str, Callable[[float], Gamma]] = {
    "brownian": _brownian,
    "bsquared": _bsquared,
    "sinesquared": _sinesquared,
    "sigmoid": _sigmoid,
    "zero": _zero,
}


# ----------------------------------------------------------------------------------------
# paths I(t, x0, x1) = alpha(t) x0 + beta(t) x1
# ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PathInfo:
    default_gamma: str
    allowed_gammas: Optional[tuple]  # None: any gamma
    one_sided: bool = False
    mirror: bool = False


PATHS: Dict[str, PathInfo] = {
    "linear": PathInfo("brownian", None),
    "trig": PathInfo("brownian", None),
    "encoding-decoding": PathInfo("sinesquared", ("sinesquared",)),
    "one-sided-linear": PathInfo("zero", ("zero",), one_sided=True),
    "one-sided-trig": PathInfo("zero", ("zero",), one_sided=True),
    "vp": PathInfo("zero", ("zero",), one_sided=True),
    "mirror": PathInfo("brownian", None, mirror=True),
}


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
    """A spatially linear stochastic interpolant (docs/theory.md §1).

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
        if not (isinstance(a, (int, float)) and math.isfinite(a) and a > 0):
            raise ValueError(f"gamma parameter a must be a positive number, got {a!r}")
        if info.mirror and gamma == "zero":
            raise ValueError("the mirror path needs a nonzero gamma (x_t = x1 + gamma z)")
        self.path, self.gamma_name, self.a = path, gamma, float(a)
        self.one_sided, self.mirror = info.one_sided, info.mirror
        self._g = GAMMAS[gamma](float(a))
        if path == "trig" and self._g.max_value >= 1:
            raise ValueError(f"trig path needs gamma < 1 everywhere; gamma={gamma!r}, a={a} peaks at "
                             f"{self._g.max_value:.3f}")

    def __repr__(self) -> str:
        return f"Interpolant(path={self.path!r}, gamma={self.gamma_name!r}, a={self.a})"

    def spec(self) -> dict:
        return {"path": self.path, "gamma": self.gamma_name, "a": self.a}

    # -- gamma ------------------------------------------------------------------------
    def gamma(self, t: Tensor) -> Tensor:
        return self._g.value(check_time(t))

    def dgamma(self, t: Tensor) -> Tensor:
        return self._g.deriv(check_time(t))

    def gamma_dgamma(self, t: Tensor) -> Tensor:
        return self._g.product(check_time(t))

    # -- alpha, beta ------------------------------------------------------------------
    def alpha(self, t: Tensor) -> Tensor:
        t = check_time(t)
        p = self.path
        if p in ("linear", "one-sided-linear"):
            return 1 - t
        if p == "trig":
            return torch.sqrt(1 - self._g.value(t) ** 2) * torch.cos(PI * t / 2)
        if p == "encoding-decoding":
            return torch.where(t < 0.5, torch.cos(PI * t) ** 2, torch.zeros_like(t))
        if p == "one-sided-trig":
            return torch.cos(PI * t / 2)
        if p == "vp":
            return torch.sqrt(1 - t ** 2)
        return torch.zeros_like(t)  # mirror

    def beta(self, t: Tensor) -> Tensor:
        t = check_time(t)
        p = self.path
        if p in ("linear", "one-sided-linear", "vp"):
            return t.clone()
        if p == "trig":
            return torch.sqrt(1 - self._g.value(t) ** 2) * torch.sin(PI * t / 2)
        if p == "encoding-decoding":
            return torch.where(t >= 0.5, torch.cos(PI * t) ** 2, torch.zeros_like(t))
        if p == "one-sided-trig":
            return torch.sin(PI * t / 2)
        return torch.ones_like(t)  # mirror

    def dalpha(self, t: Tensor) -> Tensor:
        t = check_time(t)
        p = self.path
        if p in ("linear", "one-sided-linear"):
            return -torch.ones_like(t)
        if p == "trig":
            r = torch.sqrt(1 - self._g.value(t) ** 2)
            return -self._g.product(t) / r * torch.cos(PI * t / 2) - r * PI / 2 * torch.sin(PI * t / 2)
        if p == "encoding-decoding":
            return torch.where(t < 0.5, -PI * torch.sin(2 * PI * t), torch.zeros_like(t))
        if p == "one-sided-trig":
            return -PI / 2 * torch.sin(PI * t / 2)
        if p == "vp":
            return -t / torch.sqrt(1 - t ** 2)
        return torch.zeros_like(t)

    def dbeta(self, t: Tensor) -> Tensor:
        t = check_time(t)
        p = self.path
        if p in ("linear", "one-sided-linear", "vp"):
            return torch.ones_like(t)
        if p == "trig":
            r = torch.sqrt(1 - self._g.value(t) ** 2)
            return -self._g.product(t) / r * torch.sin(PI * t / 2) + r * PI / 2 * torch.cos(PI * t / 2)
        if p == "encoding-decoding":
            return torch.where(t >= 0.5, -PI * torch.sin(2 * PI * t), torch.zeros_like(t))
        if p == "one-sided-trig":
            return PI / 2 * torch.cos(PI * t / 2)
        return torch.zeros_like(t)

    def alpha_dalpha(self, t: Tensor) -> Tensor:
        """alpha * alpha' in closed form (finite at t = 1 for the vp path)."""
        if self.path == "vp":
            return -check_time(t).clone()
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
