#!/bin/bash
# Benchmark: throughput from the host into a container through a published
# port vs straight to the container's address, for skiff (DNAT in the
# kernel) and Docker (docker-proxy, a userland copy: Debian's dockerd of our
# own, bench/lib/dockerd.sh), and the
# time of `skiff run --rm busybox true` with default networking vs
# --network none. Traffic: loopback and the bench's own container only.
# Not a test: it prints ratios measured in the same run; record them in
# bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib/dockerd.sh
make --no-print-directory fixtures >/dev/null
work=$(mktemp -d /tmp/skiff-bench-net.XXXXXX)
skiff() { bin/skiff --root "$work/root" "$@"; }
cleanup() {
  stop_dockerd
  skiff rm -f sink direct >/dev/null 2>&1 || true
  # The root's subnet claims (src/network/store.ts) go with it.
  grep -ls "^$work" /run/skiff/subnets/* 2>/dev/null | xargs -r rm -f
  rm -rf "$work"
}
trap cleanup EXIT
image=rootfs-fixtures/out/images/busybox-image.tar
skiff load -q -i "$image"
free_port() { node -e "const s=require('net').createServer().listen(0,()=>{console.log(s.address().port);s.close()})"; }
# The sink: busybox nc discarding what it reads (its stdin held open: busybox
# nc hangs up when its stdin ends). It takes one connection: one per path.
sink='tail -f /dev/null | nc -l -p 5000 > /dev/null'
port=$(free_port)
skiff run -d --name sink -p "$port:5000" busybox sh -c "$sink" >/dev/null
skiff run -d --name direct busybox sh -c "$sink" >/dev/null
ip=$(skiff inspect -f '{{.NetworkSettings.IPAddress}}' direct)
# Docker's published port: through docker-proxy (see bench/lib/dockerd.sh).
start_dockerd "$work" skbench1 10.213.1.1/24
$DOCKER load -q -i "$image" >/dev/null
dport=$(free_port)
$DOCKER run -d --name dsink -p "$dport:5000" busybox sh -c "$sink" >/dev/null
$DOCKER run -d --name ddirect busybox sh -c "$sink" >/dev/null
dip=$($DOCKER inspect -f '{{.NetworkSettings.IPAddress}}' ddirect)
proxy=$(pgrep -a docker-proxy | head -1 | cut -d' ' -f2 || true)
sleep 0.5
echo "skiff $(bin/skiff version | cut -d' ' -f3); dockerd $(dockerd --version | cut -d' ' -f3) (docker-proxy: ${proxy:-none seen}); kernel $(uname -r); $(nproc) cores"
echo; echo "## host -> container throughput (${MIB:-1024} MiB, one connection per path, 127.0.0.1 for published ports)"
node bench/network.mjs "${MIB:-1024}" "direct to the skiff container=$ip:5000" "skiff published port (DNAT)=127.0.0.1:$port" \
  "direct to the docker container=$dip:5000" "docker published port (docker-proxy)=127.0.0.1:$dport"
stop_dockerd
echo; echo "## run --rm busybox true: default network vs --network none"
node -e '
const { spawnSync } = require("child_process");
const [cli, root, rounds] = process.argv.slice(1);
const time = (args) => { const t = process.hrtime.bigint(); const r = spawnSync(cli, ["--root", root, ...args]); if (r.status) throw new Error(r.stderr.toString()); return Number(process.hrtime.bigint() - t) / 1e6; };
const s = { bridge: [], none: [] };
for (let i = 0; i < Number(rounds); i++) { s.bridge.push(time(["run", "--rm", "busybox", "true"])); s.none.push(time(["run", "--rm", "--network", "none", "busybox", "true"])); }
const med = (x) => x.sort((a, b) => a - b)[Math.floor(x.length / 2)];
console.log("| network | median ms |\n|---|---|");
console.log(`| default (bridge) | ${med(s.bridge).toFixed(0)} |\n| none | ${med(s.none).toFixed(0)} |`);
console.log(`\ndefault networking costs ${(med(s.bridge) / med(s.none)).toFixed(2)}x --network none (podman pays 2.2x here)`);
' bin/skiff "$work/root" "${ROUNDS:-15}"
