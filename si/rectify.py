"""Rectification of a learned flow map (Albergo, Boffi & Vanden-Eijnden, arXiv:2303.08797, section 5.3;
docs/theory.md §9): the coupling (x0, X_1(x0)) of the probability-flow ODE dX = b(t, X) dt started at
x0 ~ rho0, and training a second interpolant on those pairs.

The paper's claim: the ODE of a model trained on the coupling (x0, X_1(x0)) has the same flow map
x0 -> X_1(x0) as the model it was built from (so the generative model, the law of X_1, does not
change), although the interpolant's density rho_t' between the pairs differs from rho_t (with a
straight path I = (1-t) x0 + t X_1 the new paths are straighter: the rectified flow of Liu et al.).

A coupling here is what si.training.train takes: coupling(x0, x1, generator) -> (x0, x1'). Two are
provided:
  * FlowMapCoupling: x1' = X_1(x0) by integrating the ODE on each batch (exact in law; costs an ODE
    solve per training step);
  * PairPool: a fixed set of pairs (x0_k, X_1(x0_k)) computed once by `flow_map`; each batch draws
    rows uniformly with replacement (the empirical coupling, as rectified flow trains on a stored set).
Both discard the x1 the trainer drew from rho1 (the target enters only through b).
"""
from __future__ import annotations

from typing import Optional, Tuple

import torch

from .fields import Field
from .sampling import sample_ode

Tensor = torch.Tensor

__all__ = ["flow_map", "FlowMapCoupling", "PairPool"]


def flow_map(b: Field, x0: Tensor, steps: int = 100, method: str = "rk4", *, t_min: float = 0.0,
             t_max: float = 1.0, chunk: Optional[int] = None) -> Tensor:
    """X_1(x0): the state at t = 1 of dX = b dt from x0 (si.sampling.sample_ode on [t_min, t_max], one
    Euler step of b over [t_max, 1] when t_max < 1). `chunk` rows at a time (None: all)."""
    if chunk is not None and (isinstance(chunk, bool) or not isinstance(chunk, int) or chunk < 1):
        raise ValueError(f"chunk must be a positive integer or None, got {chunk!r}")
    if x0.dim() != 2 or x0.shape[0] < 1:
        raise ValueError(f"x0 must have shape (n, d) with n >= 1, got {tuple(x0.shape)}")
    step = x0.shape[0] if chunk is None else chunk
    parts = [sample_ode(b, x0[i:i + step], steps=steps, method=method, t_min=t_min, t_max=t_max).x
             for i in range(0, x0.shape[0], step)]
    return torch.cat(parts)


class FlowMapCoupling:
    """coupling(x0, x1, generator) -> (x0, X_1(x0)) with X_1 the ODE flow map of b (x1 is discarded)."""

    name = "flow-map"

    def __init__(self, b: Field, steps: int = 100, method: str = "rk4", t_min: float = 0.0, t_max: float = 1.0):
        self.b, self.steps, self.method, self.t_min, self.t_max = b, int(steps), method, float(t_min), float(t_max)

    def __call__(self, x0: Tensor, x1: Tensor, generator: Optional[torch.Generator] = None) -> Tuple[Tensor, Tensor]:
        if x0.shape != x1.shape:
            raise ValueError(f"x0 and x1 must have the same shape, got {tuple(x0.shape)} and {tuple(x1.shape)}")
        with torch.no_grad():
            return x0, flow_map(self.b, x0, self.steps, self.method, t_min=self.t_min, t_max=self.t_max).to(x1.dtype)


class PairPool:
    """coupling(x0, x1, generator) -> n pairs drawn uniformly with replacement from the stored pairs
    (x0_k, x1_k), k < K (the drawn x0, x1 only give the batch size, dtype and device)."""

    name = "flow-map-pool"

    def __init__(self, x0: Tensor, x1: Tensor):
        if x0.dim() != 2 or x0.shape != x1.shape or x0.shape[0] < 1:
            raise ValueError(f"the pool needs pairs of shape (K, d), K >= 1, got {tuple(x0.shape)} and "
                             f"{tuple(x1.shape)}")
        if not (bool(torch.isfinite(x0).all()) and bool(torch.isfinite(x1).all())):
            raise ValueError("the pool has non-finite pairs (a diverged flow map?)")
        self.x0, self.x1 = x0.detach(), x1.detach()

    def __len__(self) -> int:
        return self.x0.shape[0]

    def __call__(self, x0: Tensor, x1: Tensor, generator: Optional[torch.Generator] = None) -> Tuple[Tensor, Tensor]:
        if x0.shape[1:] != self.x0.shape[1:]:
            raise ValueError(f"batches of shape {tuple(x0.shape)} for a pool of dimension {self.x0.shape[1]}")
        k = torch.randint(0, len(self), (x0.shape[0],), generator=generator)
        f = lambda a: a[k].to(dtype=x0.dtype, device=x0.device)  # noqa: E731
        return f(self.x0), f(self.x1)
