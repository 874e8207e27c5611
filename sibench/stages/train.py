"""Stage train: one run's fields, trained with si.training and written as a checkpoint.

A training that fails (non-finite or runaway loss: si.training.TrainingDiverged, a FloatingPointError)
is a result, not a crash: it leaves an empty checkpoint and a JSON spec with "failed" naming the
criterion, so that the evaluation reports it and the rest of the sweep (and the final table) still
completes. A checkpoint that cannot be trusted (truncated or corrupted: its sha256 does not match the
sidecar) is removed by `discard_checkpoint`, so that the next run of the workflow retrains it.
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Optional, Sequence

from ..config.specs import ModelSpec, TrainSpec
from ..devices import device_of
from ..io import write_bytes, write_json
from ..pairs import get_benchmark
from si.couplings import make_coupling
from si.training import CheckpointError, TrainConfig, sidecar_of, train

__all__ = ["coupling_of", "train_run", "train_group", "checkpoint_failed", "discard_checkpoint"]


def coupling_of(model: ModelSpec):
    """The si.couplings coupling of the model's (x0, x1), None for the independent one."""
    if model.coupling == "independent":
        return None
    return make_coupling(model.coupling, **({"reg": model.coupling_reg} if model.coupling == "entropic" else {}))


def train_run(spec: TrainSpec, out_model, threads: int = 1) -> None:
    """Train the run's fields and write the checkpoint (out_model and its .json spec)."""
    pair = get_benchmark(spec.benchmark)
    config = TrainConfig(**spec.train.to_dict(), seed=int(spec.seed), threads=int(threads))
    print(f"{spec.benchmark} / {spec.method} / seed {spec.seed}: {config}", flush=True)
    run = {"benchmark": spec.benchmark, "method": spec.method, "seed": spec.seed, "coupling": spec.model.coupling,
           "coupling_reg": spec.model.coupling_reg}
    try:
        train(spec.model.interpolant(), spec.model.objective, pair.rho0, pair.rho1, config,
              coupling=coupling_of(spec.model), checkpoint=out_model, device=device_of(spec.device), log=sys.stdout,
              extra_spec={"run": run})
    except FloatingPointError as e:
        print(f"TRAINING DIVERGED: {e}", flush=True)
        write_json(Path(out_model).with_suffix(".json"), {"failed": str(e), "run": run,
                                                          "objective": spec.model.objective, "losses": []})
        write_bytes(out_model, b"")


def checkpoint_failed(path) -> Optional[str]:
    """The error of a training that diverged (train_run records it in the checkpoint's JSON spec), else None.
    CheckpointError naming the checkpoint if its sidecar cannot be read."""
    try:
        return json.loads(sidecar_of(path).read_text()).get("failed")
    except (OSError, ValueError) as e:
        raise CheckpointError(path, f"its sidecar {sidecar_of(path)} cannot be read ({e})") from None


def discard_checkpoint(path) -> None:
    """Remove a checkpoint and its sidecar (the workflow then trains it again)."""
    for p in (Path(path), sidecar_of(path)):
        p.unlink(missing_ok=True)


def train_group(specs: Sequence[TrainSpec], out_models: Sequence, threads: int = 1) -> None:
    """train_run for every seed of one (benchmark, method), one after the other in one process
    (the workflow's unit of work: starting Python and importing torch costs about 3 CPU-seconds,
    a third of a small model's training)."""
    if len(specs) != len(out_models):
        raise ValueError(f"{len(specs)} specs for {len(out_models)} checkpoints")
    for spec, out in zip(specs, out_models):
        t0 = time.process_time()
        train_run(spec, out, threads=threads)
        print(f"seed {spec.seed}: {time.process_time() - t0:.1f} CPU-seconds", flush=True)
