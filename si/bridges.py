"""Exact Schroedinger bridges (reference dX = sigma dW on [0, 1]) for ground truth (docs/theory.md §6).

Both bridges here are *Brownian bridges over a static plan*: draw (X0, X1) from the plan, then

    X_t = (1 - t) X0 + t X1 + sigma sqrt(t (1 - t)) Z.

A plan of the form pi(x, y) = phi(x) N(y; x, sigma^2 I) psi(y) makes this mixture Markov and the
Schroedinger bridge between its marginals, with drift sigma^2 grad_x log E_ref[psi(X_1) | X_t = x].

GaussianBridge (rho0 = N(a, A), rho1 = N(b, B)), the closed form of Bunne et al. (2023):

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
keeps the marginals but not the plan) and `velocity` its b.

MixturePotentialBridge: potential f(y) = sum_k p_k N(y; mu_k, Sig_k), base q(x) = sum_i a_i N(x; m_i,
S_i) (a Gaussian mixture), plan pi(x, y) proportional to q(x) N(y; x, sigma^2 I) f(y). Then

    pi(y | x) = sum_k w_k(x) N(y; Sig~_k (Sig_k^-1 mu_k + x / sigma^2), Sig~_k),
    w_k(x) ~ p_k N(x; mu_k, Sig_k + sigma^2 I),   Sig~_k = (Sig_k^-1 + I / sigma^2)^-1,
    drift  sigma^2 grad_x log sum_k p_k N(x; mu_k, Sig_k + sigma^2 (1 - t) I),

and because q is a Gaussian mixture the plan itself is a Gaussian mixture on R^{2d} over the pairs
(i, k), with weight proportional to a_i p_k N(mu_k; m_i, S_i + Sig_k + sigma^2 I). So rho0 =
q (f * N(0, sigma^2 I)) / Z and rho1 = f (q * N(0, sigma^2 I)) / Z, and every marginal rho_t, are
Gaussian mixtures with exact log densities and scores. (With an arbitrary rho0 instead, rho1 is
not a Gaussian mixture; `MixturePotentialBridge.from_rho0` gives plan sampling and the drift only.)

Parameters are held in float64; fields follow the dtype and device of x; samples are float64.
"""
from __future__ import annotations

import math
from typing import Callable, Optional, Sequence, Tuple

import torch

from .mixtures import GaussianMixture, gaussian_log_prob

Tensor = torch.Tensor
_F64 = torch.float64
_CHUNK_ELEMENTS = 2 ** 22   # bound on rows * K * d * d held at once
_MAX_GROUPS = 16            # up to this many distinct times: broadcast per time, else gather per row

__all__ = ["GaussianBridge", "MixturePotentialBridge", "gaussian_sb_pair", "mixture_potential_bridge",
           "sqrtm_psd", "bures_map", "sb_cross_cov"]


# ----------------------------------------------------------------------------------------
# small linear algebra (float64, symmetric positive (semi)definite matrices)
# ----------------------------------------------------------------------------------------
def sqrtm_psd(M: Tensor, atol: float = 0.0) -> Tensor:
    """Symmetric square root of a symmetric PSD matrix (eigh). Eigenvalues <= atol (round-off of a
    singular matrix, negative ones included) are set to zero."""
    M = 0.5 * (M + M.transpose(-1, -2))
    lam, V = torch.linalg.eigh(M)
    lam = torch.where(lam > atol, lam, torch.zeros_like(lam))
    return (V * lam.sqrt().unsqueeze(-2)) @ V.transpose(-1, -2)


def _inv_sqrtm_pd(M: Tensor) -> Tensor:
    M = 0.5 * (M + M.transpose(-1, -2))
    lam, V = torch.linalg.eigh(M)
    return (V * lam.rsqrt().unsqueeze(-2)) @ V.transpose(-1, -2)


def bures_map(A: Tensor, B: Tensor) -> Tensor:
    """T = A^-1/2 (A^1/2 B A^1/2)^1/2 A^-1/2, the OT (Monge) map N(0, A) -> N(0, B): x -> T x."""
    A12, A12i = sqrtm_psd(A), _inv_sqrtm_pd(A)
    return A12i @ sqrtm_psd(A12 @ B @ A12) @ A12i


def sb_cross_cov(A: Tensor, B: Tensor, sigma: float) -> Tensor:
    """C = Cov(X0, X1) of the Gaussian Schroedinger bridge (docs/theory.md §6):
    D = (4 A^1/2 B A^1/2 + sigma^4 I)^1/2, C = 1/2 (A^1/2 D A^-1/2 - sigma^2 I)."""
    d = A.shape[-1]
    eye = torch.eye(d, dtype=A.dtype, device=A.device)
    s2 = float(sigma) ** 2
    A12, A12i = sqrtm_psd(A), _inv_sqrtm_pd(A)
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


def _check_sigma(sigma, allow_zero: bool) -> float:
    try:
        s = float(sigma)
    except (TypeError, ValueError):
        raise ValueError(f"sigma must be a number, got {sigma!r}") from None
    if not math.isfinite(s) or s < 0 or (s == 0 and not allow_zero):
        raise ValueError(f"sigma must be finite and {'>= 0' if allow_zero else '> 0'}, got {sigma!r}")
    return s


def _time_vector(t, x: Tensor) -> Tensor:
    """t as a float64 vector of shape (n,) on x's device; scalars broadcast; values in [0, 1]."""
    t = t.to(device=x.device, dtype=_F64) if isinstance(t, Tensor) else torch.tensor(t, dtype=_F64, device=x.device)
    if t.dim() == 0:
        t = t.expand(x.shape[0])
    if t.dim() == 2 and t.shape[1] == 1:
        t = t[:, 0]
    if t.shape != (x.shape[0],):
        raise ValueError(f"t must be a scalar or have shape ({x.shape[0]},), got {tuple(t.shape)}")
    if not bool(((t >= 0) & (t <= 1)).all()):
        raise ValueError(f"t must lie in [0, 1]; got values such as {t[~((t >= 0) & (t <= 1))][:3].tolist()}")
    return t


def _scalar_time(t) -> float:
    if isinstance(t, Tensor):
        if t.numel() != 1:
            raise ValueError(f"t must be a scalar here, got shape {tuple(t.shape)}")
        t = t.item()
    t = float(t)
    if not 0 <= t <= 1:
        raise ValueError(f"t must lie in [0, 1], got {t}")
    return t


def _per_time(t: Tensor, x: Tensor, params: Callable[[Tensor], tuple], apply: Callable, row_cost: int) -> Tensor:
    """Evaluate apply(params_rows, x_rows) for rows grouped by their time.

    params(ts) returns tensors with leading dimension len(ts) for the distinct times ts; apply must
    broadcast a leading dimension of 1 (one time for all rows) or of the number of rows.
    row_cost bounds the memory per row so chunks hold about _CHUNK_ELEMENTS numbers.
    """
    ts, inv = torch.unique(t, return_inverse=True)
    p = params(ts)
    chunk = max(1, _CHUNK_ELEMENTS // max(1, row_cost))
    pieces, order = [], []
    if len(ts) == 1 and x.shape[0] <= chunk:
        return apply(p, x)
    if len(ts) <= _MAX_GROUPS:
        for j in range(len(ts)):
            rows = torch.nonzero(inv == j).squeeze(1)
            pj = tuple(q[j:j + 1] for q in p)
            for s in range(0, len(rows), chunk):
                r = rows[s:s + chunk]
                pieces.append(apply(pj, x[r]))
                order.append(r)
    else:
        for s in range(0, x.shape[0], chunk):
            r = torch.arange(s, min(s + chunk, x.shape[0]), device=x.device)
            pieces.append(apply(tuple(q[inv[r]] for q in p), x[r]))
            order.append(r)
    out = torch.cat(pieces, 0)
    result = torch.empty_like(out)
    result[torch.cat(order)] = out
    return result


def _as_f64(x: Tensor, d: int, device=None) -> Tensor:
    """x as float64 on `device` (the bridge's parameters' device; results go back to x's device)."""
    if not isinstance(x, Tensor) or x.dim() != 2 or x.shape[1] != d:
        raise ValueError(f"x must be a tensor of shape (n, {d}), got {getattr(x, 'shape', type(x))}")
    return x.to(device=device, dtype=_F64)


# ----------------------------------------------------------------------------------------
# common part: Brownian bridges over a static plan
# ----------------------------------------------------------------------------------------
class _BrownianBridgeOverPlan:
    """Shared by both bridges: needs sample_plan, drift, sigma, dim."""

    sigma: float
    dim: int

    @property
    def sigma2(self) -> float:
        return self.sigma ** 2

    def sample_plan(self, n: int, generator: Optional[torch.Generator] = None) -> Tuple[Tensor, Tensor]:
        raise NotImplementedError

    def drift(self, t, x: Tensor) -> Tensor:
        raise NotImplementedError

    def _device(self):
        raise NotImplementedError

    def marginal_sample(self, t, n: int, generator: Optional[torch.Generator] = None) -> Tensor:
        """n exact samples of X_t: (1-t) X0 + t X1 + sigma sqrt(t(1-t)) Z, (X0, X1) from the plan."""
        x0, x1 = self.sample_plan(n, generator)
        t = _time_vector(t, x0)[:, None]
        z = torch.randn(x0.shape, generator=generator, dtype=_F64, device=x0.device)
        return (1 - t) * x0 + t * x1 + self.sigma * torch.sqrt(t * (1 - t)) * z

    def sample_paths(self, n: int, times: Sequence[float], generator: Optional[torch.Generator] = None) -> Tensor:
        """Exact joint samples of the bridge at increasing times, shape (len(times), n, d).

        (X0, X1) from the plan, then the Brownian bridge sequentially: given X_s = x and X_1 = y,
        X_u ~ N(x + (u-s)/(1-s) (y - x), sigma^2 (u-s)(1-u)/(1-s) I) for s < u.
        """
        ts = [float(u) for u in times]
        if not ts or any(not 0 <= u <= 1 for u in ts) or any(b < a for a, b in zip(ts, ts[1:])):
            raise ValueError(f"times must be a non-empty non-decreasing sequence in [0, 1], got {times}")
        x0, x1 = self.sample_plan(n, generator)
        out, x, s = [], x0, 0.0
        for u in ts:
            if u > s and s < 1:
                mean = x + (u - s) / (1 - s) * (x1 - x)
                std = self.sigma * math.sqrt(max((u - s) * (1 - u) / (1 - s), 0.0))
                x = mean + std * torch.randn(x.shape, generator=generator, dtype=_F64, device=x.device)
                s = u
            out.append(x1.clone() if u == 1 else x)
        return torch.stack(out, 0)

    def simulate(self, x0: Tensor, steps: int = 1000, generator: Optional[torch.Generator] = None,
                 t0: float = 0.0, t1: float = 1.0, return_trajectory: bool = False):
        """Euler-Maruyama for dX = drift(t, X) dt + sigma dW from X_{t0} = x0 to t1 (float64).

        Returns X_{t1}, or (times (steps+1,), trajectory (steps+1, n, d)) if return_trajectory.
        """
        if int(steps) != steps or steps < 1:
            raise ValueError(f"steps must be a positive integer, got {steps}")
        if not 0 <= t0 < t1 <= 1:
            raise ValueError(f"need 0 <= t0 < t1 <= 1, got t0={t0}, t1={t1}")
        x = _as_f64(x0, self.dim, self._device()).clone()
        times = torch.linspace(t0, t1, steps + 1, dtype=_F64)
        dt = (t1 - t0) / steps
        traj = [x] if return_trajectory else None
        for k in range(steps):
            t = times[k].to(x.device).expand(x.shape[0])
            noise = torch.randn(x.shape, generator=generator, dtype=_F64, device=x.device)
            x = x + self.drift(t, x) * dt + self.sigma * math.sqrt(dt) * noise
            if return_trajectory:
                traj.append(x)
        return (times, torch.stack(traj, 0)) if return_trajectory else x


# ----------------------------------------------------------------------------------------
# Gaussian Schroedinger bridge
# ----------------------------------------------------------------------------------------
class GaussianBridge(_BrownianBridgeOverPlan):
    """Brownian bridges with noise sigma over a Gaussian plan of N(a, A) and N(b, B).

    coupling: "schrodinger" (the entropic / Schroedinger-bridge plan, C = sb_cross_cov; sigma = 0 is
    its OT limit), "independent" (C = 0), "ot" (C = A T, T the Bures map). Only "schrodinger" makes
    the process Markov with the plan as its (X0, X1) law, i.e. the Schroedinger bridge.
    """

    COUPLINGS = ("schrodinger", "independent", "ot")

    def __init__(self, mean0, cov0, mean1, cov1, sigma: float, coupling: str = "schrodinger"):
        a = torch.as_tensor(mean0, dtype=_F64)
        if a.dim() != 1 or a.numel() == 0:
            raise ValueError(f"mean0 must have shape (d,), got {tuple(a.shape)}")
        d = a.shape[0]
        dev = a.device
        b = torch.as_tensor(mean1, dtype=_F64).to(dev)
        if b.shape != (d,):
            raise ValueError(f"mean1 must have shape ({d},), got {tuple(b.shape)}")
        A = _check_spd(torch.as_tensor(cov0, dtype=_F64).to(dev), "cov0", d)
        B = _check_spd(torch.as_tensor(cov1, dtype=_F64).to(dev), "cov1", d)
        if coupling not in self.COUPLINGS:
            raise ValueError(f"coupling must be one of {self.COUPLINGS}, got {coupling!r}")
        self.sigma = _check_sigma(sigma, allow_zero=True)
        self.coupling = coupling
        self.mean0, self.cov0, self.mean1, self.cov1 = a, A, b, B
        self.ot_map = bures_map(A, B)
        if coupling == "schrodinger":
            C = sb_cross_cov(A, B, self.sigma)
        elif coupling == "independent":
            C = torch.zeros(d, d, dtype=_F64, device=dev)
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

    def _device(self):
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
        x0 = _as_f64(x0, self.dim, self._device())
        return self.mean1 + (x0 - self.mean0) @ self._K, self._cond_cov

    def sample_plan(self, n: int, generator: Optional[torch.Generator] = None) -> Tuple[Tensor, Tensor]:
        """n exact draws (x0, x1) from the plan N((a, b), [[A, C], [C^T, B]]), float64."""
        if int(n) != n or n < 0:
            raise ValueError(f"n must be a non-negative integer, got {n}")
        z0 = torch.randn(n, self.dim, generator=generator, dtype=_F64, device=self._device())
        z1 = torch.randn(n, self.dim, generator=generator, dtype=_F64, device=self._device())
        x0 = self.mean0 + z0 @ self._chol0.T
        mean1, _ = self.conditional(x0)
        return x0, mean1 + z1 @ self._cond_sqrt

    # -- marginals and fields ------------------------------------------------------------
    def _marginal_batch(self, ts: Tensor) -> Tuple[Tensor, Tensor]:
        """mu_t (u, d), Sigma_t (u, d, d) for times ts (u,)."""
        t = ts.to(_F64)[:, None, None]
        A, B, C = self.cov0, self.cov1, self.cross_cov
        eye = torch.eye(self.dim, dtype=_F64, device=A.device)
        mu = (1 - t[:, :, 0]) * self.mean0 + t[:, :, 0] * self.mean1
        Sig = (1 - t) ** 2 * A + t ** 2 * B + t * (1 - t) * (C + C.T) + self.sigma2 * t * (1 - t) * eye
        return mu, Sig

    def marginal(self, t) -> Tuple[Tensor, Tensor]:
        """(mu_t, Sigma_t) for a scalar t: shapes (d,), (d, d); for t of shape (n,): (n, d), (n, d, d)."""
        tt = t.to(device=self._device(), dtype=_F64) if isinstance(t, Tensor) else \
            torch.tensor(t, dtype=_F64, device=self._device())
        if tt.dim() > 1 or not bool(((tt >= 0) & (tt <= 1)).all()):
            raise ValueError("t must be a scalar or a vector with entries in [0, 1]")
        mu, Sig = self._marginal_batch(tt.reshape(-1))
        return (mu[0], Sig[0]) if tt.dim() == 0 else (mu, Sig)

    def marginal_moments(self, t) -> Tuple[Tensor, Tensor]:
        return self.marginal(_scalar_time(t))

    def _S(self, ts: Tensor) -> Tensor:
        """S_t = t B + (1-t) C - ((1-t) A + t C)^T - sigma^2 t I, shape (u, d, d)."""
        t = ts.to(_F64)[:, None, None]
        A, B, C = self.cov0, self.cov1, self.cross_cov
        eye = torch.eye(self.dim, dtype=_F64, device=A.device)
        return t * B + (1 - t) * C - ((1 - t) * A + t * C).transpose(-1, -2) - self.sigma2 * t * eye

    def _linear_field(self, t, x: Tensor, matrix: Callable[[Tensor, Tensor], Tensor], shift: bool) -> Tensor:
        """M(t) Sigma_t^-1 (x - mu_t) (+ (b - a) if shift), M(ts, Sigma) -> (u, d, d)."""
        xd = _as_f64(x, self.dim, self._device())
        t = _time_vector(t, xd)

        def params(ts):
            mu, Sig = self._marginal_batch(ts)
            F = torch.linalg.solve(Sig, matrix(ts, Sig).transpose(-1, -2)).transpose(-1, -2)  # M Sigma^-1
            return F, mu

        def apply(p, xr):
            F, mu = p
            if F.shape[0] == 1:  # one time for all rows: a single matrix product
                return (xr - mu) @ F[0].transpose(0, 1)
            return (F @ (xr - mu).unsqueeze(-1)).squeeze(-1)

        out = _per_time(t, xd, params, apply, row_cost=self.dim * self.dim)
        if shift:
            out = out + (self.mean1 - self.mean0)
        return out.to(device=x.device, dtype=x.dtype)

    def drift(self, t, x: Tensor) -> Tensor:
        """Bridge SDE drift S_t^T Sigma_t^-1 (x - mu_t) + (b - a)."""
        return self._linear_field(t, x, lambda ts, Sig: self._S(ts).transpose(-1, -2), shift=True)

    def velocity(self, t, x: Tensor) -> Tensor:
        """Probability-flow velocity: drift - sigma^2/2 grad log rho_t
        = (S_t^T + sigma^2/2 I) Sigma_t^-1 (x - mu_t) + (b - a)."""
        eye = torch.eye(self.dim, dtype=_F64, device=self._device())
        return self._linear_field(t, x, lambda ts, Sig: self._S(ts).transpose(-1, -2) + 0.5 * self.sigma2 * eye,
                                  shift=True)

    def score(self, t, x: Tensor) -> Tensor:
        """grad log rho_t(x) = -Sigma_t^-1 (x - mu_t)."""
        eye = torch.eye(self.dim, dtype=_F64, device=self._device())
        return self._linear_field(t, x, lambda ts, Sig: -eye.expand_as(Sig), shift=False)

    def log_prob(self, t, x: Tensor) -> Tensor:
        """log rho_t(x) = log N(x; mu_t, Sigma_t), shape (n,)."""
        xd = _as_f64(x, self.dim, self._device())
        t = _time_vector(t, xd)

        def params(ts):
            mu, Sig = self._marginal_batch(ts)
            return mu, torch.linalg.cholesky(Sig)

        out = _per_time(t, xd, params, lambda p, xr: gaussian_log_prob(xr, p[0], p[1]), self.dim * self.dim)
        return out.to(device=x.device, dtype=x.dtype)

    def to_mixture_marginal(self, t) -> GaussianMixture:
        mu, Sig = self.marginal(_scalar_time(t))
        return GaussianMixture(torch.ones(1, dtype=_F64), mu[None], Sig[None])


# ----------------------------------------------------------------------------------------
# Mixture-potential bridges
# ----------------------------------------------------------------------------------------
def _gmm_params(logw: Tensor, means: Tensor, covs: Tensor):
    """(log weights, means, precisions, log-normalisers) of Gaussian components, any leading dims."""
    chol = torch.linalg.cholesky(0.5 * (covs + covs.transpose(-1, -2)))
    prec = torch.cholesky_inverse(chol)
    d = means.shape[-1]
    log_norm = -torch.log(torch.diagonal(chol, dim1=-2, dim2=-1)).sum(-1) - 0.5 * d * math.log(2 * math.pi)
    return logw, means, prec, log_norm


def _gmm_log_prob_and_score(x: Tensor, logw: Tensor, means: Tensor, prec: Tensor, log_norm: Tensor,
                            want_score: bool):
    """x (m, d); logw, log_norm (1|m, K); means (1|m, K, d); prec (1|m, K, d, d) (one time or one per row)."""
    diff = means - x[:, None, :]                                    # (m, K, d): mu - x
    if prec.shape[0] == 1:
        sol = torch.einsum("kij,mkj->mki", prec[0], diff)           # Sig^-1 (mu - x)
    else:
        sol = torch.einsum("mkij,mkj->mki", prec, diff)
    comp = logw + log_norm - 0.5 * (diff * sol).sum(-1)            # (m, K)
    lp = torch.logsumexp(comp, dim=1)
    if not want_score:
        return lp, None
    w = torch.softmax(comp, dim=1)
    return lp, (w[..., None] * sol).sum(1)


class MixturePotentialBridge(_BrownianBridgeOverPlan):
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
        self.base = base.to(dtype=_F64)
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
        self.sigma = _check_sigma(sigma, allow_zero=False)
        self.potential = potential.to(dtype=_F64)
        f = self.potential
        d = f.dim
        eye = torch.eye(d, dtype=_F64, device=f.means.device)
        Sig_inv = torch.cholesky_inverse(f.chol)
        self._cond_cov = torch.linalg.inv(Sig_inv + eye / self.sigma2)           # Sig~_k
        self._cond_cov = 0.5 * (self._cond_cov + self._cond_cov.transpose(-1, -2))
        self._cond_chol = torch.linalg.cholesky(self._cond_cov)
        self._cond_shift = (self._cond_cov @ (Sig_inv @ f.means.unsqueeze(-1))).squeeze(-1)  # Sig~ Sig^-1 mu
        self._cond_gain = self._cond_cov / self.sigma2                                        # Sig~ / sigma^2
        self._w_params = _gmm_params(torch.log(f.weights), f.means, f.covs + self.sigma2 * eye)  # Sig_k + sigma^2 I

    def _build_plan(self) -> None:
        """Joint Gaussian mixture over pairs (i, k) on R^{2d}; index i * K + k."""
        q, f, s2 = self.base, self.potential, self.sigma2
        d, I_, K = f.dim, q.n_components, f.n_components
        eye = torch.eye(d, dtype=_F64, device=f.means.device)
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

    def __repr__(self) -> str:
        kind = "exact marginals" if self.plan is not None else "rho0 sampler"
        return (f"MixturePotentialBridge(d={self.dim}, sigma={self.sigma:g}, "
                f"K={self.potential.n_components}, {kind})")

    @property
    def dim(self) -> int:
        return self.potential.dim

    def _device(self):
        return self.potential.means.device

    def _need_exact(self, what: str) -> None:
        if self.plan is None:
            raise ValueError(f"{what} needs exact marginals: build the bridge with a Gaussian-mixture base")

    # -- static plan ---------------------------------------------------------------------
    def conditional_mixture(self, x0: Tensor) -> Tuple[Tensor, Tensor, Tensor]:
        """pi(y | x0) as a mixture: weights (n, K), means (n, K, d), covariances (K, d, d)."""
        x = _as_f64(x0, self.dim, self._device())
        f = self.potential
        lw, mu, prec, log_norm = self._w_params
        diff = mu - x[:, None, :]
        logw = lw + log_norm - 0.5 * torch.einsum("nki,kij,nkj->nk", diff, prec, diff)
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
        z = torch.randn(means.shape[0], self.dim, generator=generator, dtype=_F64, device=means.device)
        rows = torch.arange(means.shape[0], device=means.device)
        return means[rows, k] + torch.einsum("nij,nj->ni", self._cond_chol[k], z)

    def sample_plan(self, n: int, generator: Optional[torch.Generator] = None) -> Tuple[Tensor, Tensor]:
        """n exact draws (x0, x1) of the plan: x0 ~ rho0, x1 ~ pi(. | x0)."""
        if int(n) != n or n < 0:
            raise ValueError(f"n must be a non-negative integer, got {n}")
        if self.plan is not None:
            xy = self.plan.sample(n, generator=generator)
            return xy[:, :self.dim], xy[:, self.dim:]
        x0 = torch.as_tensor(self.rho0.sample(n, generator=generator)).to(_F64)
        return x0, self.sample_conditional(x0, generator)

    # -- fields --------------------------------------------------------------------------
    def drift(self, t, x: Tensor) -> Tensor:
        """sigma^2 grad_x log sum_k p_k N(x; mu_k, Sig_k + sigma^2 (1 - t) I)."""
        xd = _as_f64(x, self.dim, self._device())
        t = _time_vector(t, xd)
        f = self.potential
        eye = torch.eye(self.dim, dtype=_F64, device=xd.device)
        logw = torch.log(f.weights)

        def params(ts):
            covs = f.covs[None] + (self.sigma2 * (1 - ts))[:, None, None, None] * eye
            return _gmm_params(logw.expand(len(ts), -1), f.means.expand(len(ts), -1, -1), covs)

        def apply(p, xr):
            return _gmm_log_prob_and_score(xr, *p, want_score=True)[1]

        K, d = f.n_components, self.dim
        return (self.sigma2 * _per_time(t, xd, params, apply, K * d * d)).to(device=x.device, dtype=x.dtype)

    def _marginal_components(self, ts: Tensor):
        """Log-weights (u, M), means (u, M, d), covariances (u, M, d, d) of rho_t."""
        w, m0, m1, P0, P1, C01 = self._comp
        t = ts.to(_F64)[:, None, None]
        eye = torch.eye(self.dim, dtype=_F64, device=m0.device)
        mean = (1 - t) * m0 + t * m1
        t4 = t[..., None]
        cov = ((1 - t4) ** 2 * P0 + t4 ** 2 * P1 + t4 * (1 - t4) * (C01 + C01.transpose(-1, -2))
               + self.sigma2 * t4 * (1 - t4) * eye)
        return torch.log(w).expand(len(ts), -1), mean, 0.5 * (cov + cov.transpose(-1, -2))

    def marginal(self, t) -> GaussianMixture:
        """rho_t as a GaussianMixture (exact)."""
        self._need_exact("marginal")
        logw, mean, cov = self._marginal_components(torch.tensor([_scalar_time(t)], dtype=_F64))
        return GaussianMixture(torch.exp(logw[0]), mean[0], cov[0])

    def marginal_moments(self, t) -> Tuple[Tensor, Tensor]:
        """Mean and covariance of rho_t (exact with a base; else ValueError)."""
        g = self.marginal(t)
        return g.mean(), g.cov()

    def _marginal_eval(self, t, x: Tensor, want_score: bool) -> Tensor:
        self._need_exact("score/log_prob/velocity")
        xd = _as_f64(x, self.dim, self._device())
        t = _time_vector(t, xd)
        M = self._comp[0].shape[0]

        def apply(p, xr):
            lp, sc = _gmm_log_prob_and_score(xr, *p, want_score=want_score)
            return sc if want_score else lp

        params = lambda ts: _gmm_params(*self._marginal_components(ts))  # noqa: E731
        return _per_time(t, xd, params, apply, M * self.dim * self.dim).to(device=x.device, dtype=x.dtype)

    def score(self, t, x: Tensor) -> Tensor:
        return self._marginal_eval(t, x, want_score=True)

    def log_prob(self, t, x: Tensor) -> Tensor:
        return self._marginal_eval(t, x, want_score=False)

    def velocity(self, t, x: Tensor) -> Tensor:
        """Probability-flow velocity drift - sigma^2/2 grad log rho_t."""
        return self.drift(t, x) - 0.5 * self.sigma2 * self.score(t, x)
