#!/bin/bash
# Level 2: the hostname. In its own uts namespace the container's hostname
# is the config's, while the host keeps its own.
. "$(dirname "$0")/common.sh"
runtime_container "$@"
want=$(json "$CONFIG" j.hostname)
got=$(nsenter -t "$PID" -u hostname)
check "uts namespace is its own" [ "$(readlink /proc/$PID/ns/uts)" != "$(readlink /proc/$$/ns/uts)" ]
check "hostname inside is \"$want\" (got \"$got\")" [ -n "$want" -a "$got" = "$want" ]
check "the host's hostname is unchanged ($(hostname))" [ "$(hostname)" != "$want" ]
finish
