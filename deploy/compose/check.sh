#!/usr/bin/env bash
# Checks docker-compose.yml the way `make test` does: `podman-compose config` (1.5 from PyPI, in a
# venv under ~/.cache/impact-in: Debian's 1.0.3 has no `config`) parses and resolves it, and every
# role the service knows (src/service/roles.ts) has a container started with `--role <role>`.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VENV="${XDG_CACHE_HOME:-$HOME/.cache}/impact-in/kv-venv"
PODMAN_COMPOSE_VERSION=1.5.0
if [[ ! -x $VENV/bin/podman-compose ]] || [[ $("$VENV/bin/podman-compose" --version 2>/dev/null | head -n 1) != *"$PODMAN_COMPOSE_VERSION"* ]]; then
  [[ -x $VENV/bin/pip ]] || python3 -m venv "$VENV" >&2 || { DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-venv >&2 && python3 -m venv "$VENV" >&2; }
  "$VENV/bin/pip" install -q "podman-compose==$PODMAN_COMPOSE_VERSION" >&2
fi
command -v podman >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -q podman runc >&2
resolved="$("$VENV/bin/podman-compose" -f "$ROOT/docker-compose.yml" config)"
roles="$("$ROOT/node_modules/.bin/node" -e "import('$ROOT/src/service/roles.ts').then((m) => console.log(m.allRoles().join(' ')))")"
for role in $roles; do
  grep -qx -- "    - $role" <<<"$resolved" || { echo "compose: no service runs --role $role" >&2; exit 1; }
done
for file in deploy/compose/prometheus.yml deploy/compose/grafana/provisioning.yml deploy/compose/grafana/dashboards.yml; do
  [[ -f $ROOT/$file ]] || { echo "compose: $file is missing" >&2; exit 1; }
done
echo "compose: docker-compose.yml OK (roles: $roles)" >&2
