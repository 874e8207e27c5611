"""The workflow's configs: an invalid config stops the run before any job, naming the key; the shipped
configs pass the schema and the cross-reference checks; the default config covers the reproduction."""
from __future__ import annotations

import subprocess
import sys

import pytest
import yaml

from sibench.config import ConfigError, checked_config, plan, train_spec
from sibench.pairs import BENCHMARKS, get_benchmark
from si.interpolants import PATHS

from .tiny import ROOT, SNAKEFILE, TINY, snakemake, variant

SCHEMA = ROOT / "config/schema/config.schema.yaml"


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
    # each of these used to pass and crash a job, or give infinite results, or fail without naming a key
    "NaN eps": (lambda c: c.update(eps=[0, float("nan")]), ["eps[1]", "finite"]),
    "integer with a fraction": (lambda c: c["train"].update(steps=60.5), ["60.5", "integer"]),
    "objective that needs a nonzero gamma": (lambda c: c["methods"]["linear-bs"].update(gamma="zero"),
                                             ["methods.linear-bs.objective", "gamma"]),
    "denoiser window touching the ends": (
        lambda c: c["methods"]["linear-bs"].update(objective="b,eta", sampling={"t_min": 0.0, "t_max": 1.0}),
        ["methods.linear-bs.sampling", "at t = 0"]),
    "sample count above the bound": (lambda c: c["sampling"].update(n=10 ** 9), ["sampling", "maximum of 10000"]),
    "benchmark dimension above the bound": (
        lambda c: c["benchmarks"].update({"hd-mixture-d100000": {"methods": ["linear-bs"]}}),
        ["benchmarks.hd-mixture-d100000", "upper bound 1024"]),
    "device the machine does not have": (lambda c: c.update(device="cuda:99"), ["device", "'cuda:99'"]),
    "method name ending in a newline": (
        lambda c: (c["methods"].update({"lin\n": {"path": "linear", "objective": "b,s"}}),
                   c["benchmarks"]["gmm-pair"]["methods"].append("lin\n")),
        ["methods", "does not match"]),
}


@pytest.mark.parametrize("case", sorted(BAD_CONFIGS))
def test_invalid_config_names_the_key(case):
    """sibench.config.checked_config, the check the workflow runs before any job (common.smk)."""
    edit, needles = BAD_CONFIGS[case]
    with pytest.raises(ConfigError) as e:
        checked_config(variant(edit), SCHEMA)
    for needle in needles:
        assert needle in str(e.value), f"{case}: {needle!r} not in the error:\n{str(e.value)[-3000:]}"


# one case of each kind of check through Snakemake itself (11 s each): schema, bound, cross-reference
@pytest.mark.parametrize("case", ["unknown top-level key", "NaN eps", "benchmark dimension above the bound",
                                  "objective that needs a nonzero gamma"])
def test_snakemake_stops_on_an_invalid_config_before_any_job(tmp_path, case):
    edit, needles = BAD_CONFIGS[case]
    res = snakemake(tmp_path, variant(edit), "-n")
    out = res.stdout + res.stderr
    assert res.returncode != 0, out
    for needle in ["invalid configuration"] + needles:
        assert needle in out, f"{case}: {needle!r} not in the error:\n{out[-3000:]}"
    assert not (tmp_path / "results").exists(), "no job may start on an invalid config"


def test_the_shipped_configs_pass_the_workflow_check():
    for name in ("quick", "default", "paper"):
        cfg = yaml.safe_load((ROOT / f"config/{name}.yaml").read_text())
        checked, runs = checked_config(cfg, SCHEMA, [ROOT / f"config/{name}.yaml"])
        assert runs and checked["name"] == name


def test_a_duplicate_key_stops_the_run_naming_file_and_line(tmp_path):
    """Snakemake keeps the last of a repeated key (train.steps 6000 here) without a word."""
    text = yaml.safe_dump(TINY, sort_keys=False).replace("  steps: 60\n", "  steps: 60\n  steps: 6000\n", 1)
    cfg = tmp_path / "config.yaml"
    cfg.write_text(text)
    res = subprocess.run([sys.executable, "-m", "snakemake", "-s", str(SNAKEFILE), "--directory", str(tmp_path),
                          "--configfile", str(cfg), "--cores", "1", "-n"], capture_output=True, text=True,
                         timeout=600, cwd=tmp_path)
    out = res.stdout + res.stderr
    line = text.splitlines().index("  steps: 6000") + 1
    assert res.returncode != 0 and f"config.yaml, line {line}: key 'steps' is given twice" in out, out[-3000:]


def test_integral_floats_are_used_as_ints_by_the_jobs(tmp_path):
    """steps: 60.0 passes the schema (an integer in JSON Schema) and used to crash the train job with a
    TypeError; the workflow converts it, so the job trains (fm-b: one train job, a few seconds)."""
    cfg = variant(lambda c: (c["train"].update(steps=60.0, log_every=20.0),
                             c["sampling"]["ode"].update(steps=[5.0, 10.0]),
                             c.update(resources={"train": {"threads": 1.0}})))
    res = snakemake(tmp_path, cfg, "results/tiny/models/gmm-pair/fm-b/seed0.pt")
    assert res.returncode == 0, (res.stdout + res.stderr)[-3000:]
    assert (tmp_path / "results/tiny/models/gmm-pair/fm-b/seed0.pt").stat().st_size > 0


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
    at least two interpolants, the baselines, eps {0, 0.1, 0.5, 1, 2}, 5 seeds (the tables test over
    seeds), bridge pairs in d = 2 and 16 and a mixture in d >= 16."""
    cfg = yaml.safe_load((ROOT / "config/default.yaml").read_text())
    assert cfg["seeds"] == [0, 1, 2, 3, 4] and cfg["eps"] == [0, 0.1, 0.5, 1, 2]
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
