"""Rows of the sample-based metrics of one run: W2 with its floor, finite and support fractions, the
distances to the exact bridge, and the learned fields' errors against the exact oracle."""
from __future__ import annotations

from typing import Dict, List

import numpy as np
import torch

from ..config.specs import EvaluateSpec
from ..pairs import get_benchmark
from ..samples import X0, encode, final_keys, marginal_names, nfe_name
from ..seeds import generator
from .rows import make_row
from si import metrics

__all__ = ["sample_rows", "field_error_rows"]


def sample_rows(spec: EvaluateSpec, arrays: Dict[str, "object"], ref, truth: dict) -> List[dict]:
    """Rows for every sample set of a samples file's arrays: W2 against the reference with its floor,
    the fraction of finite samples, the support fraction (checkerboard targets); on bridge pairs, for
    the largest step count of each sampler and eps, the comparisons with the exact bridge (terminal W2,
    coupling W2 against the exact plan, each with its floor, and Bures-W2 of the marginals at
    bridge_times and 1)."""
    pair = get_benchmark(spec.benchmark)
    keys = final_keys(arrays)
    top = {}
    for k in keys:
        top[(k.sampler, k.eps)] = max(top.get((k.sampler, k.eps), 0), k.steps)
    rows = []
    for key in keys:
        x = np.asarray(arrays[encode(key)], dtype=np.float64)
        base = dict(eps=key.eps, sampler=key.sampler, steps=key.steps, nfe=int(arrays[nfe_name(key)]))
        ok = np.isfinite(x).all(1)
        rows.append(make_row(spec, **base, metric="finite_fraction", value=float(ok.mean()), floor=1.0))
        if ok.sum() < 2:
            rows.append(make_row(spec, **base, metric="w2", value=float("nan"), floor=truth["w2_floor"]))
            continue
        rows.append(make_row(spec, **base, metric="w2", value=metrics.w2(x[ok], ref), floor=truth["w2_floor"]))
        if truth.get("support"):
            rows.append(make_row(spec, **base, metric="support_fraction", floor=1.0,
                                 value=pair.rho1.support_fraction(torch.as_tensor(x))))
        if pair.is_bridge and ok.all() and key.steps == top[(key.sampler, key.eps)]:
            marg = {t: arrays[name] for t, name in marginal_names(arrays, key).items()}
            g = generator("bridge", spec.benchmark, spec.seed, encode(key))  # seeded by the key's text
            bm = metrics.bridge_metrics(pair.bridge, arrays[X0], x, marginals=marg, generator=g)
            rows.append(make_row(spec, **base, metric="w2_terminal_bridge", value=bm["w2_terminal"],
                                 floor=bm["w2_terminal_floor"]))
            rows.append(make_row(spec, **base, metric="w2_coupling", value=bm["w2_coupling"],
                                 floor=bm["w2_coupling_floor"]))
            rows.append(make_row(spec, **base, metric="bures_w2", t=1.0, value=bm["bures_w2_terminal"]))
            for t in sorted(marg):
                rows.append(make_row(spec, **base, metric="bures_w2", t=t, value=bm[f"bures_w2_t{t:g}"]))
    return rows


def field_error_rows(spec: EvaluateSpec, model) -> List[dict]:
    """E|f^ - f|^2 / E|f|^2 for f = b and s at x_t, t ~ U[window], against the exact oracle (pairs
    with an oracle, independent coupling only: the oracle describes that coupling)."""
    n = int(spec.evaluation.field_n)
    pair = get_benchmark(spec.benchmark)
    if n <= 0 or not pair.has_oracle or spec.model.coupling != "independent":
        return []
    p = next(model.nets.parameters())
    interp = spec.model.interpolant()
    oracle = pair.oracle(interp)
    g = generator("fields", spec.benchmark, spec.seed)
    x1 = pair.rho1.sample(n, generator=g).double()
    x0 = x1 if interp.mirror else pair.rho0.sample(n, generator=g).double()
    lo, hi = spec.sampling.window
    t = lo + (hi - lo) * torch.rand(n, generator=g, dtype=torch.float64)
    z = torch.randn(x1.shape, generator=g, dtype=torch.float64)
    xt = interp.points(t, x0, x1, z).xt
    rows = []
    with torch.no_grad():
        for name, learned, exact in (("b", model.b, oracle.b), ("s", model.s, oracle.s)):
            if learned is None:
                continue
            f_hat = learned(t.to(p.device, p.dtype), xt.to(p.device, p.dtype)).double().cpu()
            f = exact(t, xt)
            rel = float(((f_hat - f) ** 2).sum(1).mean() / (f ** 2).sum(1).mean())
            rows.append(make_row(spec, sampler="oracle", metric=f"field_rel_mse_{name}", value=rel, floor=0.0))
    return rows
