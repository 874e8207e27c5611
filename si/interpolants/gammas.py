"""The noise schedules gamma(t) of x_t = alpha x0 + beta x1 + gamma z (docs/theory.md §1).

A Gamma record carries gamma, its derivative and the product gamma * gamma' in closed form, so
nothing is differentiated through a square root at an endpoint and no 0 * inf is ever formed.
`GAMMAS` maps each name to a constructor taking the scale parameter a (used by "brownian" only).
Following Albergo, Boffi & Vanden-Eijnden, arXiv:2303.08797.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Dict

import torch

Tensor = torch.Tensor
PI = math.pi
SIGMOID_SCALE = 10.0  # sharpness f of the sigmoid bump

__all__ = ["Gamma", "GAMMAS", "SIGMOID_SCALE"]


@dataclass(frozen=True)
class Gamma:
    """gamma(t), gamma'(t) and gamma(t) gamma'(t), each a function of t."""
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


def _sigmoid(a: float) -> Gamma:
    # gamma = sigma(f(t-1/2) + 1) - sigma(f(t-1/2) - 1) - sigma(-f/2 + 1) + sigma(-f/2 - 1),
    # a smooth bump with gamma(0) = gamma(1) = 0 (the paper's sigmoid gamma).
    f = SIGMOID_SCALE
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
