"""The probability-flow ODE dX = b(t, X) dt of a stochastic interpolant (docs/theory.md §4;
Albergo, Boffi & Vanden-Eijnden, arXiv:2303.08797).
"""
from __future__ import annotations

from typing import List, Optional

import torch

from ..fields import Counted, Field
from ..times import as_time
from .checks import check_state, check_steps, check_window, time_grid
from .result import SampleResult, finish_window, sample_result
from .runge_kutta import ODE_FIXED, ODE_METHODS, Tensors, integrate_adaptive, integrate_fixed

Tensor = torch.Tensor

__all__ = ["sample_ode"]


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
        x, t_out = finish_window(cb, x, end, final, last_step, grid, saved)
    return sample_result(x, cb.calls, [cb], t_out, grid, saved)
