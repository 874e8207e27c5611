"""Learnable interpolants I^(t, x0, x1) and drifts u^(t, x) for the max-min problem (docs/theory.md §10).

Every interpolant here has the form (paper, section 3.4)

    I^(t, x0, x1) = (1 - t) x0 + t x1 + t (1 - t) phi_theta(t, x0, x1),

so I^(0) = x0 and I^(1) = x1 hold by construction, whatever theta is. A module returns the pair
(I^, d_t I^) for t of shape (n,) and x0, x1 of shape (n, d):

    d_t I^ = x1 - x0 + (1 - 2t) phi + t (1 - t) d_t phi.

* `AffineInterpolant`: phi = A(t) x0 + B(t) x1 + c(t), with A(t) = sum_j P_j(2t - 1) A_j (Legendre
  polynomials, `basis` terms) and likewise B, c. Lemma 3.12 of the paper: for Gaussian rho0, rho1
  an interpolant affine in (x0, x1) reaches the Schroedinger bridge; 3 terms reach it to a marginal
  KL of about 1e-9 in d <= 50 when the saddle is solved exactly (docs/theory.md §10). theta = 0 is
  the linear interpolant. `coefficients(t)` gives I^ = P(t) x0 + Q(t) x1 + r(t) and the time
  derivatives, for the closed-form moments in `si.schrodinger.gaussian`.
* `MLPInterpolant`: phi an MLP of (t, x0, x1) (an `si.nets.FieldMLP` on R^{2d}, of whose 2d outputs
  the first d are used), its last layer zero at initialisation (so theta starts at the linear
  interpolant); d_t phi by forward-mode differentiation (torch.func.jvp), exact.

Drifts: `AffineDrift` u^(t, x) = M(t) x + m(t) (Legendre basis in t) for Gaussian pairs, else an
`si.nets.FieldMLP`. The inner player must be rich enough: with a poor drift class the outer player
exploits its gaps (measured in d = 16: a drift basis of 4 terms leaves a marginal KL of order 1, 8 terms 5e-10).
"""
from __future__ import annotations

import warnings
from typing import Tuple

import torch
from torch import nn

from ..nets import FieldMLP

Tensor = torch.Tensor

__all__ = ["LegendreBasis", "AffineInterpolant", "MLPInterpolant", "AffineDrift", "build_interpolant",
           "build_drift", "PARAMETRISATIONS"]

PARAMETRISATIONS = ("mlp", "affine")


class LegendreBasis(nn.Module):
    """t -> (P_k(2t - 1), d/dt P_k(2t - 1)) for k = 0..size-1, each of shape (n, size)."""

    def __init__(self, size: int):
        super().__init__()
        if int(size) < 1:
            raise ValueError(f"a time basis needs at least one term, got {size}")
        self.size = int(size)

    def forward(self, t: Tensor) -> Tuple[Tensor, Tensor]:
        s = 2 * t - 1
        p, dp = [torch.ones_like(s), s], [torch.zeros_like(s), torch.ones_like(s)]
        for k in range(1, self.size - 1):  # Bonnet: (k+1) P_{k+1} = (2k+1) s P_k - k P_{k-1}
            p.append(((2 * k + 1) * s * p[k] - k * p[k - 1]) / (k + 1))
            dp.append(((2 * k + 1) * (p[k] + s * dp[k]) - k * dp[k - 1]) / (k + 1))
        return torch.stack(p[:self.size], -1), 2 * torch.stack(dp[:self.size], -1)


def _check_inputs(t: Tensor, x0: Tensor, x1: Tensor, d: int) -> None:
    if x0.dim() != 2 or x0.shape != x1.shape or x0.shape[1] != d:
        raise ValueError(f"x0 and x1 must both have shape (n, {d}), got {tuple(x0.shape)} and {tuple(x1.shape)}")
    if t.shape != (x0.shape[0],):
        raise ValueError(f"t must have shape ({x0.shape[0]},), got {tuple(t.shape)}")


def _assemble(t: Tensor, x0: Tensor, x1: Tensor, phi: Tensor, dphi: Tensor) -> Tuple[Tensor, Tensor]:
    """I^ = (1-t) x0 + t x1 + t(1-t) phi and its time derivative."""
    tc = t[:, None]
    w, dw = tc * (1 - tc), 1 - 2 * tc
    return (1 - tc) * x0 + tc * x1 + w * phi, x1 - x0 + dw * phi + w * dphi


class AffineInterpolant(nn.Module):
    """phi = A(t) x0 + B(t) x1 + c(t), each a Legendre series of `basis` terms in t; zero at start."""

    kind = "affine"

    def __init__(self, dim: int, basis: int = 3):
        super().__init__()
        self.dim = int(dim)
        self.basis = LegendreBasis(basis)
        self.A = nn.Parameter(torch.zeros(basis, dim, dim))
        self.B = nn.Parameter(torch.zeros(basis, dim, dim))
        self.c = nn.Parameter(torch.zeros(basis, dim))

    def _series(self, x: Tensor, M: Tensor) -> Tensor:
        """(n, J, d): row j is M_j x."""
        J, d = M.shape[0], self.dim
        return (x @ M.reshape(J * d, d).T).reshape(x.shape[0], J, d)

    def forward(self, t: Tensor, x0: Tensor, x1: Tensor) -> Tuple[Tensor, Tensor]:
        _check_inputs(t, x0, x1, self.dim)
        p, dp = self.basis(t.to(x0.dtype))
        Y = self._series(x0, self.A) + self._series(x1, self.B) + self.c  # (n, J, d)
        phi = torch.einsum("nj,nja->na", p, Y)
        dphi = torch.einsum("nj,nja->na", dp, Y)
        return _assemble(t, x0, x1, phi, dphi)

    def coefficients(self, t: Tensor) -> Tuple[Tensor, ...]:
        """P, Q (T, d, d), r (T, d) with I^ = P x0 + Q x1 + r, and their time derivatives dP, dQ, dr."""
        p, dp = self.basis(t)
        eye = torch.eye(self.dim, dtype=t.dtype, device=t.device)
        A, B, c = (q.to(t.dtype) for q in (self.A, self.B, self.c))
        At, dAt = torch.einsum("tj,jab->tab", p, A), torch.einsum("tj,jab->tab", dp, A)
        Bt, dBt = torch.einsum("tj,jab->tab", p, B), torch.einsum("tj,jab->tab", dp, B)
        ct, dct = p @ c, dp @ c
        tm = t[:, None, None]
        w, dw = tm * (1 - tm), 1 - 2 * tm
        P, dP = (1 - tm) * eye + w * At, -eye + dw * At + w * dAt
        Q, dQ = tm * eye + w * Bt, eye + dw * Bt + w * dBt
        r, dr = w[:, :, 0] * ct, dw[:, :, 0] * ct + w[:, :, 0] * dct
        return P, Q, r, dP, dQ, dr


class MLPInterpolant(nn.Module):
    """phi = the first d outputs of a FieldMLP on (t, (x0, x1)); last layer zero at initialisation."""

    kind = "mlp"

    def __init__(self, dim: int, hidden: int = 128, depth: int = 3):
        super().__init__()
        self.dim = int(dim)
        self.net = FieldMLP(2 * self.dim, hidden, depth)
        last = self.net.net[-1]
        nn.init.zeros_(last.weight)
        nn.init.zeros_(last.bias)

    def forward(self, t: Tensor, x0: Tensor, x1: Tensor) -> Tuple[Tensor, Tensor]:
        _check_inputs(t, x0, x1, self.dim)
        x = torch.cat([x0, x1], 1)
        t = t.to(x0.dtype).contiguous()  # jvp writes into the tangent's storage: no expanded (stride 0) t
        with warnings.catch_warnings():  # torch 2.13's jvp scripts a decomposition and warns that jit is deprecated
            warnings.filterwarnings("ignore", message=".*torch.jit.script.*deprecated", category=DeprecationWarning)
            phi, dphi = torch.func.jvp(lambda s: self.net(s, x)[:, :self.dim], (t,), (torch.ones_like(t),))
        return _assemble(t, x0, x1, phi, dphi)


class AffineDrift(nn.Module):
    """u^(t, x) = M(t) x + m(t), M and m Legendre series of `basis` terms in t."""

    def __init__(self, dim: int, basis: int = 8):
        super().__init__()
        self.dim = int(dim)
        self.basis = LegendreBasis(basis)
        self.M = nn.Parameter(torch.zeros(basis, dim, dim))
        self.m = nn.Parameter(torch.zeros(basis, dim))

    def forward(self, t: Tensor, x: Tensor) -> Tensor:
        if x.dim() != 2 or x.shape[1] != self.dim:
            raise ValueError(f"x must have shape (n, {self.dim}), got {tuple(x.shape)}")
        if t.dim() == 0:
            t = t.expand(x.shape[0])
        p, _ = self.basis(t.to(x.dtype))
        J, d = self.M.shape[0], self.dim
        Y = (x @ self.M.reshape(J * d, d).T).reshape(x.shape[0], J, d) + self.m
        return torch.einsum("nj,nja->na", p, Y)

    def matrices(self, t: Tensor) -> Tuple[Tensor, Tensor]:
        """M(t) (T, d, d) and m(t) (T, d)."""
        p, _ = self.basis(t)
        return torch.einsum("tj,jab->tab", p, self.M.to(t.dtype)), p @ self.m.to(t.dtype)


def build_interpolant(kind: str, dim: int, hidden: int, depth: int, basis: int) -> nn.Module:
    if kind == "affine":
        return AffineInterpolant(dim, basis)
    if kind == "mlp":
        return MLPInterpolant(dim, hidden, depth)
    raise ValueError(f"unknown parametrisation {kind!r}; valid: {list(PARAMETRISATIONS)}")


def build_drift(kind: str, dim: int, hidden: int, depth: int, basis: int) -> nn.Module:
    if kind == "affine":
        return AffineDrift(dim, basis)
    if kind == "mlp":
        return FieldMLP(dim, hidden, depth)
    raise ValueError(f"unknown parametrisation {kind!r}; valid: {list(PARAMETRISATIONS)}")
