"""sibench.config.numbers and the checks built on it: every number finite, whole numbers as ints (an
integral float such as 100.0 is accepted and converted, everywhere the schema says integer), and the upper
bounds on sample counts and dimensions, each error naming its key."""
from __future__ import annotations

import json
import math
import re

import pytest
import yaml

from sibench.config import MAX_DIM, MAX_POINTS, MAX_SAMPLES, ConfigError, plan, stage_spec, whole_numbers
from sibench.config.numbers import check_finite, key_path, whole

from ...workflow.tiny import ROOT, TINY, variant

SCHEMA = yaml.safe_load((ROOT / "config/schema/config.schema.yaml").read_text())


def test_key_path():
    assert key_path(("sampling", "ode", "steps", 0)) == "sampling.ode.steps[0]"
    assert key_path(("eps", 1)) == "eps[1]" and key_path(()) == "<config>"


@pytest.mark.parametrize("edit,key", [
    (lambda c: c.update(eps=[0, float("nan")]), "eps[1]"),
    (lambda c: c.update(eps=[float("inf"), 0.5]), "eps[0]"),
    (lambda c: c["train"].update(lr=float("nan")), "train.lr"),
    (lambda c: c["methods"]["linear-bs"].update(sampling={"t_max": float("nan")}), "methods.linear-bs.sampling.t_max"),
    (lambda c: c["evaluation"].update(bridge_times=[0.5, -float("inf")]), "evaluation.bridge_times[1]"),
    (lambda c: c["benchmarks"]["gmm-pair"].update(eps=[0, float("nan")]), "benchmarks.gmm-pair.eps[1]"),
], ids=["eps nan", "eps inf", "lr", "window override", "bridge times", "benchmark eps"])
def test_non_finite_numbers_are_refused_naming_the_key(edit, key):
    """eps: [0, .nan] used to pass the schema and the config check (NaN passes every JSON-Schema bound),
    train a model, then crash the evaluate job."""
    with pytest.raises(ConfigError, match="^" + re.escape(key) + ": every number must be finite"):
        plan(variant(edit))


def test_check_finite_counts_the_others():
    with pytest.raises(ConfigError, match=r"eps\[1\]: .* got nan \(and 1 more: train.lr\)"):
        check_finite(variant(lambda c: (c.update(eps=[0, float("nan")]), c["train"].update(lr=math.inf))))


def test_whole():
    assert whole(100.0, "k") == 100 and type(whole(100.0, "k")) is int and whole(7, "k") == 7
    for bad in (100.5, True, "100", None, math.nan):
        with pytest.raises(ConfigError, match="^k: must be a whole number"):
            whole(bad, "k")
    with pytest.raises(ConfigError, match="^k: must be <= 5"):
        whole(6.0, "k", maximum=5)


def test_whole_numbers_converts_every_integer_field_of_the_schema():
    """The rule: an integral float where the schema says integer is that int, in every section."""
    cfg = variant(lambda c: (
        c.update(seeds=[0.0, 3.0], resources={"train": {"threads": 2.0, "mem_mb": 4000.0}},
                 paper_figures={"likelihood": {"dims": [4.0], "method": {"path": "linear", "objective": "v,s"},
                                               "short_steps": 50.0, "eps": [1.0], "sde": {"fk_paths": 4.0}}}),
        c["train"].update(steps=60.0, batch=128.0),
        c["sampling"].update(n=200.0), c["sampling"]["ode"].update(steps=[5.0, 10]),
        c["likelihood"].update(ode_steps=5.0, sde_paths=2.0), c["evaluation"].update(field_n=0.0),
        c["methods"]["linear-bs"].update(train={"hidden": 16.0}, sampling={"n": 100.0}),
        c["benchmarks"]["gmm-pair"].update(likelihood={"probes": 2.0})))
    out = whole_numbers(cfg, SCHEMA)
    ints = [out["seeds"], [out["resources"]["train"]["threads"], out["resources"]["train"]["mem_mb"]],
            out["paper_figures"]["likelihood"]["dims"], [out["paper_figures"]["likelihood"]["short_steps"]],
            [out["paper_figures"]["likelihood"]["sde"]["fk_paths"]],
            [out["train"]["steps"], out["train"]["batch"], out["sampling"]["n"], out["likelihood"]["ode_steps"],
             out["likelihood"]["sde_paths"], out["evaluation"]["field_n"]], out["sampling"]["ode"]["steps"],
            [out["methods"]["linear-bs"]["train"]["hidden"], out["methods"]["linear-bs"]["sampling"]["n"],
             out["benchmarks"]["gmm-pair"]["likelihood"]["probes"]]]
    for group in ints:
        assert all(type(v) is int for v in group), group
    assert out["seeds"] == [0, 3] and out["sampling"]["ode"]["steps"] == [5, 10]
    # numbers stay numbers: a float where the schema says number is left alone
    assert type(out["train"]["lr"]) is float and out["paper_figures"]["likelihood"]["eps"] == [1.0]
    assert type(out["paper_figures"]["likelihood"]["eps"][0]) is float
    assert cfg["train"]["steps"] == 60.0 and type(cfg["train"]["steps"]) is float  # a copy: cfg unchanged


def test_whole_numbers_refuses_a_fraction_naming_the_key():
    with pytest.raises(ConfigError, match=r"^sampling.ode.steps\[1\]: must be a whole number, got 10.5"):
        whole_numbers(variant(lambda c: c["sampling"]["ode"].update(steps=[5, 10.5])), SCHEMA)


@pytest.mark.parametrize("name", ["quick", "default", "paper"])
def test_whole_numbers_leaves_the_shipped_configs_as_they_are(name):
    cfg = yaml.safe_load((ROOT / "config" / f"{name}.yaml").read_text())
    out = whole_numbers(cfg, SCHEMA)
    assert json.dumps(out, sort_keys=True) == json.dumps(cfg, sort_keys=True)  # same values and types


def test_specs_hold_ints_for_integral_floats():
    """steps: 60.0 used to reach si.training as a float and crash the train job with a TypeError
    ('float' object cannot be interpreted as an integer); the specs convert it, whatever built the config."""
    cfg = variant(lambda c: (c["train"].update(steps=60.0, hidden=16.0), c["sampling"].update(n=200.0),
                             c["sampling"]["ode"].update(steps=[5.0]), c["likelihood"].update(ode_steps=5.0,
                             sde_steps=5.0, sde_paths=2.0, n=50.0, divergence="hutchinson", probes=2.0),
                             c["evaluation"].update(field_n=100.0, floor_repeats=1.0)))
    plan(cfg)
    tr = stage_spec(cfg, "train", "gmm-pair", "linear-bs", 0)
    ev = stage_spec(cfg, "evaluate", "gmm-pair", "linear-bs", 0)
    truth = stage_spec(cfg, "truth", "gmm-pair")
    lk = ev.likelihood
    values = [tr.train.steps, tr.train.hidden, ev.sampling.n, *ev.sampling.ode.steps, lk.n, lk.ode_steps,
              lk.sde_steps, lk.sde_paths, lk.probes, ev.evaluation.field_n, truth.n, truth.n_test, truth.floor_repeats]
    assert all(type(v) is int for v in values), values
    assert tr == stage_spec(TINY, "train", "gmm-pair", "linear-bs", 0)  # the same job as steps: 60


@pytest.mark.parametrize("edit,needles", [
    (lambda c: c["sampling"].update(n=MAX_SAMPLES + 1),
     ["sampling.n (merged from sampling, benchmarks.gmm-pair.sampling", f"above the upper bound {MAX_SAMPLES}", "W2"]),
    (lambda c: c["methods"]["linear-bs"].update(sampling={"n": 10 ** 9}),
     ["sampling.n (merged from sampling, benchmarks.gmm-pair.sampling, methods.linear-bs.sampling)", "1000000000"]),
    (lambda c: c["likelihood"].update(n=MAX_POINTS + 1), ["likelihood.n", f"upper bound {MAX_POINTS}"]),
    (lambda c: c["evaluation"].update(field_n=MAX_POINTS + 1), ["evaluation.field_n", f"upper bound {MAX_POINTS}"]),
    (lambda c: c["train"].update(batch=MAX_POINTS + 1), ["train.batch", f"upper bound {MAX_POINTS}"]),
    (lambda c: c["benchmarks"].update({"hd-mixture-d100000": {"methods": ["linear-bs"]}}),
     ["benchmarks.hd-mixture-d100000", f"upper bound {MAX_DIM}"]),
], ids=["sampling.n", "method sampling.n", "likelihood.n", "field_n", "batch", "hd-mixture d"])
def test_sizes_above_the_bounds_are_refused_naming_the_key(edit, needles):
    """n: 1e9 used to be accepted and fail in the truth job on memory; hd-mixture-d100000 crashed while
    the DAG was built, with a raw allocation error (80 GB) naming no key: it is refused by its name."""
    with pytest.raises(ConfigError) as err:
        plan(variant(edit))
    for needle in needles:
        assert needle in str(err.value), (needle, str(err.value))


def test_the_schema_states_the_same_bounds():
    d = SCHEMA["$defs"]
    assert d["sampling"]["properties"]["n"]["maximum"] == d["sampling_override"]["properties"]["n"]["maximum"] \
        == MAX_SAMPLES
    assert d["likelihood_fields"]["n"]["maximum"] == d["evaluation"]["properties"]["field_n"]["maximum"] \
        == d["train_fields"]["batch"]["maximum"] == MAX_POINTS
    fig = d["paper_figures"]["properties"]
    assert fig["likelihood"]["properties"]["dims"]["items"]["maximum"] == MAX_DIM
    assert all(fig[f]["properties"]["n"]["maximum"] == MAX_POINTS
               for f in ("density", "trajectories", "checkerboard", "likelihood", "bridge"))
    assert f"MAX_DIM = {MAX_DIM}" in SCHEMA["description"] and f"MAX_SAMPLES = {MAX_SAMPLES}" in SCHEMA["description"]
