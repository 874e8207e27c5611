"""Exact fields of a Gaussian-mixture interpolant (docs/theory.md §6).

With rho0 = sum_i p_i N(m_i, S_i), rho1 = sum_j q_j N(n_j, T_j), an independent coupling and
x_t = alpha x0 + beta x1 + gamma z, the density is rho_t = sum_ij p_i q_j N(mu_ij, C_ij) with

    mu_ij = alpha m_i + beta n_j,        C_ij = alpha^2 S_i + beta^2 T_j + gamma^2 I,

and, with posterior weights w_ij(x) proportional to p_i q_j N(x; mu_ij, C_ij),

    s(t, x) = sum_ij w_ij [ -C_ij^-1 (x - mu_ij) ]
    b(t, x) = sum_ij w_ij [ mu_ij' + 1/2 C_ij' C_ij^-1 (x - mu_ij) ],
              C_ij' = 2 (alpha alpha' S_i + beta beta' T_j + gamma gamma' I)
    eta = -gamma s,   v = b - gamma' eta     (alpha in place of gamma for one-sided paths).

rho_t is a Gaussian mixture, evaluated with the kernel of `si.mixtures.gaussian`; rows sharing a
time share one factorisation of the C_ij (`si.times.evaluate_by_time`).
Albergo, Boffi & Vanden-Eijnden, arXiv:2303.08797.
"""
from __future__ import annotations

from typing import Tuple

import torch

from .interpolants import Interpolant
from .mixtures import GaussianMixture, component_log_probs, cholesky_logdet, mixture_score, precision_solve
from .mixtures import is_diagonal, standard_normal
from .times import evaluate_by_time, time_rows

Tensor = torch.Tensor

__all__ = ["InterpolantOracle"]


class InterpolantOracle:
    """Exact b, s, v, eta and log rho_t for a Gaussian-mixture pair under `interpolant`.

    Every method takes t of shape (n,) (or a scalar, broadcast) and x of shape (n, d), and works
    in the dtype and on the device of x.
    """

    def __init__(self, interpolant: Interpolant, rho0: GaussianMixture, rho1: GaussianMixture):
        if rho0.dim != rho1.dim:
            raise ValueError(f"rho0 and rho1 must share a dimension, got {rho0.dim} and {rho1.dim}")
        self.interpolant, self.rho0, self.rho1 = interpolant, rho0, rho1
        d = rho0.dim
        if interpolant.mirror:  # alpha = 0: rho0 does not enter x_t (only its weights, which sum to 1)
            rho0 = standard_normal(d, dtype=rho1.dtype)
        K0, K1 = rho0.n_components, rho1.n_components
        # pair (i, j) -> flattened index i * K1 + j
        self._log_pq = (torch.log(rho0.weights)[:, None] + torch.log(rho1.weights)[None, :]).reshape(-1)
        self._m = rho0.means.repeat_interleave(K1, 0)
        self._S = rho0.covs.repeat_interleave(K1, 0)
        self._n = rho1.means.repeat(K0, 1)
        self._T = rho1.covs.repeat(K0, 1, 1)
        self._diagonal = is_diagonal(self._S) and is_diagonal(self._T)  # then every C_ij is diagonal

    @property
    def dim(self) -> int:
        return self.rho1.dim

    # -- public fields -------------------------------------------------------------------
    def log_prob(self, t: Tensor, x: Tensor) -> Tensor:
        return self._map(t, x, lambda x, mu, dmu, L, logdet, half_dC: torch.logsumexp(
            self._component_log_probs(x, mu, L, logdet), dim=1))

    def s(self, t: Tensor, x: Tensor) -> Tensor:
        def score(x, mu, dmu, L, logdet, half_dC):
            w = torch.softmax(self._component_log_probs(x, mu, L, logdet), dim=1)
            return mixture_score(x, w, mu, L, self._diagonal)
        return self._map(t, x, score)

    def b(self, t: Tensor, x: Tensor) -> Tensor:
        def velocity(x, mu, dmu, L, logdet, half_dC):
            w = torch.softmax(self._component_log_probs(x, mu, L, logdet), dim=1)
            out = torch.zeros_like(x)
            for c in range(mu.shape[-2]):
                sol = precision_solve(L[..., c, :, :], x - mu[..., c, :], self._diagonal)  # C^-1 (x - mu)
                H = half_dC[..., c, :, :]
                stretch = sol @ H.T if H.dim() == 2 else (H @ sol.unsqueeze(-1)).squeeze(-1)
                out += w[:, c:c + 1] * (dmu[..., c, :] + stretch)
            return out
        return self._map(t, x, velocity)

    def eta(self, t: Tensor, x: Tensor) -> Tensor:
        t = self._time(t, x)
        return -self.interpolant.noise_scale(t)[:, None] * self.s(t, x)

    def v(self, t: Tensor, x: Tensor) -> Tensor:
        t = self._time(t, x)
        return self.b(t, x) - self.interpolant.dnoise_scale(t)[:, None] * self.eta(t, x)

    # -- internals -----------------------------------------------------------------------
    def _time(self, t: Tensor, x: Tensor) -> Tensor:
        if x.dim() != 2 or x.shape[1] != self.dim:
            raise ValueError(f"x must have shape (n, {self.dim}), got {tuple(x.shape)}")
        return time_rows(t, x)

    def _component_log_probs(self, x: Tensor, mu: Tensor, L: Tensor, logdet: Tensor) -> Tensor:
        """log p_i q_j + log N(x; mu_ij, C_ij), shape (n, K)."""
        log_pq = self._log_pq.to(dtype=x.dtype, device=x.device)
        return component_log_probs(x, mu, L, logdet, diagonal=self._diagonal) + log_pq

    def _map(self, t: Tensor, x: Tensor, fn) -> Tensor:
        """fn(x, mu, dmu, L, logdet, half_dC) on the rows of x grouped by time: the component
        parameters are shared (leading dimension dropped) or one set per row."""
        t = self._time(t, x)
        K, d = self._m.shape

        def apply(p, xr):
            if p[0].shape[0] == 1:  # one time for all these rows: factorise each C_ij once
                p = tuple(q[0] for q in p)
            return fn(xr, *p)
        return evaluate_by_time(t, x, lambda ts: self._components(ts, x), apply, row_cost=K * d * d)

    def _components(self, t: Tensor, x: Tensor) -> Tuple[Tensor, ...]:
        """mu, mu' (u, K, d), Cholesky factors of C, log det C (u, K) and C'/2 (u, K, d, d) at times t (u,)."""
        it = self.interpolant
        f = lambda a: a.to(dtype=x.dtype, device=x.device)  # noqa: E731
        m, S, n1, T = f(self._m), f(self._S), f(self._n), f(self._T)
        eye = torch.eye(x.shape[1], dtype=x.dtype, device=x.device)
        a, b, g = it.alpha(t), it.beta(t), it.gamma(t)
        da, db = it.dalpha(t), it.dbeta(t)
        aa, bb, gg = it.alpha_dalpha(t), b * db, it.gamma_dgamma(t)
        v = lambda c: c[:, None, None]  # noqa: E731  (u,) -> (u, 1, 1) for (u, K, d)
        M = lambda c: c[:, None, None, None]  # noqa: E731  (u,) -> (u, 1, 1, 1) for (u, K, d, d)
        mu = v(a) * m + v(b) * n1
        dmu = v(da) * m + v(db) * n1
        C = M(a ** 2) * S + M(b ** 2) * T + M(g ** 2) * eye
        half_dC = M(aa) * S + M(bb) * T + M(gg) * eye
        L, info = torch.linalg.cholesky_ex(C)
        if bool((info != 0).any()):
            raise ValueError("the interpolant's covariance is singular at some t (a degenerate endpoint)")
        return mu, dmu, L, cholesky_logdet(L), half_dC
