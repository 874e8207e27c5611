"""The result of a sampler, and the last piece of the integration window (docs/theory.md §4).

Outside the window [t_min, t_max] the fields are not evaluated; `finish_window` covers the last
piece ([t_max, 1] forward, [0, t_min] backward) by one explicit Euler step of the probability-flow
ODE dX = b dt, evaluated at the window's end (b carries no 1/gamma; Albergo, Boffi & Vanden-Eijnden,
arXiv:2303.08797).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

import torch

from ..fields import Field, call_counts
from ..times import as_time
from .runge_kutta import Tensors

Tensor = torch.Tensor

__all__ = ["SampleResult", "finish_window", "sample_result"]


@dataclass(frozen=True)
class SampleResult:
    """Samples x at time t, the number of model evaluations and, optionally, the path."""
    x: Tensor                            # (n, d)
    nfe: int                             # (t, x) points at which the model was evaluated
    calls: Dict[str, int]                # exact number of calls of each field
    t: float                             # the time of x (1.0, 0.0, or the window's end with last_step "none")
    times: Optional[Tensor] = None       # (T,) when saved
    trajectory: Optional[Tensor] = None  # (T, n, d) when saved: the state at each of `times`


def finish_window(velocity: Field, x: Tensor, end: float, final: float, last_step: str, grid: List[float],
                  saved: Optional[List[Tensors]]) -> Tuple[Tensor, float]:
    """One explicit Euler step of dX = b dt from the window's end to the final time (module doc)."""
    if last_step == "none" or end == final:
        return x, end
    x = x + (final - end) * velocity(as_time(end, x), x)
    grid.append(final)
    if saved is not None:
        saved.append((x,))
    return x, final


def sample_result(x: Tensor, nfe: int, counters, t_out: float, grid: List[float],
                  saved: Optional[List[Tensors]]) -> SampleResult:
    """The SampleResult of a run: x at time t_out and, when the states were saved, the trajectory."""
    if saved is None:
        return SampleResult(x=x, nfe=int(nfe), calls=call_counts(*counters), t=float(t_out))
    times = torch.tensor(grid, dtype=x.dtype, device=x.device)
    return SampleResult(x=x, nfe=int(nfe), calls=call_counts(*counters), t=float(t_out), times=times,
                        trajectory=torch.stack([s[0] for s in saved]))
