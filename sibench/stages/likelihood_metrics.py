"""Rows of the likelihood metrics of one run: the paired KL (and the cross-entropy) of the ODE and SDE
likelihoods at fresh target points.

The points. Every seed draws its own n points of rho1, seeded by (benchmark, seed) only, so all methods
of a seed see the same points (the tables compare methods on per-seed differences, sibench.tables.stats)
and no test set is shared across seeds (a fixed set's offset would be in every seed's value).

The KL. Every benchmark density has an exact log rho1 (sibench.densities), so KL(rho1 || model) is the
paired estimate with the paper's control variate, si.metrics.paired_kl: the mean of r - 1 - log r,
r = model / rho1 at the points (docs/theory.md §5.5), never negative, with its standard error; never
the cross-entropy minus the entropy. The cross-entropy is kept as a row of its own (floor: the target
entropy). The estimate needs exp(log model) itself, so it is only as good as the log density: the
divergence should be exact (a Hutchinson estimate of log model is unbiased, its exponential is not).

The SDE likelihoods at every eps > 0: the Feynman-Kac estimator (fk_paths paths) carries the median over
the points of its effective sample size (ess column); below fk_min_ess its values are withheld (value
NaN, status "withheld: ..."), never ranked; above fk_max_eps it is not run and withheld as such (its
log-weight variance grows with eps: ESS near 1, docs/theory.md §5.3). The score-identity estimator
(sde_paths paths) is exact only when the learned s is the score of the model's own marginals: a proxy
(docs/theory.md §5.2).

On a target with bounded support (the checkerboard) the control variate's mean is minus the model's
mass outside the support, not 0, so the value is biased low by that mass (si.metrics.kl); the tables
show it there unranked, led by the support fraction.
Non-finite log densities give value inf and status "non-finite". NFE per point in the nfe column.
"""
from __future__ import annotations

import math
from typing import List

import torch

from ..config.specs import EvaluateSpec
from ..pairs import get_benchmark
from ..samples import ode_sampler_name
from ..seeds import generator
from .rows import NON_FINITE, make_row, withheld
from si import likelihood as L
from si import metrics

__all__ = ["target_points", "likelihood_rows"]


def target_points(benchmark: str, seed: int, n: int) -> torch.Tensor:
    """n fresh points of rho1 (float64), the same for every method of this seed."""
    pair = get_benchmark(benchmark)
    return pair.rho1.sample(int(n), generator=generator("likelihood-points", benchmark, seed)).double()


def likelihood_rows(spec: EvaluateSpec, model, truth: dict) -> List[dict]:
    """finite_fraction, cross_entropy and kl rows of the ODE likelihood (eps = 0) and, for every eps > 0
    of the spec, of each SDE estimator (module doc)."""
    lk = spec.likelihood
    if lk is None:
        return []
    p = next(model.nets.parameters())
    pair = get_benchmark(spec.benchmark)
    rho0 = pair.rho0.to(device=p.device, dtype=p.dtype)
    x64 = target_points(spec.benchmark, spec.seed, max(int(lk.n), int(lk.sde_n)))
    log_p = pair.rho1.log_prob(x64)
    H = truth["entropy"]
    div = {"divergence": lk.divergence}
    if lk.divergence == "hutchinson":
        div["probes"] = int(lk.probes)
    rows = []

    def add(sampler, eps, steps, res, n, ess=None):
        lq = res.log_prob.detach().double().cpu()
        base = dict(eps=eps, sampler=sampler, steps=steps, nfe=int(res.nfe), n=n)
        ok = torch.isfinite(lq)
        rows.append(make_row(spec, **base, metric="finite_fraction", value=float(ok.double().mean()), floor=1.0))
        med = None if ess is None else float(ess.double().median())
        if med is not None and med < float(lk.fk_min_ess):
            status = withheld(f"ESS below {lk.fk_min_ess:g} of {lk.fk_paths} paths")
            for metric, floor in (("cross_entropy", H), ("kl", 0.0)):
                rows.append(make_row(spec, **base, metric=metric, value=math.nan, floor=floor, ess=med, status=status))
            print(f"likelihood {sampler} eps={eps:g}: withheld, median ESS {med:.2f} < {lk.fk_min_ess:g}", flush=True)
            return
        try:
            kl = metrics.paired_kl(log_p[:n], lq)
        except ValueError as e:  # -inf / NaN log densities, or q/p beyond float64: not a number
            for metric, floor in (("cross_entropy", H), ("kl", 0.0)):
                rows.append(make_row(spec, **base, metric=metric, value=math.inf, floor=floor, ess=med,
                                     status=NON_FINITE))
            print(f"likelihood {sampler} eps={eps:g}: non-finite ({e})", flush=True)
            return
        ce = L.cross_entropy(lq)   # finite here: paired_kl refuses non-finite log densities
        rows.append(make_row(spec, **base, metric="cross_entropy", value=ce.value, floor=H, stderr=ce.stderr, ess=med))
        rows.append(make_row(spec, **base, metric="kl", value=kl.value, floor=0.0, stderr=kl.stderr, ess=med))
        print(f"likelihood {sampler} eps={eps:g}: paired KL {kl.value:.4f} +- {kl.stderr:.4f} (n {n})"
              + ("" if med is None else f", median ESS {med:.2f}") + f", nfe {res.nfe}", flush=True)

    g = generator("likelihood", spec.benchmark, spec.method, spec.seed)
    lo, hi = spec.sampling.window
    n = int(lk.n)
    res = L.ode_likelihood(model.b, rho0.log_prob, x64[:n].to(p.device, p.dtype), steps=int(lk.ode_steps),
                           method=lk.ode_method, generator=g, t_min=lo, t_max=hi, **div)
    add(ode_sampler_name(lk.ode_method), 0.0, int(lk.ode_steps), res, n)
    if model.s is None:
        return rows
    m = int(lk.sde_n)
    x = x64[:m].to(p.device, p.dtype)
    for eps in lk.eps:
        for est in lk.sde_estimators:
            if est == "feynman-kac" and lk.fk_max_eps is not None and eps > lk.fk_max_eps:
                status = withheld(f"not run above ε={lk.fk_max_eps:g}")
                for metric, floor in (("cross_entropy", H), ("kl", 0.0)):
                    rows.append(make_row(spec, eps=float(eps), sampler=f"sde-{est}", steps=int(lk.sde_steps), n=m,
                                         metric=metric, value=math.nan, floor=floor, status=status))
                continue
            paths = int(lk.fk_paths) if est == "feynman-kac" else int(lk.sde_paths)
            res = L.sde_likelihood(model.b, model.s, rho0.log_prob, x, eps=float(eps), steps=int(lk.sde_steps),
                                   paths=paths, estimator=est, generator=g, t_min=lo, t_max=hi, **div)
            add(f"sde-{est}", float(eps), int(lk.sde_steps), res, m, res.ess if est == "feynman-kac" else None)
    return rows
