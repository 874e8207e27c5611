"""A Gaussian mixture as a named benchmark density (exact log density and score; entropy analytic for one
component, else stored or Monte Carlo)."""
from __future__ import annotations

from typing import Optional, Tuple

import torch

from .base import Density, Tensor, estimate_entropy
from .entropies import ENTROPY_SEED, LAZY_ENTROPY_N
from si.mixtures import LOG_2PI, GaussianMixture

__all__ = ["MixtureDensity"]


class MixtureDensity(Density):
    """A Gaussian mixture as a named density; `.gmm` is the underlying `si.GaussianMixture`.

    The parameters are held in float64 (so `.gmm`, the oracle built on it and the entropy are exact
    to float64); `dtype` (default: torch's default dtype) is the dtype of `sample`'s output, drawn
    in float64 and then cast, so a generator gives the same points whatever the dtype. `log_prob`
    and `score` follow the dtype and device of x.

    log_prob / score are si.mixtures' kernel (a loop over the K components with triangular solves on
    (d, n) blocks, elementwise when every covariance is diagonal), cheap in high dimension. If `entropy` is not given it is analytic for a single Gaussian and otherwise estimated
    by Monte Carlo (`LAZY_ENTROPY_N` samples, seed `ENTROPY_SEED`) on first access.
    """

    def __init__(self, name: str, gmm: GaussianMixture, entropy: Optional[float] = None,
                 entropy_se: Optional[float] = None, params: Optional[dict] = None, dtype=None):
        gmm = gmm if gmm.dtype == torch.float64 else gmm.to(dtype=torch.float64)
        self.name, self._gmm, self.params = name, gmm, dict(params or {})
        self._dtype = dtype or torch.get_default_dtype()
        if entropy is None and gmm.n_components == 1:
            entropy, entropy_se = 0.5 * float(gmm.logdet[0]) + 0.5 * gmm.dim * (LOG_2PI + 1), 0.0
        if (entropy is None) != (entropy_se is None):
            raise ValueError("give both entropy and entropy_se, or neither")
        self._entropy = None if entropy is None else (float(entropy), float(entropy_se))

    # -- properties ------------------------------------------------------------------------
    @property
    def gmm(self) -> GaussianMixture:
        """The mixture, float64, on this density's device."""
        return self._gmm

    @property
    def dim(self) -> int:
        return self._gmm.dim

    @property
    def dtype(self) -> torch.dtype:
        return self._dtype

    @property
    def device(self) -> torch.device:
        return self._gmm.means.device

    @property
    def entropy(self) -> float:
        return self._entropy_pair()[0]

    @property
    def entropy_se(self) -> float:
        return self._entropy_pair()[1]

    @property
    def entropy_known(self) -> bool:
        """False until a Monte Carlo entropy that was not stored has been computed."""
        return self._entropy is not None

    def _entropy_pair(self) -> Tuple[float, float]:
        if self._entropy is None:
            self._entropy = estimate_entropy(self, LAZY_ENTROPY_N, ENTROPY_SEED)
        return self._entropy

    def to(self, device=None, dtype=None) -> "MixtureDensity":
        """Samples in `dtype` on `device` (the parameters stay float64)."""
        gmm = self._gmm if device is None else self._gmm.to(device=device)
        new = MixtureDensity(self.name, gmm, params=self.params, entropy=0.0, entropy_se=0.0,
                             dtype=dtype or self._dtype)
        new._entropy = self._entropy  # shares the (possibly not yet computed) entropy
        return new

    def mean(self) -> Tensor:
        return self._gmm.mean()

    def cov(self) -> Tensor:
        return self._gmm.cov()

    # -- sampling and density ------------------------------------------------------------
    def sample(self, n: int, generator: Optional[torch.Generator] = None) -> Tensor:
        """Same draws as `GaussianMixture.sample` of `.gmm` (component indices, then standard normals),
        cast to `dtype`."""
        if n < 0:
            raise ValueError(f"n must be non-negative, got {n}")
        g, dev = self._gmm, self.device
        if n == 0:
            return torch.zeros(0, self.dim, dtype=self._dtype, device=dev)
        k = torch.multinomial(g.weights, n, replacement=True, generator=generator)
        z = torch.randn(n, self.dim, generator=generator, dtype=g.dtype, device=dev)
        if g.diagonal:
            x = g.means[k] + z * torch.diagonal(g.chol, dim1=-2, dim2=-1)[k]
        else:
            x = g.means[k].clone()
            for c in range(g.n_components):
                idx = (k == c).nonzero().squeeze(1)
                if idx.numel():
                    x[idx] += z[idx] @ g.chol[c].T
        return x.to(self._dtype)

    def component_log_prob(self, x: Tensor) -> Tensor:
        """log w_k + log N(x; m_k, S_k), shape (n, K) (si.mixtures' kernel)."""
        self.check_points(x)
        return self._gmm.component_log_prob(x)

    def log_prob(self, x: Tensor) -> Tensor:
        self.check_points(x)
        return self._gmm.log_prob(x)

    def score(self, x: Tensor) -> Tensor:
        """grad log rho(x) = sum_k w_k(x) [-S_k^-1 (x - m_k)], exact (si.mixtures' kernel)."""
        self.check_points(x)
        return self._gmm.score(x)
