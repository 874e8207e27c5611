"""Named benchmark densities with exact log densities and entropies (docs/theory.md §8, docs/densities.md).

Every density (base.Density) has `.name`, `.dim`, `.sample(n, generator=None) -> (n, d)`, an exact
`.log_prob(x)`, `.entropy` (nats) with `.entropy_se` (0 when analytic, the Monte Carlo standard error
otherwise), and `.gmm`, the `si.GaussianMixture` when the density is one (so the exact oracle of
docs/theory.md §6 applies), else None.

  base          Density, estimate_entropy
  mixture       MixtureDensity (a Gaussian mixture)
  checkerboard  Checkerboard (uniform on 8 squares)
  named         the named builders, every parameter fixed
  paper_mixture the 5-component mixture in d = 128 of the paper's section 7.2 (one fixed draw)
  entropies     the stored Monte Carlo entropies (rewritten by benchmarks/entropies.py)
  registry      DENSITIES, get_density

Named benchmark pairs (rho0, rho1) with their ground truth live in `sibench.pairs`.
"""
from .base import Density, estimate_entropy
from .checkerboard import Checkerboard
from .entropies import ENTROPY_N, ENTROPY_SEED, LAZY_ENTROPY_N, MC_ENTROPIES
from .mixture import MixtureDensity
from .paper_mixture import PAPER_MIXTURE_SEED, paper_mixture, paper_mixture_params
from .named import (HD_RADIUS, HD_VARS, HD_WEIGHTS, MOONS_PER_ARC, MOONS_SCALE, MOONS_VAR, RING_K, RING_RADIUS,
                    RING_VAR, eight_gaussians, from_gmm, gaussian, gaussian_density, gmm1d_source, gmm1d_target,
                    gmm3_source, gmm3_target, highdim_mixture, highdim_mixture_params, highdim_separated_entropy,
                    mixture_density, moons, moons_centers)
from .registry import DENSITIES, get_density

__all__ = ["Density", "estimate_entropy", "MixtureDensity", "Checkerboard", "ENTROPY_N", "ENTROPY_SEED",
           "LAZY_ENTROPY_N", "MC_ENTROPIES", "gaussian", "gaussian_density", "mixture_density", "eight_gaussians",
           "moons", "moons_centers", "gmm3_source", "gmm3_target", "gmm1d_source", "gmm1d_target",
           "highdim_mixture", "highdim_mixture_params", "highdim_separated_entropy", "from_gmm", "RING_K",
           "RING_RADIUS", "RING_VAR", "MOONS_PER_ARC", "MOONS_SCALE", "MOONS_VAR", "HD_WEIGHTS", "HD_RADIUS",
           "HD_VARS", "DENSITIES", "get_density", "PAPER_MIXTURE_SEED", "paper_mixture", "paper_mixture_params"]
