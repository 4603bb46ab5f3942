#!/bin/sh
# Builds an OCI bundle whose rootfs is the host's busybox-static plus the
# probe program, and whose config.json runs `sh -c` printing what a
# container sees. Idempotent: rebuilds only when inputs changed.
#   usage: build-busybox-bundle.sh OUT_DIR
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/out/busybox}
busybox=/bin/busybox
[ -x "$busybox" ] || { echo "build-busybox-bundle: busybox not found (apt-get install busybox-static)" >&2; exit 1; }
stamp="$out/.stamp"
want="$(sha256sum "$busybox" "$here/probe.c" "$0" | sha256sum | cut -d' ' -f1)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then exit 0; fi

rm -rf "$out"
mkdir -p "$out/rootfs"
r="$out/rootfs"
mkdir -p "$r/bin" "$r/sbin" "$r/etc" "$r/root" "$r/tmp" "$r/proc" "$r/sys" "$r/dev" "$r/var" "$r/usr/bin" "$r/home"
chmod 1777 "$r/tmp"
cp "$busybox" "$r/bin/busybox"
for applet in $("$r/bin/busybox" --list); do
  [ "$applet" = busybox ] || ln -sf busybox "$r/bin/$applet"
done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n' > "$r/etc/passwd"
printf 'root:x:0:\ntty:x:5:\nnogroup:x:65534:\n' > "$r/etc/group"
: > "$r/etc/hostname"
# The probe is static so it runs in any rootfs.
${CC:-gcc} -static -O2 -Wall -o "$r/bin/probe" "$here/probe.c"
# The listing leakcheck compares against: tests must not change this rootfs.
listing="$(cd "$out" && pwd)/.listing"
(cd "$r" && find . | sort) > "$listing"
echo "$want" > "$stamp"
echo "built $out"
