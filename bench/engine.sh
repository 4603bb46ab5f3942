#!/bin/bash
# Benchmark: `skiff run --rm busybox true` against `docker run --rm` (Debian
# docker.io, a dockerd of our own on its own socket, stopped after) and
# `podman run --rm` (Debian podman, its own storage root), all on the same
# busybox fixture image; then the memory of each per-container monitor
# (skiff-monitor vs podman's conmon vs containerd's shim).
# Not a test: it prints ratios measured in the same run; record them in
# bench/RESULTS.md.
# Networking: skiff has none yet (issue 7), so every peer is also timed with
# --network none; docker's "default" is its bridge mode on a bridge this
# script makes (no iptables rules), podman's default is left out so that the
# script changes no firewall rules on this machine.
set -euo pipefail
cd "$(dirname "$0")/.."
missing=$(for p in docker.io podman; do dpkg -s $p >/dev/null 2>&1 || echo $p; done)
[ -z "$missing" ] || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing </dev/null; }
make --no-print-directory fixtures >/dev/null
image=rootfs-fixtures/out/images/busybox-image.tar
work=$(mktemp -d /tmp/skiff-bench-engine.XXXXXX)
bridge=skbench0
dockerd_pid=
cleanup() {
  [ -n "$dockerd_pid" ] && { kill "$dockerd_pid" 2>/dev/null; wait "$dockerd_pid" 2>/dev/null || true; }
  ip link del "$bridge" 2>/dev/null || true
  podman --root "$work/podman" --runroot "$work/podman-run" rm -af -t 0 >/dev/null 2>&1 || true
  bin/skiff --root "$work/skiff" rm -f $(bin/skiff --root "$work/skiff" ps -aq 2>/dev/null) >/dev/null 2>&1 || true
  grep -o " $work[^ ]*" /proc/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
  # The roots' subnet claims (src/network/store.ts) go with them.
  grep -ls "^$work" /run/skiff/subnets/* 2>/dev/null | xargs -r rm -f
  rm -rf "$work"
}
trap cleanup EXIT

ip link add "$bridge" type bridge && ip addr add 10.213.0.1/24 dev "$bridge" && ip link set "$bridge" up
dockerd --host "unix://$work/docker.sock" --data-root "$work/docker" --exec-root "$work/docker-exec" \
  --pidfile "$work/docker.pid" --bridge "$bridge" --iptables=false --ip6tables=false --ip-masq=false \
  --storage-driver overlay2 >"$work/dockerd.log" 2>&1 &
dockerd_pid=$!
for _ in $(seq 100); do docker -H "unix://$work/docker.sock" info >/dev/null 2>&1 && break; sleep 0.2; done
docker -H "unix://$work/docker.sock" load -q -i "$image" >/dev/null
podman --root "$work/podman" --runroot "$work/podman-run" --cgroup-manager cgroupfs --events-backend file load -q -i "$image" >/dev/null
bin/skiff --root "$work/skiff" load -q -i "$image"

echo "skiff $(bin/skiff version | cut -d' ' -f3); $(docker --version | head -1) / dockerd $(dockerd --version | cut -d' ' -f3); $(podman --version); kernel $(uname -r); $(nproc) cores"
echo; echo "## run --rm busybox true"
node bench/engine.mjs "$work" "${ROUNDS:-20}"
echo; echo "## memory per running container's monitor"
node bench/monitors.mjs "$work" "${CONTAINERS:-5}"
