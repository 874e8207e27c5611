"""Forward and backward SDEs of a stochastic interpolant (docs/theory.md §4;
Albergo, Boffi & Vanden-Eijnden, arXiv:2303.08797):

    forward SDE   dX = b_F dt + sqrt(2 eps) dW,  b_F = b + eps s          0 -> 1
    backward SDE  dX = b_B dt + sqrt(2 eps) dW,  b_B = b - eps s          1 -> 0
    denoiser form b_F = v + (gamma' - eps / gamma) eta

Euler-Maruyama or stochastic Heun on the window [t_min, t_max], the last piece by `finish_window`.
"""
from __future__ import annotations

import math
from typing import List, Optional, Tuple

import torch

from ..fields import (Counted, Field, Schedule, backward_drift, check_eps, denoiser_drift, eps_at, forward_drift,
                      velocity_from_denoiser)
from ..interpolants import Interpolant
from ..times import as_time
from .checks import SCORE_WINDOW, check_state, check_steps, check_window, time_grid
from .result import SampleResult, finish_window, sample_result
from .runge_kutta import Tensors

Tensor = torch.Tensor
SDE_METHODS = ("euler-maruyama", "heun")

__all__ = ["sample_sde", "sample_sde_backward", "sample_sde_denoiser", "sde_step", "SDE_METHODS"]


def sample_sde(b: Field, s: Field, x0: Tensor, steps: int = 100, method: str = "euler-maruyama", *,
               eps: Schedule, generator: Optional[torch.Generator] = None, t_min: float = SCORE_WINDOW[0],
               t_max: float = SCORE_WINDOW[1], last_step: str = "ode",
               save_trajectory: bool = False) -> SampleResult:
    """Forward SDE dX = (b + eps s) dt + sqrt(2 eps) dW from x0 ~ rho0 (docs/theory.md §4).

    eps: float >= 0 or callable of t. method: "euler-maruyama" or "heun" (stochastic Heun, the
    predictor-corrector of weak order 2 for additive noise). Window: see the module doc.
    """
    cb, cs = Counted(b, "b"), Counted(s, "s")
    return _integrate_sde(forward_drift(cb, cs, eps), cb, (cb, cs), eps, x0, steps, method, generator,
                          t_min, t_max, last_step, save_trajectory, reverse=False)


def sample_sde_backward(b: Field, s: Field, x1: Tensor, steps: int = 100,
                        method: str = "euler-maruyama", *, eps: Schedule, generator: Optional[torch.Generator] = None,
                        t_min: float = SCORE_WINDOW[0], t_max: float = SCORE_WINDOW[1], last_step: str = "ode",
                        save_trajectory: bool = False) -> SampleResult:
    """Backward SDE dX = (b - eps s) dt + sqrt(2 eps) dW integrated from x1 ~ rho1 at t = 1 down to t = 0.

    In the discretisation time decreases: X_{t-h} = X_t - h b_B(t, X_t) + sqrt(2 eps h) xi.
    """
    cb, cs = Counted(b, "b"), Counted(s, "s")
    return _integrate_sde(backward_drift(cb, cs, eps), cb, (cb, cs), eps, x1, steps, method, generator,
                          t_min, t_max, last_step, save_trajectory, reverse=True)


def sample_sde_denoiser(v: Field, eta: Field, interpolant: Interpolant, x0: Tensor,
                        steps: int = 100, method: str = "euler-maruyama", *, eps: Schedule,
                        generator: Optional[torch.Generator] = None, t_min: float = SCORE_WINDOW[0],
                        t_max: float = SCORE_WINDOW[1], last_step: str = "ode",
                        save_trajectory: bool = False) -> SampleResult:
    """Forward SDE in denoiser form, b_F = v + (gamma' - eps / gamma) eta (docs/theory.md §4).

    The drift carries 1/gamma: the window must stop short of every t where gamma = 0 (the
    default stops 1e-4 short of both ends). The last piece uses b = v + gamma' eta.
    """
    if not isinstance(interpolant, Interpolant):
        raise ValueError(f"interpolant must be an si.Interpolant, got {type(interpolant).__name__}")
    cv, ceta = Counted(v, "v"), Counted(eta, "eta")
    return _integrate_sde(denoiser_drift(cv, ceta, interpolant, eps), velocity_from_denoiser(cv, ceta, interpolant),
                          (cv, ceta), eps, x0, steps, method, generator, t_min, t_max, last_step, save_trajectory,
                          reverse=False)


def sde_step(drift: Field, eps: Schedule, t0: float, t1: float, x: Tensor, method: str,
             generator: Optional[torch.Generator] = None) -> Tuple[Tensor, int]:
    """One step of dX = drift dt + sqrt(2 eps) dW from t0 to t1 (either direction); returns (x, drift evals).

    Euler-Maruyama:  X' = X + h f(t0, X) + sqrt(2 eps(t0)) dW,                    dW ~ N(0, |h| I)
    stochastic Heun: X~ = X + h f(t0, X) + sigma dW
                     X' = X + h/2 [f(t0, X) + f(t1, X~)] + sigma dW,   sigma^2 = eps(t0) + eps(t1)
    (sigma^2 |h| is the trapezoidal rule for int 2 eps dt; for constant eps, sigma = sqrt(2 eps).)
    """
    h = t1 - t0
    dW = math.sqrt(abs(h)) * torch.randn(x.shape, generator=generator, dtype=x.dtype, device=x.device)
    T0 = as_time(t0, x)
    f0 = drift(T0, x)
    if method == "euler-maruyama":
        return x + h * f0 + torch.sqrt(2 * eps_at(eps, T0))[:, None] * dW, 1
    T1 = as_time(t1, x)
    sigma = torch.sqrt(eps_at(eps, T0) + eps_at(eps, T1))[:, None]
    x_pred = x + h * f0 + sigma * dW
    return x + 0.5 * h * (f0 + drift(T1, x_pred)) + sigma * dW, 2


def _integrate_sde(drift: Field, velocity: Field, counters, eps, x: Tensor, steps, method, generator,
                   t_min, t_max, last_step, save_trajectory, reverse: bool) -> SampleResult:
    x, steps, eps = check_state(x), check_steps(steps), check_eps(eps)
    lo, hi = check_window(t_min, t_max, last_step)
    if method not in SDE_METHODS:
        raise ValueError(f"unknown SDE method {method!r}; valid: {list(SDE_METHODS)}")
    start, end, final = (hi, lo, 0.0) if reverse else (lo, hi, 1.0)
    grid = time_grid(start, end, steps)
    saved: Optional[List[Tensors]] = [(x,)] if save_trajectory else None
    nfe = 0
    with torch.no_grad():
        for t0, t1 in zip(grid[:-1], grid[1:]):
            x, k = sde_step(drift, eps, t0, t1, x, method, generator)
            nfe += k
            if saved is not None:
                saved.append((x,))
        x, t_out = finish_window(velocity, x, end, final, last_step, grid, saved)
    nfe += int(t_out != end)
    return sample_result(x, nfe, counters, t_out, grid, saved)
