#!/bin/bash
# Benchmark: `skiff run --rm busybox true` against `docker run --rm` (Debian
# docker.io, a dockerd of our own on its own socket, stopped after) and
# `podman run --rm` (Debian podman, its own storage root), all on the same
# busybox fixture image; then the memory of each per-container monitor
# (skiff-monitor vs podman's conmon vs containerd's shim); and 50 containers
# run one by one, then removed by one rm -f (skiff warm and cold, podman).
# Not a test: it prints ratios measured in the same run; record them in
# bench/RESULTS.md.
# Networking: each engine with its default (skiff: its bridge and nftables
# table; docker: its bridge, on one this script makes, without iptables
# rules) and with --network none. Podman's default network is left out: its
# firewall rules are not ours to add to this machine.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib/dockerd.sh
ensure_packages podman
make --no-print-directory fixtures >/dev/null
image=rootfs-fixtures/out/images/busybox-image.tar
work=$(mktemp -d /tmp/skiff-bench-engine.XXXXXX)
serve_pid=
cleanup() {
  [ -z "$serve_pid" ] || { kill "$serve_pid" 2>/dev/null; wait "$serve_pid" 2>/dev/null || true; }
  stop_dockerd
  podman --root "$work/podman" --runroot "$work/podman-run" rm -af -t 0 >/dev/null 2>&1 || true
  bin/skiff --root "$work/skiff" rm -f $(bin/skiff --root "$work/skiff" ps -aq 2>/dev/null) >/dev/null 2>&1 || true
  grep -o " $work[^ ]*" /proc/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
  # The roots' subnet claims (src/network/store.ts) go with them.
  grep -ls "^$work" /run/skiff/subnets/* 2>/dev/null | xargs -r rm -f
  rm -rf "$work"
}
trap cleanup EXIT

start_dockerd "$work" skbench0 10.213.0.1/24
$DOCKER load -q -i "$image" >/dev/null
podman --root "$work/podman" --runroot "$work/podman-run" --cgroup-manager cgroupfs --events-backend file load -q -i "$image" >/dev/null
bin/skiff --root "$work/skiff" load -q -i "$image"
# The warm path (docs/warm-path.md): engine.mjs points the warm peer at this service.
SKIFF_SERVICE_SOCKET=$work/cli.sock bin/skiff --root "$work/skiff" serve -H "unix://$work/api.sock" --warm-workers "${WARM_WORKERS:-2}" 2>"$work/serve.log" &
serve_pid=$!
for _ in $(seq 100); do [ -S "$work/cli.sock" ] && break; sleep 0.1; done

echo "skiff $(bin/skiff version | cut -d' ' -f3); $(docker --version | head -1) / dockerd $(dockerd --version | cut -d' ' -f3); $(podman --version); kernel $(uname -r); $(nproc) cores"
echo; echo "## run --rm busybox true"
node bench/engine.mjs "$work" "${ROUNDS:-20}"
# MANY=0 or CONTAINERS=0 leaves that part out (a quicker run of the first table).
if [ "${MANY:-50}" != 0 ]; then
  echo; echo "## many containers: ${MANY:-50} x run -d --network none busybox sleep 1000, then one rm -f of all"
  node bench/many.mjs "$work" "${MANY:-50}"
fi
if [ "${CONTAINERS:-5}" != 0 ]; then
  echo; echo "## memory per running container's monitor"
  node bench/monitors.mjs "$work" "${CONTAINERS:-5}"
fi
