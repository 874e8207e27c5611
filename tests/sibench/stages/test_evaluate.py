"""sibench.stages: sample_model (shared by the evaluate stage and figure 3) and the evaluate stage's
handling of a diverged training."""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import torch

from sibench.config import stage_spec
from sibench.config.specs import Integrator
from sibench.pairs import get_benchmark
from sibench.samples import SampleKey
from sibench.stages.evaluate import evaluate_run
from sibench.stages.sampling import sample_model
from sibench.stages.train import train_run
from sibench.stages.truth import make_truth
from si.interpolants import Interpolant

from ...workflow.tiny import variant


def _exact_model(score: bool = True):
    oracle = get_benchmark("gmm-pair").oracle(Interpolant("linear", "brownian"))
    return SimpleNamespace(b=oracle.b, s=oracle.s if score else None)


def test_sample_model_runs_every_sampler_from_the_same_x0():
    x0 = get_benchmark("gmm-pair").rho0.sample(50, generator=torch.Generator().manual_seed(0)).double()
    noise = []

    def gen(eps, steps):
        noise.append((eps, steps))
        return torch.Generator().manual_seed(1)

    sets = sample_model(_exact_model(), x0, Integrator("heun", (4, 8)), Integrator("euler-maruyama", (5, 10)),
                        [0.0, 0.5], ode_window=(0.0, 1.0), sde_window=(1e-4, 1 - 1e-4), sde_generator=gen,
                        keep_times=(0.5,))
    assert list(sets) == [SampleKey("ode-heun", 0.0, 4), SampleKey("ode-heun", 0.0, 8)] + [
        SampleKey("sde-em", e, s) for e in (0.0, 0.5) for s in (5, 10)]
    assert noise == [(0.0, 5), (0.0, 10), (0.5, 5), (0.5, 10)]
    kept = {k for k, v in sets.items() if v.marginals}
    assert kept == {SampleKey("ode-heun", 0.0, 8), SampleKey("sde-em", 0.0, 10), SampleKey("sde-em", 0.5, 10)}
    assert all(set(sets[k].marginals) == {0.5} for k in kept)
    assert sets[SampleKey("ode-heun", 0.0, 8)].nfe == 16 and all(v.x.shape == x0.shape for v in sets.values())
    # without a score: the ODE only
    ode_only = sample_model(_exact_model(score=False), x0, Integrator("heun", (4,)), Integrator("euler-maruyama", (5,)),
                            [0.5], ode_window=(0.0, 1.0), sde_window=(1e-4, 1 - 1e-4), sde_generator=gen)
    assert list(ode_only) == [SampleKey("ode-heun", 0.0, 4)]
    torch.testing.assert_close(ode_only[SampleKey("ode-heun", 0.0, 4)].x, sets[SampleKey("ode-heun", 0.0, 4)].x)


def test_diverged_training_is_reported_not_fatal(tmp_path):
    """A non-finite training loss leaves a checkpoint marked failed; its evaluation writes a train_failed
    row per eps the run would have been evaluated at (and a sample file with only the run's meta), so the
    sweep and its table still complete, the tables can tell 'failed' from 'n/a', and the figures draw it
    as such."""
    cfg = variant(lambda c: c["train"].update(lr=1e30, steps=30))
    model = tmp_path / "m.pt"
    train_run(stage_spec(cfg, "train", "gmm-pair", "linear-bs", 0), model)
    assert model.exists() and "failed" in model.with_suffix(".json").read_text()
    make_truth(stage_spec(cfg, "truth", "gmm-pair"), tmp_path / "t.npz", tmp_path / "t.json")
    evaluate_run(stage_spec(cfg, "evaluate", "gmm-pair", "linear-bs", 0), model, tmp_path / "t.npz",
                 tmp_path / "t.json", tmp_path / "s.npz", tmp_path / "rows.csv")
    rows = pd.read_csv(tmp_path / "rows.csv")
    assert set(rows["metric"]) == {"train_failed"} and set(rows["method"]) == {"linear-bs"}
    assert sorted(rows["eps"]) == [0.0, 0.5]
    assert np.load(tmp_path / "s.npz").files == ["meta"]
    from sibench.figures.samples import fig_bridge, fig_samples
    inputs = SimpleNamespace(samples=[str(tmp_path / "s.npz")], truth=str(tmp_path / "t.npz"))
    fig_samples(inputs, tmp_path / "samples.png", benchmark="gmm-pair")
    fig_bridge(inputs, tmp_path / "bridge.png", benchmark="sb-gauss-d2-s1", times=(0.5,))
    assert (tmp_path / "samples.png").exists() and (tmp_path / "bridge.png").exists()


def test_runaway_training_is_recorded_as_failed(tmp_path):
    """lr = 10: the loss stays finite but runs away (si.training.TrainingDiverged, a FloatingPointError);
    train_run records it as failed, naming the criterion, and the evaluation writes train_failed."""
    cfg = variant(lambda c: c["train"].update(lr=10.0, steps=60))
    model = tmp_path / "m.pt"
    train_run(stage_spec(cfg, "train", "gmm-pair", "linear-bs", 0), model)
    assert "criterion: runaway loss" in model.with_suffix(".json").read_text()
    make_truth(stage_spec(cfg, "truth", "gmm-pair"), tmp_path / "t.npz", tmp_path / "t.json")
    evaluate_run(stage_spec(cfg, "evaluate", "gmm-pair", "linear-bs", 0), model, tmp_path / "t.npz",
                 tmp_path / "t.json", tmp_path / "s.npz", tmp_path / "rows.csv")
    assert list(pd.read_csv(tmp_path / "rows.csv")["metric"]) == ["train_failed"]


def test_corrupt_checkpoint_is_named_removed_and_retrained(tmp_path):
    """A checkpoint with flipped bytes, or truncated, fails the evaluation with its path in the error; the
    stage removes it and its sidecar, so the workflow's next run trains it again (its output is missing),
    after which the evaluation succeeds."""
    import pytest

    from si.training import CheckpointError
    cfg = variant(lambda c: c["train"].update(steps=20))
    train_spec, eval_spec = stage_spec(cfg, "train", "gmm-pair", "fm-b", 0), stage_spec(cfg, "evaluate", "gmm-pair",
                                                                                         "fm-b", 0)
    model = tmp_path / "m.pt"
    make_truth(stage_spec(cfg, "truth", "gmm-pair"), tmp_path / "t.npz", tmp_path / "t.json")
    outputs = (tmp_path / "t.npz", tmp_path / "t.json", tmp_path / "s.npz", tmp_path / "rows.csv")
    for damage in ("flip", "truncate"):
        train_run(train_spec, model)
        data = bytearray(model.read_bytes())
        if damage == "flip":
            data[len(data) // 2:len(data) // 2 + 4] = b"\xff\xff\xff\xff"
        else:
            data = data[: len(data) - 100]
        model.write_bytes(bytes(data))
        with pytest.raises(CheckpointError, match=f"checkpoint {model}: .*removed it and its sidecar"):
            evaluate_run(eval_spec, model, *outputs)
        assert not model.exists() and not model.with_suffix(".json").exists()
    train_run(train_spec, model)  # what the next run does for the missing checkpoint
    evaluate_run(eval_spec, model, *outputs)
    assert {"w2", "kl", "cross_entropy"} <= set(pd.read_csv(tmp_path / "rows.csv")["metric"])
