"""Every metric of the suite on the truth and its injected defects (sibench.power.defects), one seed
at a time: the rows of results/<name>/power/<benchmark>.csv (docs/theory.md §7, §7.8).

Each row: benchmark, defect, kind, param, seed, metric, value (the metric itself), effect (larger =
further from the truth, in the unit given below), pvalue (a one-sided per-seed test of "this model is
the truth"), n (the sample size behind the value).

    w2               W2 to the truth file's reference set (n samples); effect z = (W2 - floor mean) / floor sd
                     over the truth file's R floor draws; p from the prediction interval of a new floor draw
                     on the log scale (`floor_test`)
    sliced_w2        sliced W2 at sliced_n samples to one reference set of that size; z and p as for w2,
                     against sliced_floor_repeats truth draws (computed once per benchmark)
    energy, mmd      permutation test against the reference set (si.metrics.permutation_test); value the
                     U-statistic, effect its z against the permutation null, p the permutation p-value
    paired_kl        KL(rho1 || model) at n_kl fresh points of rho1, exact log densities, the paper's
                     control variate (si.metrics.paired_kl); effect = value (nats); p = 1 - Phi(KL / se)
                     (the truth gets exactly 0); +inf (p = 0) where the model's density is 0 at a point of rho1
    field_rel_mse_b, field_rel_mse_s   exact fields of the interpolant to the defective target vs to the
                     true one, relative MSE at field_n points of the true interpolant, t ~ U[window]
                     (si.metrics.field_rel_mse); effect = value; p = 1 - Phi(value / se)
    support_fraction (checkerboard) fraction of the n samples in the support; effect = 1 - fraction;
                     p = 0 if any sample lies outside (impossible for the truth), else 1

Common random numbers: within a seed every model draws its samples from a generator keyed by
(benchmark, seed, purpose), not by the defect, so the covariance defects of a mixture are the truth's
own draws rescaled (a cleaner ordering; each model's draws are still exact).
"""
from __future__ import annotations

import math
from typing import Dict, List, Optional, Sequence

import numpy as np
import torch
from scipy import stats

from ..densities import Checkerboard
from ..pairs import BenchmarkPair
from ..seeds import generator
from .defects import Defect, applicable_defects, defective
from .spec import PowerSpec
from si import metrics
from si.interpolants import Interpolant
from si.oracle import InterpolantOracle

__all__ = ["METRICS", "applicable_metrics", "lead_metrics", "normal_tail", "floor_test", "sliced_reference", "score_seed",
           "score_benchmark"]

METRICS = ("field_rel_mse_b", "field_rel_mse_s", "paired_kl", "support_fraction", "energy", "mmd", "w2",
           "sliced_w2")


def applicable_metrics(pair: BenchmarkPair) -> List[str]:
    """Every metric that applies to the pair's target (field errors need the oracle, support fraction
    the checkerboard)."""
    return [m for m in METRICS if (not m.startswith("field") or pair.has_oracle)
            and (m != "support_fraction" or isinstance(pair.rho1, Checkerboard))]


def lead_metrics(pair: BenchmarkPair) -> List[str]:
    """The metrics a table of this benchmark leads with: the field errors where an oracle exists, the
    paired KL where the target is a Gaussian mixture (positive everywhere; on the checkerboard every
    defect that moves the support has infinite KL), the support fraction on checkerboards, and the
    two-sample tests only where none of these applies."""
    lead = [m for m in ("field_rel_mse_b", "field_rel_mse_s") if pair.has_oracle]
    lead += ["paired_kl"] if pair.rho1.gmm is not None else []
    lead += ["support_fraction"] if isinstance(pair.rho1, Checkerboard) else []
    return lead or ["energy", "mmd"]


def normal_tail(z: float) -> float:
    """1 - Phi(z), the one-sided p-value of a standard normal statistic."""
    return 0.5 * math.erfc(z / math.sqrt(2.0))


def floor_test(value: float, floor_values: Sequence[float]):
    """(z, p) of a distance against R >= 2 draws of its floor (the value of the truth).

    z = (value - mean) / sd (the effect shown). p is the one-sided prediction-interval test that value
    is one more floor draw, on the log scale: P(t_{R-1} >= z_log / sqrt(1 + 1/R)), z_log = (log value -
    mean log f) / sd log f. The log, because empirical W2 is right-skewed at small n (measured skewness
    1.45 for W2 on gmm-pair at n = 1000 over 40 draws, 0.40 for its log); the t, because the floor's mean
    and sd are estimated from R draws. (nan, nan) with fewer than 2 draws (never "detected").
    """
    f = np.asarray(floor_values, dtype=np.float64)
    if f.size < 2:   # a config may ask for one floor draw (evaluation.floor_repeats: 1): no spread, no test
        return math.nan, math.nan
    if not (bool((f > 0).all()) and value > 0):
        raise ValueError("floor test: distances must be positive")
    z = (value - float(f.mean())) / float(f.std(ddof=1))
    lf = np.log(f)
    z_log = (math.log(value) - float(lf.mean())) / float(lf.std(ddof=1))
    return z, float(stats.t.sf(z_log / math.sqrt(1 + 1 / f.size), f.size - 1))


def sliced_reference(spec: PowerSpec, pair: BenchmarkPair) -> Dict[str, object]:
    """One reference set of rho1 at sliced_n and the floor of the sliced W2 against it (mean, sd over
    sliced_floor_repeats independent truth draws); seed-independent."""
    g = generator("power", spec.benchmark, "sliced-reference")
    ref = pair.rho1.sample(spec.sliced_n, generator=g).double()
    floors = [metrics.sliced_w2(pair.rho1.sample(spec.sliced_n, generator=g).double(), ref,
                                n_projections=spec.sliced_projections, seed=0)
              for _ in range(spec.sliced_floor_repeats)]
    return {"ref": ref, "floors": floors}


def _field_rows(spec: PowerSpec, pair: BenchmarkPair, model, seed: int) -> List[tuple]:
    interp = Interpolant(spec.path, spec.gamma)
    g = generator("power", spec.benchmark, seed, "fields")
    n = spec.field_n
    x1 = pair.rho1.sample(n, generator=g).double()
    x0 = x1 if interp.mirror else pair.rho0.sample(n, generator=g).double()
    lo, hi = spec.window
    t = lo + (hi - lo) * torch.rand(n, generator=g, dtype=torch.float64)
    z = torch.randn(x1.shape, generator=g, dtype=torch.float64)
    xt = interp.points(t, x0, x1, z).xt
    true = InterpolantOracle(interp, pair.rho0.gmm, pair.rho1.gmm)
    other = true if model is pair.rho1 else InterpolantOracle(interp, pair.rho0.gmm, model.gmm)
    out = []
    for name in ("b", "s"):
        est = metrics.field_rel_mse(getattr(other, name)(t, xt), getattr(true, name)(t, xt))
        p = normal_tail(est.value / est.stderr) if est.stderr > 0 else float(est.value == 0)
        out.append((f"field_rel_mse_{name}", est.value, est.value, p, n))
    return out


def _kl_row(spec: PowerSpec, pair: BenchmarkPair, model, seed: int) -> tuple:
    x = pair.rho1.sample(spec.n_kl, generator=generator("power", spec.benchmark, seed, "kl")).double()
    lp, lq = pair.rho1.log_prob(x), model.log_prob(x)
    if bool(torch.isneginf(lq).any()):   # the model has no mass at a point of rho1: KL is infinite
        return ("paired_kl", math.inf, math.inf, 0.0, spec.n_kl)
    est = metrics.paired_kl(lp, lq)
    p = normal_tail(est.value / est.stderr) if est.stderr > 0 else float(est.value == 0)
    return ("paired_kl", est.value, est.value, p, spec.n_kl)


def score_seed(spec: PowerSpec, pair: BenchmarkPair, d: Defect, seed: int, ref: np.ndarray,
               floor_values: Sequence[float], sliced: Optional[dict], wanted: Sequence[str]) -> List[tuple]:
    """(metric, value, effect, pvalue, n) of every wanted metric for the model `d` at one seed."""
    model = defective(pair.rho1, d)
    out: List[tuple] = []
    x = None
    if any(m in wanted for m in ("w2", "energy", "mmd", "support_fraction")):
        x = model.sample(spec.n, generator=generator("power", spec.benchmark, seed, "samples")).double()
    if "w2" in wanted:
        w = metrics.w2(x, ref)
        z, p = floor_test(w, floor_values)
        out.append(("w2", w, z, p, spec.n))
    if "sliced_w2" in wanted:
        xl = model.sample(spec.sliced_n, generator=generator("power", spec.benchmark, seed, "sliced")).double()
        sw = metrics.sliced_w2(xl, sliced["ref"], n_projections=spec.sliced_projections, seed=0)
        z, p = floor_test(sw, sliced["floors"])
        out.append(("sliced_w2", sw, z, p, spec.sliced_n))
    for stat in ("energy", "mmd"):
        if stat in wanted:
            r = metrics.permutation_test(x, ref, stat, spec.permutations,
                                         generator("power", spec.benchmark, seed, "permutations", stat))
            out.append((stat, r.statistic, r.z, r.pvalue, spec.n))
    if "support_fraction" in wanted:
        f = pair.rho1.support_fraction(x)
        out.append(("support_fraction", f, 1.0 - f, 0.0 if f < 1 else 1.0, spec.n))
    if "paired_kl" in wanted:
        out.append(_kl_row(spec, pair, model, seed))
    if any(m.startswith("field") for m in wanted):
        out += [r for r in _field_rows(spec, pair, model, seed) if r[0] in wanted]
    return out


def score_benchmark(spec: PowerSpec, pair: BenchmarkPair, ref: np.ndarray, floor_values: Sequence[float],
                    log=print) -> List[dict]:
    """The long rows of every (defect, seed, metric) of one benchmark (module doc)."""
    wanted = [m for m in applicable_metrics(pair) if spec.metrics is None or m in spec.metrics]
    if spec.field_n < 2:
        wanted = [m for m in wanted if not m.startswith("field")]
    sliced = sliced_reference(spec, pair) if "sliced_w2" in wanted else None
    rows = []
    for d in applicable_defects(pair.rho1):
        for seed in spec.seeds:
            for metric, value, effect, p, n in score_seed(spec, pair, d, seed, ref, floor_values, sliced, wanted):
                rows.append(dict(benchmark=spec.benchmark, defect=d.name, kind=d.kind, param=d.param, seed=seed,
                                 metric=metric, value=float(value), effect=float(effect), pvalue=float(p), n=int(n)))
            log(f"{spec.benchmark} {d.name} seed {seed}: " + ", ".join(
                f"{r['metric']} {r['effect']:.3g} (p {r['pvalue']:.3g})" for r in rows[-len(wanted):]))
    return rows
