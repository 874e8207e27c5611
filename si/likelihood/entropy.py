"""Cross-entropy and KL divergence of a model from samples of the target (docs/theory.md §5).

    H(rho1, rho^_1) = -E_{x ~ rho1} log rho^_1(x),      KL(rho1 || rho^_1) = H(rho1, rho^_1) - H(rho1).

The model's log densities come from the ODE / SDE estimators of Albergo, Boffi & Vanden-Eijnden,
arXiv:2303.08797.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Optional, Union

import torch

from .result import LogDensity

Tensor = torch.Tensor

__all__ = ["Estimate", "cross_entropy", "kl_divergence"]


@dataclass(frozen=True)
class Estimate:
    value: float
    stderr: float
    n: int


def cross_entropy(log_prob_model: Union[Tensor, LogDensity], x: Optional[Tensor] = None) -> Estimate:
    """H(rho1, rho^_1) = -E_{x ~ rho1} log rho^_1(x), with its standard error over the samples.

    Pass the model's log density at samples x ~ rho1 (a tensor (n,)), or a callable and the samples.
    """
    if callable(log_prob_model):
        if x is None:
            raise ValueError("cross_entropy needs the samples x ~ rho1 when given a log-density callable")
        log_prob_model = log_prob_model(x)
    lq = torch.as_tensor(log_prob_model)
    if lq.dim() != 1 or lq.numel() < 2:
        raise ValueError(f"log densities must have shape (n,) with n >= 2, got {tuple(lq.shape)}")
    if not bool(torch.isfinite(lq).all()):
        raise ValueError("log densities contain NaN or inf")
    n = lq.numel()
    return Estimate(value=float(-lq.mean()), stderr=float(lq.std() / math.sqrt(n)), n=n)


def kl_divergence(cross_entropy: Estimate, entropy: float, entropy_se: float = 0.0) -> Estimate:
    """KL(rho1 || rho^_1) = H(rho1, rho^_1) - H(rho1), with the standard errors added in quadrature."""
    if not math.isfinite(entropy) or not (math.isfinite(entropy_se) and entropy_se >= 0):
        raise ValueError(f"entropy must be finite and entropy_se finite and >= 0, got {entropy}, {entropy_se}")
    return Estimate(value=cross_entropy.value - float(entropy),
                    stderr=math.hypot(cross_entropy.stderr, float(entropy_se)), n=cross_entropy.n)
