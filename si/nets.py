"""Time-conditioned networks for the learned fields b, v, s, eta (docs/theory.md §2, §3): an MLP on
Fourier features of t and x. Fields of Albergo, Boffi & Vanden-Eijnden, arXiv:2303.08797.
"""
from __future__ import annotations

import math

import torch
from torch import nn

from .times import as_time

Tensor = torch.Tensor

__all__ = ["TimeFeatures", "FieldMLP"]


class TimeFeatures(nn.Module):
    """t -> (t, sin(2 pi k t), cos(2 pi k t)) for k = 1..n_freq (fixed, not learned)."""

    def __init__(self, n_freq: int = 4):
        super().__init__()
        self.register_buffer("freqs", 2 * math.pi * torch.arange(1, n_freq + 1, dtype=torch.float32))

    @property
    def dim(self) -> int:
        return 1 + 2 * self.freqs.numel()

    def forward(self, t: Tensor) -> Tensor:
        wt = t[:, None] * self.freqs.to(t.dtype)
        return torch.cat([t[:, None], torch.sin(wt), torch.cos(wt)], dim=1)


class FieldMLP(nn.Module):
    """f(t, x): an MLP on (time features, x) with `depth` hidden layers of width `hidden`."""

    def __init__(self, dim: int, hidden: int = 128, depth: int = 3, n_freq: int = 4):
        super().__init__()
        if dim < 1 or hidden < 1 or depth < 1:
            raise ValueError(f"dim, hidden and depth must be >= 1, got {dim}, {hidden}, {depth}")
        self.dim = dim
        self.time = TimeFeatures(n_freq)
        layers, width = [], dim + self.time.dim
        for _ in range(depth):
            layers += [nn.Linear(width, hidden), nn.SiLU()]
            width = hidden
        layers.append(nn.Linear(width, dim))
        self.net = nn.Sequential(*layers)

    def forward(self, t: Tensor, x: Tensor) -> Tensor:
        if x.dim() != 2 or x.shape[1] != self.dim:
            raise ValueError(f"x must have shape (n, {self.dim}), got {tuple(x.shape)}")
        t = as_time(t, x)
        if t.shape != (x.shape[0],):
            raise ValueError(f"t must have shape ({x.shape[0]},), got {tuple(t.shape)}")
        return self.net(torch.cat([self.time(t), x], dim=1))
