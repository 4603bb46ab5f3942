#!/bin/bash
# test/labs/make-bundle.sh DIR [JSON-EDIT]: a lab bundle in DIR: the busybox
# fixture's config.json with a process that stays alive (sleep) so a check
# can look at it, and its root path pointing at the fixture rootfs.
# JSON-EDIT is JavaScript run on the config `c`, e.g. 'c.hostname = "lab"'.
set -eu
DIR=${1:?usage: make-bundle.sh DIR [JSON-EDIT]}
TOP=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$DIR"
node -e '
  const fs = require("fs");
  const c = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
  c.root = { path: process.argv[2], readonly: true };
  c.process.args = ["sleep", "1000000"];
  c.hostname = "skiff-lab";
  eval(process.argv[4] || "");
  fs.writeFileSync(process.argv[3] + "/config.json", JSON.stringify(c, null, 2));
' "$TOP/rootfs-fixtures/out/busybox/config.json" "$TOP/rootfs-fixtures/out/busybox/rootfs" "$DIR" "${2:-}"
echo "bundle ready: $DIR/config.json (process: sleep; root: the busybox fixture)"
