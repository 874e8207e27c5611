"""Exact fields of a Gaussian-mixture interpolant (docs/theory.md §6).

With rho0 = sum_i p_i N(m_i, S_i), rho1 = sum_j q_j N(n_j, T_j), an independent coupling and
x_t = alpha x0 + beta x1 + gamma z, the density is rho_t = sum_ij p_i q_j N(mu_ij, C_ij) with

    mu_ij = alpha m_i + beta n_j,        C_ij = alpha^2 S_i + beta^2 T_j + gamma^2 I,

and, with posterior weights w_ij(x) proportional to p_i q_j N(x; mu_ij, C_ij),

    s(t, x) = sum_ij w_ij [ -C_ij^-1 (x - mu_ij) ]
    b(t, x) = sum_ij w_ij [ mu_ij' + 1/2 C_ij' C_ij^-1 (x - mu_ij) ],
              C_ij' = 2 (alpha alpha' S_i + beta beta' T_j + gamma gamma' I)
    eta = -gamma s,   v = b - gamma' eta     (alpha in place of gamma for one-sided paths).
"""
from __future__ import annotations

from dataclasses import dataclass

import torch

from .interpolants import Interpolant, check_time
from .mixtures import LOG_2PI, GaussianMixture

Tensor = torch.Tensor
_CHUNK_ELEMENTS = 2 ** 22  # bound on n * K * d * d held at once


@dataclass(frozen=True)
class _Posterior:
    log_prob: Tensor   # (n,)
    weights: Tensor    # (n, K) posterior weights w_ij
    sol: Tensor        # (n, K, d): C_ij^-1 (x - mu_ij)
    dmu: Tensor        # (n, K, d)
    half_dC: Tensor    # (n, K, d, d): 1/2 C_ij'


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
            rho0 = GaussianMixture(torch.ones(1, dtype=rho1.dtype), torch.zeros(1, d, dtype=rho1.dtype),
                                   torch.eye(d, dtype=rho1.dtype)[None])
        K0, K1 = rho0.n_components, rho1.n_components
        # pair (i, j) -> flattened index i * K1 + j
        self._log_pq = (torch.log(rho0.weights)[:, None] + torch.log(rho1.weights)[None, :]).reshape(-1)
        self._m = rho0.means.repeat_interleave(K1, 0)
        self._S = rho0.covs.repeat_interleave(K1, 0)
        self._n = rho1.means.repeat(K0, 1)
        self._T = rho1.covs.repeat(K0, 1, 1)

    @property
    def dim(self) -> int:
        return self.rho1.dim

    # -- public fields -------------------------------------------------------------------
    def log_prob(self, t: Tensor, x: Tensor) -> Tensor:
        return self._map(t, x, lambda p: p.log_prob)

    def s(self, t: Tensor, x: Tensor) -> Tensor:
        return self._map(t, x, lambda p: -(p.weights[..., None] * p.sol).sum(1))

    def b(self, t: Tensor, x: Tensor) -> Tensor:
        def b_of(p):
            per_pair = p.dmu + torch.einsum("nkij,nkj->nki", p.half_dC, p.sol)
            return (p.weights[..., None] * per_pair).sum(1)
        return self._map(t, x, b_of)

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
        t = torch.as_tensor(t, dtype=x.dtype, device=x.device)
        if t.dim() == 0:
            t = t.expand(x.shape[0])
        if t.shape != (x.shape[0],):
            raise ValueError(f"t must have shape ({x.shape[0]},), got {tuple(t.shape)}")
        return check_time(t)

    def _map(self, t: Tensor, x: Tensor, fn) -> Tensor:
        t = self._time(t, x)
        K, d = self._m.shape
        chunk = max(1, _CHUNK_ELEMENTS // (K * d * d))
        outs = [fn(self._posterior(t[i:i + chunk], x[i:i + chunk])) for i in range(0, x.shape[0], chunk)]
        return torch.cat(outs, 0) if outs else fn(self._posterior(t, x))

    def _posterior(self, t: Tensor, x: Tensor) -> _Posterior:
        it = self.interpolant
        f = lambda a: a.to(dtype=x.dtype, device=x.device)  # noqa: E731
        m, S, n1, T, log_pq = f(self._m), f(self._S), f(self._n), f(self._T), f(self._log_pq)
        eye = torch.eye(x.shape[1], dtype=x.dtype, device=x.device)
        if t.numel() > 1 and bool(t.min() == t.max()):
            t = t[:1]  # one time for every row (samplers, likelihoods): factorise C_ij once, broadcast
        a, b, g = it.alpha(t), it.beta(t), it.gamma(t)
        da, db = it.dalpha(t), it.dbeta(t)
        aa, bb, gg = it.alpha_dalpha(t), b * db, it.gamma_dgamma(t)
        v = lambda c: c[:, None, None]  # noqa: E731  (n,) -> (n, 1, 1) for (n, K, d)
        M = lambda c: c[:, None, None, None]  # noqa: E731  (n,) -> (n, 1, 1, 1) for (n, K, d, d)
        mu = v(a) * m + v(b) * n1
        dmu = v(da) * m + v(db) * n1
        C = M(a ** 2) * S + M(b ** 2) * T + M(g ** 2) * eye
        half_dC = M(aa) * S + M(bb) * T + M(gg) * eye
        L, info = torch.linalg.cholesky_ex(C)
        if bool((info != 0).any()):
            raise ValueError("the interpolant's covariance is singular at some t (a degenerate endpoint)")
        n, d = x.shape
        diff = x[:, None, :] - mu  # (n, K, d)
        if L.shape[0] == 1:  # shared t: solve every point against each component at once, (K, d, n)
            w = torch.linalg.solve_triangular(L[0], diff.permute(1, 2, 0), upper=False)
            sol = torch.linalg.solve_triangular(L[0].transpose(-1, -2), w, upper=True).permute(2, 0, 1)
            w = w.permute(2, 0, 1)
        else:
            w = torch.linalg.solve_triangular(L, diff.unsqueeze(-1), upper=False)
            sol = torch.linalg.solve_triangular(L.transpose(-1, -2), w, upper=True).squeeze(-1)
            w = w.squeeze(-1)
        logdet = 2 * torch.log(torch.diagonal(L, dim1=-2, dim2=-1)).sum(-1)  # (n or 1, K)
        comp = -0.5 * (w ** 2).sum(-1) - 0.5 * logdet - 0.5 * d * LOG_2PI + log_pq  # (n, K)
        return _Posterior(torch.logsumexp(comp, dim=1), torch.softmax(comp, dim=1), sol,
                          dmu.expand(n, -1, -1), half_dC.expand(n, -1, -1, -1))
