"""The target of the paper's section 7.2 (Albergo, Boffi & Vanden-Eijnden, arXiv:2303.08797; docs/theory.md
§9.3): a K = 5 component Gaussian mixture in d = 128 with equal weights, means m_k ~ N(0, 7.5^2 I_d) and
covariances S_k = W_k^T W_k / d + I_d, W_k a d x d matrix of standard normals, drawn once.

The draw is fixed: a torch CPU generator seeded with PAPER_MIXTURE_SEED draws, in float64, the K means
(K, d) and then the K matrices W (K, d, d). The mixture is exact (si.GaussianMixture, float64), so its
interpolant with N(0, I_d) has the exact oracle of docs/theory.md §6 and its 2-D marginals are mixtures
of the components' marginals.
"""
from __future__ import annotations

import torch

from .mixture import MixtureDensity
from .named import from_gmm
from si.mixtures import GaussianMixture

__all__ = ["PAPER_MIXTURE_SEED", "PAPER_MIXTURE_SCALE", "paper_mixture_params", "paper_mixture", "marginal"]

PAPER_MIXTURE_SEED = 20230315      # the draw (the paper's arXiv date; any fixed integer would do)
PAPER_MIXTURE_SCALE = 7.5          # standard deviation of the means


def paper_mixture_params(d: int = 128, k: int = 5, seed: int = PAPER_MIXTURE_SEED):
    """(weights (K,), means (K, d), covs (K, d, d)) of the section 7.2 mixture, float64 (module doc)."""
    if d < 1 or k < 1:
        raise ValueError(f"d and k must be positive, got d={d}, k={k}")
    g = torch.Generator().manual_seed(int(seed))
    means = PAPER_MIXTURE_SCALE * torch.randn(k, d, generator=g, dtype=torch.float64)
    W = torch.randn(k, d, d, generator=g, dtype=torch.float64)
    covs = W.transpose(-1, -2) @ W / d + torch.eye(d, dtype=torch.float64)
    covs = 0.5 * (covs + covs.transpose(-1, -2))     # symmetric to the last bit
    return torch.full((k,), 1.0 / k, dtype=torch.float64), means, covs


def paper_mixture(d: int = 128, k: int = 5, seed: int = PAPER_MIXTURE_SEED, dtype=None, device=None) -> MixtureDensity:
    """The section 7.2 target as a named density 'paper-gmm{k}-d{d}' (sampling in `dtype`)."""
    w, m, S = paper_mixture_params(d, k, seed)
    return from_gmm(f"paper-gmm{k}-d{d}", GaussianMixture(w, m, S), dtype=dtype, device=device)


def marginal(gmm: GaussianMixture, coords=(0, 1)) -> GaussianMixture:
    """The exact marginal of a Gaussian mixture on the given coordinates (a mixture of the components' marginals)."""
    idx = torch.as_tensor(list(coords), dtype=torch.long)
    return GaussianMixture(gmm.weights, gmm.means[:, idx], gmm.covs[:, idx][:, :, idx])
