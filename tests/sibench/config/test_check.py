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
