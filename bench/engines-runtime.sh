#!/bin/bash
# Benchmark: skiff-runtime as the OCI runtime of real engines, against runc
# under the same engine in the same run, paired round by round:
#   ctr run --rm                       (containerd 1.6, io.containerd.runc.v2, --runc-binary)
#   docker run --runtime skiff --rm    (dockerd 20.10, --add-runtime skiff=...)
#   podman --runtime ... run --rm      (podman 4.3, --cgroup-manager cgroupfs)
# of the busybox fixture image's `true`. Each engine is private to this run
# (own socket, root, state; dockerd on its own bridge, without iptables) and
# stopped after. Not a test; record the table in bench/RESULTS.md. Run it
# under the integration lock on shared machines.
#   ROUNDS=15 bench/engines-runtime.sh
#   WARM=1 ROUNDS=15 bench/engines-runtime.sh   # with a `skiff serve` warm service
# WARM=1 starts `skiff serve` on a private socket before the engines, with
# SKIFF_SERVICE_SOCKET exported so that the runtime the engines run finds it
# (docs/warm-path.md); the table's note says how many runtime commands went
# through it.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib/dockerd.sh
ensure_packages docker.io containerd podman runc
make --no-print-directory fixtures >/dev/null
rounds=${ROUNDS:-15}
image=rootfs-fixtures/out/images/busybox-image.tar
skiff=$PWD/bin/skiff-runtime
runc=$(command -v runc)
work=$(mktemp -d /tmp/skiff-bench-engrt.XXXXXX)
containerd_pid=
parent=/skiff-bench-engrt-$$
podman_g=(--root "$work/podman" --runroot "$work/podman-run" --tmpdir "$work/podman-tmp" --network-config-dir "$work/podman-net"
  --cgroup-manager cgroupfs --events-backend file --storage-driver overlay)
# Podman's cgroupfs manager makes a directory for every v1 controller the
# kernel lists, mounted or not (plain directories on the /sys/fs/cgroup
# tmpfs here); remove the ones this run added.
cgroup_root_before=$(ls /sys/fs/cgroup)
# Podman's lock memory, shared by every rootful podman; ours if it is new.
[ -e /dev/shm/libpod_lock ] && shm_lock_existed=1 || shm_lock_existed=
serve_pid=
cleanup() {
  stop_dockerd
  if [ -n "$serve_pid" ]; then kill "$serve_pid" 2>/dev/null || true; wait "$serve_pid" 2>/dev/null || true; fi
  podman "${podman_g[@]}" rm -af -t 0 >/dev/null 2>&1 || true
  podman "${podman_g[@]}" system reset --force >/dev/null 2>&1 || true
  if [ -n "$containerd_pid" ]; then kill "$containerd_pid" 2>/dev/null || true; wait "$containerd_pid" 2>/dev/null || true; fi
  grep -o " $work[^ ]*" /proc/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
  # A cgroup hierarchy's directories go with rmdir; the plain directories
  # podman makes for unmounted controllers hold plain files (rm -rf). Never
  # stop half-way: under `set -e` a failure here would skip the rest.
  for h in /sys/fs/cgroup/*/; do
    [ -d "$h$parent" ] || continue
    if grep -q " ${h%/} " /proc/self/mountinfo; then find "$h$parent" -depth -type d -exec rmdir {} + 2>/dev/null || true
    else rm -rf "$h$parent"; fi
  done
  for d in $(ls /sys/fs/cgroup); do
    grep -qx "$d" <<<"$cgroup_root_before" || grep -q " /sys/fs/cgroup/$d " /proc/self/mountinfo || rm -rf "/sys/fs/cgroup/$d"
  done
  [ -n "$shm_lock_existed" ] || rm -f /dev/shm/libpod_lock
  rm -rf "$work"
}
trap cleanup EXIT

if [ -n "${WARM:-}" ]; then
  export SKIFF_SERVICE_SOCKET=$work/cli.sock
  bin/skiff -D --root "$work/skiff-engine" serve --warm-workers 2 -H "unix://$work/api.sock" 2>"$work/serve.log" &
  serve_pid=$!
  for _ in $(seq 100); do [ -S "$SKIFF_SERVICE_SOCKET" ] && break; sleep 0.1; done
  [ -S "$SKIFF_SERVICE_SOCKET" ] || { echo "skiff serve did not start: $(tail -3 "$work/serve.log")" >&2; exit 1; }
fi

# dockerd with both runtimes; its own containerd comes with it.
start_dockerd "$work" skbench1 10.213.1.1/24 --add-runtime "skiff=$skiff" --cgroup-parent "$parent"
$DOCKER load -q -i "$image" >/dev/null

# containerd on its own socket, root and state, with only what ctr needs.
cat >"$work/containerd.toml" <<TOML
version = 2
root = "$work/containerd-root"
state = "$work/containerd-state"
disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper"]
[grpc]
  address = "$work/containerd.sock"
[ttrpc]
  address = "$work/containerd.sock.ttrpc"
TOML
containerd --config "$work/containerd.toml" >"$work/containerd.log" 2>&1 &
containerd_pid=$!
CTR="ctr --address $work/containerd.sock --namespace bench"
for _ in $(seq 100); do $CTR version >/dev/null 2>&1 && break; sleep 0.1; done
$CTR images import "$image" >/dev/null

podman "${podman_g[@]}" load -q -i "$image" >/dev/null

# One timed command, in µs, appended to $work/times-<label>.
timed() {
  local label=$1; shift
  local t0 t1
  t0=$(date +%s%N)
  "$@" >/dev/null 2>"$work/last-error" || { echo "$label failed: $(tail -1 "$work/last-error")" >&2; return 0; }
  t1=$(date +%s%N)
  echo "$(( (t1 - t0) / 1000 ))" >>"$work/times-$label"
}
median() { [ -s "$work/times-$1" ] || { echo fails; return; }; sort -n "$work/times-$1" | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.1f", m/1000}'; }

# Podman's default RLIMIT_NOFILE and RLIMIT_NPROC are above the hard limits
# of machines without CAP_SYS_RESOURCE (runc fails the same way): ask for
# low ones (conmon's own NPROC can be below the shell's).
pm_run=(run --rm --network none --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 --cgroup-parent "$parent" busybox true)
for i in $(seq "$rounds"); do
  timed ctr-skiff $CTR run --rm --runc-binary "$skiff" --runc-root "$work/ctr-skiff" --cgroup "$parent/c$i" docker.io/library/busybox:latest c$i true
  timed ctr-runc $CTR run --rm --runc-binary "$runc" --runc-root "$work/ctr-runc" --cgroup "$parent/r$i" docker.io/library/busybox:latest r$i true
  timed docker-skiff $DOCKER run --rm --runtime skiff busybox true
  timed docker-runc $DOCKER run --rm --runtime runc busybox true
  timed podman-skiff podman "${podman_g[@]}" --runtime "$skiff" "${pm_run[@]}"
  timed podman-runc podman "${podman_g[@]}" --runtime "$runc" "${pm_run[@]}"
done

echo "skiff-runtime $(git rev-parse --short HEAD); $(runc --version | head -1); containerd $(containerd --version | cut -d' ' -f3); dockerd $(dockerd --version | cut -d' ' -f3 | tr -d ,); $(podman --version); kernel $(uname -r); $(nproc) cores"
[ -z "${WARM:-}" ] || echo "warm path: $(grep -c 'handed to worker' "$work/serve.log") skiff-runtime commands went through skiff serve ($((rounds * 3)) containers)"
echo
echo "| engine command, busybox true ($rounds paired rounds) | skiff-runtime ms | runc ms | skiff / runc |"
echo "|---|---|---|---|"
for e in ctr docker podman; do
  s=$(median $e-skiff); r=$(median $e-runc)
  case $e in ctr) name='ctr run --rm';; docker) name='docker run --rm';; podman) name='podman run --rm';; esac
  ratio=$([ "$s" = fails ] || [ "$r" = fails ] && echo - || awk -v s="$s" -v r="$r" 'BEGIN {printf "%.2fx", s/r}')
  echo "| $name | $s | $r | $ratio |"
done
