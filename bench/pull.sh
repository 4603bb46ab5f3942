#!/bin/bash
# Benchmark: pull + unpack of a >= 100 MB multi-layer image from a local
# registry (Debian docker-registry on 127.0.0.1) with skiff, with skopeo +
# umoci, and plain tar -xzf of the same layers. Not a test: record the
# printed table in bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
missing=$(for p in docker-registry skopeo umoci; do dpkg -s $p >/dev/null 2>&1 || echo $p; done)
[ -z "$missing" ] || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing </dev/null; }
make --no-print-directory fixtures >/dev/null
echo "skopeo: $(skopeo --version); umoci: $(umoci --version); $(nproc) cores"
node bench/pull.mjs "${ROUNDS:-3}"
