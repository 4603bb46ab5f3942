#!/bin/bash
# Soak (issue 17, part 5): CYCLES create/start/stop/rm cycles of a container
# on a user network, with a named volume and a published port, then IDLE
# idle containers at once; the host's resources counted before, after the
# cycles, with the idle containers up, and after they are removed: mounts
# under the engine root, container cgroups, veths, nftables rules, skiff
# processes and their open fds, /run/skiff entries, and each idle
# container's monitor memory. Goal: no growth; monitors <= 1 MiB each.
# Not a test (not in make test): record the table in bench/RESULTS.md.
# usage: bench/soak.sh [CYCLES (1000)] [IDLE (200)]
# Hold the integration lock around it: flock -o /tmp/skiff-itest.lock bench/soak.sh 300 100
set -euo pipefail
cd "$(dirname "$0")/.."
cycles=${1:-1000}
idle=${2:-200}
work=$(mktemp -d /tmp/skiff-soak.XXXXXX)
root=$work/skiff
skiff() { bin/skiff --root "$root" "$@"; }
cleanup() {
  set +e # every step is tried, whatever the one before did
  skiff rm -f $(skiff ps -aq 2>/dev/null) >/dev/null 2>&1 || true
  skiff network rm soaknet >/dev/null 2>&1 || true
  skiff volume rm soakvol >/dev/null 2>&1 || true
  grep -o " $work[^ ]*" /proc/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
  # The root's subnet claims (src/network/store.ts) go with it.
  grep -ls "^$work" /run/skiff/subnets/* 2>/dev/null | xargs -r rm -f
  rm -rf "$work"
}
trap cleanup EXIT
trap "exit 143" TERM INT

make --no-print-directory fixtures >/dev/null
skiff load -q -i rootfs-fixtures/out/images/busybox-image.tar >/dev/null
skiff network create soaknet >/dev/null
skiff volume create soakvol >/dev/null

# skiff's own processes (monitors, helpers: "skiff..." in comm) for this root.
skiff_pids() {
  for p in /proc/[0-9]*; do
    case "$(cat "$p/comm" 2>/dev/null)" in skiff*) ;; *) continue ;; esac
    grep -qs "$work" "$p/environ" "$p/cmdline" && echo "${p#/proc/}"
  done
  return 0
}
count() {
  local mounts cgroups veths rules procs fds run
  mounts=$(grep -c "$work" /proc/self/mountinfo || true)
  cgroups=$( (find /sys/fs/cgroup/*/skiff /sys/fs/cgroup/skiff -mindepth 1 -maxdepth 1 -type d 2>/dev/null || true) | wc -l)
  veths=$(ip -o link show type veth | wc -l)
  rules=$(nft -a list ruleset 2>/dev/null | grep -c '# handle' || true)
  procs=0 fds=0
  for p in $(skiff_pids); do
    procs=$((procs + 1))
    fds=$((fds + $( (ls "/proc/$p/fd" 2>/dev/null || true) | wc -l)))
  done
  run=$(find /run/skiff -mindepth 1 -maxdepth 1 ! -name subnets ! -name subnets.lock | wc -l)
  echo "| $1 | $mounts | $cgroups | $veths | $rules | $procs | $fds | $run |"
}

echo "soak: $cycles cycles, $idle idle containers ($(date -u +%FT%TZ))"
echo
echo "| when | mounts (root) | container cgroups | veths | nft rules | skiff processes | their fds | /run/skiff entries |"
echo "|---|---|---|---|---|---|---|---|"
count before
start=$(date +%s)
for ((i = 1; i <= cycles; i++)); do
  id=$(skiff create --network soaknet -v soakvol:/data -p 127.0.0.1::80 busybox sleep 1000)
  skiff start "$id" >/dev/null
  skiff stop -t 0 "$id" >/dev/null
  skiff rm "$id" >/dev/null
done
cycled=$(( $(date +%s) - start ))
count "after $cycles cycles"
ids=()
for ((i = 1; i <= idle; i++)); do ids+=("$(skiff run -d --network soaknet busybox sleep 100000)"); done
count "$idle idle up"
rss=()
for id in "${ids[@]}"; do
  init=$(skiff inspect -f '{{.State.Pid}}' "$id")
  monitor=$(awk '/^PPid:/ {print $2}' "/proc/$init/status")
  rss+=("$(awk '/^VmRSS:/ {print $2}' "/proc/$monitor/status")")
done
monitor_comm=$(cat "/proc/$monitor/comm")
skiff rm -f "${ids[@]}" >/dev/null
count "after rm -f of the $idle"
sorted=($(printf '%s\n' "${rss[@]}" | sort -n))
echo
echo "cycles: ${cycled}s ($(awk -v s="$cycled" -v n="$cycles" 'BEGIN { printf "%.2f", s / n }') s per create/start/stop/rm)"
echo "monitors ($monitor_comm, $idle): VmRSS median $(awk -v k="${sorted[$((idle / 2))]}" 'BEGIN { printf "%.2f", k / 1024 }') MiB, max $(awk -v k="${sorted[$((idle - 1))]}" 'BEGIN { printf "%.2f", k / 1024 }') MiB (goal <= 1 MiB)"
