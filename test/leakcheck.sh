#!/bin/bash
# Runs after the whole suite: what a test file could not clean up itself
# (a worker killed by a timeout skips its after.always hook) shows up here
# and fails `make test`. Only what the tests create is looked for.
set -u
fail=0
report() { echo "leakcheck: $*" >&2; fail=1; }

# Container inits and setup helpers still alive (their comm is skiff:[N:STAGE]).
# A process in the middle of exiting is not a leak: give stragglers 10 s.
for _ in $(seq 20); do
  grep -qs '^skiff:' /proc/[0-9]*/comm || break
  sleep 0.5
done
for comm in /proc/[0-9]*/comm; do
  name=$(cat "$comm" 2>/dev/null) || continue
  pid=${comm//[^0-9]/}
  # The memory cgroup names the container it belongs to.
  case "$name" in skiff:*) report "process $pid ($name) in $(grep -m1 memory "/proc/$pid/cgroup" 2>/dev/null)";; esac
done
# Engine monitors of test roots, and their sockets under /run/skiff.
monitors=$(for c in /proc/[0-9]*/cmdline; do tr '\0' ' ' < "$c" 2>/dev/null; echo; done | grep 'skiff-monitor ')
while read -r args; do
  case "$args" in *skiff-test-*) report "monitor: ${args:0:160}";; esac
done <<< "$monitors"
for d in /run/skiff/*; do
  [ -e "$d" ] || continue
  [[ "$(basename "$d")" =~ ^[a-f0-9]{64}$ ]] || continue
  # A socket dir is a leak when no monitor of that container is alive.
  grep -q -- "--sockets $d " <<< "$monitors" || report "monitor sockets $d"
done
# Engine container cgroups (<controller>/skiff/<64-hex id>) of containers no longer running.
for d in /sys/fs/cgroup/*/skiff/*; do
  [ -d "$d" ] || continue
  id=$(basename "$d")
  [[ "$id" =~ ^[a-f0-9]{64}$ ]] || continue
  [ -n "$(cat "$d/cgroup.procs" 2>/dev/null)" ] || report "cgroup $d"
done
# Networking: skiff's bridges and veths, its nftables tables, subnet claims of test roots.
for l in /sys/class/net/skiff0* /sys/class/net/sk-* /sys/class/net/vsk*; do
  [ -e "$l" ] && report "network link $(basename "$l")"
done
for t in $(nft list tables 2>/dev/null | awk '$3 ~ /^skiff/ {print $3}'); do report "nftables table ip $t"; done
for f in /run/skiff/subnets/*; do
  [ -f "$f" ] && grep -q skiff-test- "$f" && report "subnet claim $(basename "$f") of $(head -1 "$f")"
done
# Test sandboxes (state roots, bundles) left in the temp directory.
# (every temp directory the tests make is named skiff-<what>-XXXXXX)
for d in "${TMPDIR:-/tmp}"/skiff-{test,cg,cgunit,cgroute,cgrunc,launch,root,plan,dockercfg,unpack}-*; do [ -e "$d" ] && report "sandbox $d"; done
# The engine tests (test/engines.ts): dockerd, containerd and podman with
# their work dirs, cgroup parents (/skiff-<engine>-<pid>) and dockerd's bridge.
for d in "${TMPDIR:-/tmp}"/skiff-{dk,ctrd,cri,pm}-*; do [ -e "$d" ] && report "engine work dir $d"; done
for d in /sys/fs/cgroup/*/skiff-{dk,ctrd,cri,pm}-[0-9]*; do [ -d "$d" ] && report "engine cgroup parent $d"; done
for l in /sys/class/net/skdk*; do [ -e "$l" ] && report "network link $(basename "$l")"; done
for c in /proc/[0-9]*/cmdline; do
  args=$( { tr '\0' ' ' < "$c"; } 2>/dev/null) || continue
  [[ "$args" =~ /skiff-(dk|ctrd|cri|pm)-[A-Za-z0-9]{6} ]] && report "engine process: ${args:0:160}"
done
# Test cgroups: ids look like <file>-<name>-<pid>-<n>.
for h in /sys/fs/cgroup/*/; do
  for d in "$h"*; do
    [ -d "$d" ] || continue
    [[ "$(basename "$d")" =~ ^[a-z0-9]+-[a-z]+-[0-9]+-[0-9]+$ ]] && report "cgroup $d"
  done
done
# Mounts or network namespaces the tests made.
grep -q 'skiff-test' /proc/self/mountinfo && report "mounts: $(grep -c skiff-test /proc/self/mountinfo)"
ip netns list 2>/dev/null | grep -q '^skiff-test' && report "netns $(ip netns list | grep '^skiff-test')"
# The shared fixture rootfs is read-only for tests: nothing added or removed.
fixture="$(cd "$(dirname "$0")/.." && pwd)/rootfs-fixtures/out/busybox"
if [ -f "$fixture/.listing" ]; then
  changed=$(cd "$fixture/rootfs" && find . | sort | diff "$fixture/.listing" - | grep '^[<>]' | head -5)
  [ -n "$changed" ] && report "fixture rootfs changed: $changed"
fi
[ "$fail" = 0 ] && echo "leakcheck: nothing left behind"
exit "$fail"
