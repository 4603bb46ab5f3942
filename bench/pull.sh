#!/bin/bash
# Benchmark: pull + unpack of a >= 100 MB multi-layer image from a local
# registry (Debian docker-registry on 127.0.0.1) with skiff, with a private
# dockerd (bench/lib/dockerd.sh) pulling from the same registry, with skopeo
# + umoci, and plain tar -xzf of the same layers. Not a test: record the
# printed table in bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib/dockerd.sh
ensure_packages docker-registry skopeo umoci docker.io
make --no-print-directory fixtures >/dev/null
work=$(mktemp -d /tmp/skiff-bench-pull.XXXXXX)
cleanup() { stop_dockerd; rm -rf "$work"; }
trap cleanup EXIT
start_dockerd "$work" skbench2 10.213.2.1/24
echo "skopeo: $(skopeo --version); umoci: $(umoci --version); $(dockerd --version); $(nproc) cores"
# dockerd trusts plain HTTP on 127.0.0.0/8 by default, as skiff does.
BENCH_DOCKER="$DOCKER" node bench/pull.mjs "${ROUNDS:-3}"
