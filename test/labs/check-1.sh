#!/bin/bash
# Level 1: a process in new namespaces. Each namespace the config asks for
# (linux.namespaces without a path) must differ from the host's: compare the
# namespace links of the container's process with those of PID 1.
. "$(dirname "$0")/common.sh"
runtime_container "$@"
for type in pid mount uts ipc network cgroup user; do
  want=$(json "$CONFIG" "(j.linux.namespaces||[]).some(n => n.type === '$type' && !n.path) ? 'new' : ''")
  [ -n "$want" ] || continue
  link=${type/mount/mnt}; link=${link/network/net}
  mine=$(readlink "/proc/$PID/ns/$link"); host=$(readlink "/proc/$$/ns/$link")
  check "$type namespace is new: $mine (host: $host)" [ "$mine" != "$host" ]
done
# The pid namespace: the process is PID 1 inside it (last field of NSpid).
if [ "$(readlink /proc/$PID/ns/pid)" != "$(readlink /proc/$$/ns/pid)" ]; then
  check "it is PID 1 of its pid namespace (NSpid: $(grep NSpid /proc/$PID/status | cut -f2-))" [ "$(grep NSpid /proc/$PID/status | awk '{print $NF}')" = 1 ]
fi
finish
