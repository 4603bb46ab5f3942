#!/bin/bash
# Level 6: cgroup limits. The process sits in the container's cgroup and
# the limits of linux.resources are written there (memory, pids).
. "$(dirname "$0")/common.sh"
runtime_container "$@"
mem=$(json "$CONFIG" "j.linux.resources && j.linux.resources.memory && j.linux.resources.memory.limit")
pids=$(json "$CONFIG" "j.linux.resources && j.linux.resources.pids && j.linux.resources.pids.limit")
[ -n "$mem$pids" ] || { echo "config.json sets no linux.resources.memory.limit or pids.limit: see docs/labs/06-cgroups.md"; exit 2; }
memdir=$(cgroup_dir memory); pidsdir=$(cgroup_dir pids)
check "its memory cgroup is the container's ($memdir), not the root" [ -n "$memdir" -a "$memdir" != /sys/fs/cgroup/memory/ -a "$memdir" != /sys/fs/cgroup/ ]
check "it is listed in cgroup.procs there" grep -qx "$PID" "$memdir/cgroup.procs"
if [ -n "$mem" ]; then
  file=$memdir/memory.max; [ -f "$file" ] || file=$memdir/memory.limit_in_bytes
  check "$(basename "$file") is $mem (got $(cat "$file"))" [ "$(cat "$file")" = "$mem" ]
fi
if [ -n "$pids" ]; then
  check "pids.max is $pids (got $(cat "$pidsdir/pids.max"))" [ "$(cat "$pidsdir/pids.max")" = "$pids" ]
fi
finish
