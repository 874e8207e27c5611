"""Explicit Runge-Kutta integration on tuples of tensors (docs/theory.md §4): the Butcher tableaus of
the fixed-step methods, one step, a fixed grid, and torchdiffeq's adaptive dopri5 kept inside the
window. Used for the probability-flow ODE of Albergo, Boffi & Vanden-Eijnden, arXiv:2303.08797
and for its augmented likelihood ODE (docs/theory.md §5).
"""
from __future__ import annotations

from typing import Callable, Dict, List, Optional, Sequence, Tuple

import torch

Tensor = torch.Tensor
Tensors = Tuple[Tensor, ...]

ODE_FIXED = ("euler", "heun", "midpoint", "rk4")
ODE_ADAPTIVE = ("dopri5",)
ODE_METHODS = ODE_FIXED + ODE_ADAPTIVE

__all__ = ["BUTCHER", "ODE_FIXED", "ODE_ADAPTIVE", "ODE_METHODS", "Tensors", "rk_step", "integrate_fixed",
           "integrate_adaptive"]

# Butcher tableaus (c, A, weights) of the explicit fixed-step Runge-Kutta methods
BUTCHER: Dict[str, Tuple[Sequence[float], Sequence[Sequence[float]], Sequence[float]]] = {
    "euler": ((0.0,), ((),), (1.0,)),
    "heun": ((0.0, 1.0), ((), (1.0,)), (0.5, 0.5)),                       # explicit trapezoid
    "midpoint": ((0.0, 0.5), ((), (0.5,)), (0.0, 1.0)),
    "rk4": ((0.0, 0.5, 0.5, 1.0), ((), (0.5,), (0.0, 0.5), (0.0, 0.0, 1.0)), (1 / 6, 1 / 3, 1 / 3, 1 / 6)),
}



def rk_step(f: Callable[[float, Tensors], Tensors], t: float, h: float, y: Tensors, method: str) -> Tensors:
    """One explicit Runge-Kutta step y(t) -> y(t + h) (h may be negative) of dy/dt = f(t, y)."""
    c, A, w = BUTCHER[method]
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
