"""The registered benchmark pairs: how each is built from the named densities (sibench.densities) and,
for the Schroedinger-bridge pairs, from the fixed bridges of sibench.pairs.bridges (imported only
when a bridge pair is built)."""
from __future__ import annotations

import functools
from typing import Callable, Dict

from .. import densities as D
from .pair import BenchmarkPair

__all__ = ["SB_GAUSS_DIMS", "SB_MIXTURE_DIMS", "SB_SIGMA2", "HD_DIMS", "HD_BASE_VAR", "gaussian_to", "mirror_pair",
           "hd_mixture_pair", "sigma_name", "gaussian_sb_benchmark", "mixture_sb_benchmark", "BUILDERS"]

SB_GAUSS_DIMS = (2, 16, 64)
SB_MIXTURE_DIMS = (2, 16)
SB_SIGMA2 = (0.1, 1.0)
HD_DIMS = (16, 32)
HD_BASE_VAR = 1.5


def gaussian_to(target: Callable[[], D.Density], name: str, description: str, tags=("2d",)) -> BenchmarkPair:
    """N(0, I) (the latent of one-sided paths) -> target."""
    rho1 = target()
    return BenchmarkPair(name, D.gaussian(rho1.dim), rho1, rho1.dim, description, latent="rho0", tags=tags)


def mirror_pair(target: Callable[[], D.Density], name: str, description: str) -> BenchmarkPair:
    """target -> itself (the mirror interpolant)."""
    rho = target()
    return BenchmarkPair(name, rho, rho, rho.dim, description, mirror=True, tags=("2d", "mirror"))


def hd_mixture_pair(d: int) -> BenchmarkPair:
    """N(0, HD_BASE_VAR I_d) -> the 3-component mixture mixture3-d{d}."""
    return BenchmarkPair(
        f"hd-mixture-d{d}", D.gaussian(d, HD_BASE_VAR), D.highdim_mixture(d), d,
        f"N(0, {HD_BASE_VAR:g} I_{d}) -> mixture3-d{d}: 3 diagonal components (docs/theory.md §9, ODE vs SDE likelihood)",
        tags=("highdim",))


def sigma_name(sigma2: float) -> str:
    """sigma^2 as it appears in a bridge pair's name ("0.1", "1")."""
    return f"{sigma2:g}"


def gaussian_sb_benchmark(d: int, sigma2: float) -> BenchmarkPair:
    """sibench.pairs.bridges.gaussian_sb_pair(d, sigma2): its parameters are defined (once) in si/bridges.py."""
    from .bridges import gaussian_sb_pair  # imported here: needed only by the bridge pairs
    br = gaussian_sb_pair(d, sigma2)
    rho0 = D.gaussian_density(f"sb-gauss-d{d}-rho0", br.mean0, br.cov0)
    rho1 = D.gaussian_density(f"sb-gauss-d{d}-rho1", br.mean1, br.cov1)
    return BenchmarkPair(
        f"sb-gauss-d{d}-s{sigma_name(sigma2)}", rho0, rho1, d,
        f"Gaussian Schroedinger bridge N(a, A) -> N(b, B), non-commuting covariances, d={d}, "
        f"sigma^2={sigma2:g} (docs/theory.md §6; sibench.pairs.bridges.gaussian_sb_pair)",
        sigma2=sigma2, tags=("sb", "sb-gauss"), bridge=br)


def mixture_sb_benchmark(d: int, sigma2: float) -> BenchmarkPair:
    """sibench.pairs.bridges.mixture_potential_bridge(d, sigma2): rho0, rho1 are its exact Gaussian-mixture marginals."""
    from .bridges import mixture_potential_bridge
    br = mixture_potential_bridge(d, sigma2)
    name = f"sb-mixture-d{d}-s{sigma_name(sigma2)}"
    return BenchmarkPair(
        name, D.from_gmm(f"{name}-rho0", br.rho0), D.from_gmm(f"{name}-rho1", br.rho1), d,
        f"mixture-potential Schroedinger bridge, d={d}, sigma^2={sigma2:g} "
        f"(docs/theory.md §6; sibench.pairs.bridges.mixture_potential_bridge)",
        sigma2=sigma2, tags=("sb", "sb-mixture"), bridge=br)


BUILDERS: Dict[str, Callable[[], BenchmarkPair]] = {
    "gauss-8gaussians": lambda: gaussian_to(D.eight_gaussians, "gauss-8gaussians",
                                            "N(0, I_2) -> ring of 8 Gaussians"),
    "gauss-checkerboard": lambda: gaussian_to(D.Checkerboard, "gauss-checkerboard",
                                              "N(0, I_2) -> checkerboard (no oracle; support fraction, KL)"),
    "gauss-moons": lambda: gaussian_to(D.moons, "gauss-moons", "N(0, I_2) -> two moons (32-component mixture)"),
    "gmm-pair": lambda: BenchmarkPair("gmm-pair", D.gmm3_source(), D.gmm3_target(), 2,
                                      "3-component mixture -> 3-component anisotropic mixture (two-sided)",
                                      tags=("2d",)),
    "gmm3-checkerboard": lambda: BenchmarkPair(
        "gmm3-checkerboard", D.gmm3_source(), D.Checkerboard(), 2,
        "3-component mixture -> checkerboard (the paper's encoding-decoding example; no oracle)", tags=("2d",)),
    "mirror-checkerboard": lambda: mirror_pair(D.Checkerboard, "mirror-checkerboard",
                                               "checkerboard -> itself (mirror interpolant; no oracle)"),
    "mirror-8gaussians": lambda: mirror_pair(D.eight_gaussians, "mirror-8gaussians",
                                             "ring of 8 Gaussians -> itself (mirror interpolant)"),
    "gmm-1d": lambda: BenchmarkPair("gmm-1d", D.gmm1d_source(), D.gmm1d_target(), 1,
                                    "1-D: modes +-3 -> modes -6, 0, 6 (the paper's 1-D figures)", tags=("1d",)),
}
for _d in HD_DIMS:
    BUILDERS[f"hd-mixture-d{_d}"] = functools.partial(hd_mixture_pair, _d)
for _d in SB_GAUSS_DIMS:
    for _s in SB_SIGMA2:
        BUILDERS[f"sb-gauss-d{_d}-s{sigma_name(_s)}"] = functools.partial(gaussian_sb_benchmark, _d, _s)
for _d in SB_MIXTURE_DIMS:
    for _s in SB_SIGMA2:
        BUILDERS[f"sb-mixture-d{_d}-s{sigma_name(_s)}"] = functools.partial(mixture_sb_benchmark, _d, _s)
