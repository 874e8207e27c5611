"""The checkerboard: uniform on 8 squares of side 2 in [-4, 4]^2 (no Gaussian mixture, so no exact oracle;
its support fraction is a discriminating metric, docs/theory.md §7)."""
from __future__ import annotations

import math
from typing import Optional

import torch

from .base import Density, Tensor

__all__ = ["Checkerboard"]


class Checkerboard(Density):
    """Uniform on the 8 squares [-4 + 2i, -2 + 2i] x [-4 + 2j, -2 + 2j], i, j in {0..3}, i + j even.

    Area 32, so log rho = -log 32 on the support and -inf off it; entropy log 32 (analytic).
    The square with lower-left corner (-4, -4) is in the support (the usual FFJORD layout).
    """

    name = "checkerboard"
    AREA = 32.0
    SIDE = 2.0

    def __init__(self, dtype=None, device=None):
        self._dtype = dtype or torch.get_default_dtype()
        self._device = torch.device(device) if device is not None else torch.device("cpu")
        self.params = {"squares": 8, "side": 2.0, "box": [-4.0, 4.0], "rule": "i + j even"}

    @property
    def dim(self) -> int:
        return 2

    @property
    def dtype(self) -> torch.dtype:
        return self._dtype

    @property
    def device(self) -> torch.device:
        return self._device

    @property
    def entropy(self) -> float:
        return math.log(self.AREA)

    @property
    def entropy_se(self) -> float:
        return 0.0

    def to(self, device=None, dtype=None) -> "Checkerboard":
        return Checkerboard(dtype=dtype or self._dtype, device=device or self._device)

    def corners(self) -> Tensor:
        """Lower-left corners of the 8 squares, shape (8, 2)."""
        ij = [(i, j) for i in range(4) for j in range(4) if (i + j) % 2 == 0]
        return -4.0 + 2.0 * torch.tensor(ij, dtype=self._dtype, device=self._device)

    def sample(self, n: int, generator: Optional[torch.Generator] = None) -> Tensor:
        if n < 0:
            raise ValueError(f"n must be non-negative, got {n}")
        k = torch.randint(0, 8, (n,), generator=generator, device=self._device)
        u = torch.rand(n, 2, generator=generator, dtype=self._dtype, device=self._device)
        return self.corners()[k] + self.SIDE * u

    def inside(self, x: Tensor) -> Tensor:
        """Boolean (n,): x lies in the support."""
        self.check_points(x)
        cell = torch.floor((x + 4.0) / self.SIDE)
        in_box = ((cell >= 0) & (cell <= 3)).all(-1)
        return in_box & (cell.sum(-1).remainder(2) == 0)

    def support_fraction(self, x: Tensor) -> float:
        """Fraction of the rows of x inside the support (docs/theory.md §7: a discriminating metric)."""
        return float(self.inside(x).to(torch.float64).mean()) if x.shape[0] else float("nan")

    def log_prob(self, x: Tensor) -> Tensor:
        inside = self.inside(x)
        return torch.where(inside, torch.full_like(x[:, 0], -math.log(self.AREA)),
                           torch.full_like(x[:, 0], -math.inf))
