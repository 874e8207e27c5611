"""Named benchmark pairs (rho0, rho1) with their ground truth attached .

A `BenchmarkPair` says which side, if any, is the Gaussian latent N(0, I) of one-sided paths, builds
the exact interpolant oracle (docs/theory.md §6) when both sides are Gaussian mixtures, carries the target
entropy, and for Schroedinger-bridge pairs builds the exact bridge (si.bridges) on first access.

`BENCHMARKS` is a read-only mapping name -> pair; pairs are constructed (and cached) when looked up,
so listing the names costs nothing and `si.bridges` is imported only by the bridge pairs, whose
parameters (and bridge objects) come from `sibench.bridge_pairs.gaussian_sb_pair` and
`sibench.bridge_pairs.mixture_potential_bridge`.
`get_benchmark(name)` also accepts hd-mixture-d<d> for any d >= 2 (docs/theory.md §9 goes up to d = 400).
Names use only [a-z0-9.-] so they are safe as file names and Snakemake wildcards.
"""
from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Iterator, Optional, Tuple

import torch

from . import densities as D
from si.interpolants import Interpolant
from si.oracle import InterpolantOracle

SB_GAUSS_DIMS = (2, 16, 64)
SB_MIXTURE_DIMS = (2, 16)
SB_SIGMA2 = (0.1, 1.0)
HD_DIMS = (16, 32)
HD_BASE_VAR = 1.5


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
    rho0: D.Density
    rho1: D.Density
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


# ----------------------------------------------------------------------------------------
# The pairs
# ----------------------------------------------------------------------------------------
def _gauss_to(target: Callable[[], D.Density], name: str, description: str, tags=("2d",)) -> BenchmarkPair:
    rho1 = target()
    return BenchmarkPair(name, D.gaussian(rho1.dim), rho1, rho1.dim, description, latent="rho0", tags=tags)


def _mirror(target: Callable[[], D.Density], name: str, description: str) -> BenchmarkPair:
    rho = target()
    return BenchmarkPair(name, rho, rho, rho.dim, description, mirror=True, tags=("2d", "mirror"))


def _hd_mixture(d: int) -> BenchmarkPair:
    return BenchmarkPair(
        f"hd-mixture-d{d}", D.gaussian(d, HD_BASE_VAR), D.highdim_mixture(d), d,
        f"N(0, {HD_BASE_VAR:g} I_{d}) -> mixture3-d{d}: 3 diagonal components (docs/theory.md §9, ODE vs SDE likelihood)",
        tags=("highdim",))


def _sigma_name(sigma2: float) -> str:
    return f"{sigma2:g}"


def _sb_gauss(d: int, sigma2: float) -> BenchmarkPair:
    """sibench.bridge_pairs.gaussian_sb_pair(d, sigma2): its parameters are defined (once) in si/bridges.py."""
    from .bridge_pairs import gaussian_sb_pair  # imported here: needed only by the bridge pairs
    br = gaussian_sb_pair(d, sigma2)
    rho0 = D.gaussian_density(f"sb-gauss-d{d}-rho0", br.mean0, br.cov0)
    rho1 = D.gaussian_density(f"sb-gauss-d{d}-rho1", br.mean1, br.cov1)
    return BenchmarkPair(
        f"sb-gauss-d{d}-s{_sigma_name(sigma2)}", rho0, rho1, d,
        f"Gaussian Schroedinger bridge N(a, A) -> N(b, B), non-commuting covariances, d={d}, "
        f"sigma^2={sigma2:g} (docs/theory.md §6; sibench.bridge_pairs.gaussian_sb_pair)",
        sigma2=sigma2, tags=("sb", "sb-gauss"), bridge=br)


def _sb_mixture(d: int, sigma2: float) -> BenchmarkPair:
    """sibench.bridge_pairs.mixture_potential_bridge(d, sigma2): rho0, rho1 are its exact Gaussian-mixture marginals."""
    from .bridge_pairs import mixture_potential_bridge
    br = mixture_potential_bridge(d, sigma2)
    name = f"sb-mixture-d{d}-s{_sigma_name(sigma2)}"
    return BenchmarkPair(
        name, D.from_gmm(f"{name}-rho0", br.rho0), D.from_gmm(f"{name}-rho1", br.rho1), d,
        f"mixture-potential Schroedinger bridge, d={d}, sigma^2={sigma2:g} "
        f"(docs/theory.md §6; sibench.bridge_pairs.mixture_potential_bridge)",
        sigma2=sigma2, tags=("sb", "sb-mixture"), bridge=br)


_BUILDERS: Dict[str, Callable[[], BenchmarkPair]] = {
    "gauss-8gaussians": lambda: _gauss_to(D.eight_gaussians, "gauss-8gaussians",
                                          "N(0, I_2) -> ring of 8 Gaussians"),
    "gauss-checkerboard": lambda: _gauss_to(D.Checkerboard, "gauss-checkerboard",
                                            "N(0, I_2) -> checkerboard (no oracle; support fraction, KL)"),
    "gauss-moons": lambda: _gauss_to(D.moons, "gauss-moons", "N(0, I_2) -> two moons (32-component mixture)"),
    "gmm-pair": lambda: BenchmarkPair("gmm-pair", D.gmm3_source(), D.gmm3_target(), 2,
                                      "3-component mixture -> 3-component anisotropic mixture (two-sided)",
                                      tags=("2d",)),
    "gmm3-checkerboard": lambda: BenchmarkPair(
        "gmm3-checkerboard", D.gmm3_source(), D.Checkerboard(), 2,
        "3-component mixture -> checkerboard (the paper's encoding-decoding example; no oracle)", tags=("2d",)),
    "mirror-checkerboard": lambda: _mirror(D.Checkerboard, "mirror-checkerboard",
                                           "checkerboard -> itself (mirror interpolant; no oracle)"),
    "mirror-8gaussians": lambda: _mirror(D.eight_gaussians, "mirror-8gaussians",
                                         "ring of 8 Gaussians -> itself (mirror interpolant)"),
    "gmm-1d": lambda: BenchmarkPair("gmm-1d", D.gmm1d_source(), D.gmm1d_target(), 1,
                                    "1-D: modes +-3 -> modes -6, 0, 6 (the paper's 1-D figures)", tags=("1d",)),
}
for _d in HD_DIMS:
    _BUILDERS[f"hd-mixture-d{_d}"] = functools.partial(_hd_mixture, _d)
for _d in SB_GAUSS_DIMS:
    for _s in SB_SIGMA2:
        _BUILDERS[f"sb-gauss-d{_d}-s{_sigma_name(_s)}"] = functools.partial(_sb_gauss, _d, _s)
for _d in SB_MIXTURE_DIMS:
    for _s in SB_SIGMA2:
        _BUILDERS[f"sb-mixture-d{_d}-s{_sigma_name(_s)}"] = functools.partial(_sb_mixture, _d, _s)

_HD_PATTERN = re.compile(r"hd-mixture-d(\d+)")


class _Registry(Mapping):
    """name -> BenchmarkPair, built on first lookup and cached."""

    def __init__(self, builders: Dict[str, Callable[[], BenchmarkPair]]):
        self._builders, self._cache = builders, {}

    def __getitem__(self, name: str) -> BenchmarkPair:
        if name not in self._cache:
            if name in self._builders:
                self._cache[name] = self._builders[name]()
            else:
                m = _HD_PATTERN.fullmatch(name) if isinstance(name, str) else None
                if not m or int(m[1]) < 2:
                    raise KeyError(name)
                self._cache[name] = _hd_mixture(int(m[1]))
        return self._cache[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._builders)

    def __len__(self) -> int:
        return len(self._builders)

    def __contains__(self, name) -> bool:
        return name in self._builders or (isinstance(name, str) and bool(_HD_PATTERN.fullmatch(name)))

    def __repr__(self) -> str:
        return f"BENCHMARKS({list(self._builders)})"


BENCHMARKS = _Registry(_BUILDERS)


def benchmark_names(tag: Optional[str] = None) -> list:
    """Registered names, optionally those whose name prefix or tag matches (without building
    bridge pairs: the tag test uses the name's conventional prefix for them)."""
    if tag is None:
        return list(BENCHMARKS)
    prefix_tags = {"sb": "sb-", "sb-gauss": "sb-gauss-", "sb-mixture": "sb-mixture-", "highdim": "hd-"}
    if tag in prefix_tags:
        return [n for n in BENCHMARKS if n.startswith(prefix_tags[tag])]
    return [n for n in BENCHMARKS if not n.startswith("sb-") and tag in BENCHMARKS[n].tags]


def get_benchmark(name: str) -> BenchmarkPair:
    """The named benchmark pair; ValueError listing the valid names otherwise."""
    try:
        return BENCHMARKS[name]
    except KeyError:
        raise ValueError(f"unknown benchmark {name!r}; valid names: {list(BENCHMARKS)} "
                         f"(and hd-mixture-d<d> for any d >= 2)") from None
