"""Per-mode errors of samples against an exact Gaussian mixture (docs/theory.md §7): each sample is assigned to
the component of largest posterior weight, w_k(x) proportional to p_k N(x; m_k, S_k) (for well-separated modes the
component it came from); then

  * mode weights: the fraction of samples per component, against the mixture's weights p_k (total variation
    (1/2) sum_k |f_k - p_k|);
  * mode Bures: per component, the squared Bures-W2 between the moment fit of its samples and N(m_k, S_k)
    (si.metrics.bures_w2), which sees errors of each mode's mean and covariance in full dimension.
Exact samples of the mixture give the floor of both at the same n (finite-sample bias of the covariance fit,
mostly (d / n_k) tr S_k / 4 for the Bures term). Used to score models of Albergo, Boffi & Vanden-Eijnden,
arXiv:2303.08797, section 7.2, against the exact target.
"""
from __future__ import annotations

from typing import Optional

import torch

from ..mixtures import GaussianMixture
from .gaussian import bures_w2, gaussian_fit

Tensor = torch.Tensor

__all__ = ["assign_modes", "mode_weights", "mode_weight_tv", "mode_bures"]


def assign_modes(x: Tensor, gmm: GaussianMixture) -> Tensor:
    """The component of largest posterior weight for every row of x (n, d): long tensor (n,)."""
    return gmm.component_log_prob(x.to(gmm.dtype)).argmax(1)


def mode_weights(labels: Tensor, k: int) -> Tensor:
    """Fraction of the labels in each of k components, float64 (k,)."""
    return torch.bincount(labels, minlength=k).double() / max(labels.numel(), 1)


def mode_weight_tv(labels: Tensor, gmm: GaussianMixture) -> float:
    """(1/2) sum_k |f_k - p_k| between the labels' fractions and the mixture's weights."""
    return 0.5 * float((mode_weights(labels, gmm.n_components) - gmm.weights.double().cpu()).abs().sum())


def mode_bures(x: Tensor, labels: Tensor, gmm: GaussianMixture, min_count: Optional[int] = None) -> Tensor:
    """Squared Bures-W2 per component between the moment fit of its samples and N(m_k, S_k), float64 (K,);
    NaN for a component with fewer than min_count samples (default d + 1, a full-rank covariance)."""
    if x.dim() != 2 or labels.shape != (x.shape[0],):
        raise ValueError(f"x (n, d) and labels (n,) must agree, got {tuple(x.shape)} and {tuple(labels.shape)}")
    need = x.shape[1] + 1 if min_count is None else int(min_count)
    out = torch.full((gmm.n_components,), float("nan"), dtype=torch.float64)
    for k in range(gmm.n_components):
        xk = x[labels == k]
        if xk.shape[0] >= max(need, 2):
            out[k] = bures_w2(*gaussian_fit(xk), gmm.means[k], gmm.covs[k]) ** 2
    return out
