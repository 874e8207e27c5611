"""A tiny sweep with the same DAG shape as config/default.yaml (two methods with a score, one without, on
one 2-D pair), and a helper that runs Snakemake on the repository's Snakefile in a temporary folder."""
from __future__ import annotations

import copy
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
SNAKEFILE = ROOT / "Snakefile"

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


def variant(edit) -> dict:
    """A copy of TINY changed by edit(config)."""
    cfg = copy.deepcopy(TINY)
    edit(cfg)
    return cfg


def snakemake(workdir: Path, config: dict, *args, timeout: float = 600, **popen) -> subprocess.CompletedProcess:
    """Snakemake on the repository's Snakefile with `config`, working in workdir (nothing is written into
    the repository)."""
    cfg = workdir / "config.yaml"
    cfg.write_text(yaml.safe_dump(config, sort_keys=False))
    cmd = [sys.executable, "-m", "snakemake", "-s", str(SNAKEFILE), "--directory", str(workdir),
           "--configfile", str(cfg), "--cores", "1", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=workdir, **popen)
