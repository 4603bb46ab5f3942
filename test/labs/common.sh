# What every lab check shares (docs/labs/README.md). A check looks at a
# running container from outside only: /proc/PID/ns, /proc/PID/mountinfo,
# /proc/PID/status, the cgroup files, the host's links and rules. It prints
# one line per check and exits 1 if any failed.
#
#   test/labs/check.sh LEVEL ID [ROOT]   (make lab-check LEVEL=N ID=c1 [ROOT=...])
set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
FAILED=0

pass() { echo "  ok    $*"; }
fail() { echo "  FAIL  $*"; FAILED=1; }
check() { # check "what" command...: passes when the command succeeds
  local what=$1; shift
  if "$@"; then pass "$what"; else fail "$what"; fi
}
finish() {
  if [ "$FAILED" = 0 ]; then echo "level $LEVEL: all checks pass"; else echo "level $LEVEL: some checks failed"; fi
  exit "$FAILED"
}
# json FILE EXPR: a value from a JSON file (EXPR in JavaScript, the file is `j`).
json() { node -e "const j=JSON.parse(require('fs').readFileSync(process.argv[1],'utf8')); const v=($2); console.log(v===undefined||v===null?'':typeof v==='object'?JSON.stringify(v):v)" "$1"; }

# A skiff-runtime container (levels 1-4, 6-8): PID, CONFIG (config.json as
# created), ROOTFS.
runtime_container() {
  local id=$1 root=${2:-/run/skiff-runtime}
  local state=$root/$id/state.json
  [ -f "$state" ] || { echo "no skiff-runtime container $id under $root (ROOT=... names another --root)"; exit 2; }
  PID=$(json "$state" j.pid)
  ROOTFS=$(json "$state" j.rootfs)
  CONFIG=$root/$id/config.json
  alive
}

# A skiff container (levels 5, 9, 10): PID and the container's record.
engine_container() {
  local name=$1 root=${2:-/var/lib/skiff}
  PID=$("$TOP/bin/skiff" --root "$root" inspect -f '{{.State.Pid}}' "$name" 2>/dev/null) || { echo "no skiff container $name under $root"; exit 2; }
  ENGINE_ROOT=$root
  alive
}

alive() {
  [ -n "$PID" ] && [ "$PID" != 0 ] && [ -d "/proc/$PID" ] || { echo "the container's process is not running: keep it alive to be checked (docs/labs/README.md)"; exit 2; }
  echo "level $LEVEL: checking PID $PID"
}

# The process's cgroup directory in the hierarchy that has CONTROLLER (v1)
# or the unified one (v2).
cgroup_dir() {
  local controller=$1 line path
  if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
    path=$(sed -n 's/^0::\(.*\)$/\1/p' "/proc/$PID/cgroup"); echo "/sys/fs/cgroup$path"; return
  fi
  line=$(grep -E "^[0-9]+:([^:]*,)?$controller(,[^:]*)?:" "/proc/$PID/cgroup") || return 1
  path=${line#*:*:}
  echo "/sys/fs/cgroup/$(echo "$line" | cut -d: -f2)$path"
}

# mountinfo fields: 5 = mount point, after " - ": fstype source options.
mount_type_at() { awk -v mp="$2" '$5 == mp { for (i = 7; $i != "-"; i++); print $(i+1) }' "/proc/$1/mountinfo" | tail -1; }
