"""Closed forms for an affine interpolant between Gaussians (docs/theory.md §10; paper, Lemma 3.12).

With I^ = P(t) x0 + Q(t) x1 + r(t) (`AffineInterpolant.coefficients`), x0 ~ N(a, A), x1 ~ N(b, B)
and z ~ N(0, I) independent, x^_t = I^ + gamma z is Gaussian with

    mu^_t = P a + Q b + r,        Sigma^_t = P A P^T + Q B Q^T + gamma^2 I,

and the target T = d_t I^ + c z (c = gamma' - eps/gamma, c gamma = gamma gamma' - eps) is jointly
Gaussian with it, so the forward drift b_F = E[T | x^_t] is affine:

    b_F(x) = E T + K Sigma^^-1 (x - mu^),   K = Cov(T, x^) = P' A P^T + Q' B Q^T + c gamma I,
    E|b_F|^2 = |E T|^2 + tr(K Sigma^^-1 K^T).

`drift_energy` integrates E|b_F|^2 over t by Gauss-Legendre quadrature (the exact saddle value is
-1/2 of it); `si.bridges.GaussianBridge`'s drift gives the Schroedinger bridge's own energy
(`bridge_energy`), which by Theorem 3.13 is the minimum over I^ of `drift_energy`.

A linear drift u(t, x) = M(t) x + m(t) (`AffineDrift`) and X0 ~ N(a, A) give a Gaussian SDE
dX = u dt + sqrt(2 eps) dW whose moments obey (`linear_sde_moments`, RK4 on [0, 1])

    mu' = M mu + m,   Sigma' = M Sigma + Sigma M^T + 2 eps I,   C' = C M^T   (C = Cov(X0, X_t), C(0) = A),

so the coupling (X0, X1) of the learned SDE is compared with the exact plan without sampling noise.
"""
from __future__ import annotations

from typing import Optional, Tuple

import numpy as np
import torch

from ..bridges import GaussianBridge
from ..interpolants import Interpolant

Tensor = torch.Tensor
F64 = torch.float64

__all__ = ["gaussian_moments", "affine_moments", "drift_energy", "bridge_energy", "linear_sde_moments",
           "gaussian_kl", "gauss_legendre"]


def gaussian_moments(rho) -> Optional[Tuple[Tensor, Tensor]]:
    """(mean, cov) in float64 if rho is a single Gaussian (a one-component GaussianMixture, or an
    object whose `.gmm` is one), else None."""
    g = getattr(rho, "gmm", rho)
    if g is None or not hasattr(g, "n_components") or g.n_components != 1:
        return None
    return g.means[0].detach().to(F64).cpu(), g.covs[0].detach().to(F64).cpu()


def gauss_legendre(n: int) -> Tuple[Tensor, Tensor]:
    """Nodes and weights of the n-point Gauss-Legendre rule on [0, 1]."""
    x, w = np.polynomial.legendre.leggauss(int(n))
    return torch.from_numpy((x + 1) / 2), torch.from_numpy(w / 2)


def _gamma_terms(g: Interpolant, eps: float, t: Tensor) -> Tuple[Tensor, Tensor]:
    """gamma^2 and c gamma = gamma gamma' - eps, shape of t (float64)."""
    return g.gamma(t) ** 2, g.gamma_dgamma(t) - eps


def affine_moments(interp, mean0: Tensor, cov0: Tensor, mean1: Tensor, cov1: Tensor, g: Interpolant,
                   eps: float, t: Tensor) -> Tuple[Tensor, Tensor, Tensor, Tensor]:
    """mu^ (T, d), Sigma^ (T, d, d), E T (T, d), K = Cov(T, x^) (T, d, d) at the times t (T,), float64."""
    t = t.to(F64)
    P, Q, r, dP, dQ, dr = interp.coefficients(t)
    eye = torch.eye(mean0.shape[0], dtype=F64)
    g2, cg = _gamma_terms(g, eps, t)
    Pt, Qt = P.transpose(1, 2), Q.transpose(1, 2)
    mu = P @ mean0 + Q @ mean1 + r
    Sig = P @ cov0 @ Pt + Q @ cov1 @ Qt + g2[:, None, None] * eye
    K = dP @ cov0 @ Pt + dQ @ cov1 @ Qt + cg[:, None, None] * eye
    ET = dP @ mean0 + dQ @ mean1 + dr
    return mu, 0.5 * (Sig + Sig.transpose(1, 2)), ET, K


def drift_energy(interp, mean0, cov0, mean1, cov1, g: Interpolant, eps: float, nodes: int = 64) -> Tensor:
    """int_0^1 E|b_F|^2 dt of the affine interpolant (exact up to quadrature; differentiable in theta)."""
    t, w = gauss_legendre(nodes)
    _, Sig, ET, K = affine_moments(interp, mean0, cov0, mean1, cov1, g, eps, t)
    KS = torch.linalg.solve(Sig, K.transpose(1, 2)).transpose(1, 2)  # K Sigma^-1
    return (w * ((ET ** 2).sum(-1) + (K * KS).sum((-1, -2)))).sum()


def bridge_energy(bridge: GaussianBridge, nodes: int = 64) -> float:
    """int_0^1 E|drift|^2 dt of the exact Gaussian bridge: |b - a|^2 + tr(F Sigma_t F^T), F the drift matrix."""
    t, w = gauss_legendre(nodes)
    total = 0.0
    for tk, wk in zip(t.tolist(), w.tolist()):
        mu, Sig = bridge.marginal_moments(tk)
        eye = torch.eye(bridge.dim, dtype=F64)
        F = bridge.drift(torch.full((bridge.dim + 1,), tk, dtype=F64), torch.cat([mu[None], mu[None] + eye]))
        c, Fm = F[0], (F[1:] - F[:1]).T  # drift(x) = c + Fm (x - mu)
        total += wk * float((c ** 2).sum() + torch.trace(Fm @ Sig @ Fm.T))
    return total


def linear_sde_moments(drift, mean0: Tensor, cov0: Tensor, eps: float, steps: int = 400,
                       t0: float = 0.0, t1: float = 1.0) -> Tuple[Tensor, Tensor, Tensor]:
    """Mean and covariance of X_{t1} and Cov(X_{t0}, X_{t1}) for dX = (M(t) X + m(t)) dt + sqrt(2 eps) dW,
    X_{t0} ~ N(mean0, cov0); `drift.matrices(t)` gives M, m. RK4 with `steps` steps (float64)."""
    d = mean0.shape[0]
    eye = torch.eye(d, dtype=F64)

    def f(t: float, y):
        M, m = drift.matrices(torch.tensor([t], dtype=F64))
        M, m = M[0].detach(), m[0].detach()
        mu, S, C = y
        return M @ mu + m, M @ S + S @ M.T + 2 * eps * eye, C @ M.T

    y = (mean0.to(F64), cov0.to(F64), cov0.to(F64))
    h = (t1 - t0) / steps
    for k in range(steps):
        t = t0 + k * h
        k1 = f(t, y)
        k2 = f(t + h / 2, tuple(a + h / 2 * b for a, b in zip(y, k1)))
        k3 = f(t + h / 2, tuple(a + h / 2 * b for a, b in zip(y, k2)))
        k4 = f(t + h, tuple(a + h * b for a, b in zip(y, k3)))
        y = tuple(a + h / 6 * (b1 + 2 * b2 + 2 * b3 + b4) for a, b1, b2, b3, b4 in zip(y, k1, k2, k3, k4))
    mu, S, C = y
    return mu, 0.5 * (S + S.T), C


def gaussian_kl(m0: Tensor, S0: Tensor, m1: Tensor, S1: Tensor) -> Tensor:
    """KL(N(m0, S0) || N(m1, S1)), batched over leading dimensions (float64)."""
    m0, S0, m1, S1 = (x.to(F64) for x in (m0, S0, m1, S1))
    d = m0.shape[-1]
    L = torch.linalg.cholesky(S1)
    tr = torch.cholesky_solve(S0, L).diagonal(dim1=-2, dim2=-1).sum(-1)
    dm = (m1 - m0).unsqueeze(-1)
    quad = (dm * torch.cholesky_solve(dm, L)).sum((-1, -2))
    logdet = 2 * torch.log(L.diagonal(dim1=-2, dim2=-1)).sum(-1) - torch.linalg.slogdet(S0)[1]
    return 0.5 * (tr + quad - d + logdet)
