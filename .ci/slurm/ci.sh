#!/usr/bin/env bash
# CI step: the quick config through the cluster profile on a real (one-node) SLURM, compared with the
# local run. Installs and starts the test cluster, runs
#   snakemake --workflow-profile profiles/slurm --configfile config/quick.yaml
# from an empty results/quick/, checks that results/quick/metrics.csv is byte-identical to the local run's, stops
# the cluster. Root, Debian, no systemd (.ci/slurm/install.sh, start.sh, stop.sh).
#   .ci/slurm/ci.sh [LOCAL_METRICS]    default: results/quick/metrics.csv of the local quick run before it
# Deletes results/ and .snakemake/ and writes report/quick/ like any quick run (CI works on a clone).
set -euo pipefail
cd "$(dirname "$0")/../.."
here=.ci/slurm
t0=$(date +%s)
elapsed() { echo "$(( $(date +%s) - t0 )) s"; }

reference="$(mktemp)"
cp "${1:-results/quick/metrics.csv}" "$reference" \
    || { echo "slurm ci: no local metrics.csv to compare with (run the quick config first or pass one)" >&2; exit 1; }

echo "== slurm: install"
"$here/install.sh"
echo "install done after $(elapsed)"
echo "== slurm: start the test cluster"
"$here/start.sh"
trap '"$here/stop.sh" || true' EXIT
echo "cluster up after $(elapsed)"

echo "== slurm: quick config through profiles/slurm"
rm -rf results .snakemake
t1=$(date +%s)
# A first status check after 10 s rather than the plugin's 40 s (a test cluster answers at once);
# SLURM logs of successful jobs are kept for the listing below. A job the cluster can never start
# would pend forever: the run is stopped (and its jobs cancelled) after SIBENCH_SLURM_RUN_TIMEOUT s.
OMP_NUM_THREADS=1 timeout "${SIBENCH_SLURM_RUN_TIMEOUT:-1200}" \
    snakemake --workflow-profile profiles/slurm --configfile config/quick.yaml \
    --slurm-init-seconds-before-status-checks 10 --slurm-keep-successful-logs
echo "quick config through SLURM: $(( $(date +%s) - t1 )) s"

echo "== slurm: jobs the cluster ran"
run_id="$(grep -ho 'SLURM run ID: [0-9a-f-]*' .snakemake/log/*.snakemake.log | tail -n1 | cut -d' ' -f4)"
squeue --states=all --name "$run_id" --format='%.8i %.10P %.9T %.10M %.4C %.8m %.10l %k'
logs=.snakemake/slurm_logs
echo "$(find "$logs" -name '*.log' | wc -l) SLURM jobs (logs in $logs)"
# the compute went through sbatch: truth jobs and grouped train/evaluate jobs
ls -d "$logs"/rule_truth "$logs"/group_models* >/dev/null \
    || { echo "slurm ci: no truth job or models group job was submitted to SLURM" >&2; exit 1; }

echo "== slurm: metrics.csv against the local run"
if cmp "$reference" results/quick/metrics.csv; then
    echo "results/quick/metrics.csv identical to the local run's ($(wc -l < results/quick/metrics.csv) lines)"
else
    echo "slurm ci: results/quick/metrics.csv differs from the local run's" >&2
    diff "$reference" results/quick/metrics.csv | head -n 20 >&2 || true
    exit 1
fi
echo "slurm step done after $(elapsed)"
