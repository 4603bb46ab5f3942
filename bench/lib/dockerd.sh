# A private dockerd for benchmarks (sourced by bench/*.sh): Debian's
# docker.io on its own socket, data root and bridge, with no iptables rules,
# so it changes nothing else on this machine. Published ports then go
# through docker-proxy, Docker's userland copy, which is also the path Docker
# takes for 127.0.0.1 even with iptables on (its DNAT rules skip loopback).
#   start_dockerd WORKDIR BRIDGE CIDR [DOCKERD ARGS...]
#                                       sets DOCKER (the CLI with -H) and dockerd_pid
#   stop_dockerd                        idempotent; call it from the EXIT trap

dockerd_pid=
dockerd_bridge=

ensure_packages() {
  local missing
  missing=$(for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || echo "$p"; done)
  [ -z "$missing" ] || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing </dev/null >/dev/null; }
}

start_dockerd() {
  local work=$1 bridge=$2 cidr=$3
  shift 3
  ensure_packages docker.io
  dockerd_bridge=$bridge
  ip link add "$bridge" type bridge && ip addr add "$cidr" dev "$bridge" && ip link set "$bridge" up
  dockerd --host "unix://$work/docker.sock" --data-root "$work/docker" --exec-root "$work/docker-exec" \
    --pidfile "$work/docker.pid" --bridge "$bridge" --iptables=false --ip6tables=false --ip-masq=false \
    --storage-driver overlay2 "$@" >"$work/dockerd.log" 2>&1 &
  dockerd_pid=$!
  DOCKER="docker -H unix://$work/docker.sock"
  for _ in $(seq 100); do $DOCKER info >/dev/null 2>&1 && return 0; sleep 0.2; done
  echo "dockerd did not start: $(tail -3 "$work/dockerd.log")" >&2
  return 1
}

stop_dockerd() {
  if [ -n "$dockerd_pid" ]; then
    $DOCKER rm -f $($DOCKER ps -aq) >/dev/null 2>&1 || true
    kill "$dockerd_pid" 2>/dev/null || true
    wait "$dockerd_pid" 2>/dev/null || true
    dockerd_pid=
  fi
  [ -n "$dockerd_bridge" ] && ip link del "$dockerd_bridge" 2>/dev/null || true
  dockerd_bridge=
}
