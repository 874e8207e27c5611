"""Generative models: probability-flow ODE and forward / backward SDEs (docs/theory.md §4).

    ODE           dX = b dt                                  0 -> 1
    forward SDE   dX = b_F dt + sqrt(2 eps) dW,  b_F = b + eps s          0 -> 1
    backward SDE  dX = b_B dt + sqrt(2 eps) dW,  b_B = b - eps s          1 -> 0
    denoiser form b_F = v + (gamma' - eps / gamma) eta

Every field is a callable (t, x) -> (n, d) with t of shape (n,) (``si.fields``).

Integration window. The score is singular where gamma -> 0, so the SDE samplers integrate on
[t_min, t_max] (default [1e-4, 1 - 1e-4], docs/theory.md §9) and never evaluate a field outside it:
  * the first piece is not integrated: the input (x0 ~ rho0, or x1 ~ rho1 going backward) is taken
    as the state at the window's start (an O(t_min) error, 1e-4 by default);
  * the last piece ([t_max, 1] forward, [0, t_min] backward) is handled by ``last_step``:
    "ode" (default) takes one explicit Euler step of the probability-flow ODE dX = b dt over it,
    evaluating b at the window's end (b carries no 1/gamma, so the step is regular; 1 NFE);
    "none" stops at the window's end and returns the state there (``result.t`` says which time).
The ODE sampler has the same window (default [0, 1]: nothing outside it).

NFE. ``result.nfe`` is the number of (t, x) points at which the model was evaluated (one drift
evaluation = one evaluation of each field it needs); ``result.calls`` counts the calls of each
field separately, exactly. E.g. Euler-Maruyama with {b, s}, 100 steps, last_step "ode":
nfe = 101, calls = {"b": 101, "s": 100}.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import torch

from .fields import (Counted, Field, Schedule, as_time, backward_drift, call_counts, check_eps, denoiser_drift,
                     eps_at, forward_drift, velocity_from_denoiser)
from .interpolants import Interpolant

Tensor = torch.Tensor
Tensors = Tuple[Tensor, ...]

ODE_FIXED = ("euler", "heun", "midpoint", "rk4")
ODE_ADAPTIVE = ("dopri5",)
ODE_METHODS = ODE_FIXED + ODE_ADAPTIVE
SDE_METHODS = ("euler-maruyama", "heun")
LAST_STEPS = ("ode", "none")
SCORE_WINDOW = (1e-4, 1 - 1e-4)  # docs/theory.md §9

# Butcher tableaus (c, A, weights) of the explicit fixed-step Runge-Kutta methods
_BUTCHER: Dict[str, Tuple[Sequence[float], Sequence[Sequence[float]], Sequence[float]]] = {
    "euler": ((0.0,), ((),), (1.0,)),
    "heun": ((0.0, 1.0), ((), (1.0,)), (0.5, 0.5)),                       # explicit trapezoid
    "midpoint": ((0.0, 0.5), ((), (0.5,)), (0.0, 1.0)),
    "rk4": ((0.0, 0.5, 0.5, 1.0), ((), (0.5,), (0.0, 0.5), (0.0, 0.0, 1.0)), (1 / 6, 1 / 3, 1 / 3, 1 / 6)),
}


@dataclass(frozen=True)
class SampleResult:
    """Samples x at time t, the number of model evaluations and, optionally, the path."""
    x: Tensor                            # (n, d)
    nfe: int                             # (t, x) points at which the model was evaluated
    calls: Dict[str, int]                # exact number of calls of each field
    t: float                             # the time of x (1.0, 0.0, or the window's end with last_step "none")
    times: Optional[Tensor] = None       # (T,) when saved
    trajectory: Optional[Tensor] = None  # (T, n, d) when saved: the state at each of `times`


# ----------------------------------------------------------------------------------------
# validation
# ----------------------------------------------------------------------------------------
def check_steps(steps) -> int:
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise ValueError(f"steps must be an integer >= 1, got {steps!r}")
    return steps


def check_window(t_min: float, t_max: float, last_step: str = "ode") -> Tuple[float, float]:
    """The integration window must satisfy 0 <= t_min < t_max <= 1."""
    try:
        lo, hi = float(t_min), float(t_max)
    except (TypeError, ValueError):
        raise ValueError(f"the window [t_min, t_max] must be numbers, got {t_min!r}, {t_max!r}") from None
    if not (0.0 <= lo < hi <= 1.0):
        raise ValueError(f"the integration window must satisfy 0 <= t_min < t_max <= 1, got [{t_min}, {t_max}]")
    if last_step not in LAST_STEPS:
        raise ValueError(f"unknown last_step {last_step!r}; valid: {list(LAST_STEPS)}")
    return lo, hi


def check_state(x: Tensor, name: str = "x0") -> Tensor:
    if not isinstance(x, Tensor) or x.dim() != 2 or not x.dtype.is_floating_point:
        desc = tuple(x.shape) if isinstance(x, Tensor) else type(x).__name__
        raise ValueError(f"{name} must be a floating-point tensor of shape (n, d), got {desc}")
    return x


def time_grid(start: float, end: float, steps: int) -> List[float]:
    """steps + 1 equally spaced times from start to end (either order), as Python floats in float64."""
    grid = torch.linspace(start, end, steps + 1, dtype=torch.float64).tolist()
    grid[0], grid[-1] = start, end
    return grid


# ----------------------------------------------------------------------------------------
# fixed-step Runge-Kutta and the adaptive solver, on tuples of tensors
# ----------------------------------------------------------------------------------------
def rk_step(f: Callable[[float, Tensors], Tensors], t: float, h: float, y: Tensors, method: str) -> Tensors:
    """One explicit Runge-Kutta step y(t) -> y(t + h) (h may be negative) of dy/dt = f(t, y)."""
    c, A, w = _BUTCHER[method]
    ks: List[Tensors] = []
    for ci, ai in zip(c, A):
        yi = tuple(yj + h * sum(a * k[j] for a, k in zip(ai, ks) if a) if any(ai) else yj
                   for j, yj in enumerate(y))
        ks.append(f(t + ci * h, yi))
    return tuple(yj + h * sum(wi * k[j] for wi, k in zip(w, ks) if wi) for j, yj in enumerate(y))


def integrate_fixed(f, y: Tensors, grid: Sequence[float], method: str,
                    save: Optional[List[Tensors]] = None) -> Tensors:
    for t0, t1 in zip(grid[:-1], grid[1:]):
        y = rk_step(f, t0, t1 - t0, y, method)
        if save is not None:
            save.append(y)
    return y


def integrate_adaptive(f, y: Tensors, grid: Sequence[float], method: str, rtol: float, atol: float,
                       save: Optional[List[Tensors]] = None) -> Tensors:
    """torchdiffeq's adaptive solver, never evaluating f outside [grid[0], grid[-1]] (the solver may
    probe past the end while choosing a step; such times are clamped and the step is clipped)."""
    from torchdiffeq import odeint

    if not (rtol > 0 and atol > 0):
        raise ValueError(f"rtol and atol must be positive, got rtol={rtol}, atol={atol}")
    lo, hi = min(grid[0], grid[-1]), max(grid[0], grid[-1])
    ref = y[0]
    ts = torch.tensor(grid, dtype=torch.float64 if ref.dtype == torch.float64 else torch.float32, device=ref.device)
    func = lambda t, state: f(min(max(float(t), lo), hi), state)  # noqa: E731
    out = odeint(func, y, ts, rtol=rtol, atol=atol, method=method, options={"step_t": ts})
    if save is not None:
        save.extend(tuple(o[i] for o in out) for i in range(1, len(grid)))
    return tuple(o[-1] for o in out)


# ----------------------------------------------------------------------------------------
# probability-flow ODE
# ----------------------------------------------------------------------------------------
def sample_ode(b: Field, x0: Tensor, steps: int = 100, method: str = "heun", *, t_min: float = 0.0,
               t_max: float = 1.0, reverse: bool = False, last_step: str = "ode", rtol: float = 1e-5,
               atol: float = 1e-5, save_trajectory: bool = False) -> SampleResult:
    """Integrate dX = b(t, X) dt from t_min to t_max (t_max to t_min if reverse), starting from x0.

    method: "euler" | "heun" | "midpoint" | "rk4" (fixed, `steps` steps) or "dopri5" (adaptive,
    rtol / atol; `steps` only sets the saved trajectory's times). See the module doc for the window.
    """
    x0, steps = check_state(x0), check_steps(steps)
    lo, hi = check_window(t_min, t_max, last_step)
    if method not in ODE_METHODS:
        raise ValueError(f"unknown ODE method {method!r}; valid: {list(ODE_METHODS)}")
    cb = Counted(b, "b")
    start, end, final = (hi, lo, 0.0) if reverse else (lo, hi, 1.0)
    f = lambda t, y: (cb(as_time(t, y[0]), y[0]),)  # noqa: E731
    grid = time_grid(start, end, steps)
    saved: Optional[List[Tensors]] = [(x0,)] if save_trajectory else None
    with torch.no_grad():
        if method in ODE_FIXED:
            (x,) = integrate_fixed(f, (x0,), grid, method, saved)
        else:
            (x,) = integrate_adaptive(f, (x0,), grid, method, rtol, atol, saved)
        x, t_out = _last_piece(cb, x, end, final, last_step, grid, saved)
    return _result(x, cb.calls, [cb], t_out, grid, saved)


# ----------------------------------------------------------------------------------------
# SDEs
# ----------------------------------------------------------------------------------------
def sample_sde(b: Field, s: Field, x0: Tensor, steps: int = 100, method: str = "euler-maruyama", *,
               eps: Schedule, generator: Optional[torch.Generator] = None, t_min: float = SCORE_WINDOW[0],
               t_max: float = SCORE_WINDOW[1], last_step: str = "ode",
               save_trajectory: bool = False) -> SampleResult:
    """Forward SDE dX = (b + eps s) dt + sqrt(2 eps) dW from x0 ~ rho0 (docs/theory.md §4).

    eps: float >= 0 or callable of t. method: "euler-maruyama" or "heun" (stochastic Heun, the
    predictor-corrector of weak order 2 for additive noise). Window: see the module doc.
    """
    cb, cs = Counted(b, "b"), Counted(s, "s")
    return _sample_sde(forward_drift(cb, cs, eps), cb, (cb, cs), eps, x0, steps, method, generator,
                       t_min, t_max, last_step, save_trajectory, reverse=False)


def sample_sde_backward(b: Field, s: Field, x1: Tensor, steps: int = 100,
                        method: str = "euler-maruyama", *, eps: Schedule, generator: Optional[torch.Generator] = None,
                        t_min: float = SCORE_WINDOW[0], t_max: float = SCORE_WINDOW[1], last_step: str = "ode",
                        save_trajectory: bool = False) -> SampleResult:
    """Backward SDE dX = (b - eps s) dt + sqrt(2 eps) dW integrated from x1 ~ rho1 at t = 1 down to t = 0.

    In the discretisation time decreases: X_{t-h} = X_t - h b_B(t, X_t) + sqrt(2 eps h) xi.
    """
    cb, cs = Counted(b, "b"), Counted(s, "s")
    return _sample_sde(backward_drift(cb, cs, eps), cb, (cb, cs), eps, x1, steps, method, generator,
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
    return _sample_sde(denoiser_drift(cv, ceta, interpolant, eps), velocity_from_denoiser(cv, ceta, interpolant),
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


def _sample_sde(drift: Field, velocity: Field, counters, eps, x: Tensor, steps, method, generator,
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
        x, t_out = _last_piece(velocity, x, end, final, last_step, grid, saved)
    nfe += int(t_out != end)
    return _result(x, nfe, counters, t_out, grid, saved)


# ----------------------------------------------------------------------------------------
# shared pieces
# ----------------------------------------------------------------------------------------
def _last_piece(velocity: Field, x: Tensor, end: float, final: float, last_step: str, grid: List[float],
                saved: Optional[List[Tensors]]) -> Tuple[Tensor, float]:
    """One explicit Euler step of dX = b dt from the window's end to the final time (module doc)."""
    if last_step == "none" or end == final:
        return x, end
    x = x + (final - end) * velocity(as_time(end, x), x)
    grid.append(final)
    if saved is not None:
        saved.append((x,))
    return x, final


def _result(x: Tensor, nfe: int, counters, t_out: float, grid: List[float],
            saved: Optional[List[Tensors]]) -> SampleResult:
    if saved is None:
        return SampleResult(x=x, nfe=int(nfe), calls=call_counts(*counters), t=float(t_out))
    times = torch.tensor(grid, dtype=x.dtype, device=x.device)
    return SampleResult(x=x, nfe=int(nfe), calls=call_counts(*counters), t=float(t_out), times=times,
                        trajectory=torch.stack([s[0] for s in saved]))


__all__ = ["SampleResult", "sample_ode", "sample_sde", "sample_sde_backward", "sample_sde_denoiser", "sde_step",
           "rk_step", "integrate_fixed", "integrate_adaptive", "time_grid", "check_steps", "check_window",
           "ODE_METHODS", "SDE_METHODS", "SCORE_WINDOW"]
