#!/bin/bash
# Level 4: /proc and /dev. The container has its own procfs (it shows its
# pid namespace), a tmpfs /dev with the device nodes programs need, and a
# devpts of its own.
. "$(dirname "$0")/common.sh"
runtime_container "$@"
check "/proc is a proc mount (got: $(mount_type_at "$PID" /proc))" [ "$(mount_type_at "$PID" /proc)" = proc ]
check "/proc shows its own pid namespace: PID 1 there is its process" \
  bash -c "[ \"\$(readlink /proc/$PID/root/proc/1/ns/pid 2>/dev/null)\" = \"\$(readlink /proc/$PID/ns/pid)\" ]"
check "/dev is a tmpfs (got: $(mount_type_at "$PID" /dev))" [ "$(mount_type_at "$PID" /dev)" = tmpfs ]
check "/dev/pts is a devpts (got: $(mount_type_at "$PID" /dev/pts))" [ "$(mount_type_at "$PID" /dev/pts)" = devpts ]
for dev in null:1:3 zero:1:5 urandom:1:9 tty:5:0; do
  IFS=: read -r name major minor <<<"$dev"
  got=$(stat -c '%F %t:%T' "/proc/$PID/root/dev/$name" 2>/dev/null)
  check "/dev/$name is character device $major:$minor (got: ${got:-missing})" [ "$got" = "character special file $(printf %x "$major"):$(printf %x "$minor")" ]
done
check "/dev/fd links to /proc/self/fd" [ "$(readlink "/proc/$PID/root/dev/fd")" = /proc/self/fd ]
finish
