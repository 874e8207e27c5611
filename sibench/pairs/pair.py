"""A benchmark pair (rho0, rho1) with its ground truth: which side, if any, is the Gaussian latent
N(0, I) of one-sided paths, the exact interpolant oracle (docs/theory.md §6) when both sides are Gaussian
mixtures, the target entropy, and for Schroedinger-bridge pairs the exact bridge (si.bridges)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional, Tuple

import torch

from ..densities import Density
from si.interpolants import Interpolant
from si.oracle import InterpolantOracle

__all__ = ["BenchmarkPair"]


@dataclass(frozen=True)
class BenchmarkPair:
    """A source rho0 and a target rho1 on R^dim, with the ground truth known for them.

    latent: "rho0" when rho0 is N(0, I) (the pair may be used with one-sided paths), else None.
    mirror: rho0 and rho1 are the same density (for the mirror interpolant).
    sigma2: the reference noise sigma^2 of a Schroedinger-bridge pair (dX = sigma dW), else None.
    tags: labels for selecting pairs ("2d", "highdim", "sb", "mirror", ...).
    bridge: the exact Schroedinger bridge at reference sigma^2 (an si.bridges object with
        sample_plan, drift, marginal, ...) for bridge pairs, else None.
    """

    name: str
    rho0: Density
    rho1: Density
    dim: int
    description: str
    latent: Optional[str] = None
    mirror: bool = False
    sigma2: Optional[float] = None
    tags: Tuple[str, ...] = ()
    bridge: Optional[Any] = field(default=None, repr=False, compare=False)

    def __post_init__(self):
        if not (self.rho0.dim == self.rho1.dim == self.dim):
            raise ValueError(f"{self.name}: dimensions disagree (rho0 {self.rho0.dim}, rho1 {self.rho1.dim}, "
                             f"dim {self.dim})")
        if self.latent not in (None, "rho0"):
            raise ValueError(f"latent must be None or 'rho0', got {self.latent!r}")
        if (self.bridge is None) != (self.sigma2 is None):
            raise ValueError(f"{self.name}: a bridge pair needs both bridge and sigma2")
        if self.latent == "rho0" and not (self.rho0.gmm is not None and self.rho0.gmm.is_standard_normal()):
            raise ValueError(f"{self.name}: latent='rho0' needs rho0 = N(0, I)")

    # -- ground truth ----------------------------------------------------------------------
    @property
    def has_oracle(self) -> bool:
        """Both sides are Gaussian mixtures, so `oracle` gives exact fields for any interpolant
        (independent coupling) that the pair admits."""
        return self.rho0.gmm is not None and self.rho1.gmm is not None

    def oracle(self, interpolant: Interpolant) -> InterpolantOracle:
        """Exact b, s, v, eta, log rho_t of `interpolant` between rho0 and rho1 (docs/theory.md §6)."""
        if not self.has_oracle:
            which = [r.name for r in (self.rho0, self.rho1) if r.gmm is None]
            raise ValueError(f"{self.name}: no exact oracle, {which} is not a Gaussian mixture")
        if interpolant.one_sided and self.latent != "rho0":
            raise ValueError(f"{self.name}: one-sided path {interpolant.path!r} needs rho0 = N(0, I) as the "
                             f"latent; this pair's rho0 is {self.rho0.name!r}")
        if interpolant.mirror and not self.mirror:
            raise ValueError(f"{self.name}: the mirror path needs a mirror pair (rho0 = rho1)")
        return InterpolantOracle(interpolant, self.rho0.gmm, self.rho1.gmm)

    def admits(self, interpolant: Interpolant) -> bool:
        """Whether the interpolant makes sense for this pair (one-sided needs the latent, mirror a
        mirror pair)."""
        return (not interpolant.one_sided or self.latent == "rho0") and (not interpolant.mirror or self.mirror)

    @property
    def target_entropy(self) -> float:
        return self.rho1.entropy

    @property
    def target_entropy_se(self) -> float:
        return self.rho1.entropy_se

    @property
    def is_bridge(self) -> bool:
        return self.bridge is not None

    def sample(self, n: int, generator: Optional[torch.Generator] = None) -> Tuple[torch.Tensor, torch.Tensor]:
        """Independent samples (x0, x1), each (n, dim) (a bridge pair's plan: `pair.bridge.sample_plan`)."""
        return self.rho0.sample(n, generator=generator), self.rho1.sample(n, generator=generator)
