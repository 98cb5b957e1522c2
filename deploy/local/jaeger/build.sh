#!/usr/bin/env bash
# Builds Jaeger v2 (all-in-one: OTLP receiver + in-memory store + query API/UI) from the Go module
# proxy, pinned by this folder's go.mod / go.sum, once: the binary is cached at
# the per-machine tools cache, ${IMPACT_TOOLS_CACHE:-~/.cache/impact-in/tools}/jaeger-<version>/jaeger, so a
# fresh clone (CI) reuses it. Prints the binary's path on stdout.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
version="$(awk '$1 == "github.com/jaegertracing/jaeger" { print $2; exit }' "$here/go.mod")"
[[ -n $version ]] || { echo "jaeger: no github.com/jaegertracing/jaeger requirement in $here/go.mod" >&2; exit 1; }
out="${IMPACT_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/impact-in/tools}/jaeger-$version/jaeger"
mkdir -p "$(dirname "$out")"
# One build at a time (the stack and a test may both ask for it): the second waits, then finds it built.
exec 8>"$(dirname "$out")/build.lock"
flock -w 3600 8
if [[ ! -x $out ]]; then
  command -v go >/dev/null || { echo "jaeger: Go is needed to build $version once (https://go.dev/dl/)" >&2; exit 1; }
  mkdir -p "$(dirname "$out")"
  echo "jaeger: building $version from the Go module proxy (once; cached at $out)" >&2
  started=$SECONDS
  (cd "$here" && CGO_ENABLED=0 go build -trimpath -o "$out.tmp" github.com/jaegertracing/jaeger/cmd/jaeger)
  mv "$out.tmp" "$out"
  echo "jaeger: built in $((SECONDS - started)) s" >&2
fi
printf '%s\n' "$out"
