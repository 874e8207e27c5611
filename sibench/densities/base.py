"""The interface of a benchmark density, and the Monte Carlo estimate of an entropy."""
from __future__ import annotations

import abc
import math
from typing import Optional, Tuple

import torch

Tensor = torch.Tensor

__all__ = ["Density", "estimate_entropy"]


class Density(abc.ABC):
    """A probability density on R^d with a sampler, an exact log density and its entropy."""

    name: str

    @property
    @abc.abstractmethod
    def dim(self) -> int: ...

    @property
    @abc.abstractmethod
    def dtype(self) -> torch.dtype: ...

    @property
    @abc.abstractmethod
    def device(self) -> torch.device: ...

    @abc.abstractmethod
    def sample(self, n: int, generator: Optional[torch.Generator] = None) -> Tensor:
        """n independent samples, shape (n, d), in this density's dtype and on its device."""

    @abc.abstractmethod
    def log_prob(self, x: Tensor) -> Tensor:
        """Exact log density at x (n, d) -> (n,), in the dtype and on the device of x."""

    @abc.abstractmethod
    def to(self, device=None, dtype=None) -> "Density": ...

    @property
    @abc.abstractmethod
    def entropy(self) -> float:
        """Differential entropy -E log rho(X) in nats."""

    @property
    @abc.abstractmethod
    def entropy_se(self) -> float:
        """Standard error of `entropy` (0 when it is analytic)."""

    @property
    def entropy_known(self) -> bool:
        """Whether the entropy is at hand (analytic or stored) rather than estimated on first access."""
        return True

    @property
    def gmm(self):
        """The si.mixtures.GaussianMixture when the density is one (the exact oracle applies), else None."""
        return None

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r}, dim={self.dim})"

    def check_points(self, x: Tensor) -> None:
        """ValueError unless x has shape (n, dim)."""
        if x.dim() != 2 or x.shape[1] != self.dim:
            raise ValueError(f"x must have shape (n, {self.dim}), got {tuple(x.shape)}")


def estimate_entropy(density: Density, n: int = 1_000_000, seed: int = 0,
                     chunk: int = 100_000) -> Tuple[float, float]:
    """Monte Carlo entropy: (mean, standard error) of -log rho(X) over n samples, in float64 on CPU.

    Samples are drawn in chunks from one `torch.Generator` seeded with `seed`, so the result is
    reproducible; the standard error is std(log rho(X)) / sqrt(n).
    """
    if n < 2:
        raise ValueError(f"n must be at least 2, got {n}")
    dens = density.to(device="cpu", dtype=torch.float64)
    g = torch.Generator().manual_seed(seed)
    vals = []
    for start in range(0, n, chunk):
        m = min(chunk, n - start)
        vals.append(-dens.log_prob(dens.sample(m, generator=g)))
    v = torch.cat(vals)
    if not bool(torch.isfinite(v).all()):
        raise ValueError(f"{density.name}: log density is not finite at some of its own samples")
    return float(v.mean()), float(v.std() / math.sqrt(n))
