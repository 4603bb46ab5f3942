#!/bin/bash
# Level 5: image layers with overlayfs. A skiff container's root is an
# overlay mount: the image's layers read-only below (lowerdir), one
# directory of its own on top (upperdir) that takes every change.
. "$(dirname "$0")/common.sh"
engine_container "$@"
line=$(awk '$5 == "/"' "/proc/$PID/mountinfo" | tail -1)
fstype=$(echo "$line" | awk '{ for (i = 7; $i != "-"; i++); print $(i+1) }')
check "its root is an overlay mount (got: ${fstype:-none})" [ "$fstype" = overlay ]
opts=$(echo "$line" | awk '{ for (i = 7; $i != "-"; i++); print $(i+3) }')
lower=$(echo "$opts" | tr ',' '\n' | sed -n 's/^lowerdir=//p')
upper=$(echo "$opts" | tr ',' '\n' | sed -n 's/^upperdir=//p')
layers=$(echo "$lower" | tr ':' '\n' | grep -c /layers/)
check "lowerdir holds the image's layers ($layers from the layer store)" [ "$layers" -ge 1 ]
check "upperdir is the container's own ($upper)" bash -c "[ -n '$upper' ] && [ -d '$upper' ]"
# A file the container writes lands in upperdir, not in a layer.
marker=lab5-$$
if nsenter -t "$PID" -m -p sh -c "echo hi > /tmp/$marker" 2>/dev/null; then
  check "a file written in the container appears in upperdir" [ -f "$upper/tmp/$marker" ]
  nsenter -t "$PID" -m -p rm -f "/tmp/$marker"
else
  fail "could not write /tmp/$marker in the container"
fi
finish
