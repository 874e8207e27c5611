"""Validation shared by the samplers and the likelihood estimators (docs/theory.md §4): the number
of steps, the integration window [t_min, t_max] and its last piece, the state x (shape and finite
entries), and the time grid.
The score window follows Albergo, Boffi & Vanden-Eijnden, arXiv:2303.08797 (docs/theory.md §9).
"""
from __future__ import annotations

from typing import List, Tuple

import torch

Tensor = torch.Tensor
LAST_STEPS = ("ode", "none")
SCORE_WINDOW = (1e-4, 1 - 1e-4)  # docs/theory.md §9

__all__ = ["check_steps", "check_window", "check_state", "time_grid", "LAST_STEPS", "SCORE_WINDOW"]


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
    """x must be a floating-point tensor of samples of shape (n, d) with finite entries (a NaN or inf row
    would only come out as a NaN sample or log-density, indistinguishable from a model that blew up).
    A density, an array or an iterable of batches gets an error saying what to pass instead."""
    if not isinstance(x, Tensor):
        if callable(getattr(x, "sample", None)):
            hint = f"; draw the samples first, e.g. {name} = rho.sample(n)"
        elif hasattr(x, "shape") and hasattr(x, "dtype"):
            hint = f"; convert it with torch.as_tensor({name}, dtype=torch.float32)"
        elif hasattr(x, "__iter__"):
            hint = "; for an iterable of batches, call once per batch or torch.cat them into one tensor"
        else:
            hint = ""
        raise ValueError(f"{name} must be a tensor of samples, floating point of shape (n, d), got "
                         f"{type(x).__name__}{hint}")
    if x.dim() != 2 or not x.dtype.is_floating_point:
        raise ValueError(f"{name} must be a floating-point tensor of shape (n, d), got {tuple(x.shape)} {x.dtype}")
    bad = ~torch.isfinite(x).all(1)
    if bool(bad.any()):
        rows = bad.nonzero().flatten()
        raise ValueError(f"{name} must be finite: {rows.numel()} of its {x.shape[0]} rows hold NaN or inf "
                         f"(first: row {int(rows[0])})")
    return x


def time_grid(start: float, end: float, steps: int) -> List[float]:
    """steps + 1 equally spaced times from start to end (either order), as Python floats in float64."""
    grid = torch.linspace(start, end, steps + 1, dtype=torch.float64).tolist()
    grid[0], grid[-1] = start, end
    return grid
