"""The paths I(t, x0, x1) = alpha(t) x0 + beta(t) x1 of the interpolants (docs/theory.md §1).

Each path is one record: alpha, beta and their derivatives in closed form (alpha * alpha' too where
the plain product is 0 * inf at an endpoint, as for vp at t = 1), its default gamma, the gammas it
admits, and whether it is one-sided (x0 ~ N(0, I) is the latent, gamma = 0) or the mirror path
(x_t = x1 + gamma z). Every schedule takes t and the interpolant's Gamma record, since the trig path
depends on gamma: alpha = sqrt(1 - gamma^2) cos(pi t / 2), beta = sqrt(1 - gamma^2) sin(pi t / 2).
Following Albergo, Boffi & Vanden-Eijnden, arXiv:2303.08797.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Dict, Optional

import torch

from .gammas import Gamma

Tensor = torch.Tensor
PI = math.pi
Schedule = Callable[[Tensor, Gamma], Tensor]  # (t, gamma record) -> tensor shaped like t

__all__ = ["InterpolantPath", "PathInfo", "PATHS", "Schedule"]


@dataclass(frozen=True)
class InterpolantPath:
    """alpha, beta, alpha', beta' (and alpha alpha' where needed) of one path, and its gamma rules."""
    name: str
    formula: str                          # x_t in words, for messages
    alpha: Schedule
    beta: Schedule
    dalpha: Schedule
    dbeta: Schedule
    default_gamma: str
    allowed_gammas: Optional[tuple] = None  # None: any gamma
    one_sided: bool = False
    mirror: bool = False
    alpha_dalpha: Optional[Schedule] = None  # closed form of alpha * alpha'; None: the product
    gamma_bound: Optional[float] = None      # gamma must stay below this everywhere (trig)
    needs_noise: bool = False                # gamma = 0 is not allowed (mirror)


PathInfo = InterpolantPath  # its former name


def _zeros(t: Tensor, g: Gamma) -> Tensor:
    return torch.zeros_like(t)


def _ones(t: Tensor, g: Gamma) -> Tensor:
    return torch.ones_like(t)


def _minus_ones(t: Tensor, g: Gamma) -> Tensor:
    return -torch.ones_like(t)


def _one_minus_t(t: Tensor, g: Gamma) -> Tensor:
    return 1 - t


def _t(t: Tensor, g: Gamma) -> Tensor:
    return t.clone()


# -- trig: alpha^2 + beta^2 + gamma^2 = 1 ----------------------------------------------------
def _trig_alpha(t: Tensor, g: Gamma) -> Tensor:
    return torch.sqrt(1 - g.value(t) ** 2) * torch.cos(PI * t / 2)


def _trig_beta(t: Tensor, g: Gamma) -> Tensor:
    return torch.sqrt(1 - g.value(t) ** 2) * torch.sin(PI * t / 2)


def _trig_dalpha(t: Tensor, g: Gamma) -> Tensor:
    r = torch.sqrt(1 - g.value(t) ** 2)
    return -g.product(t) / r * torch.cos(PI * t / 2) - r * PI / 2 * torch.sin(PI * t / 2)


def _trig_dbeta(t: Tensor, g: Gamma) -> Tensor:
    r = torch.sqrt(1 - g.value(t) ** 2)
    return -g.product(t) / r * torch.sin(PI * t / 2) + r * PI / 2 * torch.cos(PI * t / 2)


# -- encoding-decoding: x0 is encoded into noise by t = 1/2, then decoded into x1 -------------
def _ed_alpha(t: Tensor, g: Gamma) -> Tensor:
    return torch.where(t < 0.5, torch.cos(PI * t) ** 2, torch.zeros_like(t))


def _ed_beta(t: Tensor, g: Gamma) -> Tensor:
    return torch.where(t >= 0.5, torch.cos(PI * t) ** 2, torch.zeros_like(t))


def _ed_dalpha(t: Tensor, g: Gamma) -> Tensor:
    return torch.where(t < 0.5, -PI * torch.sin(2 * PI * t), torch.zeros_like(t))


def _ed_dbeta(t: Tensor, g: Gamma) -> Tensor:
    return torch.where(t >= 0.5, -PI * torch.sin(2 * PI * t), torch.zeros_like(t))


# -- one-sided trig ------------------------------------------------------------------------------
def _cos_half(t: Tensor, g: Gamma) -> Tensor:
    return torch.cos(PI * t / 2)


def _sin_half(t: Tensor, g: Gamma) -> Tensor:
    return torch.sin(PI * t / 2)


def _dcos_half(t: Tensor, g: Gamma) -> Tensor:
    return -PI / 2 * torch.sin(PI * t / 2)


def _dsin_half(t: Tensor, g: Gamma) -> Tensor:
    return PI / 2 * torch.cos(PI * t / 2)


# -- vp: alpha = sqrt(1 - t^2), alpha' = -t / alpha is infinite at t = 1, alpha alpha' = -t is not ----
def _vp_alpha(t: Tensor, g: Gamma) -> Tensor:
    return torch.sqrt(1 - t ** 2)


def _vp_dalpha(t: Tensor, g: Gamma) -> Tensor:
    return -t / torch.sqrt(1 - t ** 2)


def _vp_alpha_dalpha(t: Tensor, g: Gamma) -> Tensor:
    return -t.clone()


PATHS: Dict[str, InterpolantPath] = {p.name: p for p in (
    InterpolantPath("linear", "x_t = (1 - t) x0 + t x1 + gamma z", _one_minus_t, _t, _minus_ones, _ones,
                    "brownian"),
    InterpolantPath("trig", "x_t = sqrt(1 - gamma^2) (cos(pi t/2) x0 + sin(pi t/2) x1) + gamma z",
                    _trig_alpha, _trig_beta, _trig_dalpha, _trig_dbeta, "brownian", gamma_bound=1.0),
    InterpolantPath("encoding-decoding", "x_t = cos^2(pi t) (x0 if t < 1/2 else x1) + gamma z",
                    _ed_alpha, _ed_beta, _ed_dalpha, _ed_dbeta, "sinesquared", ("sinesquared",)),
    InterpolantPath("one-sided-linear", "x_t = (1 - t) x0 + t x1, x0 ~ N(0, I)", _one_minus_t, _t, _minus_ones,
                    _ones, "zero", ("zero",), one_sided=True),
    InterpolantPath("one-sided-trig", "x_t = cos(pi t/2) x0 + sin(pi t/2) x1, x0 ~ N(0, I)", _cos_half, _sin_half,
                    _dcos_half, _dsin_half, "zero", ("zero",), one_sided=True),
    InterpolantPath("vp", "x_t = sqrt(1 - t^2) x0 + t x1, x0 ~ N(0, I)", _vp_alpha, _t, _vp_dalpha, _ones,
                    "zero", ("zero",), one_sided=True, alpha_dalpha=_vp_alpha_dalpha),
    InterpolantPath("mirror", "x_t = x1 + gamma z", _zeros, _ones, _zeros, _zeros, "brownian", mirror=True,
                    needs_noise=True),
)}
