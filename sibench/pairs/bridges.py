"""The fixed Schroedinger-bridge pairs of the benchmark: parameters only, the bridges are si.bridges.

Deterministic (no random numbers): a Gaussian pair with non-commuting covariances in any dimension,
and a mixture-potential pair (docs/theory.md §6).
"""
from __future__ import annotations

import math

import torch

from si.bridges import GaussianBridge, MixturePotentialBridge
from si.mixtures import GaussianMixture

__all__ = ["gaussian_sb_pair", "mixture_potential_bridge"]

Tensor = torch.Tensor
F64 = torch.float64


def _dct_basis(d: int) -> Tensor:
    """Orthonormal DCT-II matrix; its rows are an orthonormal basis of R^d."""
    k = torch.arange(d, dtype=F64)[:, None]
    j = torch.arange(d, dtype=F64)[None, :]
    U = torch.cos(math.pi * (j + 0.5) * k / d) * math.sqrt(2.0 / d)
    U[0] /= math.sqrt(2.0)
    return U


def _givens_layers(d: int, angles=(math.pi / 5, math.pi / 7)) -> Tensor:
    """Product of Givens rotations on pairs (0,1),(2,3),... then (1,2),(3,4),..."""
    G = torch.eye(d, dtype=F64)
    for start, ang in zip((0, 1), angles):
        R = torch.eye(d, dtype=F64)
        c, s = math.cos(ang), math.sin(ang)
        for i in range(start, d - 1, 2):
            R[i, i], R[i, i + 1], R[i + 1, i], R[i + 1, i + 1] = c, -s, s, c
        G = R @ G
    return G


def _geom(lo: float, hi: float, d: int) -> Tensor:
    if d == 1:
        return torch.tensor([math.sqrt(lo * hi)], dtype=F64)
    return lo * (hi / lo) ** (torch.arange(d, dtype=F64) / (d - 1))


def gaussian_sb_pair(d: int, sigma2: float) -> GaussianBridge:
    """Fixed Gaussian Schroedinger-bridge pair in R^d with reference variance sigma2 (sigma^2).

    A = U^T diag(0.5 .. 2, geometric) U with U the orthonormal DCT-II basis;
    B = V^T diag(1.5 .. 0.25, geometric) V with V = U rotated by fixed Givens layers (so A and B do
    not commute); a = -1/sqrt(d) (1, ..., 1), b = +1/sqrt(d) (1, ..., 1), so |b - a| = 2 for every d.
    """
    if int(d) != d or d < 1:
        raise ValueError(f"d must be a positive integer, got {d}")
    sigma2 = float(sigma2)
    if not math.isfinite(sigma2) or sigma2 <= 0:
        raise ValueError(f"sigma2 must be positive, got {sigma2}")
    d = int(d)
    U = _dct_basis(d)
    V = U @ _givens_layers(d).T if d > 1 else U
    A = U.T @ torch.diag(_geom(0.5, 2.0, d)) @ U
    B = V.T @ torch.diag(_geom(1.5, 0.25, d)) @ V
    A, B = 0.5 * (A + A.T), 0.5 * (B + B.T)
    ones = torch.ones(d, dtype=F64) / math.sqrt(d)
    return GaussianBridge(-ones, A, ones, B, sigma=math.sqrt(sigma2))


def mixture_potential_bridge(d: int, sigma2: float, base_var: float = 2.0) -> MixturePotentialBridge:
    """Fixed mixture-potential Schroedinger bridge in R^d (d >= 2) with reference variance sigma2.

    Potential f: K = 8 components (2 min(d, 4) for d > 2) with weights proportional to (1, 2, 1, 2, ...),
    means at radius 4 (in d = 2 on a ring at angles 2 pi k / 8; in d > 2 at +-4 e_j, j < 4), covariances
    0.05 I + 0.15 u_k u_k^T (stretched along the direction u_k of the mean). Base q = N(0, base_var I).
    rho0 and rho1 are Gaussian mixtures (`.rho0`, `.rho1`) with the same component weights; rho1 is
    the sharper, outer one.

    base_var sets how far the bridge moves mass (a narrower base pulls rho0 towards the origin).
    Measured in d = 2 at n = 1000 (W2(rho0, rho1) with the truth-vs-truth floor in brackets):
      base_var = 2 (default):  sigma2 = 0.1: 0.61 (0.66), i.e. rho0 and rho1 are not told apart;
                               sigma2 = 1:   1.32 (0.68); component radius 3.48 -> 3.65 / 2.50 -> 3.75
      base_var = 0.25:         sigma2 = 0.1: 0.78 (0.42); sigma2 = 1: 2.60 (0.61);
                               component radius 1.82 -> 2.55 / 0.69 -> 3.45
    The default is the value the stored Monte Carlo entropies (sibench.densities.entropies) were computed
    with; switching the benchmark to 0.25 needs those entropies regenerated.
    """
    if int(d) != d or d < 2:
        raise ValueError(f"d must be an integer >= 2, got {d}")
    sigma2 = float(sigma2)
    if not math.isfinite(sigma2) or sigma2 <= 0:
        raise ValueError(f"sigma2 must be positive, got {sigma2}")
    d, R = int(d), 4.0
    K = 8 if d == 2 else 2 * min(d, 4)
    dirs = torch.zeros(K, d, dtype=F64)
    if d == 2:
        ang = 2 * math.pi * torch.arange(K, dtype=F64) / K
        dirs[:, 0], dirs[:, 1] = torch.cos(ang), torch.sin(ang)
    else:
        for k in range(K):
            dirs[k, k // 2] = 1.0 if k % 2 == 0 else -1.0
    eye = torch.eye(d, dtype=F64)
    covs = 0.05 * eye + 0.15 * dirs[:, :, None] * dirs[:, None, :]
    p = torch.tensor([1.0 if k % 2 == 0 else 2.0 for k in range(K)], dtype=F64)
    potential = GaussianMixture(p / p.sum(), R * dirs, covs)
    base_var = float(base_var)
    if not math.isfinite(base_var) or base_var <= 0:
        raise ValueError(f"base_var must be positive, got {base_var}")
    base = GaussianMixture(torch.ones(1, dtype=F64), torch.zeros(1, d, dtype=F64), base_var * eye[None])
    return MixturePotentialBridge(potential, math.sqrt(sigma2), base)
