#!/usr/bin/env bash
# Installs Debian's SLURM (slurmctld, slurmd, the client commands) and MUNGE for the local test
# cluster of .ci/slurm/start.sh. Root, Debian, no systemd; idempotent (does nothing when the
# daemons are installed already). No slurmdbd / MariaDB: the profile's executor plugin asks squeue
# for job states (see docs/slurm.md), so the test cluster needs no accounting database.
set -euo pipefail

if command -v slurmctld >/dev/null && command -v slurmd >/dev/null && command -v sbatch >/dev/null \
    && command -v munged >/dev/null; then
    echo "slurm: already installed ($(dpkg-query -W -f '${Version}' slurmctld 2>/dev/null || echo "not from apt"))"
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "slurm: install.sh must run as root (apt-get)" >&2
    exit 1
fi

# Package scripts would try to start the daemons through init scripts; start.sh starts them
# itself. Deny service starts during the installation only, and only if no policy is in place.
own_policy=0
if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    own_policy=1
fi
trap 'if [ "$own_policy" = 1 ]; then rm -f /usr/sbin/policy-rc.d; fi' EXIT

export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y -q --no-install-recommends slurmctld slurmd slurm-client munge; then
    apt-get update -q
    apt-get install -y -q --no-install-recommends slurmctld slurmd slurm-client munge
fi
echo "slurm: installed $(dpkg-query -W -f '${Version}' slurmctld)"
