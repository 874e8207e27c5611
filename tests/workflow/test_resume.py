"""A run killed midway is completed by running again, without redoing finished jobs."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from .tiny import SNAKEFILE, TINY, variant


# ----------------------------------------------------------------------------------------
# a run killed midway is completed by running again, without redoing finished jobs
# ----------------------------------------------------------------------------------------
def _finished(workdir: Path):
    """Checkpoints of the training jobs that have finished (Snakemake writes a job's benchmark file
    once the job has succeeded)."""
    bench = workdir / "results/tiny/benchmarks/train"
    tsvs = sorted(bench.rglob("*.tsv")) if bench.exists() else []   # one per benchmark x method
    dirs = [workdir / "results/tiny/models" / t.relative_to(bench).with_suffix("") for t in tsvs]
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
           "--configfile", str(cfg), "--cores", "1", "results/tiny/metrics.csv"]
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
    assert 1 <= n_models < 3 and not (tmp_path / "results/tiny/metrics.csv").exists()
    # training does not wait for the truth job, so it may or may not have run before the kill
    truth = tmp_path / "results/tiny/truth/gmm-pair.npz"
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
    df = pd.read_csv(tmp_path / "results/tiny/metrics.csv")
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
