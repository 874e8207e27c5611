"""Brownian bridges over a static plan, the common part of the exact Schroedinger bridges
(reference dX = sigma dW on [0, 1]; docs/theory.md §6).

Draw (X0, X1) from the plan, then X_t = (1 - t) X0 + t X1 + sigma sqrt(t (1 - t)) Z. A plan of the
form pi(x, y) = phi(x) N(y; x, sigma^2 I) psi(y) makes this mixture Markov and the Schroedinger
bridge between its marginals, with drift sigma^2 grad_x log E_ref[psi(X_1) | X_t = x]. The concrete
bridges (`GaussianBridge`, `MixturePotentialBridge`) supply the plan and the drift; this base class
gives exact marginal and path samples and an Euler-Maruyama simulation of the SDE.
Stochastic interpolants over a coupling and the Schroedinger bridge: Albergo, Boffi & Vanden-Eijnden,
arXiv:2303.08797.
"""
from __future__ import annotations

import math
from typing import Optional, Sequence, Tuple

import torch

from ..times import time_rows

Tensor = torch.Tensor
F64 = torch.float64

__all__ = ["BrownianBridgeOverPlan", "check_sigma", "as_float64_rows", "F64"]


def check_sigma(sigma, allow_zero: bool) -> float:
    """sigma as a float, finite and > 0 (or >= 0 with allow_zero)."""
    try:
        s = float(sigma)
    except (TypeError, ValueError):
        raise ValueError(f"sigma must be a number, got {sigma!r}") from None
    if not math.isfinite(s) or s < 0 or (s == 0 and not allow_zero):
        raise ValueError(f"sigma must be finite and {'>= 0' if allow_zero else '> 0'}, got {sigma!r}")
    return s


def as_float64_rows(x: Tensor, d: int, device=None) -> Tensor:
    """x (n, d) as float64 on `device` (the bridge's parameters' device; results go back to x's device)."""
    if not isinstance(x, Tensor) or x.dim() != 2 or x.shape[1] != d:
        raise ValueError(f"x must be a tensor of shape (n, {d}), got {getattr(x, 'shape', type(x))}")
    return x.to(device=device, dtype=F64)


class BrownianBridgeOverPlan:
    """Shared by both bridges: subclasses provide sample_plan, drift, sigma, dim and device."""

    sigma: float
    dim: int

    @property
    def sigma2(self) -> float:
        return self.sigma ** 2

    @property
    def device(self) -> torch.device:
        raise NotImplementedError

    def sample_plan(self, n: int, generator: Optional[torch.Generator] = None) -> Tuple[Tensor, Tensor]:
        raise NotImplementedError

    def drift(self, t, x: Tensor) -> Tensor:
        raise NotImplementedError

    def marginal_sample(self, t, n: int, generator: Optional[torch.Generator] = None) -> Tensor:
        """n exact samples of X_t: (1-t) X0 + t X1 + sigma sqrt(t(1-t)) Z, (X0, X1) from the plan."""
        x0, x1 = self.sample_plan(n, generator)
        t = time_rows(t, x0, F64)[:, None]
        z = torch.randn(x0.shape, generator=generator, dtype=F64, device=x0.device)
        return (1 - t) * x0 + t * x1 + self.sigma * torch.sqrt(t * (1 - t)) * z

    def sample_paths(self, n: int, times: Sequence[float], generator: Optional[torch.Generator] = None) -> Tensor:
        """Exact joint samples of the bridge at increasing times, shape (len(times), n, d).

        (X0, X1) from the plan, then the Brownian bridge sequentially: given X_s = x and X_1 = y,
        X_u ~ N(x + (u-s)/(1-s) (y - x), sigma^2 (u-s)(1-u)/(1-s) I) for s < u.
        """
        ts = [float(u) for u in times]
        if not ts or any(not 0 <= u <= 1 for u in ts) or any(b < a for a, b in zip(ts, ts[1:])):
            raise ValueError(f"times must be a non-empty non-decreasing sequence in [0, 1], got {times}")
        x0, x1 = self.sample_plan(n, generator)
        out, x, s = [], x0, 0.0
        for u in ts:
            if u > s and s < 1:
                mean = x + (u - s) / (1 - s) * (x1 - x)
                std = self.sigma * math.sqrt(max((u - s) * (1 - u) / (1 - s), 0.0))
                x = mean + std * torch.randn(x.shape, generator=generator, dtype=F64, device=x.device)
                s = u
            out.append(x1.clone() if u == 1 else x)
        return torch.stack(out, 0)

    def simulate(self, x0: Tensor, steps: int = 1000, generator: Optional[torch.Generator] = None,
                 t0: float = 0.0, t1: float = 1.0, return_trajectory: bool = False):
        """Euler-Maruyama for dX = drift(t, X) dt + sigma dW from X_{t0} = x0 to t1 (float64).

        Returns X_{t1}, or (times (steps+1,), trajectory (steps+1, n, d)) if return_trajectory.
        """
        if int(steps) != steps or steps < 1:
            raise ValueError(f"steps must be a positive integer, got {steps}")
        if not 0 <= t0 < t1 <= 1:
            raise ValueError(f"need 0 <= t0 < t1 <= 1, got t0={t0}, t1={t1}")
        x = as_float64_rows(x0, self.dim, self.device).clone()
        times = torch.linspace(t0, t1, steps + 1, dtype=F64)
        dt = (t1 - t0) / steps
        traj = [x] if return_trajectory else None
        for k in range(steps):
            t = times[k].to(x.device).expand(x.shape[0])
            noise = torch.randn(x.shape, generator=generator, dtype=F64, device=x.device)
            x = x + self.drift(t, x) * dt + self.sigma * math.sqrt(dt) * noise
            if return_trajectory:
                traj.append(x)
        return (times, torch.stack(traj, 0)) if return_trajectory else x
