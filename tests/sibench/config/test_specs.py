"""sibench.config specs: built once from the config, frozen, JSON-able, rebuilt exactly by from_dict, and
holding only what their stage reads."""
from __future__ import annotations

import dataclasses
import json

import pytest
import yaml

from sibench.config import plan, stage_spec
from sibench.config.specs import (EvaluateSpec, Integrator, LikelihoodSpec, ModelSpec, SamplingSpec, TrainSettings,
                                  TrainSpec, TruthSpec)

from ...workflow.tiny import ROOT, TINY, variant

CLASSES = {"truth": TruthSpec, "train": TrainSpec, "evaluate": EvaluateSpec}


def _specs(cfg):
    for r in plan(cfg):
        yield stage_spec(cfg, "truth", r.benchmark)
        for stage in ("train", "evaluate"):
            yield stage_spec(cfg, stage, r.benchmark, r.method, r.seed)


@pytest.mark.parametrize("name", ["quick", "default"])
def test_specs_round_trip_through_json(name):
    cfg = yaml.safe_load((ROOT / "config" / f"{name}.yaml").read_text())
    for spec in _specs(cfg):
        d = spec.to_dict()
        assert json.loads(json.dumps(d)) == d  # plain JSON: a rule parameter
        assert type(spec).from_dict(json.loads(json.dumps(d))) == spec


def test_specs_are_frozen():
    for spec in _specs(TINY):
        with pytest.raises(dataclasses.FrozenInstanceError):
            spec.benchmark = "x"
        nested = [v for v in vars(spec).values() if dataclasses.is_dataclass(v)]
        for v in nested:
            with pytest.raises(dataclasses.FrozenInstanceError):
                setattr(v, dataclasses.fields(v)[0].name, None)


def test_stage_specs_only_carry_what_the_stage_reads():
    """Changing an evaluation setting changes the evaluate spec but not the train spec (so the params
    rerun trigger redoes evaluations without retraining); the label is display only."""
    a = TINY
    b = variant(lambda c: (c["sampling"].update(n=300), c["likelihood"].update(n=20), c.update(eps=[0, 1]),
                           c["methods"]["linear-bs"].update(label="renamed")))
    for stage, same in (("train", True), ("evaluate", False)):
        sa = stage_spec(a, stage, "gmm-pair", "linear-bs", 0)
        sb = stage_spec(b, stage, "gmm-pair", "linear-bs", 0)
        assert (sa == sb) is same, stage
    ev = stage_spec(a, "evaluate", "gmm-pair", "fm-b", 0)
    assert ev.eps == (0.0,) and ev.likelihood.eps == ()  # no score: ODE only
    # settings the evaluation does not read: the truth's floor repeats, a disabled likelihood's options,
    # the Hutchinson probes of the exact divergence, the bridge times of a pair that is not a bridge
    c = variant(lambda c: c["evaluation"].update(floor_repeats=9, bridge_times=[0.3]))
    assert stage_spec(c, "evaluate", "gmm-pair", "linear-bs", 0) == stage_spec(a, "evaluate", "gmm-pair", "linear-bs", 0)
    assert stage_spec(c, "truth", "gmm-pair") != stage_spec(a, "truth", "gmm-pair")
    off = [variant(lambda c, n=n: c["likelihood"].update(enabled=False, n=n)) for n in (5, 6)]
    assert stage_spec(off[0], "evaluate", "gmm-pair", "linear-bs", 0).likelihood is None
    assert stage_spec(off[0], "evaluate", "gmm-pair", "linear-bs", 0) == \
        stage_spec(off[1], "evaluate", "gmm-pair", "linear-bs", 0)
    assert stage_spec(a, "evaluate", "gmm-pair", "linear-bs", 0).likelihood.probes is None
    hutch = variant(lambda c: c["likelihood"].update(divergence="hutchinson"))
    assert stage_spec(hutch, "evaluate", "gmm-pair", "linear-bs", 0).likelihood.probes == 1


def test_spec_values_are_resolved():
    cfg = variant(lambda c: (c["methods"].update({"sb-bs": {"path": "linear", "gamma": "brownian", "a": "sigma2",
                                                            "objective": "b,s", "coupling": "entropic"}}),
                             c["benchmarks"].update({"sb-gauss-d2-s0.1": {"methods": ["sb-bs"]}}),
                             c["methods"]["linear-bs"].update(train={"steps": 7}, sampling={"t_min": 0.01})))
    tr = stage_spec(cfg, "train", "sb-gauss-d2-s0.1", "sb-bs", 3)
    assert tr.model == ModelSpec("linear", "brownian", 0.1, "b,s", "entropic", 0.2) and tr.seed == 3
    assert tr.train == TrainSettings(steps=60, batch=128, lr=2e-3, lr_decay=0.5, lr_every=50, hidden=16, depth=2,
                                     antithetic=True, log_every=20)
    ev = stage_spec(cfg, "evaluate", "sb-gauss-d2-s0.1", "sb-bs", 3)
    assert ev.evaluation.bridge_times == (0.5,) and ev.sampling.window == (1e-4, 1 - 1e-4)
    lin = stage_spec(cfg, "evaluate", "gmm-pair", "linear-bs", 0)
    assert lin.sampling.window == (0.01, 1 - 1e-4) and lin.evaluation.bridge_times == ()
    assert stage_spec(cfg, "train", "gmm-pair", "linear-bs", 0).train.steps == 7
    assert lin.sampling.ode == Integrator("heun", (5, 10))


def test_specs_reject_bad_values():
    with pytest.raises(ValueError, match="positive integers"):
        Integrator("heun", (5, 0))
    with pytest.raises(ValueError, match="window"):
        SamplingSpec(10, Integrator("heun", (5,)), Integrator("euler-maruyama", (5,)), (0.5, 0.4))
    with pytest.raises(ValueError, match="eps > 0"):
        LikelihoodSpec(5, "rk4", 5, "exact", None, 5, 2, ("score",), (0.0,))
    with pytest.raises(ValueError, match="probes"):
        LikelihoodSpec(5, "rk4", 5, "hutchinson", None, 5, 2, ("score",), (0.5,))
    with pytest.raises(ValueError, match="unknown key"):
        TruthSpec.from_dict({"benchmark": "gmm-pair", "n": 5, "n_test": 5, "floor_repeats": 1, "extra": 1})
    with pytest.raises(ValueError, match="missing key"):
        TruthSpec.from_dict({"benchmark": "gmm-pair", "n": 5, "n_test": 5})
