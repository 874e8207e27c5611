"""The workflow's configs: an invalid config stops the run before any job, naming the key; the shipped
configs pass the schema and the cross-reference checks; the default config covers the reproduction."""
from __future__ import annotations

import pytest
import yaml

from sibench.config import plan, train_spec
from sibench.pairs import BENCHMARKS, get_benchmark
from si.interpolants import PATHS

from .tiny import ROOT, snakemake, variant


# ----------------------------------------------------------------------------------------
# invalid configs stop the run before any job, naming the key
# ----------------------------------------------------------------------------------------
BAD_CONFIGS = {
    "unknown interpolant": (lambda c: c["methods"]["linear-bs"].update(path="quadratic"), ["quadratic", "path"]),
    "unknown objective": (lambda c: c["methods"]["trig-bs"].update(objective="b,q"), ["b,q", "objective"]),
    "unknown benchmark": (lambda c: c["benchmarks"].update({"gauss-nothing": {"methods": ["linear-bs"]}}),
                          ["gauss-nothing"]),
    "unknown top-level key": (lambda c: c.update(trainning={"steps": 1}), ["trainning"]),
    "unknown nested key": (lambda c: c["train"].update(stepz=10), ["stepz", "train"]),
    "negative eps": (lambda c: c.update(eps=[0, -0.5]), ["-0.5", "eps"]),
    "missing field": (lambda c: c.pop("sampling"), ["sampling"]),
    "missing nested field": (lambda c: c["train"].pop("batch"), ["batch"]),
    "undefined method": (lambda c: c["benchmarks"]["gmm-pair"]["methods"].append("nope-bs"),
                         ["benchmarks.gmm-pair.methods[3]", "nope-bs"]),
    "one-sided path on a two-sided pair": (
        lambda c: (c["methods"].update({"osl-bs": {"path": "one-sided-linear", "objective": "b,s"}}),
                   c["benchmarks"]["gmm-pair"]["methods"].append("osl-bs")),
        ["benchmarks.gmm-pair.methods[3]", "one-sided-linear"]),
    "gamma not allowed for the path": (lambda c: c["methods"]["linear-bs"].update(path="encoding-decoding"),
                                       ["methods.linear-bs", "sinesquared"]),
    "empty training window": (lambda c: c["train"].update(t_min=0.6, t_max=0.4), ["train", "t_min < t_max"]),
    "empty window in a method's sampling override": (
        lambda c: c["methods"]["linear-bs"].update(sampling={"t_min": 0.5, "t_max": 0.4}),
        ["methods.linear-bs.sampling", "t_min < t_max"]),
    "empty window in a method's train override": (
        lambda c: c["methods"]["linear-bs"].update(train={"t_min": 0.7, "t_max": 0.3}),
        ["methods.linear-bs.train", "t_min < t_max"]),
}


@pytest.mark.parametrize("case", sorted(BAD_CONFIGS))
def test_invalid_config_names_the_key(tmp_path, case):
    edit, needles = BAD_CONFIGS[case]
    res = snakemake(tmp_path, variant(edit), "-n")
    out = res.stdout + res.stderr
    assert res.returncode != 0, out
    for needle in needles:
        assert needle in out, f"{case}: {needle!r} not in the error:\n{out[-3000:]}"
    assert not (tmp_path / "results").exists(), "no job may start on an invalid config"


def test_schema_lists_every_registered_benchmark():
    schema = yaml.safe_load((ROOT / "config/schema/config.schema.yaml").read_text())
    names = schema["properties"]["benchmarks"]["propertyNames"]["anyOf"][0]["enum"]
    assert set(names) == set(BENCHMARKS)


def test_shipped_configs_are_valid():
    """quick, default and paper pass the schema and the cross-reference checks."""
    import jsonschema
    schema = yaml.safe_load((ROOT / "config/schema/config.schema.yaml").read_text())
    for name in ("quick", "default", "paper"):
        cfg = yaml.safe_load((ROOT / "config" / f"{name}.yaml").read_text())
        jsonschema.Draft202012Validator(schema).validate(cfg)
        assert plan(cfg), name



def test_default_config_covers_the_reproduction():
    """config/default.yaml: every path on every pair it applies to (two-sided paths on pairs with
    rho0 != rho1, one-sided ones where rho0 = N(0, I), mirror where rho0 = rho1), every objective with
    at least two interpolants, the baselines, eps {0, 0.1, 0.5, 1, 2}, 3 seeds, bridge pairs in d = 2
    and 16 and a mixture in d >= 16."""
    cfg = yaml.safe_load((ROOT / "config/default.yaml").read_text())
    assert cfg["seeds"] == [0, 1, 2] and cfg["eps"] == [0, 0.1, 0.5, 1, 2]
    runs = plan(cfg)
    specs = {(r.benchmark, r.method): train_spec(cfg, r.benchmark, r.method, r.seed).model for r in runs}
    by_pair = {}
    for (b, _), s in specs.items():
        by_pair.setdefault(b, set()).add(s.path)
    for b, paths in by_pair.items():
        pair = get_benchmark(b)
        expected = {p for p, info in PATHS.items()
                    if (info.mirror and pair.mirror) or (info.one_sided and pair.latent == "rho0")
                    or (not info.mirror and not info.one_sided and not pair.mirror)}
        assert expected <= paths, (b, expected - paths)
    interps = {}
    for s in specs.values():
        interps.setdefault(s.objective, set()).add((s.path, s.gamma))
    assert set(interps) == {"b,s", "v,s", "b,eta", "v,eta", "b"}
    assert all(len(v) >= 2 for v in interps.values()), interps
    coupled = {(s.path, s.gamma, s.objective, s.coupling) for s in specs.values()}
    assert ("linear", "zero", "b", "independent") in coupled and ("linear", "zero", "b", "ot") in coupled
    assert any(c[3] == "entropic" and c[0] == "linear" and c[1] == "brownian" for c in coupled)
    names = set(by_pair)
    assert {"sb-gauss-d2-s1", "sb-gauss-d16-s1", "sb-mixture-d2-s1", "sb-mixture-d16-s1"} <= names
    assert any(get_benchmark(b).mirror for b in names)
    assert any(b.startswith("hd-mixture-d") and get_benchmark(b).dim >= 16 for b in names)
    assert {b for b in names if get_benchmark(b).dim == 2 and "sb" not in get_benchmark(b).tags} >= {
        "gauss-8gaussians", "gauss-checkerboard", "gauss-moons", "gmm-pair", "gmm3-checkerboard"}
