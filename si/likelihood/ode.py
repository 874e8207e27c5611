"""Log-likelihood of the probability-flow ODE (docs/theory.md §5; Albergo, Boffi & Vanden-Eijnden,
arXiv:2303.08797).

ODE (probability flow dX = b dt):
    log rho^_1(x) = log rho0(X_0) - int_0^1 div b(t, X_t) dt,   X integrated backward from X_1 = x,
computed as the augmented ODE d/dt (X, L) = (b, div b) from t = 1 (L = 0) down to t = 0, so that
log rho^_1(x) = log rho0(X_0) + L_0. The divergence (si.divergence: one forward pass of b, then
reverse-mode vector-Jacobian products by torch.autograd.grad) is exact, the trace of the Jacobian,
or Hutchinson's estimate with k probes drawn once per point and held fixed along the path; the path X does not depend on the
probes, so the estimate is unbiased for every x and its spread over the k probes gives `stderr`.
"""
from __future__ import annotations

from typing import Optional

import torch

from ..divergence import value_and_divergences
from ..fields import Counted, Field, call_counts
from ..sampling import (ODE_FIXED, ODE_METHODS, check_state, check_steps, check_window, integrate_adaptive,
                        integrate_fixed, time_grid)
from ..times import as_time
from .result import LogDensity, LogProbResult, as_log_density, divergence_probes, log_prob0_at, mean_stderr

Tensor = torch.Tensor

__all__ = ["ode_likelihood", "ode_log_prob"]


def ode_likelihood(b: Field, log_prob0: LogDensity, x: Tensor, steps: int = 200, method: str = "rk4",
                   divergence: str = "exact", *, probes: int = 1, probe: str = "rademacher",
                   generator: Optional[torch.Generator] = None, t_min: float = 0.0, t_max: float = 1.0,
                   last_step: str = "ode", rtol: float = 1e-6, atol: float = 1e-6) -> LogProbResult:
    """log rho^_1(x) of the probability-flow ODE with velocity b and base density rho0 (module doc).

    log_prob0: a callable x -> log rho0(x) of shape (n,) or a density with .log_prob (not samples).

    method: "euler" | "heun" | "midpoint" | "rk4" (`steps` fixed steps) or "dopri5" (rtol, atol).
    divergence: "exact" or "hutchinson" (`probes` vectors per point, "rademacher" or "gaussian").
    """
    x, steps = check_state(x, "x"), check_steps(steps)
    log_prob0 = as_log_density(log_prob0)
    lo, hi = check_window(t_min, t_max, last_step)
    if method not in ODE_METHODS:
        raise ValueError(f"unknown ODE method {method!r}; valid: {list(ODE_METHODS)}")
    E = divergence_probes(divergence, probes, probe, x, generator)
    cb = Counted(b, "b")

    def f(t, y):  # d/dt (X, L) = (b, div b), L of shape (n, k)
        out, div, _ = value_and_divergences(lambda z: cb(as_time(t, z), z), y[0], E)
        return out, div

    state = (x, torch.zeros(x.shape[0], 1 if E is None else E.shape[0], dtype=x.dtype, device=x.device))
    grid = time_grid(hi, lo, steps)
    with torch.no_grad():
        if method in ODE_FIXED:
            state = integrate_fixed(f, state, grid, method)
        else:
            state = integrate_adaptive(f, state, grid, method, rtol, atol)
        if last_step == "ode" and lo > 0:  # [0, t_min]: one Euler step evaluated at t_min
            db, ddiv = f(lo, state)
            state = (state[0] - lo * db, state[1] - lo * ddiv)
        x0, L = state
        logp = log_prob0_at(log_prob0, x0)[:, None] + L   # (n, k)
    return LogProbResult(log_prob=logp.mean(-1), stderr=mean_stderr(logp), nfe=cb.calls,
                         calls=call_counts(cb), x0=x0)


def ode_log_prob(b: Field, log_prob0: LogDensity, x: Tensor, steps: int = 200, method: str = "rk4",
                 divergence: str = "exact", **kwargs) -> Tensor:
    """log rho^_1 at the points x, shape (n,): ``ode_likelihood(...).log_prob``."""
    return ode_likelihood(b, log_prob0, x, steps, method, divergence, **kwargs).log_prob
