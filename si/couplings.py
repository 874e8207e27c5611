"""Couplings of two independent minibatches, for training (docs/theory.md §1, §3; interpolants over a
coupling as in Albergo, Boffi & Vanden-Eijnden, arXiv:2303.08797).

A coupling is a callable `coupling(x0, x1, generator=None) -> (x0_paired, x1_paired)`: the trainer
draws x0 ~ rho0 and x1 ~ rho1 independently (both of shape (n, ...)), and the coupling returns n
pairs of the same shapes. Names for `make_coupling`:

- "independent": the pairs as drawn (the product coupling).
- "ot": minibatch exact OT (ot.emd on the squared Euclidean cost), as in OT-CFM.
- "entropic": minibatch entropic OT (log-domain Sinkhorn, ot.sinkhorn, or POT's stabilised one), as in
  SB-CFM. For a bridge of reference dX = sigma dW, reg = 2 sigma^2: the static SB minimises
  E|x - y|^2 / (2 sigma^2) + KL(pi | rho0 x rho1), and POT minimises <P, M> + reg sum P log P with
  M = |x - y|^2.

How pairs are drawn from the batch plan P (n x n, rows summing to 1/n) is explicit, `sampling`:

- "permutation" (without replacement, "ot" only; its default): every x0 and every x1 used exactly
  once. For uniform weights and equal batch sizes the exact OT plan is a permutation matrix, so
  this is the exact minibatch OT pairing. Only where the network simplex returns a plan that is not
  a permutation (ties between assignments) is the same assignment problem solved again by
  scipy.optimize.linear_sum_assignment.
- "conditional": every x0 used exactly once, in order; its partner drawn from row i of P,
  j ~ P[i, :] / P[i, :].sum() (x1 drawn with replacement). Default for "entropic".
- "plan": n pairs (i, j) drawn i.i.d. from P (both sides with replacement), as torchcfm's
  `replace=True`.

Cost: one ot.emd per batch on the float64 cost matrix (POT's network simplex), the same solver and
problem size as a hand-written minibatch-OT loop (benchmarks/bench_training.py, docs/performance.md).
"""
from __future__ import annotations

import math
import warnings
from typing import Dict, Optional, Tuple

import torch

Tensor = torch.Tensor
SAMPLINGS = ("permutation", "conditional", "plan")
COUPLINGS = ("independent", "ot", "entropic")

__all__ = ["IndependentCoupling", "OTCoupling", "EntropicCoupling", "make_coupling", "ot_plan", "entropic_plan",
           "pairs_from_plan", "COUPLINGS", "SAMPLINGS", "SINKHORN_SOLVERS"]


def _check_batches(x0: Tensor, x1: Tensor) -> None:
    if not isinstance(x0, Tensor) or not isinstance(x1, Tensor):
        raise ValueError("x0 and x1 must be tensors")
    if x0.dim() < 2 or x0.shape != x1.shape:
        raise ValueError(f"x0 and x1 must have the same shape (n, ...), got {tuple(x0.shape)} and {tuple(x1.shape)}")
    if x0.shape[0] == 0:
        raise ValueError("empty batch")


def _flat64(x: Tensor) -> Tensor:
    return x.detach().reshape(x.shape[0], -1).to(torch.float64)


def _cost(x0: Tensor, x1: Tensor) -> Tensor:
    """Squared Euclidean cost matrix (n, m), float64 on x0's device (POT's torch backend)."""
    import ot  # POT imports scikit-learn (and with it pandas) where installed: only when a plan is solved
    return ot.dist(_flat64(x0), _flat64(x1).to(x0.device))


def _uniform(M: Tensor):
    """Uniform weights of the two empirical measures behind the cost matrix M (n, m)."""
    n, m = M.shape
    return (torch.full((n,), 1.0 / n, dtype=torch.float64, device=M.device),
            torch.full((m,), 1.0 / m, dtype=torch.float64, device=M.device))


NUM_ITERMAX = 10_000_000  # network simplex iterations of exact OT


def exact_ot(solver, a, b, M, num_itermax: int = NUM_ITERMAX):
    """solver(a, b, M) for ot.emd (the plan) or ot.emd2 (the cost). POT only warns when the network
    simplex stops before optimality; that raises RuntimeError here, since the result would be a
    feasible plan (an upper bound on the cost), not the optimal one."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out, log = solver(a, b, M, numItermax=int(num_itermax), log=True)
    stopped = [str(w.message) for w in caught if "numItermax" in str(w.message) or "optimal" in str(w.message)]
    if log.get("warning") is not None or stopped:
        raise RuntimeError(f"{solver.__name__} stopped early ({log.get('warning') or stopped[0]}); "
                           f"raise num_itermax (now {int(num_itermax)}) or use fewer samples")
    return out


def ot_plan(x0: Tensor, x1: Tensor, num_itermax: int = NUM_ITERMAX) -> Tensor:
    """Exact OT plan (n, m) between uniform empirical measures, squared Euclidean cost (ot.emd).

    Raises RuntimeError if the network simplex stops before optimality."""
    M = _cost(x0, x1)
    a, b = _uniform(M)
    import ot
    return exact_ot(ot.emd, a, b, M, num_itermax)


SINKHORN_SOLVERS = ("log", "stabilized")


def _check_solver(solver: str) -> None:
    if solver not in SINKHORN_SOLVERS:
        raise ValueError(f"solver must be one of {SINKHORN_SOLVERS}, got {solver!r}")


def entropic_plan(x0: Tensor, x1: Tensor, reg: float, num_itermax: int = 100_000,
                  stop_thr: float = 1e-6, solver: str = "log") -> Tensor:
    """Entropic OT plan (n, m): argmin <P, M> + reg sum P log P, M = |x0_i - x1_j|^2.

    solver "log": log-domain Sinkhorn, ot.sinkhorn(method="sinkhorn_log") on POT's torch backend, so it
    runs where x0 lives, in x0's dtype. "stabilized": POT's absorption-stabilised Sinkhorn
    (ot.bregman.sinkhorn_stabilized) on float64 NumPy copies, on the CPU. Both solve the same problem;
    where reg is small against the costs (a bridge of small sigma) the log solver in float32 took 20-150 x
    the time of "stabilized" (measured in docs/schrodinger.md), which is the one for that regime.
    Raises RuntimeError if Sinkhorn has not reached stop_thr after num_itermax iterations."""
    if not (isinstance(reg, (int, float)) and math.isfinite(reg) and reg > 0):
        raise ValueError(f"reg must be a positive number, got {reg!r}")
    _check_solver(solver)
    M = _cost(x0, x1)
    a, b = _uniform(M)
    import ot
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if solver == "log":
            P = ot.sinkhorn(a, b, M, reg=float(reg), method="sinkhorn_log", numItermax=int(num_itermax),
                            stopThr=float(stop_thr))
        else:
            P = torch.from_numpy(ot.bregman.sinkhorn_stabilized(
                a.detach().cpu().double().numpy(), b.detach().cpu().double().numpy(),
                M.detach().cpu().double().numpy(), reg=float(reg), numItermax=int(num_itermax),
                stopThr=float(stop_thr)))
    bad = [str(w.message) for w in caught if "converge" in str(w.message).lower()
           or "numerical" in str(w.message).lower()]
    if bad or not bool(torch.isfinite(P).all()):
        raise RuntimeError(f"Sinkhorn did not converge (reg={reg}): {bad[0] if bad else 'non-finite plan'}; "
                           f"raise num_itermax or reg")
    return P


def pairs_from_plan(P, sampling: str, generator: Optional[torch.Generator] = None) -> Tuple[Tensor, Tensor]:
    """Index pairs (i, j), each of length n = P.shape[0], drawn from the plan P (tensor or array) as
    `sampling` says. Indices are CPU tensors (the generator is a CPU generator)."""
    if sampling not in SAMPLINGS:
        raise ValueError(f"sampling must be one of {SAMPLINGS}, got {sampling!r}")
    P = torch.as_tensor(P, dtype=torch.float64).detach().cpu().clamp_min(0)
    n, m = P.shape
    if sampling == "permutation":
        if n != m:
            raise ValueError("permutation sampling needs equal batch sizes")
        j = torch.argmax(P, dim=1)
        if torch.unique(j).numel() != n or not torch.allclose(P[torch.arange(n), j] * n, torch.ones(n, dtype=P.dtype),
                                                              atol=1e-6):
            raise RuntimeError("the plan is not a permutation matrix; use sampling='conditional' or 'plan'")
        return torch.arange(n), j
    if sampling == "conditional":
        i = torch.arange(n)
    else:
        i = torch.multinomial(P.sum(1), n, replacement=True, generator=generator)
    j = torch.multinomial(P[i], 1, generator=generator).squeeze(1)
    return i, j


class IndependentCoupling:
    """The product coupling: returns the independent batches unchanged."""

    name = "independent"

    def __call__(self, x0: Tensor, x1: Tensor, generator: Optional[torch.Generator] = None):
        _check_batches(x0, x1)
        return x0, x1

    def spec(self) -> Dict:
        return {"name": self.name}

    def __repr__(self) -> str:
        return "IndependentCoupling()"


class OTCoupling:
    """Minibatch exact OT (squared Euclidean cost on flattened samples)."""

    name = "ot"

    def __init__(self, sampling: str = "permutation", num_itermax: int = 10_000_000):
        if sampling not in SAMPLINGS:
            raise ValueError(f"sampling must be one of {SAMPLINGS}, got {sampling!r}")
        self.sampling, self.num_itermax = sampling, int(num_itermax)

    def plan(self, x0: Tensor, x1: Tensor) -> Tensor:
        return ot_plan(x0, x1, self.num_itermax)

    def __call__(self, x0: Tensor, x1: Tensor, generator: Optional[torch.Generator] = None):
        _check_batches(x0, x1)
        P = self.plan(x0, x1)
        try:
            i, j = pairs_from_plan(P, self.sampling, generator)
        except RuntimeError:
            # a degenerate vertex (ties): the assignment problem is the same exact OT problem
            from scipy.optimize import linear_sum_assignment
            i, j = (torch.as_tensor(v, dtype=torch.long) for v in linear_sum_assignment(_cost(x0, x1).cpu().numpy()))
        return x0[i.to(x0.device)], x1[j.to(x1.device)]

    def spec(self) -> Dict:
        return {"name": self.name, "sampling": self.sampling}

    def __repr__(self) -> str:
        return f"OTCoupling(sampling={self.sampling!r})"


class EntropicCoupling:
    """Minibatch entropic OT; give reg, or sigma for reg = 2 sigma^2 (a bridge of reference sigma). solver: the
    Sinkhorn of `entropic_plan`, "log" (default) or "stabilized" (faster where reg is small)."""

    name = "entropic"

    def __init__(self, reg: Optional[float] = None, sigma: Optional[float] = None, sampling: str = "conditional",
                 num_itermax: int = 100_000, stop_thr: float = 1e-6, solver: str = "log"):
        if (reg is None) == (sigma is None):
            raise ValueError("give exactly one of reg or sigma (reg = 2 sigma^2)")
        if sigma is not None:
            if not (isinstance(sigma, (int, float)) and math.isfinite(sigma) and sigma > 0):
                raise ValueError(f"sigma must be a positive number, got {sigma!r}")
            reg = 2.0 * float(sigma) ** 2
        if not (isinstance(reg, (int, float)) and math.isfinite(reg) and reg > 0):
            raise ValueError(f"reg must be a positive number, got {reg!r}")
        if sampling not in ("conditional", "plan"):
            raise ValueError(f"sampling for an entropic coupling must be 'conditional' or 'plan', got {sampling!r} "
                             f"(its plan is not a permutation)")
        _check_solver(solver)
        self.reg, self.sampling, self.solver = float(reg), sampling, solver
        self.num_itermax, self.stop_thr = int(num_itermax), float(stop_thr)

    @property
    def sigma(self) -> float:
        return math.sqrt(self.reg / 2)

    def plan(self, x0: Tensor, x1: Tensor) -> Tensor:
        return entropic_plan(x0, x1, self.reg, self.num_itermax, self.stop_thr, self.solver)

    def __call__(self, x0: Tensor, x1: Tensor, generator: Optional[torch.Generator] = None):
        _check_batches(x0, x1)
        i, j = pairs_from_plan(self.plan(x0, x1), self.sampling, generator)
        return x0[i.to(x0.device)], x1[j.to(x1.device)]

    def spec(self) -> Dict:
        return {"name": self.name, "reg": self.reg, "sampling": self.sampling,
                **({"solver": self.solver} if self.solver != "log" else {})}

    def __repr__(self) -> str:
        return f"EntropicCoupling(reg={self.reg:g}, sampling={self.sampling!r}, solver={self.solver!r})"


def make_coupling(name: str, **params):
    """A coupling by name: "independent", "ot" (sampling=...), "entropic" (sigma=... or reg=..., sampling=...)."""
    if name == "independent":
        if params:
            raise ValueError(f"the independent coupling takes no parameters, got {sorted(params)}")
        return IndependentCoupling()
    try:
        if name == "ot":
            return OTCoupling(**params)
        if name == "entropic":
            return EntropicCoupling(**params)
    except TypeError as e:  # unknown keyword
        raise ValueError(f"bad parameters for coupling {name!r}: {e}") from None
    raise ValueError(f"unknown coupling {name!r}; valid names: {', '.join(COUPLINGS)}")
