"""The exponential moving average of the weights (docs/theory.md §3), through PyTorch's public EMA
update (torch.optim.swa_utils.get_ema_multi_avg_fn: one fused lerp over all parameters). The averaged
weights are the trained model of Albergo, Boffi & Vanden-Eijnden, arXiv:2303.08797, as trained here.

    w_avg <- decay_k w_avg + (1 - decay_k) w,   decay_k = min(ema, (1 + k) / (10 + k)) at step k,

starting from the initial weights; the warm-up (1 + k) / (10 + k) lets the early weights fade.
"""
from __future__ import annotations

from typing import Iterable

import torch
from torch.optim.swa_utils import get_ema_multi_avg_fn

__all__ = ["WeightAverage"]


class WeightAverage:
    """EMA of `params` with decay `ema` (module doc); `update(k)` after optimiser step k, `copy_to()`
    writes the average into the parameters at the end."""

    def __init__(self, params: Iterable[torch.nn.Parameter], ema: float):
        if not 0 < ema < 1:
            raise ValueError(f"the EMA decay must lie in (0, 1), got {ema}")
        self.params = list(params)
        self.average = [p.detach().clone() for p in self.params]
        self.ema = float(ema)

    def decay(self, step: int) -> float:
        return min(self.ema, (1 + step) / (10 + step))

    def update(self, step: int) -> None:
        get_ema_multi_avg_fn(self.decay(step))(self.average, self.params, step)

    @torch.no_grad()
    def copy_to(self) -> None:
        for p, q in zip(self.params, self.average):
            p.copy_(q)
