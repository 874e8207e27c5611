#!/usr/bin/env bash
# Stops the test cluster of .ci/slurm/start.sh: cancels its jobs, then ends slurmd, slurmctld and the
# munged if start.sh started it, each by the pid in its pid file. Leaves configuration and state.
set -uo pipefail
STATE="${SIBENCH_SLURM_DIR:-/var/lib/sibench-slurm}"

stop_pid() {  # name, pid file
    local pid
    [ -s "$2" ] || return 0
    pid="$(cat "$2")"
    kill -0 "$pid" 2>/dev/null || return 0
    kill "$pid"
    for _ in $(seq 30); do
        kill -0 "$pid" 2>/dev/null || { echo "slurm stop: $1 ($pid) stopped"; return 0; }
        sleep 1
    done
    echo "slurm stop: $1 ($pid) still running after 30 s" >&2
    return 1
}

command -v scancel >/dev/null && scancel --user=root 2>/dev/null || true
rc=0
stop_pid slurmd "$STATE/run/slurmd.pid" || rc=1
stop_pid slurmctld "$STATE/run/slurmctld.pid" || rc=1
if [ -e "$STATE/run/munged.ours" ]; then
    stop_pid munged /run/munge/munged.pid && rm -f "$STATE/run/munged.ours" || rc=1
fi
exit $rc
