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
echo; echo "## run of /bin/true"
node bench/runtime.mjs "$bundle" "${ROUNDS:-30}"
echo; echo "## lifecycle phases and exec"
node bench/phases.mjs "$bundle" "${PHASE_ROUNDS:-50}"
