#!/bin/sh
# Writes the demo's config.json into a busybox bundle: `skiff-runtime spec`
# (runc's defaults) with a process that prints its hostname, PID and `ls /`.
set -eu
bundle=$1
here=$(cd "$(dirname "$0")" && pwd)
rm -f "$bundle/config.json"
"$here/../bin/skiff-runtime" spec --bundle "$bundle"
node -e '
const fs = require("fs");
const path = process.argv[1] + "/config.json";
const spec = JSON.parse(fs.readFileSync(path, "utf8"));
spec.process.terminal = false;
spec.process.args = ["sh", "-c", "echo \"hostname: $(hostname)\"; echo \"pid: $$\"; echo \"ls /:\"; ls /"];
spec.hostname = "skiff-demo";
fs.writeFileSync(path, JSON.stringify(spec, null, 2) + "\n");
' "$bundle"
