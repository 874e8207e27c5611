"""Stage sb_maxmin: the Schroedinger bridge by the max-min over interpolants (si.schrodinger.fit_maxmin,
docs/theory.md §10) as one more method, "sb-maxmin", on the bridge pairs of the config's `sb_maxmin` section.

Per pair and seed (one job per pair, every seed in it, as the train and evaluate stages):
  * fit: fit_maxmin on (rho0, rho1) at eps = sigma^2 / 2; the result saved as a state dict (loaded with
    weights_only, si.schrodinger.load_result) with its JSON spec, its max-min curves as CSV (losses_frame:
    the inner objective, the outer (saddle) objective and the kinetic value -1/2 E|u^|^2, against step);
  * sample: the bridge's forward SDE dX = u^ dt + sqrt(2 eps) dW from fresh x0 ~ rho0 (the same x0 as the
    evaluate stage's methods of that seed), keeping its states at the evaluation's bridge_times: a
    samples file in the evaluate stage's layout (sibench.samples);
  * rows: the evaluate stage's sample metrics of those samples (sibench.stages.sample_metrics.sample_rows:
    W2 with its floor, two-sample tests, the distances to the exact bridge), method "sb-maxmin", at the
    one eps of its SDE; no likelihood, field-error or sliced rows (they do not apply: the tables show n/a);
  * the Bures-W2 curve over t: the moment fit of x^_t = I^(t, x0, x1) + gamma(t) z (the learned
    interpolant, independent x0, x1, z) and of the SDE's X_t against the exact moments of rho_t, beside
    the sampling floor (as many exact samples of rho_t), and samples of x^_t at
    the bridge_times (the figures, sibench.figures.sb_maxmin).
A non-finite objective (FloatingPointError of fit_maxmin) gives one train_failed row, like a diverged
training of the train stage, and empty curves.
"""
from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Dict, List, Sequence

import numpy as np
import pandas as pd
import torch

from ..config.sb_maxmin import METHOD, SbMaxMinSpec
from ..io import atomic_write, save_npz, write_csv, write_json
from ..pairs import get_benchmark
from ..samples import META, X0, SampleKey, encode, nfe_name, sde_sampler_name
from ..seeds import generator, stable_seed
from .evaluate import run_meta
from .rows import COLUMNS, make_row
from .sample_metrics import sample_rows
from .sampling import marginals_at
from si.metrics import bures_w2, gaussian_fit
from si.schrodinger import MaxMinConfig, MaxMinResult, fit_maxmin_config

__all__ = ["LOSS_COLUMNS", "CURVE_COLUMNS", "fit", "losses_frame", "sample_arrays", "curve_frame", "xhat_arrays",
           "fit_run", "sb_maxmin_group"]

LOSS_COLUMNS = ["benchmark", "method", "seed", "step", "inner", "outer", "kinetic"]
CURVE_COLUMNS = ["benchmark", "method", "seed", "t", "source", "n", "bures_w2"]
SOURCES = ("interpolant", "sde", "floor")   # x^_t; the SDE's X_t; exact samples of rho_t


def fit(spec: SbMaxMinSpec, threads=None) -> MaxMinResult:
    """fit_maxmin on the pair at eps = sigma^2 / 2 with the spec's options, seeded by (benchmark, seed)."""
    pair = get_benchmark(spec.benchmark)
    cfg = MaxMinConfig(**spec.fit, seed=stable_seed("sb-maxmin-fit", spec.benchmark, spec.seed), threads=threads)
    return fit_maxmin_config(pair.rho0, pair.rho1, spec.eps, cfg)


def losses_frame(spec: SbMaxMinSpec, result: MaxMinResult) -> pd.DataFrame:
    """The recorded max-min curves: inner (the inner loss of u^), outer (the saddle objective L the
    interpolant ascends) and kinetic (-1/2 E|u^|^2, equal to L at the inner optimum), against the outer step;
    the polish record (u^ refitted to the frozen interpolant) left out."""
    recs = [r for r in result.losses if "polish" not in r]
    return pd.DataFrame([{"benchmark": spec.benchmark, "method": METHOD, "seed": spec.seed, "step": r["step"],
                          "inner": r["inner"], "outer": r["saddle"], "kinetic": r["kinetic"]} for r in recs],
                        columns=LOSS_COLUMNS)


def sample_arrays(spec: SbMaxMinSpec, result: MaxMinResult, times: Sequence[float] = ()):
    """(arrays of the samples file, the SDE result): the forward SDE from x0 ~ rho0 (seeded as the evaluate
    stage's x0, so shared with the seed's other methods), states kept at bridge_times; its trajectory also
    gives the states at `times` (marginals_at)."""
    pair = get_benchmark(spec.benchmark)
    s = spec.evaluate.sampling
    steps = max(s.sde.steps)
    x0 = pair.rho0.sample(int(s.n), generator=generator("x0", spec.benchmark, spec.seed)).to(result.dtype)
    g = generator("sde", spec.benchmark, METHOD, spec.seed, spec.eps, steps)
    res = result.sample_bridge(x0, steps, s.sde.method, generator=g, t_min=s.window[0], t_max=s.window[1],
                               save_trajectory=True)
    key = SampleKey(sde_sampler_name(s.sde.method), spec.eps, steps)
    arrays = {X0: x0.numpy(), META: np.array(json.dumps(run_meta(spec.evaluate))),
              encode(key): res.x.detach().numpy(), nfe_name(key): np.array(int(res.nfe))}
    for t, xt in marginals_at(res, spec.evaluate.evaluation.bridge_times).items():
        arrays[encode(key.at(t))] = xt.detach().numpy()
    return arrays, res


def curve_frame(spec: SbMaxMinSpec, result: MaxMinResult, sde_result) -> pd.DataFrame:
    """Bures-W2 against the exact rho_t at spec.times(): of x^_t (curve_n samples), of the SDE's X_t (its n
    paths, the grid state nearest t) and of the floor (curve_n exact samples of rho_t)."""
    pair = get_benchmark(spec.benchmark)
    g = generator("sb-maxmin-curve", spec.benchmark, spec.seed)
    times = spec.times()
    sde = marginals_at(sde_result, times)
    rows = []
    for t in times:
        mt, St = pair.bridge.marginal_moments(t)
        for source, x in (("interpolant", result.sample_marginal(t, spec.curve_n, generator=g)), ("sde", sde[t]),
                          ("floor", pair.bridge.marginal_sample(t, spec.curve_n, generator=g))):
            x = x.detach().double().numpy()
            rows.append({"benchmark": spec.benchmark, "method": METHOD, "seed": spec.seed, "t": t, "source": source,
                         "n": len(x), "bures_w2": bures_w2(*gaussian_fit(x), mt, St)})
    return pd.DataFrame(rows, columns=CURVE_COLUMNS)


def xhat_arrays(spec: SbMaxMinSpec, result: MaxMinResult) -> Dict[str, np.ndarray]:
    """n samples of x^_t at each bridge time, under "t{t:g}" (the figures' scatter of x^_t)."""
    g = generator("sb-maxmin-xhat", spec.benchmark, spec.seed)
    n = int(spec.evaluate.sampling.n)
    return {f"t{t:g}": result.sample_marginal(t, n, generator=g).detach().numpy()
            for t in spec.evaluate.evaluation.bridge_times}


def fit_run(spec: SbMaxMinSpec, truth_npz, truth_json, out_model, out_losses, out_samples, out_rows, out_curve,
            out_xhat, threads=None) -> None:
    """One pair and seed: fit, save, sample, evaluate (module doc). out_model's .json sibling gets the spec."""
    truth = json.loads(Path(truth_json).read_text())
    t0 = time.time()
    try:
        result = fit(spec, threads)
    except FloatingPointError as e:
        print(f"max-min training failed: {e}", flush=True)
        failed = {"failed": str(e), "method": METHOD, "benchmark": spec.benchmark, "seed": spec.seed}
        atomic_write(out_model, lambda p: torch.save({"format": 0, "failed": str(e)}, p))
        write_json(Path(out_model).with_suffix(".json"), failed)
        save_npz(out_samples, {META: np.array(json.dumps({**run_meta(spec.evaluate), "failed": str(e)}))})
        save_npz(out_xhat, {})
        write_csv(out_losses, pd.DataFrame(columns=LOSS_COLUMNS))
        write_csv(out_curve, pd.DataFrame(columns=CURVE_COLUMNS))
        write_csv(out_rows, pd.DataFrame([make_row(spec.evaluate, metric="train_failed", eps=spec.eps, value=1.0)],
                                         columns=COLUMNS))
        return
    t1 = time.time()
    result.save(out_model)
    write_csv(out_losses, losses_frame(spec, result))
    arrays, sde_result = sample_arrays(spec, result)
    save_npz(out_samples, arrays)
    ref = np.load(truth_npz)
    write_csv(out_rows, pd.DataFrame(sample_rows(spec.evaluate, arrays, ref["x1_ref"], truth), columns=COLUMNS))
    t2 = time.time()
    write_csv(out_curve, curve_frame(spec, result, sde_result))
    save_npz(out_xhat, xhat_arrays(spec, result))
    print(f"{spec.benchmark} seed {spec.seed}: fit {t1 - t0:.1f} s ({spec.fit}), sample and metrics {t2 - t1:.1f} s, "
          f"curve {time.time() - t2:.1f} s", flush=True)


def sb_maxmin_group(specs: Sequence[SbMaxMinSpec], truth_npz, truth_json, outputs: Dict[str, List],
                    threads=None) -> None:
    """fit_run for every seed of one pair, in one process; outputs: model, losses, samples, rows, curve, xhat,
    each a list with one path per spec."""
    names = ("model", "losses", "samples", "rows", "curve", "xhat")
    if any(len(outputs[k]) != len(specs) for k in names):
        raise ValueError(f"sb_maxmin_group needs one path per spec for each of {names}")
    for i, spec in enumerate(specs):
        fit_run(spec, truth_npz, truth_json, *(outputs[k][i] for k in names), threads=threads)
