#!/usr/bin/env bash
# Builds the impact-in image with podman: the Node 24 base (deploy/image/base-image.sh, cached per
# machine, unless NODE_BASE names one) and the Dockerfile on top. Prints the image name on stdout;
# the build time and the image size on stderr.
#
#   deploy/image/build.sh [TAG]      default TAG: localhost/impact-in:dev
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=podman.sh
. "$ROOT/deploy/image/podman.sh"
TAG="${1:-localhost/impact-in:dev}"
ensure_podman
t0=$SECONDS
NODE_BASE="${NODE_BASE:-$(bash "$ROOT/deploy/image/base-image.sh")}"
t1=$SECONDS
# --network host: the deps stage's `npm ci` reaches the npm registry the way the host does.
# --format docker: the OCI image format has no HEALTHCHECK.
secret=()
ca="${BUILD_CA_FILE:-${NODE_EXTRA_CA_CERTS:-}}"
[[ -n $ca && -s $ca ]] && secret=(--secret "id=build_ca,src=$ca")
pm build "${secret[@]}" --network host --pull=never --layers --format docker \
  --build-arg NODE_BASE="$NODE_BASE" \
  --build-arg VERSION="$(node -p "require('$ROOT/package.json').version")" \
  --build-arg REVISION="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)" \
  --build-arg CREATED="$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
  -t "$TAG" -f "$ROOT/Dockerfile" "$ROOT" >&2
size="$(podman image inspect --format '{{.Size}}' "$TAG")"
echo "image: $TAG on $NODE_BASE; base $((t1 - t0)) s, build $((SECONDS - t1)) s; size $((size / 1000000)) MB" >&2
echo "$TAG"
