"""Times t in [0, 1], normalised in one place for every module (docs/theory.md §1).

Interpolants, fields, samplers, the mixture oracle and the bridges take a time as a Python float, a
0-d tensor or one time per row of x (shape (n,)). This module turns such input into the tensor each
of them needs, rejects times outside [0, 1] with one message, and evaluates time-dependent
parameters row by row with bounded memory (`evaluate_by_time`). Interpolants on t in [0, 1] as in
Albergo, Boffi & Vanden-Eijnden, arXiv:2303.08797.
"""
from __future__ import annotations

from typing import Callable

import torch

Tensor = torch.Tensor
CHUNK_ELEMENTS = 2 ** 22  # bound on the numbers held at once by evaluate_by_time (rows * row_cost)
MAX_TIME_GROUPS = 16      # up to this many distinct times: broadcast per time, else gather per row

__all__ = ["check_time", "as_time", "time_rows", "scalar_time", "evaluate_by_time", "CHUNK_ELEMENTS",
           "MAX_TIME_GROUPS"]


def check_time(t: Tensor, name: str = "t") -> Tensor:
    """Raise a ValueError if any entry of t lies outside [0, 1] (or is NaN)."""
    t = torch.as_tensor(t)
    if t.numel() and not bool(((t >= 0) & (t <= 1)).all()):
        bad = t[~((t >= 0) & (t <= 1))].flatten()[:3].tolist()
        raise ValueError(f"{name} must lie in [0, 1]; got values such as {bad}")
    return t


def as_time(t, x: Tensor) -> Tensor:
    """A time (float, 0-d or (n,) tensor) as a tensor of shape (n,) in x's dtype and device.

    No range check (the samplers call this at every step on times of their own grid)."""
    t = torch.as_tensor(t, dtype=x.dtype, device=x.device)
    return t.expand(x.shape[0]) if t.dim() == 0 else t


def time_rows(t, x: Tensor, dtype=None) -> Tensor:
    """One time per row of x (n, d): shape (n,), in `dtype` (default x's) on x's device, in [0, 1].

    t may be a float, a 0-d tensor (broadcast), or a tensor of shape (n,) or (n, 1)."""
    t = torch.as_tensor(t, dtype=x.dtype if dtype is None else dtype, device=x.device)
    if t.dim() == 0:
        t = t.expand(x.shape[0])
    if t.dim() == 2 and t.shape[1] == 1:
        t = t[:, 0]
    if t.shape != (x.shape[0],):
        raise ValueError(f"t must be a scalar or have shape ({x.shape[0]},), got {tuple(t.shape)}")
    return check_time(t)


def scalar_time(t) -> float:
    """A single time in [0, 1] (float or one-element tensor) as a Python float."""
    if isinstance(t, Tensor):
        if t.numel() != 1:
            raise ValueError(f"t must be a scalar here, got shape {tuple(t.shape)}")
        t = t.item()
    t = float(t)
    if not 0 <= t <= 1:
        raise ValueError(f"t must lie in [0, 1], got {t}")
    return t


def evaluate_by_time(t: Tensor, x: Tensor, params: Callable[[Tensor], tuple], apply: Callable,
                     row_cost: int) -> Tensor:
    """apply(params_rows, x_rows) for the rows of x grouped by their time t (n,).

    params(ts) returns tensors with leading dimension len(ts) for the times ts; apply must accept a
    leading dimension of 1 (one time for all its rows) or of its number of rows. Up to
    MAX_TIME_GROUPS distinct times are evaluated group by group (params once per distinct time),
    more row by row (params per chunk of rows). row_cost bounds the numbers held per row, so a chunk
    holds about CHUNK_ELEMENTS numbers.
    """
    chunk = max(1, CHUNK_ELEMENTS // max(1, row_cost))
    ts, inv = torch.unique(t, return_inverse=True)
    if len(ts) > MAX_TIME_GROUPS:
        return torch.cat([apply(params(t[s:s + chunk]), x[s:s + chunk]) for s in range(0, x.shape[0], chunk)], 0)
    p = params(ts)
    if len(ts) <= 1 and x.shape[0] <= chunk:  # one time (or no rows)
        return apply(p, x)
    pieces, order = [], []
    for j in range(len(ts)):
        rows = torch.nonzero(inv == j).squeeze(1)
        pj = tuple(q[j:j + 1] for q in p)
        for s in range(0, len(rows), chunk):
            r = rows[s:s + chunk]
            pieces.append(apply(pj, x[r]))
            order.append(r)
    out = torch.cat(pieces, 0)
    result = torch.empty_like(out)
    result[torch.cat(order)] = out
    return result
