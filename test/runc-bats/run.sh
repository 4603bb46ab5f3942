#!/bin/bash
# Runs runc's own integration tests (opencontainers/runc tests/integration,
# bats) against skiff-runtime, or against another runtime for comparison.
#   usage: test/runc-bats/run.sh RUNC_SRC [RUNTIME] [FILE.bats...]
# RUNC_SRC is a checkout of runc v1.1.5 (not part of this repository: CI
# cannot fetch it; see docs/runc-integration.md). RUNTIME defaults to
# bin/skiff-runtime; it must be an absolute path (runc's helpers call it from
# inside each test's bundle directory).
# Needs bats, gawk, jq, Debian's golang-go (builds runc's helper programs in
# vendor mode) and busybox-static (the test image is made from it: runc's
# get-images.sh would download one).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
src=${1:?usage: run.sh RUNC_SRC [RUNTIME] [FILE.bats...]}
src=$(cd "$src" && pwd)
shift
runtime=${1:-$top/bin/skiff-runtime}
[ $# -gt 0 ] && shift
case $runtime in /*) ;; *) echo "run.sh: RUNTIME must be an absolute path" >&2; exit 2 ;; esac
tests=$src/tests/integration
[ -f "$tests/helpers.bash" ] || { echo "run.sh: $src has no tests/integration (want runc v1.1.5)" >&2; exit 2; }
for tool in bats gawk jq go; do
  command -v $tool >/dev/null || { echo "run.sh: $tool is missing (apt-get install bats gawk jq golang-go)" >&2; exit 2; }
done

# runc's helper programs, built once, offline, from the vendored modules.
export GOFLAGS=-mod=vendor GOCACHE=$src/.gocache GOPATH=$src/.gopath GOTOOLCHAIN=local
for cmd in recvtty sd-helper seccompagent; do
  bin=$src/contrib/cmd/$cmd/$cmd
  [ -x "$bin" ] || (cd "$src" && go build -buildvcs=false -tags seccomp -o "$bin" "./contrib/cmd/$cmd")
done

# The test image: runc downloads busybox from docker-library; the same
# layout is made here from the host's static busybox.
# No /proc or /sys in it, as in docker-library's busybox: mask.bats makes
# them symlinks (`ln -s /symlink rootfs/proc`), which with a directory there
# would land inside it instead. The stamp names this recipe: an image made
# by an older one is made again.
image=$tests/testdata/busybox-amd64.tar.xz
stamp=$tests/testdata/.skiff-busybox-v2
if [ ! -e "$image" ] || [ ! -e "$stamp" ]; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  mkdir -p "$tmp"/{bin,etc,home,root,tmp,usr/sbin,var/spool/mail,var/www,dev}
  chmod 755 "$tmp"  # mktemp made it 0700: the image's / must be 0755
  chmod 1777 "$tmp/tmp"
  cp /bin/busybox "$tmp/bin/busybox"
  for applet in $("$tmp/bin/busybox" --list); do
    [ "$applet" = busybox ] || ln -f "$tmp/bin/busybox" "$tmp/bin/$applet"
  done
  cat > "$tmp/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/bin/false
bin:x:2:2:bin:/bin:/bin/false
sys:x:3:3:sys:/dev:/bin/false
sync:x:4:100:sync:/bin:/bin/sync
mail:x:8:8:mail:/var/spool/mail:/bin/false
www-data:x:33:33:www-data:/var/www:/bin/false
operator:x:37:37:Operator:/var:/bin/false
nobody:x:65534:65534:nobody:/home:/bin/false
PASSWD
  cat > "$tmp/etc/group" <<'GROUP'
root:x:0:
daemon:x:1:
bin:x:2:
sys:x:3:
adm:x:4:
tty:x:5:
disk:x:6:
wheel:x:10:root
mail:x:12:
www-data:x:33:
operator:x:37:
users:x:100:
nogroup:x:65534:
GROUP
  chmod 700 "$tmp/root"
  tar -C "$tmp" --numeric-owner --owner=0 --group=0 -cJf "$image" .
  rm -f "$tests/testdata/debian-amd64.tar.xz"
  touch "$stamp"
fi

# get-images.sh also wants runc's Debian image, used only by hooks.bats
# (left out below); without a file of that name every test would try to
# download it first.
[ -e "$tests/testdata/debian-amd64.tar.xz" ] || cp "$image" "$tests/testdata/debian-amd64.tar.xz"

cd "$tests"
if [ $# -eq 0 ]; then
  # Everything but hooks.bats (needs runc's Debian image) and
  # mounts_sshfs.bats (needs sshfs and a network).
  set -- $(ls *.bats | grep -v -e '^hooks.bats$' -e '^mounts_sshfs.bats$')
fi
# spec.bats clones runtime-spec from GitHub; refuse at once instead of
# waiting for DNS to fail (that test fails either way without a network).
export GIT_ALLOW_PROTOCOL=file
# Foreground `runc run` of runc's default spec (terminal: true) opens
# /dev/tty: without a controlling terminal those tests fail for any runtime.
# script(1) gives bats one.
export RUNC=$runtime
if [ -t 0 ]; then exec bats --tap "$@"; fi
exec script -qefc "bats --tap $*" /dev/null
