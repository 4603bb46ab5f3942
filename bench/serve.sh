#!/bin/bash
# Benchmark: the docker CLI v28 against three servers of the Docker Engine
# API, paired in one run on the same busybox fixture image:
#   skiff serve               (this repository; --no-warm: the API server only)
#   a private dockerd         (bench/lib/dockerd.sh: its own socket, root, bridge)
#   podman system service     (Debian podman's compat API, its own storage root)
# Each round runs `docker run --rm --network none busybox true` once against
# each server, in turn (so a noisy neighbour hits all three alike); the
# median per server and the ratios to dockerd are printed. --network none:
# podman's default network would add firewall rules that are not ours to
# add to this machine, and skiff's and docker's bridges are measured in
# bench/engine.sh. Not a test: record the numbers in bench/RESULTS.md.
#   bench/serve.sh [ROUNDS]   (default 20)
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib/dockerd.sh
ensure_packages podman
make --no-print-directory fixtures >/dev/null
rounds=${1:-20}
image=rootfs-fixtures/out/images/busybox-image.tar
work=$(mktemp -d /tmp/skiff-bench-serve.XXXXXX)
serve_pid=
podman_pid=
podman_g=(--root "$work/podman" --runroot "$work/podman-run" --tmpdir "$work/podman-tmp" --cgroup-manager cgroupfs --events-backend file)
cleanup() {
  set +e # every step is tried, whatever the one before did (under set -e a failed one skipped the rm -rf)
  [ -z "$serve_pid" ] || { kill "$serve_pid" 2>/dev/null; wait "$serve_pid" 2>/dev/null || true; }
  [ -z "$podman_pid" ] || { kill "$podman_pid" 2>/dev/null; wait "$podman_pid" 2>/dev/null || true; }
  stop_dockerd
  podman "${podman_g[@]}" rm -af -t 0 >/dev/null 2>&1 || true
  bin/skiff --root "$work/skiff" rm -f $(bin/skiff --root "$work/skiff" ps -aq 2>/dev/null) >/dev/null 2>&1 || true
  grep -o " $work[^ ]*" /proc/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
  grep -ls "^$work" /run/skiff/subnets/* 2>/dev/null | xargs -r rm -f
  rm -rf "$work"
}
trap cleanup EXIT
trap "exit 143" TERM INT # so that a stopped run still cleans up

wait_socket() { for _ in $(seq 100); do docker -H "unix://$1" version >/dev/null 2>&1 && return 0; sleep 0.1; done; echo "no API on $1" >&2; return 1; }

start_dockerd "$work" skbserve0 10.214.0.1/24
$DOCKER load -q -i "$image" >/dev/null
bin/skiff --root "$work/skiff" load -q -i "$image" >/dev/null
bin/skiff --root "$work/skiff" serve --no-warm -H "unix://$work/skiff.sock" 2>"$work/serve.log" &
serve_pid=$!
podman "${podman_g[@]}" load -q -i "$image" >/dev/null
podman "${podman_g[@]}" system service --time 0 "unix://$work/podman.sock" 2>"$work/podman.log" &
podman_pid=$!
wait_socket "$work/skiff.sock"
wait_socket "$work/podman.sock"

echo "skiff $(bin/skiff version | cut -d' ' -f3); $(docker --version | head -1) / dockerd $(dockerd --version | cut -d' ' -f3); $(podman --version); kernel $(uname -r); $(nproc) cores"
echo "## docker run --rm --network none busybox true, $rounds rounds, paired"
declare -A times
names=(skiff dockerd podman)
socks=("$work/skiff.sock" "$work/docker.sock" "$work/podman.sock")
# One unmeasured run each: first-use costs (podman's storage, dockerd's layer cache) are not the steady state.
# A server the CLI cannot run a container through is left out of the rounds (and said so).
live=()
for i in 0 1 2; do
  if err=$(docker -H "unix://${socks[$i]}" run --rm --network none busybox true 2>&1); then live+=("$i"); else echo "${names[$i]}: left out, docker run fails: $err"; fi
done
for _ in $(seq "$rounds"); do
  for i in "${live[@]}"; do
    start=$(date +%s%N)
    docker -H "unix://${socks[$i]}" run --rm --network none busybox true
    times[${names[$i]}]+="$(( ($(date +%s%N) - start) / 1000000 )) "
  done
done
median() { tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : int((a[NR/2] + a[NR/2+1]) / 2)}'; }
docker_ms=$(median <<< "${times[dockerd]}")
printf '| server | median ms | / dockerd |\n|---|---|---|\n'
for i in "${live[@]}"; do
  n=${names[$i]}
  ms=$(median <<< "${times[$n]}")
  printf '| %s | %s | %s× |\n' "$n" "$ms" "$(awk -v a="$ms" -v b="$docker_ms" 'BEGIN {printf "%.2f", a / b}')"
done

# ---- ps with 50 containers, attach and logs throughput: skiff serve vs dockerd ----
# Same CLI, same image, paired rounds (skiff, then dockerd, each round).
# SERVE_PS_ROUNDS / SERVE_STREAM_ROUNDS change the rounds (default 10 / 3).
pair=(0 1)   # skiff, dockerd
ps_rounds=${SERVE_PS_ROUNDS:-10}
stream_rounds=${SERVE_STREAM_ROUNDS:-3}
mb=64
for i in "${pair[@]}"; do
  for n in $(seq 50); do docker -H "unix://${socks[$i]}" create --network none --label bench=ps busybox true >/dev/null; done
done
declare -A ps_times attach_times logs_times
for _ in $(seq "$ps_rounds"); do
  for i in "${pair[@]}"; do
    start=$(date +%s%N)
    docker -H "unix://${socks[$i]}" ps -a >/dev/null
    ps_times[${names[$i]}]+="$(( ($(date +%s%N) - start) / 1000000 )) "
  done
done
# $mb MB of output through the attach stream (docker run without -d: attached,
# stdcopy-framed) and then through `docker logs` of the same container.
for r in $(seq "$stream_rounds"); do
  for i in "${pair[@]}"; do
    d="docker -H unix://${socks[$i]}"
    start=$(date +%s%N)
    $d run --name "flood$r" --network none busybox sh -c "head -c $((mb * 1000000)) /dev/zero | tr '\\0' x | fold -w 1000" >/dev/null
    attach_times[${names[$i]}]+="$(( ($(date +%s%N) - start) / 1000000 )) "
    start=$(date +%s%N)
    $d logs "flood$r" >/dev/null
    logs_times[${names[$i]}]+="$(( ($(date +%s%N) - start) / 1000000 )) "
    $d rm "flood$r" >/dev/null
  done
done
echo
echo "## docker ps -a with 50 containers ($ps_rounds rounds); $mb MB through attach (docker run) and docker logs ($stream_rounds rounds), paired"
printf '| measure | skiff ms | dockerd ms | skiff / dockerd |\n|---|---|---|---|\n'
row() {
  local what=$1 s d
  s=$(median <<< "$2"); d=$(median <<< "$3")
  printf '| %s | %s | %s | %s× |\n' "$what" "$s" "$d" "$(awk -v a="$s" -v b="$d" 'BEGIN {printf "%.2f", a / b}')"
}
row 'ps -a, 50 containers' "${ps_times[skiff]}" "${ps_times[dockerd]}"
row "run (attached), $mb MB out" "${attach_times[skiff]}" "${attach_times[dockerd]}"
row "logs, $mb MB" "${logs_times[skiff]}" "${logs_times[dockerd]}"
for i in "${pair[@]}"; do docker -H "unix://${socks[$i]}" rm $(docker -H "unix://${socks[$i]}" ps -aq --filter label=bench=ps) >/dev/null; done
