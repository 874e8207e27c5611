"""Injected defects of a benchmark's target: exact densities a little away from the truth
(docs/theory.md §7.8: the power of a metric is the smallest defect it detects at its n and seeds).

Every defect is a Density with an exact log density and a sampler, so it can be scored like a model
by every metric of the suite (sibench.power.scores). For a target rho1:

    truth       rho1 itself
    cov-0.95 .. cov-0.6    Gaussian mixture: every component covariance times c (means, weights kept);
                           checkerboard: the pushforward y = m + sqrt(c) (x - m) about its mean m = 0
                           (so the total covariance is times c)
    weight-0.75            one mode's weight times 0.75, the weights renormalised
    mode-dropped           that mode removed (weights renormalised)
    shift-0.1, shift-0.4   every point moved by delta u, u = (1, ..., 1) / sqrt(d) (a fixed unit direction)

"One mode" is the heaviest component of a mixture (largest weight, the first among equal weights) and
the checkerboard's square with lower-left corner (-4, -4) (its first square). A single Gaussian has no
mode to reweight or drop: its mode defects are not applicable (`applicable_defects`).
The "models" of the power study of Albergo, Boffi & Vanden-Eijnden (arXiv:2303.08797)-style
benchmarks are these densities; nothing here is trained.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import List, Optional, Tuple

import torch

from ..densities import Checkerboard, Density, MixtureDensity
from si.mixtures import GaussianMixture

Tensor = torch.Tensor

__all__ = ["Defect", "DEFECTS", "COV_ORDER", "defect", "applicable_defects", "defective", "has_exact_density",
           "heaviest_mode", "shift_direction", "AffinePushforward", "WeightedCheckerboard"]


@dataclass(frozen=True)
class Defect:
    name: str      # e.g. "cov-0.8"
    kind: str      # "truth", "cov", "weight", "drop", "shift"
    param: float   # the covariance factor, weight factor or shift length (1 / 0 for the truth)


DEFECTS: Tuple[Defect, ...] = (
    Defect("truth", "truth", 0.0),
    *(Defect(f"cov-{c:g}", "cov", c) for c in (0.95, 0.9, 0.8, 0.6)),
    Defect("weight-0.75", "weight", 0.75),
    Defect("mode-dropped", "drop", 0.0),
    *(Defect(f"shift-{s:g}", "shift", s) for s in (0.1, 0.4)),
)
COV_ORDER = ("truth", "cov-0.9", "cov-0.8", "cov-0.6")  # "orders": the metric is monotone along these


def defect(name: str) -> Defect:
    for d in DEFECTS:
        if d.name == name:
            return d
    raise ValueError(f"unknown defect {name!r}; valid: {[d.name for d in DEFECTS]}")


def has_exact_density(rho: Density) -> bool:
    """A Gaussian mixture or the checkerboard: the densities this module can perturb exactly."""
    return rho.gmm is not None or isinstance(rho, Checkerboard)


def applicable_defects(rho: Density) -> List[Defect]:
    """The defects that make sense for rho (no mode defects for a single Gaussian)."""
    if not has_exact_density(rho):
        raise ValueError(f"{rho.name}: no exact density to perturb (a Gaussian mixture or the checkerboard)")
    single = rho.gmm is not None and rho.gmm.n_components == 1
    return [d for d in DEFECTS if not (single and d.kind in ("weight", "drop"))]


def heaviest_mode(gmm: GaussianMixture) -> int:
    """The index of the component with the largest weight (the first among equals)."""
    return int(torch.argmax(gmm.weights))


def shift_direction(d: int) -> Tensor:
    """The fixed unit direction of the shift defects, (1, ..., 1) / sqrt(d), float64."""
    return torch.ones(d, dtype=torch.float64) / math.sqrt(d)


def _mixture(rho: MixtureDensity, d: Defect) -> MixtureDensity:
    g = rho.gmm
    w, m, S = g.weights.clone(), g.means.clone(), g.covs.clone()
    k = heaviest_mode(g)
    if d.kind == "cov":
        S = d.param * S
    elif d.kind == "shift":
        m = m + d.param * shift_direction(g.dim)
    elif d.kind in ("weight", "drop"):
        if g.n_components < 2:
            raise ValueError(f"{rho.name}: a single Gaussian has no mode to reweight or drop")
        if d.kind == "weight":
            w[k] = d.param * w[k]
        else:
            keep = torch.arange(g.n_components) != k
            w, m, S = w[keep], m[keep], S[keep]
        w = w / w.sum()
    return MixtureDensity(f"{rho.name}~{d.name}", GaussianMixture(w, m, S), dtype=rho.dtype)


def _checkerboard(rho: Checkerboard, d: Defect) -> Density:
    if d.kind == "cov":
        return AffinePushforward(rho, math.sqrt(d.param), torch.zeros(2, dtype=torch.float64), f"~{d.name}")
    if d.kind == "shift":
        return AffinePushforward(rho, 1.0, d.param * shift_direction(2), f"~{d.name}")
    w = torch.ones(8, dtype=torch.float64)
    w[0] = d.param if d.kind == "weight" else 0.0
    return WeightedCheckerboard(w / w.sum(), dtype=rho.dtype, name=f"{rho.name}~{d.name}")


def defective(rho: Density, d: Defect) -> Density:
    """The target rho with the defect d (module doc); rho itself for the truth."""
    if d.kind == "truth":
        return rho
    if d not in applicable_defects(rho):
        raise ValueError(f"defect {d.name!r} does not apply to {rho.name} (a single Gaussian has no mode to "
                         f"reweight or drop)")
    return _mixture(rho, d) if rho.gmm is not None else _checkerboard(rho, d)


class AffinePushforward(Density):
    """The law of y = scale (x - m) + m + shift for x ~ base, m = 0 (the checkerboard's mean):
    log q(y) = log p((y - shift) / scale) - d log scale; entropy H(p) + d log scale."""

    def __init__(self, base: Density, scale: float, shift: Tensor, suffix: str):
        if not scale > 0:
            raise ValueError(f"scale must be positive, got {scale}")
        self.base, self.scale = base, float(scale)
        self.shift = torch.as_tensor(shift, dtype=torch.float64)
        if self.shift.shape != (base.dim,):
            raise ValueError(f"shift must have shape ({base.dim},), got {tuple(self.shift.shape)}")
        self.name = base.name + suffix

    @property
    def dim(self) -> int:
        return self.base.dim

    @property
    def dtype(self) -> torch.dtype:
        return self.base.dtype

    @property
    def device(self) -> torch.device:
        return self.base.device

    @property
    def entropy(self) -> float:
        return self.base.entropy + self.dim * math.log(self.scale)

    @property
    def entropy_se(self) -> float:
        return self.base.entropy_se

    def to(self, device=None, dtype=None) -> "AffinePushforward":
        new = AffinePushforward(self.base.to(device=device, dtype=dtype), self.scale, self.shift, "")
        new.name = self.name
        return new

    def sample(self, n: int, generator: Optional[torch.Generator] = None) -> Tensor:
        x = self.base.sample(n, generator=generator)
        return self.scale * x + self.shift.to(x.dtype)

    def log_prob(self, x: Tensor) -> Tensor:
        self.check_points(x)
        y = (x - self.shift.to(x.dtype)) / self.scale
        return self.base.log_prob(y) - self.dim * math.log(self.scale)


class WeightedCheckerboard(Checkerboard):
    """The checkerboard's 8 squares with weights w (sum 1; a zero drops a square): density w_k / 4 on
    square k (area 4), entropy -sum_k w_k log(w_k / 4)."""

    def __init__(self, weights: Tensor, dtype=None, device=None, name: str = "checkerboard-weighted"):
        super().__init__(dtype=dtype, device=device)
        w = torch.as_tensor(weights, dtype=torch.float64)
        if w.shape != (8,) or bool((w < 0).any()) or abs(float(w.sum()) - 1) > 1e-12:
            raise ValueError(f"weights must be 8 non-negative numbers summing to 1, got {w.tolist()}")
        self.weights, self.name = w, name

    @property
    def entropy(self) -> float:
        w = self.weights[self.weights > 0]
        return float(-(w * torch.log(w / self.SIDE ** 2)).sum())

    def to(self, device=None, dtype=None) -> "WeightedCheckerboard":
        return WeightedCheckerboard(self.weights, dtype=dtype or self.dtype, device=device or self.device,
                                    name=self.name)

    def sample(self, n: int, generator: Optional[torch.Generator] = None) -> Tensor:
        if n < 0:
            raise ValueError(f"n must be non-negative, got {n}")
        k = torch.multinomial(self.weights, n, replacement=True, generator=generator).to(self.device)
        u = torch.rand(n, 2, generator=generator, dtype=self.dtype, device=self.device)
        return self.corners()[k] + self.SIDE * u

    def square(self, x: Tensor) -> Tensor:
        """Index (n,) of the support square that holds each row of x (-1 off the support)."""
        inside = self.inside(x)
        c = self.corners().to(x.dtype)
        cell = torch.floor((x + 4.0) / self.SIDE)
        corner = -4.0 + self.SIDE * cell
        match = (corner[:, None, :] == c[None]).all(-1)                      # (n, 8)
        return torch.where(inside, match.to(torch.int64).argmax(1), torch.full_like(inside, -1, dtype=torch.int64))

    def log_prob(self, x: Tensor) -> Tensor:
        k = self.square(x)
        logw = torch.log(self.weights.to(x.dtype) / self.SIDE ** 2)
        out = torch.full_like(x[:, 0], -math.inf)
        on = k >= 0
        out[on] = logw[k[on]]
        return out
