"""Rows of the sample-based metrics of one run: W2 as its distance from the floor, finite and support
fractions, the two-sample statistics against fresh target samples with their permutation tests, sliced
W2 at large n, the distances to the exact bridge, and the learned fields' errors against the exact oracle.

W2 at the suite's n rewards under-dispersed models (docs/theory.md §7.1), so besides the raw value (row
"w2", with its floor) it is recorded as "w2_z" = (W2 - floor) / sd(floor), the floor's mean and sd over
the truth stage's repeated truth-vs-truth draws; likewise "w2_coupling_z" and "sliced_w2_z". These are
shown, never ranked. The two-sample statistics (U-statistics, unbiased: 0 in expectation at the truth)
compare a run's samples with n fresh target samples seeded by (benchmark, seed), shared by the seed's
methods; a sample set with non-finite points gets value inf and status "non-finite" there.
"""
from __future__ import annotations

import math
from typing import Dict, List

import numpy as np
import torch

from ..config.specs import EvaluateSpec, Integrator
from ..pairs import get_benchmark
from ..samples import X0, encode, final_keys, marginal_names, nfe_name, ode_sampler_name
from ..seeds import generator
from .rows import NON_FINITE, make_row
from .sampling import sample_model
from .truth import SLICED_SEED
from si import metrics

__all__ = ["floor_z", "two_sample_points", "sample_rows", "sliced_rows", "field_error_rows"]


def floor_z(value: float, floor: float, floor_sd: float) -> float:
    """(value - floor) / floor_sd: a distance read in floor standard deviations (NaN without an sd)."""
    if not (math.isfinite(floor_sd) and floor_sd > 0):
        return math.nan
    return (value - floor) / floor_sd


def two_sample_points(benchmark: str, seed: int, n: int) -> np.ndarray:
    """n fresh samples of rho1 (float64) for the two-sample tests, the same for every method of this seed."""
    pair = get_benchmark(benchmark)
    return pair.rho1.sample(int(n), generator=generator("two-sample-points", benchmark, seed)).double().numpy()


def sample_rows(spec: EvaluateSpec, arrays: Dict[str, "object"], ref, truth: dict) -> List[dict]:
    """Rows for every sample set of a samples file's arrays: W2 against the reference with its floor and as
    w2_z, the fraction of finite samples, the support fraction (checkerboard targets); for the largest step
    count of each sampler and eps, the two-sample statistics against fresh target samples and, on bridge
    pairs, the comparisons with the exact bridge (terminal W2, coupling W2 against the exact plan with its
    floor and as w2_coupling_z, and Bures-W2 of the marginals at bridge_times and 1)."""
    pair = get_benchmark(spec.benchmark)
    ev = spec.evaluation
    keys = final_keys(arrays)
    top = {}
    for k in keys:
        top[(k.sampler, k.eps)] = max(top.get((k.sampler, k.eps), 0), k.steps)
    m = min(int(spec.sampling.n), int(ev.two_sample_n or spec.sampling.n))
    fresh = two_sample_points(spec.benchmark, spec.seed, m) if ev.two_sample else None
    floor, floor_sd = truth["w2_floor"], truth.get("w2_floor_sd", math.nan)
    rows = []
    for key in keys:
        x = np.asarray(arrays[encode(key)], dtype=np.float64)
        n = len(x)
        base = dict(eps=key.eps, sampler=key.sampler, steps=key.steps, nfe=int(arrays[nfe_name(key)]), n=n)
        ok = np.isfinite(x).all(1)
        rows.append(make_row(spec, **base, metric="finite_fraction", value=float(ok.mean()), floor=1.0))
        w = metrics.w2(x[ok], ref) if ok.sum() >= 2 else math.nan
        status = None if ok.sum() >= 2 else NON_FINITE
        rows.append(make_row(spec, **base, metric="w2", value=w, floor=floor, status=status))
        if math.isfinite(floor_sd):   # floor_repeats >= 2
            rows.append(make_row(spec, **base, metric="w2_z", value=floor_z(w, floor, floor_sd), floor=0.0,
                                 status=status))
        if truth.get("support"):
            rows.append(make_row(spec, **base, metric="support_fraction", floor=1.0,
                                 value=pair.rho1.support_fraction(torch.as_tensor(x))))
        if key.steps != top[(key.sampler, key.eps)]:
            continue
        shown = key.eps > 0 or key.sampler == ode_sampler_name(spec.sampling.ode.method)  # the tables' model at eps
        for stat in ev.two_sample if shown else ():
            if not ok.all():
                rows.append(make_row(spec, **{**base, "n": m}, metric=stat, value=math.inf, floor=0.0,
                                     status=NON_FINITE))
                continue
            g = generator("permutations", spec.benchmark, spec.method, spec.seed, stat, encode(key))
            test = metrics.permutation_test(x[:m], fresh, stat, int(ev.permutations), g)
            rows.append(make_row(spec, **{**base, "n": m}, metric=stat, value=test.statistic, floor=0.0,
                                 p_value=test.pvalue))
        if pair.is_bridge and ok.all():
            marg = {t: arrays[name] for t, name in marginal_names(arrays, key).items()}
            g = generator("bridge", spec.benchmark, spec.seed, encode(key))  # seeded by the key's text
            bm = metrics.bridge_metrics(pair.bridge, arrays[X0], x, marginals=marg, generator=g)
            rows.append(make_row(spec, **base, metric="w2_terminal_bridge", value=bm["w2_terminal"],
                                 floor=bm["w2_terminal_floor"]))
            rows.append(make_row(spec, **base, metric="w2_coupling", value=bm["w2_coupling"],
                                 floor=bm["w2_coupling_floor"]))
            if math.isfinite(truth.get("coupling_floor_sd", math.nan)):
                rows.append(make_row(spec, **base, metric="w2_coupling_z", floor=0.0, value=floor_z(
                    bm["w2_coupling"], truth["coupling_floor"], truth["coupling_floor_sd"])))
            rows.append(make_row(spec, **base, metric="bures_w2", t=1.0, value=bm["bures_w2_terminal"]))
            for t in sorted(marg):
                rows.append(make_row(spec, **base, metric="bures_w2", t=t, value=bm[f"bures_w2_t{t:g}"]))
    return rows


def sliced_rows(spec: EvaluateSpec, model, ref_sliced, truth: dict) -> List[dict]:
    """Sliced W2 of sliced_n ODE samples (the largest step count, fresh x0 seeded by (benchmark, seed))
    against the truth's sliced reference set, raw ("sliced_w2", with its floor) and as "sliced_w2_z".
    The ODE only: sliced_n SDE paths at every eps would cost each eps as much again."""
    n = int(spec.evaluation.sliced_n)
    if n <= 0:
        return []
    p = next(model.nets.parameters())
    s = spec.sampling
    pair = get_benchmark(spec.benchmark)
    x0 = pair.rho0.sample(n, generator=generator("x0-sliced", spec.benchmark, spec.seed)).to(p.device, p.dtype)
    ode = Integrator(s.ode.method, (max(s.ode.steps),))
    (key, res), = sample_model(model, x0, ode, ode, [], ode_window=s.window, sde_window=s.window,
                               sde_generator=lambda *_: None).items()
    x = res.x.detach().double().cpu().numpy()
    base = dict(eps=0.0, sampler=key.sampler, steps=key.steps, nfe=int(res.nfe), n=n)
    if not np.isfinite(x).all():
        return [make_row(spec, **base, metric=m, value=math.inf, floor=f, status=NON_FINITE)
                for m, f in (("sliced_w2", truth["sliced_floor"]), ("sliced_w2_z", 0.0))]
    v = metrics.sliced_w2(x, ref_sliced, n_projections=int(spec.evaluation.sliced_projections), seed=SLICED_SEED)
    return [make_row(spec, **base, metric="sliced_w2", value=v, floor=truth["sliced_floor"]),
            make_row(spec, **base, metric="sliced_w2_z", floor=0.0,
                     value=floor_z(v, truth["sliced_floor"], truth["sliced_floor_sd"]))]


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
            if not bool(torch.isfinite(f_hat).all()):
                rows.append(make_row(spec, sampler="oracle", metric=f"field_rel_mse_{name}", value=math.inf,
                                     floor=0.0, n=n, status=NON_FINITE))
                continue
            est = metrics.field_rel_mse(f_hat, exact(t, xt))
            rows.append(make_row(spec, sampler="oracle", metric=f"field_rel_mse_{name}", value=est.value, floor=0.0,
                                 stderr=est.stderr, n=n))
    return rows
