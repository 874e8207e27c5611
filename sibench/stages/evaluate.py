"""Stage evaluate: one trained model, every evaluation, in one job per model (loading the model and
importing torch / POT once is most of the cost of a small job).

Sample (ODE, SDE at every eps, every step count; sibench.stages.sampling), write the samples file
(layout: sibench.samples), then the rows of results/metrics.csv: the sample metrics (W2 against its
floor, two-sample tests, sliced W2, bridge distances), the field errors against the oracle
(sibench.stages.sample_metrics) and the paired KLs (sibench.stages.likelihood_metrics).

Every seed evaluates on its own fresh target points (likelihood, two-sample tests), seeded by
(benchmark, seed) and so shared by all methods of that seed: the tables compare methods on per-seed
differences (paired over seeds).

All samplers start from the same x0 ~ rho0 (common random numbers across eps and samplers); the SDE
noise is seeded per (run, eps, steps). On bridge pairs the states at bridge_times are kept too, from
the run with the most steps of each sampler and eps.
"""
from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Dict, Sequence

import numpy as np
import pandas as pd

from ..config.specs import EvaluateSpec
from ..devices import device_of
from ..io import save_npz, write_csv
from ..pairs import get_benchmark
from ..samples import META, X0, encode, nfe_name
from ..seeds import generator
from .likelihood_metrics import likelihood_rows
from .rows import COLUMNS, make_row
from .sample_metrics import field_error_rows, sample_rows, sliced_rows
from .sampling import sample_model
from .train import checkpoint_failed, discard_checkpoint
from si.training import CheckpointError, load_model

__all__ = ["run_meta", "sample_run", "evaluate_run", "evaluate_group"]


def run_meta(spec: EvaluateSpec) -> dict:
    """The run's factors stored in its samples file (the figures' labels)."""
    m = spec.model
    return {"benchmark": spec.benchmark, "method": spec.method, "label": spec.label, "seed": spec.seed,
            "path": m.path, "gamma": m.gamma, "objective": m.objective, "coupling": m.coupling}


def sample_run(spec: EvaluateSpec, model) -> Dict[str, np.ndarray]:
    """The arrays of the run's samples file: x0, meta, and every sample set with its NFE and kept marginals."""
    p = next(model.nets.parameters())
    pair = get_benchmark(spec.benchmark)
    s = spec.sampling
    x0 = pair.rho0.sample(int(s.n), generator=generator("x0", spec.benchmark, spec.seed)).to(p.device, p.dtype)
    arrays = {X0: x0.cpu().numpy(), META: np.array(json.dumps(run_meta(spec)))}
    sets = sample_model(model, x0, s.ode, s.sde, spec.eps, ode_window=s.window, sde_window=s.window,
                        sde_generator=lambda eps, steps: generator("sde", spec.benchmark, spec.method, spec.seed,
                                                                   eps, steps),
                        keep_times=spec.evaluation.bridge_times)
    for key, res in sets.items():
        x = res.x.detach().cpu().numpy()
        arrays[encode(key)] = x
        arrays[nfe_name(key)] = np.array(res.nfe)
        for t, xt in res.marginals.items():
            arrays[encode(key.at(t))] = xt.detach().cpu().numpy()
        print(f"sample {encode(key)}: nfe {res.nfe}, finite {np.isfinite(x).all(1).mean():.3f}", flush=True)
    return arrays


def evaluate_run(spec: EvaluateSpec, model_path, truth_npz, truth_json, out_samples, out_csv) -> None:
    """One trained model, every evaluation: sample, then the sample-based metrics, the field errors
    against the oracle and the likelihoods. Writes the samples (for the figures) and the model's rows
    of results/metrics.csv. A diverged training (sibench.stages.train) gives one train_failed row per eps
    it would have been evaluated at (the tables tell "failed" from "not applicable" by them); a corrupt
    checkpoint (sha256 mismatch) raises CheckpointError naming it, after removing it and its sidecar."""
    truth = json.loads(Path(truth_json).read_text())
    ref = np.load(truth_npz)
    try:
        failed = checkpoint_failed(model_path)
        model = None if failed else load_model(model_path, device=device_of(spec.device))
    except CheckpointError as e:  # truncated or corrupted: remove it, so that the next run retrains it
        discard_checkpoint(model_path)
        raise CheckpointError(model_path, f"{e.problem}; removed it and its sidecar, so that the next "
                                          f"run of the workflow trains it again") from None
    if failed:
        print(f"training failed, nothing to evaluate: {failed}", flush=True)
        save_npz(out_samples, {META: np.array(json.dumps({**run_meta(spec), "failed": failed}))})
        write_csv(out_csv, pd.DataFrame([make_row(spec, metric="train_failed", eps=e, value=1.0) for e in spec.eps],
                                        columns=COLUMNS))
        return
    t0 = time.time()
    arrays = sample_run(spec, model)
    save_npz(out_samples, arrays)
    t1 = time.time()
    rows = sample_rows(spec, arrays, ref["x1_ref"], truth)
    rows += field_error_rows(spec, model)
    t2 = time.time()
    rows += sliced_rows(spec, model, ref["x1_sliced"] if spec.evaluation.sliced_n > 0 else None, truth)
    t3 = time.time()
    rows += likelihood_rows(spec, model, truth)
    print(f"seconds: sampling {t1 - t0:.1f}, sample metrics {t2 - t1:.1f}, sliced W2 {t3 - t2:.1f}, "
          f"likelihood {time.time() - t3:.1f}", flush=True)
    write_csv(out_csv, pd.DataFrame(rows, columns=COLUMNS))


def evaluate_group(specs: Sequence[EvaluateSpec], models: Sequence, truth_npz, truth_json, out_samples: Sequence,
                   out_rows: Sequence) -> None:
    """evaluate_run for every seed of one (benchmark, method), in one process."""
    if not len(specs) == len(models) == len(out_samples) == len(out_rows):
        raise ValueError("evaluate_group needs one model, sample file and row file per spec")
    for spec, model, samples, rows in zip(specs, models, out_samples, out_rows):
        t0 = time.process_time()
        evaluate_run(spec, model, truth_npz, truth_json, samples, rows)
        print(f"seed {spec.seed}: {time.process_time() - t0:.1f} CPU-seconds", flush=True)
