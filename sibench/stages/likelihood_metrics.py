"""Rows of the likelihood metrics of one run: cross-entropy and KL, ODE and SDE estimators."""
from __future__ import annotations

from typing import List

import torch

from ..config.specs import EvaluateSpec
from ..pairs import get_benchmark
from ..samples import ode_sampler_name
from ..seeds import generator
from .rows import make_row
from si import likelihood as L

__all__ = ["likelihood_rows"]


def likelihood_rows(spec: EvaluateSpec, model, x_test, truth: dict) -> List[dict]:
    """Cross-entropy H(rho1, rho^1) at the truth's test points: the ODE likelihood (eps = 0) and,
    for every eps > 0 of the spec, the SDE estimators ("score", "feynman-kac"); KL = CE - H(rho1)
    where the target entropy is known. NFE per test point in the nfe column."""
    lk = spec.likelihood
    if lk is None:
        return []
    p = next(model.nets.parameters())
    pair = get_benchmark(spec.benchmark)
    x = torch.as_tensor(x_test[: int(lk.n)]).to(p.device, p.dtype)
    rho0 = pair.rho0.to(device=p.device, dtype=p.dtype)
    H, H_se = truth["entropy"], truth["entropy_se"]
    div = {"divergence": lk.divergence}
    if lk.divergence == "hutchinson":
        div["probes"] = int(lk.probes)
    rows = []

    def add(sampler, eps, steps, res):
        lp = res.log_prob.detach().double().cpu()
        base = dict(eps=eps, sampler=sampler, steps=steps, nfe=int(res.nfe))
        ok = torch.isfinite(lp)
        rows.append(make_row(spec, **base, metric="finite_fraction", value=float(ok.double().mean()), floor=1.0))
        if not bool(ok.all()):
            rows.append(make_row(spec, **base, metric="cross_entropy", value=float("inf"), floor=H))
            rows.append(make_row(spec, **base, metric="kl", value=float("inf"), floor=0.0))
            return
        ce = L.cross_entropy(lp)
        kl = L.kl_divergence(ce, H, H_se)
        rows.append(make_row(spec, **base, metric="cross_entropy", value=ce.value, floor=H, stderr=ce.stderr))
        rows.append(make_row(spec, **base, metric="kl", value=kl.value, floor=0.0, stderr=kl.stderr))
        print(f"likelihood {sampler} eps={eps:g}: CE {ce.value:.4f} +- {ce.stderr:.4f}, KL {kl.value:.4f}, "
              f"nfe {res.nfe}", flush=True)

    g = generator("likelihood", spec.benchmark, spec.method, spec.seed)
    lo, hi = spec.sampling.window
    res = L.ode_likelihood(model.b, rho0.log_prob, x, steps=int(lk.ode_steps), method=lk.ode_method,
                           generator=g, t_min=lo, t_max=hi, **div)
    add(ode_sampler_name(lk.ode_method), 0.0, int(lk.ode_steps), res)
    if model.s is not None:
        for eps in lk.eps:
            for est in lk.sde_estimators:
                res = L.sde_likelihood(model.b, model.s, rho0.log_prob, x, eps=float(eps), steps=int(lk.sde_steps),
                                       paths=int(lk.sde_paths), estimator=est, generator=g,
                                       t_min=lo, t_max=hi, **div)
                add(f"sde-{est}", float(eps), int(lk.sde_steps), res)
    return rows
