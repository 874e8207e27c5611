"""The Gaussian Schroedinger bridge (reference dX = sigma dW on [0, 1]) in closed form (docs/theory.md §6).

rho0 = N(a, A), rho1 = N(b, B); the closed form of Bunne et al. (2023):

    D = (4 A^1/2 B A^1/2 + sigma^4 I)^1/2,     C = 1/2 (A^1/2 D A^-1/2 - sigma^2 I)
    plan N((a, b), [[A, C], [C^T, B]])
    mu_t = (1-t) a + t b,  Sigma_t = (1-t)^2 A + t^2 B + t(1-t)(C + C^T) + sigma^2 t(1-t) I
    drift  S_t^T Sigma_t^-1 (x - mu_t) + (b - a),
           S_t = t B + (1-t) C - ((1-t) A + t C)^T - sigma^2 t I
    probability-flow velocity = drift - sigma^2/2 grad log rho_t = drift + sigma^2/2 Sigma_t^-1 (x - mu_t)

The drift is E[(X1 - x) / (1 - t) | X_t = x] (Gaussian conditioning), which is how S_t is derived:
(1-t) S_t^T = Cov(X1, X_t) - Sigma_t. With C = 0 ("independent") or C = A T, T the Bures map
("ot"), the same formulas give the stochastic interpolant x_t = (1-t) x0 + t x1 + sigma
sqrt(t(1-t)) z over that coupling: `drift` is then its forward drift b_F = b + (sigma^2/2) s (which
keeps the marginals but not the plan) and `velocity` its b (Albergo, Boffi & Vanden-Eijnden,
arXiv:2303.08797).

Parameters are held in float64; fields follow the dtype and device of x; samples are float64.
"""
from __future__ import annotations

from typing import Callable, Optional, Tuple

import torch

from ..linalg import inv_sqrtm_pd, sqrtm_psd
from ..mixtures import GaussianMixture, gaussian_log_prob
from ..times import check_time, evaluate_by_time, scalar_time, time_rows
from .plan import F64, BrownianBridgeOverPlan, as_float64_rows, check_sigma

Tensor = torch.Tensor

__all__ = ["GaussianBridge", "bures_map", "sb_cross_cov", "sqrtm_psd"]


def bures_map(A: Tensor, B: Tensor) -> Tensor:
    """T = A^-1/2 (A^1/2 B A^1/2)^1/2 A^-1/2, the OT (Monge) map N(0, A) -> N(0, B): x -> T x."""
    A12, A12i = sqrtm_psd(A), inv_sqrtm_pd(A)
    return A12i @ sqrtm_psd(A12 @ B @ A12) @ A12i


def sb_cross_cov(A: Tensor, B: Tensor, sigma: float) -> Tensor:
    """C = Cov(X0, X1) of the Gaussian Schroedinger bridge (docs/theory.md §6):
    D = (4 A^1/2 B A^1/2 + sigma^4 I)^1/2, C = 1/2 (A^1/2 D A^-1/2 - sigma^2 I)."""
    d = A.shape[-1]
    eye = torch.eye(d, dtype=A.dtype, device=A.device)
    s2 = float(sigma) ** 2
    A12, A12i = sqrtm_psd(A), inv_sqrtm_pd(A)
    D = sqrtm_psd(4 * A12 @ B @ A12 + s2 ** 2 * eye)
    return 0.5 * (A12 @ D @ A12i - s2 * eye)


def _check_spd(M: Tensor, name: str, d: int) -> Tensor:
    if M.shape != (d, d):
        raise ValueError(f"{name} must have shape ({d}, {d}), got {tuple(M.shape)}")
    if not bool(torch.isfinite(M).all()):
        raise ValueError(f"{name} has non-finite entries")
    if not torch.allclose(M, M.T, atol=1e-10, rtol=1e-8):
        raise ValueError(f"{name} must be symmetric")
    if int(torch.linalg.cholesky_ex(M)[1]) != 0:
        raise ValueError(f"{name} must be positive definite")
    return 0.5 * (M + M.T)


class GaussianBridge(BrownianBridgeOverPlan):
    """Brownian bridges with noise sigma over a Gaussian plan of N(a, A) and N(b, B).

    coupling: "schrodinger" (the entropic / Schroedinger-bridge plan, C = sb_cross_cov; sigma = 0 is
    its OT limit), "independent" (C = 0), "ot" (C = A T, T the Bures map). Only "schrodinger" makes
    the process Markov with the plan as its (X0, X1) law, i.e. the Schroedinger bridge.
    """

    COUPLINGS = ("schrodinger", "independent", "ot")

    def __init__(self, mean0, cov0, mean1, cov1, sigma: float, coupling: str = "schrodinger"):
        a = torch.as_tensor(mean0, dtype=F64)
        if a.dim() != 1 or a.numel() == 0:
            raise ValueError(f"mean0 must have shape (d,), got {tuple(a.shape)}")
        d = a.shape[0]
        dev = a.device
        b = torch.as_tensor(mean1, dtype=F64).to(dev)
        if b.shape != (d,):
            raise ValueError(f"mean1 must have shape ({d},), got {tuple(b.shape)}")
        A = _check_spd(torch.as_tensor(cov0, dtype=F64).to(dev), "cov0", d)
        B = _check_spd(torch.as_tensor(cov1, dtype=F64).to(dev), "cov1", d)
        if coupling not in self.COUPLINGS:
            raise ValueError(f"coupling must be one of {self.COUPLINGS}, got {coupling!r}")
        self.sigma = check_sigma(sigma, allow_zero=True)
        self.coupling = coupling
        self.mean0, self.cov0, self.mean1, self.cov1 = a, A, b, B
        self.ot_map = bures_map(A, B)
        if coupling == "schrodinger":
            C = sb_cross_cov(A, B, self.sigma)
        elif coupling == "independent":
            C = torch.zeros(d, d, dtype=F64, device=dev)
        else:
            C = A @ self.ot_map
        self.cross_cov = C
        # plan conditional X1 | X0 = x: mean b + K^T (x - a), K = A^-1 C; cov B - C^T A^-1 C
        self._K = torch.linalg.solve(A, C)
        self._cond_cov = B - C.T @ self._K
        self._cond_cov = 0.5 * (self._cond_cov + self._cond_cov.T)
        self._chol0 = torch.linalg.cholesky(A)
        # the OT plan is degenerate (B - C^T A^-1 C = 0): drop round-off relative to B's scale
        self._cond_sqrt = sqrtm_psd(self._cond_cov, atol=1e-12 * float(torch.linalg.eigvalsh(B).max()))

    def __repr__(self) -> str:
        return f"GaussianBridge(d={self.dim}, sigma={self.sigma:g}, coupling={self.coupling!r})"

    @property
    def dim(self) -> int:
        return self.mean0.shape[0]

    @property
    def device(self) -> torch.device:
        return self.mean0.device

    # -- static plan ---------------------------------------------------------------------
    def joint_mean(self) -> Tensor:
        return torch.cat([self.mean0, self.mean1])

    def joint_cov(self) -> Tensor:
        """[[A, C], [C^T, B]], shape (2d, 2d)."""
        C = self.cross_cov
        return torch.cat([torch.cat([self.cov0, C], 1), torch.cat([C.T, self.cov1], 1)], 0)

    def conditional(self, x0: Tensor) -> Tuple[Tensor, Tensor]:
        """Plan conditional X1 | X0 = x0: mean (n, d), cov (d, d)."""
        x0 = as_float64_rows(x0, self.dim, self.device)
        return self.mean1 + (x0 - self.mean0) @ self._K, self._cond_cov

    def sample_plan(self, n: int, generator: Optional[torch.Generator] = None) -> Tuple[Tensor, Tensor]:
        """n exact draws (x0, x1) from the plan N((a, b), [[A, C], [C^T, B]]), float64."""
        if int(n) != n or n < 0:
            raise ValueError(f"n must be a non-negative integer, got {n}")
        z0 = torch.randn(n, self.dim, generator=generator, dtype=F64, device=self.device)
        z1 = torch.randn(n, self.dim, generator=generator, dtype=F64, device=self.device)
        x0 = self.mean0 + z0 @ self._chol0.T
        mean1, _ = self.conditional(x0)
        return x0, mean1 + z1 @ self._cond_sqrt

    # -- marginals and fields ------------------------------------------------------------
    def _marginal_batch(self, ts: Tensor) -> Tuple[Tensor, Tensor]:
        """mu_t (u, d), Sigma_t (u, d, d) for times ts (u,)."""
        t = ts.to(F64)[:, None, None]
        A, B, C = self.cov0, self.cov1, self.cross_cov
        eye = torch.eye(self.dim, dtype=F64, device=A.device)
        mu = (1 - t[:, :, 0]) * self.mean0 + t[:, :, 0] * self.mean1
        Sig = (1 - t) ** 2 * A + t ** 2 * B + t * (1 - t) * (C + C.T) + self.sigma2 * t * (1 - t) * eye
        return mu, Sig

    def marginal(self, t) -> Tuple[Tensor, Tensor]:
        """(mu_t, Sigma_t) for a scalar t: shapes (d,), (d, d); for t of shape (n,): (n, d), (n, d, d)."""
        tt = check_time(torch.as_tensor(t, dtype=F64, device=self.device))
        if tt.dim() > 1:
            raise ValueError(f"t must be a scalar or a vector, got shape {tuple(tt.shape)}")
        mu, Sig = self._marginal_batch(tt.reshape(-1))
        return (mu[0], Sig[0]) if tt.dim() == 0 else (mu, Sig)

    def marginal_moments(self, t) -> Tuple[Tensor, Tensor]:
        return self.marginal(scalar_time(t))

    def _S(self, ts: Tensor) -> Tensor:
        """S_t = t B + (1-t) C - ((1-t) A + t C)^T - sigma^2 t I, shape (u, d, d)."""
        t = ts.to(F64)[:, None, None]
        A, B, C = self.cov0, self.cov1, self.cross_cov
        eye = torch.eye(self.dim, dtype=F64, device=A.device)
        return t * B + (1 - t) * C - ((1 - t) * A + t * C).transpose(-1, -2) - self.sigma2 * t * eye

    def _linear_field(self, t, x: Tensor, matrix: Callable[[Tensor, Tensor], Tensor], shift: bool) -> Tensor:
        """M(t) Sigma_t^-1 (x - mu_t) (+ (b - a) if shift), M(ts, Sigma) -> (u, d, d)."""
        xd = as_float64_rows(x, self.dim, self.device)
        t = time_rows(t, xd)

        def params(ts):
            mu, Sig = self._marginal_batch(ts)
            F = torch.linalg.solve(Sig, matrix(ts, Sig).transpose(-1, -2)).transpose(-1, -2)  # M Sigma^-1
            return F, mu

        def apply(p, xr):
            F, mu = p
            if F.shape[0] == 1:  # one time for all rows: a single matrix product
                return (xr - mu) @ F[0].transpose(0, 1)
            return (F @ (xr - mu).unsqueeze(-1)).squeeze(-1)

        out = evaluate_by_time(t, xd, params, apply, row_cost=self.dim * self.dim)
        if shift:
            out = out + (self.mean1 - self.mean0)
        return out.to(device=x.device, dtype=x.dtype)

    def drift(self, t, x: Tensor) -> Tensor:
        """Bridge SDE drift S_t^T Sigma_t^-1 (x - mu_t) + (b - a)."""
        return self._linear_field(t, x, lambda ts, Sig: self._S(ts).transpose(-1, -2), shift=True)

    def velocity(self, t, x: Tensor) -> Tensor:
        """Probability-flow velocity: drift - sigma^2/2 grad log rho_t
        = (S_t^T + sigma^2/2 I) Sigma_t^-1 (x - mu_t) + (b - a)."""
        eye = torch.eye(self.dim, dtype=F64, device=self.device)
        return self._linear_field(t, x, lambda ts, Sig: self._S(ts).transpose(-1, -2) + 0.5 * self.sigma2 * eye,
                                  shift=True)

    def score(self, t, x: Tensor) -> Tensor:
        """grad log rho_t(x) = -Sigma_t^-1 (x - mu_t)."""
        eye = torch.eye(self.dim, dtype=F64, device=self.device)
        return self._linear_field(t, x, lambda ts, Sig: -eye.expand_as(Sig), shift=False)

    def log_prob(self, t, x: Tensor) -> Tensor:
        """log rho_t(x) = log N(x; mu_t, Sigma_t), shape (n,)."""
        xd = as_float64_rows(x, self.dim, self.device)
        t = time_rows(t, xd)

        def params(ts):
            mu, Sig = self._marginal_batch(ts)
            return mu, torch.linalg.cholesky(Sig)

        out = evaluate_by_time(t, xd, params, lambda p, xr: gaussian_log_prob(xr, p[0], p[1]), self.dim * self.dim)
        return out.to(device=x.device, dtype=x.dtype)

    def to_mixture_marginal(self, t) -> GaussianMixture:
        mu, Sig = self.marginal(scalar_time(t))
        return GaussianMixture(torch.ones(1, dtype=F64), mu[None], Sig[None])


