# Shared definitions: the checked config, the plan (benchmark x method x seed), per-stage specs and code
# versions, file layout and per-rule resources.
import os
import sys

# Run the si package of this repository (beside the Snakefile), here and in every job's process,
# whatever other copy is installed: the code versions below must describe the code that runs.
sys.path.insert(0, workflow.basedir)
os.environ["PYTHONPATH"] = os.pathsep.join(
    [workflow.basedir] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
)

from sibench.config import ConfigError, checked_config, report_dir, results_dir, stage_spec
from sibench.pairs import get_benchmark
from sibench.versioning import STAGE_MODULES, stage_version

# The config, checked before any job starts (sibench.config.checked_config); every error names the key
# (and the file and line of a duplicate key): each config file read again strictly (Snakemake has already
# merged them, keeping the last of a repeated key), the JSON schema, every integral float the schema calls
# an integer made an int (steps: 100.0 -> 100), then the checks the schema cannot express.
SCHEMA_FILE = os.path.join(workflow.basedir, "config", "schema", "config.schema.yaml")
try:
    _checked, RUNS = checked_config(config, SCHEMA_FILE, workflow.configfiles)
except ConfigError as e:
    raise WorkflowError(f"invalid configuration: {e}") from None
config.update(_checked)

BENCHMARKS = list(config["benchmarks"])
# Each config writes under its own name: results/<name>/ and report/<name>/ (a quick run never touches the
# committed report/default/).
RESULTS, REPORT = results_dir(config), report_dir(config)


def results(path):
    """A path under this config's results folder."""
    return f"{RESULTS}/{path}"


def reports(path):
    """A path under this config's report folder."""
    return f"{REPORT}/{path}"


BRIDGE_BENCHMARKS = [b for b in BENCHMARKS if get_benchmark(b).is_bridge]

# A hash of the code each stage runs (its module and what it imports, sibench.versioning), passed as a
# parameter: editing that code marks the stage's results out of date (Snakemake's params rerun trigger),
# editing other code does not.
CODE = {stage: stage_version(stage) for stage in STAGE_MODULES}

RUN = "{benchmark}/{method}/seed{seed}"
# One train job and one evaluate job per (benchmark, method) handle all seeds, each seed in its own
# files: starting a job (Python, torch, POT) costs about 3 CPU-seconds, a third of a small model.
SEEDS = [int(s) for s in config["seeds"]]
GROUP = "{benchmark}/{method}"
GROUPS = list(dict.fromkeys((r.benchmark, r.method) for r in RUNS))


def per_seed(pattern):
    """pattern (with {benchmark}, {method}, {seed}) for every seed, wildcards kept for the rule."""
    return [pattern.replace("{seed}", str(s)) for s in SEEDS]


def group_files(pattern, groups=None):
    return [pattern.format(benchmark=b, method=m) for b, m in (groups if groups is not None else GROUPS)]


wildcard_constraints:
    benchmark=r"[A-Za-z0-9][A-Za-z0-9_.+-]*",
    method=r"[A-Za-z0-9][A-Za-z0-9_.+-]*",
    seed=r"[0-9]+",


def runs_of(benchmark=None):
    return [r for r in RUNS if benchmark is None or r.benchmark == benchmark]


def run_files(pattern, benchmark=None, runs=None):
    """pattern with {benchmark}, {method}, {seed} filled in for every planned run."""
    return [pattern.format(benchmark=r.benchmark, method=r.method, seed=r.seed)
            for r in (runs if runs is not None else runs_of(benchmark))]


# Every job's spec, built once from the config (sibench.config): the truth spec of each benchmark, the
# train and evaluate specs of each run, as JSON-able dicts (the scripts rebuild them with from_dict).
SPECS = {("truth", b): stage_spec(config, "truth", b).to_dict() for b in BENCHMARKS}
SPECS.update({(stage, r.benchmark, r.method, r.seed): stage_spec(config, stage, r.benchmark, r.method, r.seed).to_dict()
              for r in RUNS for stage in ("train", "evaluate")})


def spec(stage):
    """Rule parameter: everything the stage reads for this job (a change re-runs the job)."""
    def resolve(wildcards):
        return SPECS[(stage, wildcards.benchmark)]
    return resolve


def seed_specs(stage):
    """Rule parameter of a (benchmark, method) job: the stage's spec for every seed, in SEEDS order."""
    def resolve(wildcards):
        return [SPECS[(stage, wildcards.benchmark, wildcards.method, s)] for s in SEEDS]
    return resolve


# threads, memory (MB), runtime (min), GPUs per rule; config `resources:` overrides any of them.
_RESOURCES = {
    "truth": dict(threads=1, mem_mb=2000, runtime=15, gpu=0),
    "train": dict(threads=1, mem_mb=4000, runtime=60, gpu=0),
    "evaluate": dict(threads=1, mem_mb=8000, runtime=60, gpu=0),
    "sb_maxmin": dict(threads=1, mem_mb=4000, runtime=60, gpu=0),
    "aggregate": dict(threads=1, mem_mb=4000, runtime=10, gpu=0),
    "tables": dict(threads=1, mem_mb=2000, runtime=10, gpu=0),
    "figures": dict(threads=1, mem_mb=4000, runtime=20, gpu=0),
}


def res(rule, key):
    return config.get("resources", {}).get(rule, {}).get(key, _RESOURCES[rule][key])


# inputs of the aggregation
ROW_FILES = run_files(results(f"evaluations/{RUN}.csv"))
MODEL_SPECS = run_files(results(f"models/{RUN}.json"))
JOB_BENCHMARKS = (
    [results(f"benchmarks/truth/{b}.tsv") for b in BENCHMARKS]
    + group_files(results(f"benchmarks/train/{GROUP}.tsv"))
    + group_files(results(f"benchmarks/evaluate/{GROUP}.tsv"))
)
