"""profiles/slurm against the workflow, without a cluster: which jobs ask for a GPU, which run on the
submit host, which are packed into group jobs, and where the plugin sends them (docs/slurm.md).

The run on a real SLURM is .ci/slurm/ci.sh (the quick config, metrics.csv identical to a local run).
Dry runs write into a temporary folder (`--directory`), nothing into the repository.
"""
from __future__ import annotations

import importlib.util
import logging
import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
PROFILE = yaml.safe_load((ROOT / "profiles/slurm/config.yaml").read_text())
GROUPED = set(PROFILE["groups"])
# rules that only read tables and draw: they must run on the submit host, never as SLURM jobs
DRAWING = re.compile(r"^(aggregate|job_benchmarks|tables|summary_table|figure_\w+)$")

pytestmark = pytest.mark.skipif(importlib.util.find_spec("snakemake_executor_plugin_slurm") is None,
                                reason="needs the optional extra: pip install -e '.[slurm]'")


def snakemake(*args, workdir: Path) -> str:
    res = subprocess.run([sys.executable, "-m", "snakemake", "--directory", str(workdir), *args],
                         capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert res.returncode == 0, (res.stdout + res.stderr)[-3000:]
    return res.stdout + res.stderr


def local_rules() -> set[str]:
    """The names in the Snakefile's `localrules:` block."""
    lines = (ROOT / "Snakefile").read_text().splitlines()
    start = lines.index("localrules:")
    names = []
    for line in lines[start + 1:]:
        if not line.startswith("    "):
            break
        names += [n.strip() for n in line.split(",") if n.strip()]
    return set(names)


def planned_jobs(out: str):
    """(rule, resources, grouped) for every job of a dry run, grouped = listed inside a group job."""
    jobs, rule, grouped = [], None, False
    for line in out.splitlines():
        m = re.match(r"^(\s*)(?:local)?rule (\w+):$", line)
        if m:
            rule, grouped = m.group(2), bool(m.group(1))
        elif rule and line.strip().startswith("resources:"):
            items = (kv.split("=", 1) for kv in line.split(":", 1)[1].split(","))
            jobs.append((rule, {k.strip(): v.strip() for k, v in items}, grouped))
            rule = None
    return jobs


def test_profile_and_localrules_name_existing_rules(tmp_path):
    out = snakemake("--configfile", "config/quick.yaml", "--list-rules", workdir=tmp_path)
    rules = {line.split()[0] for line in out.splitlines() if line and not line[0].isspace()
             and not line.startswith(("Using", "Building"))}
    named = GROUPED | set(PROFILE["set-resources"]) | local_rules()
    assert named <= rules, f"unknown rules: {named - rules}"
    assert not GROUPED & local_rules(), "a grouped rule cannot be a local rule"
    drawing = {r for r in rules if DRAWING.match(r)}
    assert drawing and drawing <= local_rules(), f"not local: {drawing - local_rules()}"
    # every grouped rule takes the group's one slot (else a group would ask for the sum of its members)
    assert {r for r, res in PROFILE["set-resources"].items() if res.get("slot") == 1} == GROUPED
    assert PROFILE["resources"]["slot"] == 1 and PROFILE["set-resource-scopes"]["slot"] == "local"


@pytest.mark.parametrize("configfile, gpu_rules", [
    ("config/quick.yaml", set()),                                   # resources: none -> no GPU anywhere
    ("config/paper.yaml", {"train", "evaluate", "paper_train", "sec7_train"}),  # resources: train/evaluate gpu 1
])
def test_gpu_only_where_the_config_asks_and_model_jobs_grouped(tmp_path, configfile, gpu_rules):
    out = snakemake("-n", "--workflow-profile", "profiles/slurm", "--configfile", configfile, workdir=tmp_path)
    jobs = planned_jobs(out)
    assert jobs
    with_gpu = {rule for rule, res, _ in jobs if int(res.get("gpu", 0)) > 0}
    assert with_gpu == gpu_rules
    for rule, _, grouped in jobs:
        assert grouped == (rule in GROUPED), rule
    n_groups = out.count("Group job models")
    n_chains = sum(rule == "train" for rule, _, _ in jobs)
    # up to group-components chains per group job (a paper_train chain may add one)
    assert 0 < n_groups < n_chains, (n_groups, n_chains)


def test_plugin_sends_gpu_jobs_to_the_gpu_partition_only():
    from snakemake_executor_plugin_slurm.partitions import get_best_partition, read_partition_file

    partitions = read_partition_file(ROOT / PROFILE["slurm-partition-config"])
    log = logging.getLogger("test")

    def job(**resources):
        return SimpleNamespace(name="models", threads=4, resources=dict(mem_mb=32000, runtime=600, **resources))

    assert get_best_partition(partitions, job(gpu=1), log) == "gpu"
    assert get_best_partition(partitions, job(gpu=0), log) == "cpu"
    assert get_best_partition(partitions, job(), log) == "cpu"
