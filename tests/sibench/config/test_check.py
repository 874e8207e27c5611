"""sibench.config.check_config: an inconsistent config fails with a ConfigError naming the key (the
workflow's tests run the same cases through Snakemake, tests/workflow/test_config.py)."""
from __future__ import annotations

import pytest

from sibench.config import ConfigError, plan

from ...workflow.tiny import TINY, variant

BAD = {
    "undefined method": (lambda c: c["benchmarks"]["gmm-pair"]["methods"].append("nope-bs"),
                         ["benchmarks.gmm-pair.methods[3]", "nope-bs"]),
    "one-sided path on a two-sided pair": (
        lambda c: (c["methods"].update({"osl-bs": {"path": "one-sided-linear", "objective": "b,s"}}),
                   c["benchmarks"]["gmm-pair"]["methods"].append("osl-bs")),
        ["benchmarks.gmm-pair.methods[3]", "one-sided-linear"]),
    "mirror path on a two-sided pair": (
        lambda c: (c["methods"].update({"mi-bs": {"path": "mirror", "objective": "b,s"}}),
                   c["benchmarks"]["gmm-pair"]["methods"].append("mi-bs")),
        ["benchmarks.gmm-pair.methods[3]", "mirror"]),
    "gamma not allowed for the path": (lambda c: c["methods"]["linear-bs"].update(path="encoding-decoding"),
                                       ["methods.linear-bs", "sinesquared"]),
    "sigma2 on a pair that is not a bridge": (lambda c: c["methods"]["linear-bs"].update(a="sigma2"),
                                              ["methods.linear-bs.a", "sigma2"]),
    "regularisation of a coupling that takes none": (
        lambda c: c["methods"]["linear-bs"].update(coupling_reg=0.5), ["methods.linear-bs.coupling_reg"]),
    "unknown benchmark": (lambda c: c["benchmarks"].update({"gauss-nothing": {"methods": ["linear-bs"]}}),
                          ["benchmarks.gauss-nothing"]),
    "empty training window": (lambda c: c["train"].update(t_min=0.6, t_max=0.4), ["train", "t_min < t_max"]),
    "empty window in a method's sampling override": (
        lambda c: c["methods"]["linear-bs"].update(sampling={"t_min": 0.5, "t_max": 0.4}),
        ["methods.linear-bs.sampling", "t_min < t_max"]),
    "empty window in a benchmark's train override": (
        lambda c: c["benchmarks"]["gmm-pair"].update(train={"t_min": 0.7, "t_max": 0.3}),
        ["benchmarks.gmm-pair.train", "t_min < t_max"]),
    # objectives against gamma (si.objectives.check_objective): {b,s} with gamma zero used to be reported
    # as a diverged training, {v,eta} with gamma zero and {b,eta} on [0, 1] gave infinite SDE results
    "score objective with gamma zero": (
        lambda c: c["methods"]["linear-bs"].update(gamma="zero"),
        ["methods.linear-bs.objective", "'b,s' learns s", "gamma(t) > 0", "'zero'"]),
    "denoiser objective with gamma zero": (
        lambda c: c["methods"]["linear-bs"].update(gamma="zero", objective="v,eta"),
        ["methods.linear-bs.objective", "'v,eta' learns eta", "'zero'"]),
    "denoiser window touching 0": (
        lambda c: c["methods"]["linear-bs"].update(objective="b,eta", sampling={"t_min": 0.0, "t_max": 1.0}),
        ["sampling.t_min/t_max", "methods.linear-bs.sampling", "'b,eta'", "at t = 0"]),
    "denoiser window touching 1 on a one-sided path": (
        lambda c: (c["methods"].update({"osl-beta": {"path": "one-sided-linear", "objective": "b,eta",
                                                     "sampling": {"t_min": 0.0, "t_max": 1.0}}}),
                   c["benchmarks"].update({"gauss-moons": {"methods": ["osl-beta"]}})),
        ["sampling.t_min/t_max", "methods.osl-beta.sampling", "alpha = 0 at t = 1"]),
    "gamma parameter a given as a bool": (lambda c: c["methods"]["linear-bs"].update(a=True),
                                          ["methods.linear-bs", "finite positive number, got True"]),
    "a seed with a fraction": (lambda c: c.update(seeds=[0, 1.5]), ["seeds[1]", "whole number"]),
    "training steps with a fraction": (lambda c: c["train"].update(steps=60.5), ["train", "steps", "60.5"]),
    "ODE steps with a fraction": (lambda c: c["sampling"]["ode"].update(steps=[5, 10.5]),
                                  ["methods.linear-bs.sampling", "ode", "10.5"]),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_invalid_config_names_the_key(case):
    edit, needles = BAD[case]
    with pytest.raises(ConfigError) as err:
        plan(variant(edit))
    for needle in needles:
        assert needle in str(err.value), f"{case}: {needle!r} not in {err.value}"


def test_plan_lists_every_run_in_config_order():
    cfg = variant(lambda c: c.update(seeds=[0, 3]))
    runs = plan(cfg)
    assert [(r.benchmark, r.method, r.seed) for r in runs] == [
        ("gmm-pair", m, s) for m in TINY["benchmarks"]["gmm-pair"]["methods"] for s in (0, 3)]
    assert runs[1].stem == "gmm-pair/linear-bs/seed3"


def test_denoiser_objectives_pass_with_a_window_inside_the_interval():
    """{b,eta} on one-sided paths may start at t = 0 (alpha(0) = 1); on two-sided ones inside (0, 1)."""
    cfg = variant(lambda c: (
        c["methods"].update({"osl-beta": {"path": "one-sided-linear", "objective": "b,eta",
                                          "sampling": {"t_min": 0.0, "t_max": 0.99}},
                             "lin-beta": {"path": "linear", "objective": "v,eta",
                                          "sampling": {"t_min": 0.001, "t_max": 0.99}}}),
        c["benchmarks"]["gmm-pair"]["methods"].append("lin-beta"),
        c["benchmarks"].update({"gauss-moons": {"methods": ["osl-beta"]}})))
    assert len(plan(cfg)) == 5
