#!/usr/bin/env bash
# A one-node SLURM cluster on this machine, for tests/test_slurm.py and CI (.ci/run): Debian's
# slurm-wlm and munge, installed with apt-get when missing (needs root), slurm.conf written for
# this host with its real CPUs and memory (`slurmd -C`), then munged, slurmctld and slurmd started
# without systemd. Returns once `sinfo` shows the node idle; safe to run again (it restarts the
# daemons with a fresh configuration).
#
#   sudo tools/slurm_single_node.sh          # then: sbatch, squeue, sinfo work as usual
#   tools/slurm_single_node.sh --stop        # stop the three daemons
set -euo pipefail

CONF_DIR=/etc/slurm
STATE=/var/spool/slurmctld
SPOOL=/var/spool/slurmd
LOGS=/var/log/slurm

stop() {
    # Only the daemons this script starts, by their pid files.
    for pidfile in /run/slurmd.pid /run/slurmctld.pid /run/munge/munged.pid; do
        pid=$(cat "$pidfile" 2>/dev/null || true)
        if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
            kill "$pid"
            # The daemon removes its pid file as it exits (a zombie may linger where pid 1 never reaps).
            for _ in $(seq 50); do [ -e "$pidfile" ] || break; sleep 0.1; done
        fi
        rm -f "$pidfile"
    done
}

if [ "${1:-}" = "--stop" ]; then
    stop
    exit 0
fi
if [ "$(id -u)" != 0 ]; then
    echo "slurm_single_node.sh: run as root (it installs packages and starts system daemons)" >&2
    exit 1
fi
if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends slurm-wlm munge
fi
stop

# munge: the key the package made, else a new one; the daemon needs these owners and modes.
mkdir -p /run/munge /var/lib/munge /var/log/munge
[ -s /etc/munge/munge.key ] || dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
chown -R munge:munge /etc/munge /run/munge /var/lib/munge /var/log/munge
chmod 0700 /etc/munge /var/lib/munge /var/log/munge
chmod 0400 /etc/munge/munge.key
chmod 0755 /run/munge
runuser -u munge -- /usr/sbin/munged --pid-file=/run/munge/munged.pid

# slurm.conf for this host: `slurmd -C` prints its NodeName line (CPUs, sockets, memory).
host=$(hostname -s)
node=$(slurmd -C | head -1)
mkdir -p "$CONF_DIR" "$STATE" "$SPOOL" "$LOGS"
cat > "$CONF_DIR/slurm.conf" <<EOF
# Written by tools/slurm_single_node.sh: one node, everything as root, no cgroups (a container).
ClusterName=wganlab
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$STATE
SlurmdSpoolDir=$SPOOL
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=$LOGS/slurmctld.log
SlurmdLogFile=$LOGS/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
MpiDefault=none
$node State=UNKNOWN
PartitionName=main Nodes=$host Default=YES MaxTime=INFINITE State=UP OverSubscribe=NO
EOF
# -c: forget the jobs and node states of an earlier start (its configuration may differ).
slurmctld -c
slurmd -c

for _ in $(seq 60); do
    if sinfo -h -N -o "%T" 2>/dev/null | grep -qx idle; then
        sinfo -N -o "%N %c %m %T"
        exit 0
    fi
    sleep 1
done
echo "slurm_single_node.sh: the node did not become idle in 60 s; see $LOGS/slurmctld.log and $LOGS/slurmd.log" >&2
sinfo -N -o "%N %c %m %T %E" >&2 || true
exit 1
