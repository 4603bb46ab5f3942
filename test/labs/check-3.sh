#!/bin/bash
# Level 3: mounts, chroot and pivot_root. The process's root directory is
# the bundle's rootfs, and the host's root is gone from its mount table
# (pivot_root + umount of the old root), not merely hidden (chroot).
. "$(dirname "$0")/common.sh"
runtime_container "$@"
root_id=$(stat -L -c %d:%i "/proc/$PID/root"); rootfs_id=$(stat -c %d:%i "$ROOTFS")
check "its root is the rootfs $ROOTFS ($root_id vs $rootfs_id)" [ "$root_id" = "$rootfs_id" ]
# mountinfo from outside: field 5 is the mount point as the process sees it.
roots=$(awk '$5 == "/"' "/proc/$PID/mountinfo" | wc -l)
check "one mount at / in its mount table ($roots): the old root was detached" [ "$roots" = 1 ]
check "its mount namespace is its own" [ "$(readlink /proc/$PID/ns/mnt)" != "$(readlink /proc/$$/ns/mnt)" ]
# Propagation: nothing it mounts may reach the host (no "shared:" peer group with the host).
check "its root mount is not shared with the host" bash -c "! awk '\$5 == \"/\"' /proc/$PID/mountinfo | grep -q 'shared:'"
finish
