#!/usr/bin/env bash
# Starts a one-node SLURM cluster on this machine for testing profiles/slurm (CI: .ci/slurm/ci.sh).
# Root, no systemd, no user interaction; idempotent: a running cluster with the same configuration
# is left as it is, a changed configuration restarts the daemons.
#   .ci/slurm/install.sh && .ci/slurm/start.sh      ...      .ci/slurm/stop.sh
# Writes /etc/slurm/slurm.conf (refuses to replace one it did not write) and keeps state, logs and
# pid files under $SIBENCH_SLURM_DIR (default /var/lib/sibench-slurm).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
STATE="${SIBENCH_SLURM_DIR:-/var/lib/sibench-slurm}"
CONF=/etc/slurm/slurm.conf
MARKER="written by si-bench .ci/slurm/start.sh"
TIMEOUT="${SIBENCH_SLURM_TIMEOUT:-60}"   # seconds for munge, the daemons and the node to come up

die() { echo "slurm start: $*" >&2; exit 1; }
alive() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

[ "$(id -u)" -eq 0 ] || die "must run as root (the daemons run as root here)"
for c in munged slurmctld slurmd sinfo sbatch squeue scontrol; do
    command -v "$c" >/dev/null || die "'$c' not found: run .ci/slurm/install.sh first"
done
mkdir -p "$STATE"/{slurmctld,slurmd,run,log}

# -- MUNGE: key (created if absent) and daemon ---------------------------------------------------------
if [ ! -s /etc/munge/munge.key ]; then
    mkdir -p /etc/munge
    dd if=/dev/urandom of=/etc/munge/munge.key bs=1 count=1024 status=none
    chown munge:munge /etc/munge/munge.key
    chmod 0400 /etc/munge/munge.key
    echo "slurm start: created /etc/munge/munge.key"
fi
if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
    install -d -o munge -g munge -m 0755 /run/munge
    install -d -o munge -g munge -m 0700 /var/lib/munge /var/log/munge
    runuser -u munge -- munged --pid-file=/run/munge/munged.pid
    touch "$STATE/run/munged.ours"   # stop.sh ends munged only if this script started it
    for _ in $(seq "$TIMEOUT"); do
        munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && break
        sleep 1
    done
    munge -n | unmunge >/dev/null || die "munged does not answer (log: /var/log/munge/munged.log)"
    echo "slurm start: munged running (pid $(cat /run/munge/munged.pid))"
fi

# -- slurm.conf: this machine's node line, two partitions ------------------------------------------------
host="$(hostname -s)"
# `slurmd -C` prints what slurmd will find (CPUs, sockets, cores, threads, RealMemory in MB); a node
# declared larger than that would be drained at registration.
node="$(slurmd -C | head -n1)"
case "$node" in
    "NodeName=$host "*) ;;
    *) die "unexpected 'slurmd -C' output: $node" ;;
esac
new="$(sed -e "s|@MARKER@|$MARKER|" -e "s|@HOST@|$host|g" -e "s|@STATE@|$STATE|g" \
           -e "s|@NODE@|$node|" "$here/slurm.conf.in")"
if [ -e "$CONF" ] && ! grep -qF "$MARKER" "$CONF"; then
    die "$CONF exists and was not written by this script: not replacing it (this machine already has a SLURM setup?)"
fi
changed=1
if [ -e "$CONF" ] && [ "$(cat "$CONF")" = "$new" ]; then changed=0; fi
if [ "$changed" = 1 ]; then
    mkdir -p /etc/slurm
    printf '%s\n' "$new" > "$CONF"
    echo "slurm start: wrote $CONF ($node)"
fi

# -- daemons -----------------------------------------------------------------------------------------
ctld_pid="$STATE/run/slurmctld.pid"
slurmd_pid="$STATE/run/slurmd.pid"
if [ "$changed" = 1 ]; then
    for p in "$slurmd_pid" "$ctld_pid"; do
        if alive "$p"; then kill "$(cat "$p")"; fi
    done
    for _ in $(seq "$TIMEOUT"); do
        alive "$slurmd_pid" || alive "$ctld_pid" || break
        sleep 1
    done
fi
if ! alive "$ctld_pid"; then
    slurmctld   # forks into the background, writes its pid file
    echo "slurm start: slurmctld started"
fi
if ! alive "$slurmd_pid"; then
    slurmd
    echo "slurm start: slurmd started"
fi

# -- wait until the node takes jobs ---------------------------------------------------------------------
state=""
for i in $(seq "$TIMEOUT"); do
    state="$(sinfo -h -N -n "$host" -p cpu -o %t 2>/dev/null | head -n1 || true)"
    case "$state" in
        idle|mix|alloc) break ;;
        # a node left down or drained by an earlier run comes back (ReturnToService=2 covers most cases)
        down*|drain*|drng*) [ "$i" -gt 5 ] && scontrol update nodename="$host" state=resume 2>/dev/null || true ;;
    esac
    sleep 1
done
case "$state" in
    idle|mix|alloc)
        echo "slurm start: node $host is $state"
        sinfo
        ;;
    *)
        echo "slurm start: node $host not ready after ${TIMEOUT}s (state '${state:-none}')" >&2
        scontrol show node "$host" >&2 || true
        tail -n 20 "$STATE/log/slurmctld.log" "$STATE/log/slurmd.log" >&2 || true
        exit 1
        ;;
esac
