"""The mixture-potential Schroedinger bridge (reference dX = sigma dW on [0, 1]; docs/theory.md §6).

Potential f(y) = sum_k p_k N(y; mu_k, Sig_k), base q(x) = sum_i a_i N(x; m_i, S_i) (a Gaussian
mixture), plan pi(x, y) proportional to q(x) N(y; x, sigma^2 I) f(y). Then

    pi(y | x) = sum_k w_k(x) N(y; Sig~_k (Sig_k^-1 mu_k + x / sigma^2), Sig~_k),
    w_k(x) ~ p_k N(x; mu_k, Sig_k + sigma^2 I),   Sig~_k = (Sig_k^-1 + I / sigma^2)^-1,
    drift  sigma^2 grad_x log sum_k p_k N(x; mu_k, Sig_k + sigma^2 (1 - t) I),

and because q is a Gaussian mixture the plan itself is a Gaussian mixture on R^{2d} over the pairs
(i, k), with weight proportional to a_i p_k N(mu_k; m_i, S_i + Sig_k + sigma^2 I). So rho0 =
q (f * N(0, sigma^2 I)) / Z and rho1 = f (q * N(0, sigma^2 I)) / Z, and every marginal rho_t, are
Gaussian mixtures with exact log densities and scores (the kernel of `si.mixtures.gaussian`). (With
an arbitrary rho0 instead, rho1 is not a Gaussian mixture; `MixturePotentialBridge.from_rho0` gives
plan sampling and the drift only.) The bridge as the limit of interpolants over a coupling: Albergo,
Boffi & Vanden-Eijnden, arXiv:2303.08797.

Parameters are held in float64; fields follow the dtype and device of x; samples are float64.
"""
from __future__ import annotations

from typing import Callable, Optional, Tuple

import torch

from ..mixtures import (GaussianMixture, cholesky_logdet, component_log_probs, gaussian_log_prob, is_diagonal,
                        mixture_score)
from ..times import evaluate_by_time, scalar_time, time_rows
from .plan import F64, BrownianBridgeOverPlan, as_float64_rows, check_sigma

Tensor = torch.Tensor

__all__ = ["MixturePotentialBridge"]


def _factorised(means: Tensor, covs: Tensor) -> Tuple[Tensor, Tensor, Tensor]:
    """(means, Cholesky factors, log det) of Gaussian components with any leading dimensions."""
    chol = torch.linalg.cholesky(0.5 * (covs + covs.transpose(-1, -2)))
    return means, chol, cholesky_logdet(chol)


class MixturePotentialBridge(BrownianBridgeOverPlan):
    """The Schroedinger bridge with plan pi(x, y) proportional to q(x) N(y; x, sigma^2 I) f(y).

    potential: f, a GaussianMixture (its weights p_k; an overall constant does not matter).
    base: q, a GaussianMixture; rho0 and rho1 are then exact Gaussian mixtures (`.rho0`, `.rho1`,
    `.plan` on R^{2d}, `.marginal(t)`). Use `from_rho0` for an arbitrary rho0 sampler instead.
    """

    def __init__(self, potential: GaussianMixture, sigma: float, base: GaussianMixture):
        if not isinstance(potential, GaussianMixture) or not isinstance(base, GaussianMixture):
            raise ValueError("potential and base must be GaussianMixture instances")
        if potential.dim != base.dim:
            raise ValueError(f"potential and base must share a dimension, got {potential.dim} and {base.dim}")
        self._init_potential(potential, sigma)
        self.base = base.to(dtype=F64)
        self._build_plan()

    @classmethod
    def from_rho0(cls, rho0, potential: GaussianMixture, sigma: float) -> "MixturePotentialBridge":
        """Bridge from an arbitrary rho0 (anything with .sample(n, generator=None)); its plan is rho0(x)
        pi(y|x). Plan sampling, conditionals, drift and marginal_sample work; exact marginals do not."""
        if not hasattr(rho0, "sample"):
            raise ValueError("rho0 must have a .sample(n, generator=None) method")
        self = cls.__new__(cls)
        if not isinstance(potential, GaussianMixture):
            raise ValueError("potential must be a GaussianMixture")
        self._init_potential(potential, sigma)
        self.base, self.plan, self.rho1 = None, None, None
        self.rho0 = rho0
        return self

    def _init_potential(self, potential: GaussianMixture, sigma: float) -> None:
        self.sigma = check_sigma(sigma, allow_zero=False)
        self.potential = potential.to(dtype=F64)
        f = self.potential
        d = f.dim
        eye = torch.eye(d, dtype=F64, device=f.means.device)
        Sig_inv = torch.cholesky_inverse(f.chol)
        self._cond_cov = torch.linalg.inv(Sig_inv + eye / self.sigma2)           # Sig~_k
        self._cond_cov = 0.5 * (self._cond_cov + self._cond_cov.transpose(-1, -2))
        self._cond_chol = torch.linalg.cholesky(self._cond_cov)
        self._cond_shift = (self._cond_cov @ (Sig_inv @ f.means.unsqueeze(-1))).squeeze(-1)  # Sig~ Sig^-1 mu
        self._cond_gain = self._cond_cov / self.sigma2                                        # Sig~ / sigma^2
        self._w_params = _factorised(f.means, f.covs + self.sigma2 * eye)  # Sig_k + sigma^2 I

    def _build_plan(self) -> None:
        """Joint Gaussian mixture over pairs (i, k) on R^{2d}; index i * K + k."""
        q, f, s2 = self.base, self.potential, self.sigma2
        d, I_, K = f.dim, q.n_components, f.n_components
        eye = torch.eye(d, dtype=F64, device=f.means.device)
        m = q.means.repeat_interleave(K, 0)          # (IK, d)
        S = q.covs.repeat_interleave(K, 0)
        mu = f.means.repeat(I_, 1)
        Sig = f.covs.repeat(I_, 1, 1)
        logw = (torch.log(q.weights).repeat_interleave(K) + torch.log(f.weights).repeat(I_)
                + gaussian_log_prob(mu, m, torch.linalg.cholesky(S + Sig + s2 * eye)))
        w = torch.softmax(logw, 0)
        # x-marginal of pair (i, k): N(x; m_i, S_i) N(x; mu_k, Sig_k + s2 I), normalised
        Si, Vi = torch.linalg.inv(S), torch.linalg.inv(Sig + s2 * eye)
        P0 = torch.linalg.inv(Si + Vi)
        P0 = 0.5 * (P0 + P0.transpose(-1, -2))
        m0 = (P0 @ (Si @ m.unsqueeze(-1) + Vi @ mu.unsqueeze(-1))).squeeze(-1)
        # y | x, k: N(G x + c_k, Sig~_k), G = Sig~_k / s2, c_k = Sig~_k Sig_k^-1 mu_k
        G = self._cond_gain.repeat(I_, 1, 1)
        c = self._cond_shift.repeat(I_, 1)
        Sc = self._cond_cov.repeat(I_, 1, 1)
        m1 = (G @ m0.unsqueeze(-1)).squeeze(-1) + c
        C01 = P0 @ G.transpose(-1, -2)                         # Cov(x, y)
        P1 = G @ P0 @ G.transpose(-1, -2) + Sc
        P1 = 0.5 * (P1 + P1.transpose(-1, -2))
        joint_cov = torch.cat([torch.cat([P0, C01], 2), torch.cat([C01.transpose(-1, -2), P1], 2)], 1)
        joint_cov = 0.5 * (joint_cov + joint_cov.transpose(-1, -2))
        self.plan = GaussianMixture(w, torch.cat([m0, m1], 1), joint_cov)
        self.rho0 = GaussianMixture(w, m0, P0)
        self.rho1 = GaussianMixture(w, m1, P1)
        self._comp = (w, m0, m1, P0, P1, C01)
        self._marginal_diagonal = is_diagonal(P0) and is_diagonal(P1) and is_diagonal(C01)  # every Sigma_t too

    def __repr__(self) -> str:
        kind = "exact marginals" if self.plan is not None else "rho0 sampler"
        return (f"MixturePotentialBridge(d={self.dim}, sigma={self.sigma:g}, "
                f"K={self.potential.n_components}, {kind})")

    @property
    def dim(self) -> int:
        return self.potential.dim

    @property
    def device(self) -> torch.device:
        return self.potential.means.device

    def _need_exact(self, what: str) -> None:
        if self.plan is None:
            raise ValueError(f"{what} needs exact marginals: build the bridge with a Gaussian-mixture base")

    # -- static plan ---------------------------------------------------------------------
    def conditional_mixture(self, x0: Tensor) -> Tuple[Tensor, Tensor, Tensor]:
        """pi(y | x0) as a mixture: weights (n, K), means (n, K, d), covariances (K, d, d)."""
        x = as_float64_rows(x0, self.dim, self.device)
        f = self.potential
        mu, chol, logdet = self._w_params
        logw = component_log_probs(x, mu, chol, logdet, weights=f.weights, diagonal=f.diagonal)
        means = self._cond_shift + torch.einsum("kij,nj->nki", self._cond_gain, x)
        return torch.softmax(logw, 1), means, self._cond_cov

    def conditional(self, x0: Tensor) -> Tuple[Tensor, Tensor]:
        """Mean (n, d) and covariance (n, d, d) of pi(y | x0)."""
        w, means, covs = self.conditional_mixture(x0)
        mean = torch.einsum("nk,nki->ni", w, means)
        second = torch.einsum("nk,kij->nij", w, covs)
        dm = means - mean[:, None, :]
        return mean, second + torch.einsum("nk,nki,nkj->nij", w, dm, dm)

    def sample_conditional(self, x0: Tensor, generator: Optional[torch.Generator] = None) -> Tensor:
        """One draw of y ~ pi(y | x0) per row."""
        w, means, _ = self.conditional_mixture(x0)
        k = torch.multinomial(w, 1, generator=generator).squeeze(1) if len(w) else w.new_zeros(0, dtype=torch.long)
        z = torch.randn(means.shape[0], self.dim, generator=generator, dtype=F64, device=means.device)
        rows = torch.arange(means.shape[0], device=means.device)
        return means[rows, k] + torch.einsum("nij,nj->ni", self._cond_chol[k], z)

    def sample_plan(self, n: int, generator: Optional[torch.Generator] = None) -> Tuple[Tensor, Tensor]:
        """n exact draws (x0, x1) of the plan: x0 ~ rho0, x1 ~ pi(. | x0)."""
        if int(n) != n or n < 0:
            raise ValueError(f"n must be a non-negative integer, got {n}")
        if self.plan is not None:
            xy = self.plan.sample(n, generator=generator)
            return xy[:, :self.dim], xy[:, self.dim:]
        x0 = torch.as_tensor(self.rho0.sample(n, generator=generator)).to(F64)
        return x0, self.sample_conditional(x0, generator)

    # -- fields --------------------------------------------------------------------------
    def _mixture_field(self, t, x: Tensor, weights: Tensor, components: Callable[[Tensor], tuple],
                       diagonal: bool, want_score: bool) -> Tensor:
        """log density (n,) or score (n, d) at (t, x) of the mixture with these weights (K,) and the
        components (means, Cholesky factors, log det) at times ts returned by components(ts)."""
        xd = as_float64_rows(x, self.dim, self.device)
        t = time_rows(t, xd)

        def apply(p, xr):
            mu, L, logdet = (q[0] for q in p) if p[0].shape[0] == 1 else p  # one time for all rows, or one each
            comp = component_log_probs(xr, mu, L, logdet, weights=weights, diagonal=diagonal)
            if not want_score:
                return torch.logsumexp(comp, dim=1)
            return mixture_score(xr, torch.softmax(comp, dim=1), mu, L, diagonal)

        out = evaluate_by_time(t, xd, components, apply, weights.shape[0] * self.dim * self.dim)
        return out.to(device=x.device, dtype=x.dtype)

    def drift(self, t, x: Tensor) -> Tensor:
        """sigma^2 grad_x log sum_k p_k N(x; mu_k, Sig_k + sigma^2 (1 - t) I)."""
        f = self.potential
        eye = torch.eye(self.dim, dtype=F64, device=self.device)

        def components(ts):
            covs = f.covs[None] + (self.sigma2 * (1 - ts))[:, None, None, None] * eye
            return _factorised(f.means.expand(len(ts), -1, -1), covs)

        return self.sigma2 * self._mixture_field(t, x, f.weights, components, f.diagonal, want_score=True)

    def _marginal_components(self, ts: Tensor):
        """Log-weights (u, M), means (u, M, d), covariances (u, M, d, d) of rho_t."""
        w, m0, m1, P0, P1, C01 = self._comp
        t = ts.to(F64)[:, None, None]
        eye = torch.eye(self.dim, dtype=F64, device=m0.device)
        mean = (1 - t) * m0 + t * m1
        t4 = t[..., None]
        cov = ((1 - t4) ** 2 * P0 + t4 ** 2 * P1 + t4 * (1 - t4) * (C01 + C01.transpose(-1, -2))
               + self.sigma2 * t4 * (1 - t4) * eye)
        return torch.log(w).expand(len(ts), -1), mean, 0.5 * (cov + cov.transpose(-1, -2))

    def marginal(self, t) -> GaussianMixture:
        """rho_t as a GaussianMixture (exact)."""
        self._need_exact("marginal")
        logw, mean, cov = self._marginal_components(torch.tensor([scalar_time(t)], dtype=F64))
        return GaussianMixture(torch.exp(logw[0]), mean[0], cov[0])

    def marginal_moments(self, t) -> Tuple[Tensor, Tensor]:
        """Mean and covariance of rho_t (exact with a base; else ValueError)."""
        g = self.marginal(t)
        return g.mean(), g.cov()

    def _marginal_eval(self, t, x: Tensor, want_score: bool) -> Tensor:
        self._need_exact("score/log_prob/velocity")
        components = lambda ts: _factorised(*self._marginal_components(ts)[1:])  # noqa: E731
        return self._mixture_field(t, x, self._comp[0], components, self._marginal_diagonal, want_score)

    def score(self, t, x: Tensor) -> Tensor:
        return self._marginal_eval(t, x, want_score=True)

    def log_prob(self, t, x: Tensor) -> Tensor:
        return self._marginal_eval(t, x, want_score=False)

    def velocity(self, t, x: Tensor) -> Tensor:
        """Probability-flow velocity drift - sigma^2/2 grad log rho_t."""
        return self.drift(t, x) - 0.5 * self.sigma2 * self.score(t, x)
