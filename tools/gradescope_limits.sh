#!/usr/bin/env bash
# Run a command under Gradescope's default CPU (a CFS quota of 50 ms per 100 ms: half a CPU) and a
# memory limit (default 2G, the README's recommendation), with cgroup v1 as root; afterwards print
# the CPU seconds the command used (on a shared machine the wall time stretches with the load, the
# CPU seconds do not: at half a CPU an idle machine needs at least twice them), the time the quota
# throttled it, its peak memory (page cache included, as a container's limit counts it) and how
# often the limit was hit. The command's own output says what it measured.
#
#   sudo tools/gradescope_limits.sh --memory 2G -- .venv/bin/python tools/grading_memory.py 03
set -euo pipefail

memory=2G
while [ $# -gt 0 ]; do
    case "$1" in
        --memory) memory=$2; shift 2 ;;
        --) shift; break ;;
        *) break ;;
    esac
done
if [ $# -eq 0 ]; then
    echo "usage: gradescope_limits.sh [--memory 2G] -- COMMAND ..." >&2
    exit 2
fi
cpu=/sys/fs/cgroup/cpu/wganlab_gs_$$
mem=/sys/fs/cgroup/memory/wganlab_gs_$$
acct=/sys/fs/cgroup/cpuacct/wganlab_gs_$$
if ! mkdir "$cpu" "$mem" "$acct"; then
    echo "gradescope_limits.sh: needs root and cgroup v1 cpu and memory controllers under /sys/fs/cgroup" >&2
    exit 1
fi
cleanup() { rmdir "$cpu" "$mem" "$acct" 2>/dev/null || true; }
trap cleanup EXIT
echo 100000 > "$cpu/cpu.cfs_period_us"
echo 50000 > "$cpu/cpu.cfs_quota_us"
echo "$(numfmt --from=iec "$memory")" > "$mem/memory.limit_in_bytes"

set +e
# A subshell joins both groups, then becomes the command: everything it starts stays inside.
( for group in "$cpu" "$mem" "$acct"; do echo "$BASHPID" > "$group/cgroup.procs"; done && exec "$@" )
status=$?
set -e
cpu_s=$(awk '{printf "%.1f", $1 / 1e9}' "$acct/cpuacct.usage")
throttled=$(awk '/^throttled_time/ {printf "%.0f", $2 / 1e9}' "$cpu/cpu.stat")
peak=$(( $(cat "$mem/memory.max_usage_in_bytes") / 1048576 ))
echo "limits: cpu quota 50000/100000 us, memory $memory; used ${cpu_s} CPU s; throttled ${throttled} s;" \
     "cgroup peak ${peak} MiB" \
     "(page cache included); limit hit $(cat "$mem/memory.failcnt") times;" \
     "$(grep "^oom_kill " "$mem/memory.oom_control" || echo "oom_kill n/a"); exit $status"
exit "$status"
