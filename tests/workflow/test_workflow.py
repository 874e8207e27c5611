"""The Snakemake workflow: config validation, the DAG, resumability after a crash, the cluster profile.

Every test runs Snakemake as a subprocess on the repository's Snakefile with its working directory
in a temporary folder (`--directory`), so nothing is written into the repository.
"""
from __future__ import annotations

import copy
import importlib.util
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SNAKEFILE = ROOT / "Snakefile"

# A tiny sweep with the same DAG shape as config/default.yaml: two methods on one 2-D pair.
TINY = {
    "name": "tiny",
    "seeds": [0],
    "eps": [0, 0.5],
    "train": {"steps": 60, "batch": 128, "lr": 2e-3, "lr_decay": 0.5, "lr_every": 50, "hidden": 16,
              "depth": 2, "antithetic": True, "log_every": 20},
    "sampling": {"n": 200, "ode": {"method": "heun", "steps": [5, 10]},
                 "sde": {"method": "euler-maruyama", "steps": [10]}},
    "likelihood": {"enabled": True, "n": 50, "ode_method": "rk4", "ode_steps": 5, "divergence": "exact",
                   "sde_steps": 5, "sde_paths": 2, "sde_estimators": ["score", "feynman-kac"]},
    "evaluation": {"floor_repeats": 1, "bridge_times": [0.5], "field_n": 100},
    "methods": {"linear-bs": {"path": "linear", "gamma": "brownian", "objective": "b,s"},
                "trig-bs": {"path": "trig", "gamma": "brownian", "objective": "b,s"},
                "fm-b": {"path": "linear", "gamma": "zero", "objective": "b"}},
    "benchmarks": {"gmm-pair": {"methods": ["linear-bs", "trig-bs", "fm-b"]}},
}


def snakemake(workdir: Path, config: dict, *args, timeout: float = 600, **popen) -> subprocess.CompletedProcess:
    cfg = workdir / "config.yaml"
    cfg.write_text(yaml.safe_dump(config, sort_keys=False))
    cmd = [sys.executable, "-m", "snakemake", "-s", str(SNAKEFILE), "--directory", str(workdir),
           "--configfile", str(cfg), "--cores", "1", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=workdir, **popen)


def variant(edit) -> dict:
    cfg = copy.deepcopy(TINY)
    edit(cfg)
    return cfg


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
    from sibench.pairs import BENCHMARKS
    schema = yaml.safe_load((ROOT / "config/schema/config.schema.yaml").read_text())
    names = schema["properties"]["benchmarks"]["propertyNames"]["anyOf"][0]["enum"]
    assert set(names) == set(BENCHMARKS)


def test_shipped_configs_are_valid():
    """quick, default and paper pass the schema and the cross-reference checks."""
    import jsonschema
    from sibench import experiment as E
    schema = yaml.safe_load((ROOT / "config/schema/config.schema.yaml").read_text())
    for name in ("quick", "default", "paper"):
        cfg = yaml.safe_load((ROOT / "config" / f"{name}.yaml").read_text())
        jsonschema.Draft202012Validator(schema).validate(cfg)
        assert E.plan(cfg), name


def test_stage_specs_only_carry_what_the_stage_reads():
    """Changing an evaluation setting changes the evaluate spec but not the train spec (so the
    params rerun trigger redoes evaluations without retraining)."""
    from sibench import experiment as E
    a = copy.deepcopy(TINY)
    b = variant(lambda c: (c["sampling"].update(n=300), c["likelihood"].update(n=20), c.update(eps=[0, 1])))
    for stage, same in (("train", True), ("evaluate", False)):
        sa = E.stage_spec(a, stage, "gmm-pair", "linear-bs", 0)
        sb = E.stage_spec(b, stage, "gmm-pair", "linear-bs", 0)
        assert (sa == sb) is same, stage
    assert E.stage_spec(a, "evaluate", "gmm-pair", "fm-b", 0)["eps"] == [0.0]  # no score: ODE only


def test_code_version_tracks_the_stage_code(tmp_path):
    """Editing si/sampling.py changes the evaluate stage's code version (so its jobs re-run) but not
    the train stage's; editing si/training.py changes both (evaluation loads the checkpoints)."""
    import shutil
    for package in ("si", "sibench"):
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    probe = "import sibench.experiment as E; print(E.__file__); print(*(E.code_version(s) for s in E.STAGE_ENTRY))"

    def versions():
        out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                             cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(tmp_path)}).stdout.split("\n")
        assert out[0].startswith(str(tmp_path)), out[0]
        from sibench import experiment as E
        return dict(zip(E.STAGE_ENTRY, out[1].split()))

    before = versions()
    assert len({before[s] for s in ("truth", "train", "evaluate")}) == 3
    with open(tmp_path / "si/sampling.py", "a") as fh:
        fh.write("\n# an edit\n")
    after = versions()
    assert after["evaluate"] != before["evaluate"] and after["train"] == before["train"]
    assert after["truth"] == before["truth"]
    with open(tmp_path / "si/training.py", "a") as fh:
        fh.write("\n# an edit\n")
    last = versions()
    assert last["train"] != after["train"] and last["evaluate"] != after["evaluate"]


# ----------------------------------------------------------------------------------------
# the DAG
# ----------------------------------------------------------------------------------------
def test_default_dry_run_lists_the_jobs(tmp_path):
    t0 = time.time()
    res = subprocess.run([sys.executable, "-m", "snakemake", "-n", "--directory", str(tmp_path),
                          "-s", str(SNAKEFILE), "--configfile", str(ROOT / "config/default.yaml")],
                         capture_output=True, text=True, timeout=120, cwd=ROOT)
    elapsed = time.time() - t0
    assert res.returncode == 0, res.stderr[-3000:]
    for rule in ("truth", "train", "evaluate", "aggregate", "tables", "figure_samples", "figure_bridge"):
        assert f"\n{rule} " in res.stdout, rule
    print(f"default dry run: {elapsed:.1f}s")
    assert elapsed < 30


@pytest.mark.skipif(importlib.util.find_spec("snakemake_executor_plugin_slurm") is None,
                    reason="needs the optional extra: pip install -e '.[slurm]'")
def test_slurm_profile_dry_run(tmp_path):
    res = subprocess.run([sys.executable, "-m", "snakemake", "-n", "--workflow-profile", "profiles/slurm",
                          "--configfile", "config/quick.yaml", "--directory", str(tmp_path)],
                         capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert res.returncode == 0, (res.stdout + res.stderr)[-3000:]
    assert "\ntrain " in res.stdout


# ----------------------------------------------------------------------------------------
# a run killed midway is completed by running again, without redoing finished jobs
# ----------------------------------------------------------------------------------------
def _finished(workdir: Path):
    """Checkpoints of the training jobs that have finished (Snakemake writes a job's benchmark file
    once the job has succeeded)."""
    bench = workdir / "results/benchmarks/train"
    tsvs = sorted(bench.rglob("*.tsv")) if bench.exists() else []   # one per benchmark x method
    dirs = [workdir / "results/models" / t.relative_to(bench).with_suffix("") for t in tsvs]
    return [p for d in dirs for p in sorted(d.glob("seed*.pt"))]


@pytest.mark.slow
@pytest.mark.parametrize("how", ["SIGTERM", "SIGKILL"])
def test_killed_run_resumes_without_redoing_finished_jobs(tmp_path, how):
    """SIGTERM (a user's kill, a scheduler's time limit): Snakemake stops its jobs, removes their
    partial outputs and releases its lock, so running again completes the run. SIGKILL of the whole
    process group (a crash): the lock stays behind and needs `--unlock` once; the killed job's
    outputs are marked incomplete and redone (profiles/default sets rerun-incomplete)."""
    cfg = tmp_path / "config.yaml"
    cfg.write_text(yaml.safe_dump(TINY, sort_keys=False))
    cmd = [sys.executable, "-m", "snakemake", "-s", str(SNAKEFILE), "--directory", str(tmp_path),
           "--configfile", str(cfg), "--cores", "1", "results/metrics.csv"]
    # 1. start, and kill it once a model is finished (others are not)
    proc = subprocess.Popen(cmd, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    deadline = time.time() + 300
    while not _finished(tmp_path) and time.time() < deadline and proc.poll() is None:
        time.sleep(0.05)
    time.sleep(1.0)  # let Snakemake record the finished job
    assert proc.poll() is None, "the run ended before it could be interrupted"
    if how == "SIGTERM":
        proc.send_signal(signal.SIGTERM)
    else:
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=120)
    done = {p: p.stat().st_mtime_ns for p in _finished(tmp_path)}
    n_models = len(done)
    assert 1 <= n_models < 3 and not (tmp_path / "results/metrics.csv").exists()
    # training does not wait for the truth job, so it may or may not have run before the kill
    truth = tmp_path / "results/truth/gmm-pair.npz"
    truth_mtime = truth.stat().st_mtime_ns if truth.exists() else None
    if how == "SIGKILL":
        unlock = subprocess.run(cmd + ["--unlock"], cwd=tmp_path, capture_output=True, text=True)
        assert unlock.returncode == 0, unlock.stderr[-3000:]

    # 2. the dry run plans only what is unfinished
    plan = subprocess.run(cmd + ["-n"], cwd=tmp_path, capture_output=True, text=True)
    assert plan.returncode == 0, plan.stderr[-3000:]
    n_train = plan.stdout.count("\nrule train:") + plan.stdout.count("\nlocalrule train:")
    assert n_train == 3 - n_models, plan.stdout[-3000:]
    if "\nrule truth:" not in plan.stdout:  # a finished truth job is not planned again ...
        assert truth_mtime is not None
        done[truth] = truth_mtime        # ... and must stay untouched below

    # 3. run again: completes, and the finished outputs are untouched
    res = subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr[-3000:]
    for p, mtime in done.items():
        assert p.stat().st_mtime_ns == mtime, f"{p} was redone"

    # 4. the table is complete: every run, every eps, W2 with its floor, likelihoods
    import pandas as pd
    df = pd.read_csv(tmp_path / "results/metrics.csv")
    assert set(df["method"]) == {"linear-bs", "trig-bs", "fm-b"}
    w2 = df[df["metric"] == "w2"]
    assert w2["value"].notna().all() and w2["floor"].notna().all()
    assert set(w2.loc[w2["method"] == "linear-bs", "eps"]) == {0.0, 0.5}
    assert set(w2.loc[w2["method"] == "fm-b", "eps"]) == {0.0}
    assert {"kl", "cross_entropy", "field_rel_mse_b"} <= set(df["metric"])
    assert not list(tmp_path.rglob("*.tmp*")), "temporary files left behind"

    # 5. nothing left to do; an evaluation setting re-runs evaluations but not training
    again = subprocess.run(cmd + ["-n"], cwd=tmp_path, capture_output=True, text=True)
    assert "Nothing to be done" in again.stdout + again.stderr
    cfg.write_text(yaml.safe_dump(variant(lambda c: c["sampling"].update(n=150)), sort_keys=False))
    changed = subprocess.run(cmd + ["-n"], cwd=tmp_path, capture_output=True, text=True)
    assert "rule evaluate:" in changed.stdout and "rule train:" not in changed.stdout


# ----------------------------------------------------------------------------------------
# the whole DAG on a tiny sweep, and the HTML report
# ----------------------------------------------------------------------------------------
@pytest.mark.slow
def test_tiny_sweep_builds_every_table_figure_and_the_report(tmp_path):
    """All targets of a tiny sweep covering a two-sided pair, a one-sided pair (support fraction)
    and a bridge pair (bridge tables and figure), then `snakemake --report`."""
    cfg = variant(lambda c: (
        c.update(seeds=[0, 1]),   # one job per benchmark x method trains and evaluates both seeds
        c["methods"].update({"osl-bs": {"path": "one-sided-linear", "objective": "b,s"},
                             "sb-bs": {"path": "linear", "gamma": "brownian", "a": "sigma2", "objective": "b,s",
                                       "coupling": "entropic", "train": {"batch": 64}}}),
        c["benchmarks"].update({"gauss-checkerboard": {"methods": ["osl-bs"]},
                                "sb-gauss-d2-s1": {"methods": ["sb-bs", "linear-bs"]}}),
        c["benchmarks"]["gmm-pair"].update(methods=["linear-bs", "fm-b"])))
    res = snakemake(tmp_path, cfg, timeout=900)
    assert res.returncode == 0, res.stderr[-4000:]
    figures = sorted((tmp_path / "report/figures").glob("*.png"))
    tables = sorted((tmp_path / "report/tables").glob("*.*"))
    names = {p.name for p in figures}
    assert {"metric_vs_eps.png", "w2_vs_nfe.png", "training_curves.png", "compute.png",
            "bridge_sb-gauss-d2-s1.png"} <= names
    assert {f"samples_{b}.png" for b in ("gmm-pair", "gauss-checkerboard", "sb-gauss-d2-s1")} <= names
    assert len(tables) == 9  # md, tex, html per benchmark
    md = (tmp_path / "report/tables/sb-gauss-d2-s1.md").read_text()
    assert "Coupling W2" in md and "Bures-W2 of the marginal at t = 0.5" in md and "**" in md
    assert "support" in (tmp_path / "report/tables/gauss-checkerboard.md").read_text()
    tex = (tmp_path / "report/tables/gmm-pair.tex").read_text()
    assert r"\begin{tabular}" in tex and r"\textbf{" in tex
    bench = (tmp_path / "results/benchmarks.csv").read_text()
    assert "train" in bench and "max_rss" in bench
    import pandas as pd
    df = pd.read_csv(tmp_path / "results/metrics.csv")
    assert set(df["seed"]) == {0, 1}
    assert len(list((tmp_path / "results/models").rglob("seed*.pt"))) == 2 * 5  # 5 benchmark x method

    rep = snakemake(tmp_path, cfg, "--report", "report/report.html", timeout=300)
    assert rep.returncode == 0, rep.stderr[-4000:]
    html = (tmp_path / "report/report.html").read_text(errors="replace")
    for p in figures + tables + [tmp_path / "report/summary.md", tmp_path / "results/metrics.csv"]:
        assert p.name in html, f"{p.name} missing from the report"


def test_default_config_covers_the_reproduction():
    """config/default.yaml: every path on every pair it applies to (two-sided paths on pairs with
    rho0 != rho1, one-sided ones where rho0 = N(0, I), mirror where rho0 = rho1), every objective with
    at least two interpolants, the baselines, eps {0, 0.1, 0.5, 1, 2}, 3 seeds, bridge pairs in d = 2
    and 16 and a mixture in d >= 16."""
    from sibench import experiment as E
    from sibench.pairs import get_benchmark
    from si.interpolants import PATHS
    cfg = yaml.safe_load((ROOT / "config/default.yaml").read_text())
    assert cfg["seeds"] == [0, 1, 2] and cfg["eps"] == [0, 0.1, 0.5, 1, 2]
    runs = E.plan(cfg)
    specs = {(r.benchmark, r.method): E.stage_spec(cfg, "train", r.benchmark, r.method, r.seed) for r in runs}
    by_pair = {}
    for (b, _), s in specs.items():
        by_pair.setdefault(b, set()).add(s["path"])
    for b, paths in by_pair.items():
        pair = get_benchmark(b)
        expected = {p for p, info in PATHS.items()
                    if (info.mirror and pair.mirror) or (info.one_sided and pair.latent == "rho0")
                    or (not info.mirror and not info.one_sided and not pair.mirror)}
        assert expected <= paths, (b, expected - paths)
    interps = {}
    for s in specs.values():
        interps.setdefault(s["objective"], set()).add((s["path"], s["gamma"]))
    assert set(interps) == {"b,s", "v,s", "b,eta", "v,eta", "b"}
    assert all(len(v) >= 2 for v in interps.values()), interps
    coupled = {(s["path"], s["gamma"], s["objective"], s["coupling"]) for s in specs.values()}
    assert ("linear", "zero", "b", "independent") in coupled and ("linear", "zero", "b", "ot") in coupled
    assert any(c[3] == "entropic" and c[0] == "linear" and c[1] == "brownian" for c in coupled)
    names = set(by_pair)
    assert {"sb-gauss-d2-s1", "sb-gauss-d16-s1", "sb-mixture-d2-s1", "sb-mixture-d16-s1"} <= names
    assert any(get_benchmark(b).mirror for b in names)
    assert any(b.startswith("hd-mixture-d") and get_benchmark(b).dim >= 16 for b in names)
    assert {b for b in names if get_benchmark(b).dim == 2 and "sb" not in get_benchmark(b).tags} >= {
        "gauss-8gaussians", "gauss-checkerboard", "gauss-moons", "gmm-pair", "gmm3-checkerboard"}


def test_diverged_training_is_reported_not_fatal(tmp_path):
    """A non-finite training loss leaves a checkpoint marked failed; its evaluation writes one
    train_failed row (and an empty sample file), so the sweep and its table still complete."""
    import pandas as pd
    from sibench import experiment as E
    cfg = variant(lambda c: c["train"].update(lr=1e30, steps=30))
    model = tmp_path / "m.pt"
    E.train_run(E.stage_spec(cfg, "train", "gmm-pair", "linear-bs", 0), model)
    assert model.exists() and "failed" in model.with_suffix(".json").read_text()
    E.make_truth(E.stage_spec(cfg, "truth", "gmm-pair"), tmp_path / "t.npz", tmp_path / "t.json")
    E.evaluate_run(E.stage_spec(cfg, "evaluate", "gmm-pair", "linear-bs", 0), model, tmp_path / "t.npz",
                   tmp_path / "t.json", tmp_path / "s.npz", tmp_path / "rows.csv")
    rows = pd.read_csv(tmp_path / "rows.csv")
    assert list(rows["metric"]) == ["train_failed"] and rows["method"].iloc[0] == "linear-bs"
    # the figures draw a diverged run's (empty) sample file as such instead of failing on it
    from types import SimpleNamespace
    from si import plotting
    inputs = SimpleNamespace(samples=[str(tmp_path / "s.npz")], truth=str(tmp_path / "t.npz"))
    plotting.fig_samples(inputs, tmp_path / "samples.png", benchmark="gmm-pair")
    plotting.fig_bridge(inputs, tmp_path / "bridge.png", benchmark="sb-gauss-d2-s1", times=(0.5,))
    assert (tmp_path / "samples.png").exists() and (tmp_path / "bridge.png").exists()
