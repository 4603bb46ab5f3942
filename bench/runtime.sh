#!/bin/bash
# Benchmark: `skiff-runtime run` of /bin/true against `runc run` (Debian's
# runc, installed here if missing) and the `node -e 0` floor; then create,
# start, delete and exec separately against runc.
# Not a test: it prints ratios measured in the same run; record them in
# bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v runc >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq runc </dev/null; }
make --no-print-directory fixtures >/dev/null
bundle=$(mktemp -d /tmp/skiff-bench-bundle.XXXXXX)
trap 'rm -rf "$bundle"' EXIT
# The same bundle for both runtimes: the busybox rootfs running /bin/true.
node -e '
const fs = require("fs");
const [src, dst] = process.argv.slice(1);
const spec = JSON.parse(fs.readFileSync(src + "/config.json", "utf8"));
spec.root.path = fs.realpathSync(src + "/rootfs");
spec.process.args = ["/bin/true"];
fs.writeFileSync(dst + "/config.json", JSON.stringify(spec));
' rootfs-fixtures/out/busybox "$bundle"
echo "runc: $(runc --version | head -1); node: $(node --version); kernel: $(uname -r); $(nproc) cores"

# Cold: no warm service (a socket path where none listens).
export SKIFF_SERVICE_SOCKET=$bundle/no-service.sock
echo; echo "## cold (no service): run of /bin/true"
node bench/runtime.mjs "$bundle" "${ROUNDS:-30}"
echo; echo "## cold (no service): lifecycle phases and exec"
node bench/phases.mjs "$bundle" "${PHASE_ROUNDS:-50}"
echo; echo "## cold (no service): V8 code cache vs startup snapshot"
node bench/snapshot.mjs "$bundle" "${SNAPSHOT_ROUNDS:-20}"

# Warm: the launchers hand each command to `skiff serve` (docs/warm-path.md).
export SKIFF_SERVICE_SOCKET=$bundle/cli.sock
bin/skiff --root "$bundle/engine" serve --warm-workers "${WARM_WORKERS:-2}" -H "unix://$bundle/api.sock" 2>"$bundle/serve.log" &
serve_pid=$!
trap 'kill $serve_pid 2>/dev/null; wait $serve_pid 2>/dev/null; rm -rf "$bundle"' EXIT
for _ in $(seq 100); do [ -S "$bundle/cli.sock" ] && break; sleep 0.1; done
echo; echo "## warm (skiff serve): run of /bin/true"
node bench/runtime.mjs "$bundle" "${ROUNDS:-30}"
echo; echo "## warm (skiff serve): lifecycle phases and exec"
node bench/phases.mjs "$bundle" "${PHASE_ROUNDS:-50}"
