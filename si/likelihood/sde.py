"""Log-likelihood of the forward SDE, by two path estimators (docs/theory.md §5;
Albergo, Boffi & Vanden-Eijnden, arXiv:2303.08797).

SDE (forward model dX = b_F dt + sqrt(2 eps) dW, b_F = b + eps s), Y run backward from Y_1 = x with
time decreasing, Y_{t-h} = Y_t - h D(t, Y_t) + sqrt(2 eps h) xi (Euler-Maruyama; stochastic Heun,
the default, is the weak-order-2 predictor-corrector of the same SDE, see `sde_path_values`):
  (a) "score":  D = b_B = b - eps s and
        log rho_1(x) = E[ log rho0(Y_0) - int_0^1 (div b_F + eps |s|^2) dt ].
      Derivation (Ito, u_t = log rho_t, reverse time tau = 1 - t, dY = -b_B dtau + sqrt(2 eps) dW):
      the Fokker-Planck equation gives -d_t u = div b_F + b_F.grad u - eps (lap u + |grad u|^2), so
        du(Y) = [div b_F + (b_F - b_B).grad u - eps |grad u|^2] dtau + sqrt(2 eps) grad u . dW
              = [div b_F + eps |s|^2] dtau + sqrt(2 eps) s . dW        when s = grad u (b_F - b_B = 2
              eps s).
      Integrating over tau in [0, 1] gives the formula (the sign in docs/theory.md §5 is right; the tests
      check it against the exact oracle log density). control_variate=True also subtracts the
      martingale sum_k sqrt(2 eps h) s . xi_k, which has mean zero for any s (Ito, left points) and
      cancels the path noise when s is the model's score.
  (b) "feynman-kac":  D = b_F (Y driven by -b_F in reverse time) and
        rho_1(x) = E[ rho0(Y_0) exp(-int_0^1 div b_F dt) ]     (needs no score identity),
      estimated by a log-mean-exp over paths (biased low by about Var / (2 paths)). Every value carries
      the effective sample size of its path weights, ESS = (sum w)^2 / sum w^2 in [1, paths]
      (`LogProbResult.ess`); docs/estimators.md measures how small an ESS still gives a usable value.

Window: as in ``si.sampling``, the SDE runs on [t_min, t_max]; x is taken as the state at t_max, and
the last piece [0, t_min] is one explicit Euler step of the likelihood ODE (X, L) of ``si.likelihood.ode``,
evaluated at t_min.
"""
from __future__ import annotations

import math
from typing import List, Optional

import torch

from ..divergence import value_and_divergences
from ..fields import Counted, Field, Schedule, call_counts, check_eps, eps_at
from ..sampling import SCORE_WINDOW, SDE_METHODS, check_state, check_steps, check_window, time_grid
from ..times import as_time
from .result import LogDensity, LogProbResult, as_log_density, divergence_probes, effective_sample_size, log_prob0_at

Tensor = torch.Tensor
SDE_ESTIMATORS = ("score", "feynman-kac")
MAX_ROWS = 2 ** 16  # rows (points x paths) integrated at once by the SDE estimators

__all__ = ["sde_likelihood", "sde_log_prob", "BackwardIntegrand", "sde_path_values", "brownian_increments",
           "SDE_ESTIMATORS", "MAX_ROWS"]


def sde_likelihood(b: Field, s: Field, log_prob0: LogDensity, x: Tensor, steps: int = 100,
                   paths: int = 64, estimator: str = "score", method: str = "heun", *, eps: Schedule,
                   divergence: str = "exact",
                   probes: int = 1, probe: str = "rademacher", control_variate: bool = False,
                   antithetic: bool = False, generator: Optional[torch.Generator] = None,
                   t_min: float = SCORE_WINDOW[0], t_max: float = SCORE_WINDOW[1],
                   last_step: str = "ode") -> LogProbResult:
    """log rho^_1(x) of the forward SDE (b + eps s, eps) by estimator "score" (a) or "feynman-kac" (b).

    log_prob0: a callable x -> log rho0(x) of shape (n,) or a density with .log_prob (not samples).

    `paths` backward paths per point, `steps` steps on [t_min, t_max] (module doc) of
    "euler-maruyama" or "heun" (stochastic Heun on the pair (Y, int), weak order 2 for this additive
    noise; 2 NFE per step). stderr: Monte Carlo standard error over paths (delta method for (b)).
    ess: for (b), the effective sample size of the path weights per point (None for (a)).
    Variance reduction, both optional and unbiased: `antithetic` pairs paths with increments dW and
    -dW (paths even); `control_variate` (estimator (a) only) subtracts the Ito martingale of s.
    """
    x, steps, eps = check_state(x, "x"), check_steps(steps), check_eps(eps)
    log_prob0 = as_log_density(log_prob0)
    lo, hi = check_window(t_min, t_max, last_step)
    if isinstance(paths, bool) or not isinstance(paths, int) or paths < 1:
        raise ValueError(f"paths must be an integer >= 1, got {paths!r}")
    if estimator not in SDE_ESTIMATORS:
        raise ValueError(f"unknown SDE likelihood estimator {estimator!r}; valid: {list(SDE_ESTIMATORS)}")
    if method not in SDE_METHODS:
        raise ValueError(f"unknown SDE method {method!r}; valid: {list(SDE_METHODS)}")
    if control_variate and estimator != "score":
        raise ValueError("control_variate applies to the 'score' estimator only")
    if antithetic and paths % 2:
        raise ValueError(f"antithetic paths come in pairs: paths must be even, got {paths}")
    divergence_probes(divergence, probes, probe, x[:1], None)  # validate before any work
    cb, cs = Counted(b, "b"), Counted(s, "s")
    n = x.shape[0]
    per_chunk = max(1, MAX_ROWS // paths)
    values: List[Tensor] = []
    nfe = 0
    with torch.no_grad():
        for i in range(0, n, per_chunk):
            xi = x[i:i + per_chunk]
            y = xi.repeat(paths, 1)                                     # (paths * m, d), path-major
            E = divergence_probes(divergence, probes, probe, y, generator)
            v, nfe = sde_path_values(BackwardIntegrand(cb, cs, eps, estimator, E), log_prob0, y, steps,
                                      method, control_variate, antithetic, generator, lo, hi, last_step)
            values.append(v.reshape(paths, xi.shape[0]))
    v = torch.cat(values, 1)                                            # (paths, n)
    pairs = (lambda u: 0.5 * (u[:paths // 2] + u[paths // 2:])) if antithetic else (lambda u: u)  # noqa: E731
    ess = None
    if estimator == "score":
        logp, units = v.mean(0), pairs(v)                               # units: independent draws
        se = units.std(0) / math.sqrt(units.shape[0]) if units.shape[0] > 1 else None
    else:
        ess = effective_sample_size(v)
        logp = torch.logsumexp(v, 0) - math.log(paths)
        w = torch.exp(v - v.max(0).values)                              # delta method for log mean
        units = pairs(w)
        se = units.std(0) / (math.sqrt(units.shape[0]) * w.mean(0)) if units.shape[0] > 1 else None
    return LogProbResult(log_prob=logp, stderr=se, nfe=nfe, calls=call_counts(cb, cs), ess=ess)


def sde_log_prob(b: Field, s: Field, log_prob0: LogDensity, x: Tensor, steps: int = 100,
                 paths: int = 64, estimator: str = "score", method: str = "heun", *, eps: Schedule, **kwargs) -> Tensor:
    """log rho^_1 at the points x, shape (n,): ``sde_likelihood(...).log_prob``."""
    return sde_likelihood(b, s, log_prob0, x, steps, paths, estimator, method, eps=eps, **kwargs).log_prob


class BackwardIntegrand:
    """At (t, Y): the backward drift D, the integrand g and s, for estimator (a) or (b) (module doc).

        (a) D = b_B = b - eps s,  g = div b_F + eps |s|^2
        (b) D = b_F = b + eps s,  g = div b_F
    g has shape (rows, k): one column per Hutchinson probe (k = 1 when exact).
    """

    def __init__(self, b: Field, s: Field, eps: Schedule, estimator: str, probes: Optional[Tensor]):
        self.b, self.s, self.eps, self.score, self.E = b, s, eps, estimator == "score", probes

    def __call__(self, t: float, y: Tensor):
        T = as_time(t, y)
        e = eps_at(self.eps, T)[:, None]

        def b_F(z):  # b + eps s, with (b, s) as aux
            bz, sz = self.b(T, z), self.s(T, z)
            return bz + e * sz, (bz, sz)
        bF, div_bF, (bv, sv) = value_and_divergences(b_F, y, self.E)
        if self.score:
            return bv - e * sv, div_bF + e * (sv * sv).sum(-1, keepdim=True), sv, e
        return bF, div_bF, sv, e

    def ode(self, t: float, y: Tensor):
        """The eps = 0 piece outside the window: D = b, g = div b (the score is not evaluated)."""
        T = as_time(t, y)
        bv, div_b, _ = value_and_divergences(lambda z: self.b(T, z), y, self.E)
        return bv, div_b


def sde_path_values(F: BackwardIntegrand, log_prob0, y, steps, method, control_variate, antithetic, generator,
                     lo, hi, last_step):
    """Per-path values log rho0(Y_0) - int_0^1 g dt [- martingale] for every row of y; returns (values, nfe).

    Time decreases from t_max to t_min in steps of h > 0, dW ~ N(0, h I):
      Euler-Maruyama   Y' = Y - h D(t, Y) + sqrt(2 eps(t)) dW,                 A' = A + h g(t, Y)
      stochastic Heun  Y~ = Y - h D(t, Y) + sigma dW,   sigma^2 = eps(t) + eps(t - h)
                       Y' = Y - h/2 [D(t, Y) + D(t-h, Y~)] + sigma dW,        A' = A + h/2 [g(t, Y) + g(t-h, Y~)]
    The control variate adds sigma s(t, Y) . dW, s at the left point, so its mean is zero.
    Antithetic: paths p and p + paths/2 use increments dW and -dW (each path is still exact in law).
    """
    A = None
    grid = time_grid(hi, lo, steps)
    nfe = 0
    for t0, t1 in zip(grid[:-1], grid[1:]):
        h = t0 - t1                                                     # > 0: time decreases
        dW = brownian_increments(y, h, antithetic, generator)
        D0, g0, s0, e0 = F(t0, y)
        if method == "euler-maruyama":
            sigma, dA = torch.sqrt(2 * e0), h * g0
            y = y - h * D0 + sigma * dW
            nfe += 1
        else:
            sigma = torch.sqrt(e0 + eps_at(F.eps, as_time(t1, y))[:, None])
            y_pred = y - h * D0 + sigma * dW
            D1, g1, _, _ = F(t1, y_pred)
            y, dA = y - 0.5 * h * (D0 + D1) + sigma * dW, 0.5 * h * (g0 + g1)
            nfe += 2
        if control_variate:
            dA = dA + (sigma * s0 * dW).sum(-1, keepdim=True)
        A = dA if A is None else A + dA
    if last_step == "ode" and lo > 0:  # [0, t_min]: one Euler step of the ODE (X, L), evaluated at t_min
        bv, div_b = F.ode(lo, y)
        A, y, nfe = A + lo * div_b, y - lo * bv, nfe + 1
    return log_prob0_at(log_prob0, y) - A.mean(-1), nfe  # A: (rows, k), averaged over the probes


def brownian_increments(y: Tensor, h: float, antithetic: bool, generator) -> Tensor:
    """Brownian increments dW ~ N(0, h I) for every row (path-major rows); antithetic: second half = -first."""
    if not antithetic:
        return math.sqrt(h) * torch.randn(y.shape, generator=generator, dtype=y.dtype, device=y.device)
    half = math.sqrt(h) * torch.randn((y.shape[0] // 2, y.shape[1]), generator=generator, dtype=y.dtype,
                                      device=y.device)
    return torch.cat([half, -half], 0)
