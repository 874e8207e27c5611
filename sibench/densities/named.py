"""The named benchmark densities: every parameter fixed here, nothing drawn at random (docs/densities.md
tabulates them). Entropies are analytic for a single Gaussian, else taken from the stored table
(sibench.densities.entropies)."""
from __future__ import annotations

import math
from typing import Optional, Tuple

import torch

from .base import Tensor
from .entropies import MC_ENTROPIES
from .mixture import MixtureDensity
from si.mixtures import GaussianMixture

__all__ = ["gaussian", "gaussian_density", "mixture_density", "RING_K", "RING_RADIUS", "RING_VAR", "eight_gaussians",
           "MOONS_PER_ARC", "MOONS_SCALE", "MOONS_VAR", "moons_centers", "moons", "gmm3_source", "gmm3_target",
           "gmm1d_source", "gmm1d_target", "HD_WEIGHTS", "HD_RADIUS", "HD_VARS", "highdim_mixture_params",
           "highdim_mixture", "highdim_separated_entropy", "from_gmm"]


def _mixture(name: str, weights, means, covs, dtype=None, device=None, params=None,
             entropy: Optional[float] = None, entropy_se: Optional[float] = None) -> MixtureDensity:
    """Parameters in float64 (exact); entropy from the stored table unless given."""
    f = lambda a: torch.as_tensor(a, dtype=torch.float64).to(device=device)  # noqa: E731
    if entropy is None:
        entropy, entropy_se = MC_ENTROPIES.get(name, (None, None))
    return MixtureDensity(name, GaussianMixture(f(weights), f(means), f(covs)), entropy, entropy_se, params,
                          dtype=dtype)


def _fmt(v: float) -> str:
    return f"{v:g}"


def gaussian(d: int = 2, var: float = 1.0, dtype=None, device=None) -> MixtureDensity:
    """N(0, var I_d), named 'gaussian-d{d}' (var = 1) or 'gaussian-d{d}-v{var}'. Entropy analytic."""
    if d < 1:
        raise ValueError(f"d must be positive, got {d}")
    if not var > 0:
        raise ValueError(f"var must be positive, got {var}")
    name = f"gaussian-d{d}" + ("" if var == 1 else f"-v{_fmt(var)}")
    return _mixture(name, [1.0], torch.zeros(1, d, dtype=torch.float64),
                    var * torch.eye(d, dtype=torch.float64)[None], dtype, device, {"mean": 0.0, "var": var})


def gaussian_density(name: str, mean, cov, dtype=None, device=None) -> MixtureDensity:
    """A general Gaussian N(mean, cov) (entropy 1/2 log det(2 pi e cov), analytic)."""
    mean = torch.as_tensor(mean, dtype=torch.float64)
    cov = torch.as_tensor(cov, dtype=torch.float64)
    return _mixture(name, [1.0], mean[None], cov[None], dtype, device)


def mixture_density(name: str, weights, means, covs, dtype=None, device=None,
                    entropy: Optional[float] = None, entropy_se: Optional[float] = None) -> MixtureDensity:
    """A general Gaussian mixture; its entropy is Monte Carlo, computed on first access unless given
    (analytic for a single component)."""
    f = lambda a: torch.as_tensor(a, dtype=torch.float64).to(device=device)  # noqa: E731
    return MixtureDensity(name, GaussianMixture(f(weights), f(means), f(covs)), entropy, entropy_se, dtype=dtype)


RING_K, RING_RADIUS, RING_VAR = 8, 4.0, 0.25


def eight_gaussians(dtype=None, device=None) -> MixtureDensity:
    """Ring of 8 Gaussians: equal weights, means 4 (cos 2 pi k/8, sin 2 pi k/8), covariance 0.25 I."""
    ang = 2 * math.pi * torch.arange(RING_K, dtype=torch.float64) / RING_K
    means = RING_RADIUS * torch.stack([torch.cos(ang), torch.sin(ang)], -1)
    covs = RING_VAR * torch.eye(2, dtype=torch.float64).expand(RING_K, 2, 2)
    return _mixture("8gaussians", torch.full((RING_K,), 1.0 / RING_K), means, covs, dtype, device,
                    {"K": RING_K, "radius": RING_RADIUS, "var": RING_VAR})


MOONS_PER_ARC, MOONS_SCALE, MOONS_VAR = 16, 2.0, 0.04


def moons_centers() -> Tensor:
    """The 2 x 16 arc points of the two-moons mixture, float64 (32, 2).

    sklearn's two moons without noise: upper arc (cos th, sin th), lower arc (1 - cos th,
    1/2 - sin th), th = pi k / 15, k = 0..15; then centred at (1/2, 1/4) (the mean of the
    points) and scaled by 2.
    """
    th = math.pi * torch.arange(MOONS_PER_ARC, dtype=torch.float64) / (MOONS_PER_ARC - 1)
    upper = torch.stack([torch.cos(th), torch.sin(th)], -1)
    lower = torch.stack([1 - torch.cos(th), 0.5 - torch.sin(th)], -1)
    pts = torch.cat([upper, lower], 0) - torch.tensor([0.5, 0.25], dtype=torch.float64)
    return MOONS_SCALE * pts


def moons(dtype=None, device=None) -> MixtureDensity:
    """Two moons as a Gaussian mixture: 32 equal-weight components on `moons_centers()`, cov 0.04 I
    (std 0.2 = sklearn noise 0.1 after the scaling by 2; neighbours 2.1 std apart, so the arcs are
    smooth: the density ripples by about 2% along them)."""
    c = moons_centers()
    K = c.shape[0]
    covs = MOONS_VAR * torch.eye(2, dtype=torch.float64).expand(K, 2, 2)
    return _mixture("moons", torch.full((K,), 1.0 / K), c, covs, dtype, device,
                    {"K": K, "per_arc": MOONS_PER_ARC, "scale": MOONS_SCALE, "var": MOONS_VAR})


def gmm3_source(dtype=None, device=None) -> MixtureDensity:
    """3 equal-weight components at radius 2, angles 90, 210, 330 degrees, covariance 0.3 I."""
    ang = torch.tensor([90.0, 210.0, 330.0], dtype=torch.float64) * math.pi / 180
    means = 2.0 * torch.stack([torch.cos(ang), torch.sin(ang)], -1)
    covs = 0.3 * torch.eye(2, dtype=torch.float64).expand(3, 2, 2)
    return _mixture("gmm3-source", torch.full((3,), 1.0 / 3), means, covs, dtype, device)


def gmm3_target(dtype=None, device=None) -> MixtureDensity:
    """3 components, unequal weights and anisotropic, correlated covariances (see docs/densities.md)."""
    weights = [0.5, 0.25, 0.25]
    means = [[-3.0, 0.0], [3.0, 2.0], [3.0, -2.0]]
    covs = [[[0.5, 0.3], [0.3, 0.5]], [[0.2, 0.0], [0.0, 0.6]], [[0.6, -0.2], [-0.2, 0.3]]]
    return _mixture("gmm3-target", weights, means, covs, dtype, device)


def gmm1d_source(dtype=None, device=None) -> MixtureDensity:
    """1-D: 1/2 N(-3, 0.25) + 1/2 N(3, 0.25) (docs/theory.md §9, the paper's one-dimensional figures)."""
    return _mixture("gmm1d-source", [0.5, 0.5], [[-3.0], [3.0]], [[[0.25]], [[0.25]]], dtype, device)


def gmm1d_target(dtype=None, device=None) -> MixtureDensity:
    """1-D: equal-weight modes at -6, 0, 6, variance 0.25 each."""
    return _mixture("gmm1d-target", [1 / 3, 1 / 3, 1 / 3], [[-6.0], [0.0], [6.0]],
                    [[[0.25]], [[0.25]], [[0.25]]], dtype, device)


HD_WEIGHTS, HD_RADIUS, HD_VARS = (0.5, 0.3, 0.2), 4.0, (0.25, 0.5, 1.0)


def highdim_mixture_params(d: int) -> Tuple[Tensor, Tensor, Tensor]:
    """(weights, means, diagonal variances) of 'mixture3-d{d}', float64.

    means m_k[j] = 4 sqrt(2/d) cos(2 pi k/3 + pi j/d): |m_k| = 4, pairwise distances 4 sqrt(3),
    spread over every coordinate; variances S_k[j] = 0.25 * 2^((j + k) mod 3), j = 0..d-1.
    """
    if d < 2:
        raise ValueError(f"the high-dimensional mixture needs d >= 2, got {d}")
    k = torch.arange(3, dtype=torch.float64)[:, None]
    j = torch.arange(d, dtype=torch.float64)[None, :]
    means = HD_RADIUS * math.sqrt(2.0 / d) * torch.cos(2 * math.pi * k / 3 + math.pi * j / d)
    vars_ = torch.tensor(HD_VARS, dtype=torch.float64)[(torch.arange(d)[None, :] + torch.arange(3)[:, None]) % 3]
    return torch.tensor(HD_WEIGHTS, dtype=torch.float64), means, vars_


def highdim_mixture(d: int, dtype=None, device=None) -> MixtureDensity:
    """'mixture3-d{d}': a 3-component, diagonal-covariance mixture in d dimensions (docs/theory.md §9)."""
    w, m, v = highdim_mixture_params(d)
    return _mixture(f"mixture3-d{d}", w, m, torch.diag_embed(v), dtype, device,
                    {"K": 3, "weights": list(HD_WEIGHTS), "radius": HD_RADIUS, "vars": list(HD_VARS)})


def highdim_separated_entropy(d: int) -> float:
    """Entropy of mixture3-d{d} if its components did not overlap: H(w) + sum_k w_k H(N_k).

    An upper bound on the true entropy, and tight here (components are >= 6.9 std apart)."""
    w, _, v = highdim_mixture_params(d)
    Hk = 0.5 * torch.log(2 * math.pi * math.e * v).sum(-1)
    return float(-(w * torch.log(w)).sum() + (w * Hk).sum())


def from_gmm(name: str, gmm: GaussianMixture, dtype=None, device=None) -> MixtureDensity:
    """Wrap a GaussianMixture (e.g. a bridge's exact marginal) as a named density sampling in `dtype`
    (default dtype by default). Entropy: stored if `name` is in the table, analytic for one
    component, else Monte Carlo on first access."""
    H, se = MC_ENTROPIES.get(name, (None, None))
    return MixtureDensity(name, gmm.to(device=device, dtype=torch.float64), H, se, dtype=dtype)
