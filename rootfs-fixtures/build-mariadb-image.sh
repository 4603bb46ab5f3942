#!/bin/bash
# A small Debian 12 root filesystem with a real database server (MariaDB),
# built with debootstrap from the Debian mirror, as a tarball for
# `skiff import`: the volume tests run it with its data directory on a
# volume. Cached: rebuilt only when this script changes.
# Exit status 3 means "skip": the Debian mirror cannot be reached.
# usage: build-mariadb-image.sh OUT_DIR
set -euo pipefail
out=${1:?usage: build-mariadb-image.sh OUT_DIR}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
tarball=$out/mariadb-rootfs.tar.gz
stamp=$out/mariadb-rootfs.stamp
version=$(sha256sum "$0" | cut -c1-64)
if [ -f "$tarball" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$version" ]; then exit 0; fi
mkdir -p "$out"
host=$(sed -E 's#^[a-z]+://([^/:]+).*#\1#' <<< "$mirror")
if ! timeout 20 bash -c "exec 3<>/dev/tcp/$host/80" 2>/dev/null; then
  echo "build-mariadb-image: the Debian mirror $mirror cannot be reached: the database image is skipped" >&2
  exit 3
fi
dpkg -s debootstrap >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap </dev/null; }
work=$(mktemp -d /tmp/skiff-mariadb-build.XXXXXX)
trap 'rm -rf "$work"' EXIT
echo "build-mariadb-image: debootstrap bookworm + mariadb-server (a few minutes, once)" >&2
debootstrap --variant=minbase --include=mariadb-server,mariadb-client bookworm "$work/rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 || {
  tail -20 "$work/debootstrap.log" >&2; exit 1; }
# The image's entrypoint: a data directory of its own on first start (an
# empty volume), then the server in the foreground on its unix socket only.
cat > "$work/rootfs/usr/local/bin/db-entrypoint" <<'SCRIPT'
#!/bin/sh
set -e
mkdir -p /run/mysqld
chown mysql:mysql /run/mysqld /var/lib/mysql
if [ ! -d /var/lib/mysql/mysql ]; then
  mariadb-install-db --user=mysql --datadir=/var/lib/mysql --skip-test-db >/dev/null
fi
exec mariadbd --user=mysql --datadir=/var/lib/mysql --skip-networking --socket=/run/mysqld/mysqld.sock
SCRIPT
chmod 755 "$work/rootfs/usr/local/bin/db-entrypoint"
rm -rf "$work/rootfs/var/cache/apt/archives"/*.deb "$work/rootfs/var/lib/apt/lists"/* "$work/rootfs/usr/share/doc" "$work/rootfs/usr/share/man"
tar --numeric-owner -C "$work/rootfs" -czf "$tarball.tmp" .
mv "$tarball.tmp" "$tarball"
echo "$version" > "$stamp"
