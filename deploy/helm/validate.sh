#!/usr/bin/env bash
# Checks the Helm chart the way `make test` does: `helm lint` and `helm template` for the default
# values, the production values and KEDA detected through the cluster's APIs; every rendered object
# validated against the Kubernetes OpenAPI schemas (kubernetes-validate, strict) and the custom
# resources (KEDA ScaledObject/TriggerAuthentication, prometheus-operator ServiceMonitor) against
# their CRD schemas (@kubernetes-models/keda, @kubernetes-models/prometheus-operator, pinned in
# package-lock.json). Tools are installed when missing: Helm v4 from the Go module proxy (cached
# under ~/.cache/impact-in/tools), kubernetes-validate from PyPI (a venv under ~/.cache/impact-in).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CHART="$ROOT/deploy/helm/impact-in"
HELM_VERSION="${HELM_VERSION:-v4.3.2}"
K8S_VERSION="${K8S_VERSION:-1.33.0}"
# Built tools live per machine, not per clone: a fresh clone (CI) reuses what an earlier one built.
HELM="${IMPACT_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/impact-in/tools}/helm-$HELM_VERSION/helm"
VENV="${XDG_CACHE_HOME:-$HOME/.cache}/impact-in/kv-venv"

if [[ ! -x $HELM ]]; then
  command -v go >/dev/null || { echo "validate: Go is needed to build Helm (apt-get install golang, or put go on PATH)" >&2; exit 1; }
  echo "validate: building Helm $HELM_VERSION from the Go module proxy (once; cached in $(dirname "$HELM"))" >&2
  t0=$SECONDS
  GOBIN="$(dirname "$HELM")" go install "helm.sh/helm/v4/cmd/helm@$HELM_VERSION" >&2
  echo "validate: built Helm in $((SECONDS - t0)) s" >&2
fi
if [[ ! -x $VENV/bin/kubernetes-validate ]]; then
  echo "validate: installing kubernetes-validate into $VENV" >&2
  python3 -m venv "$VENV" >&2 || { DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-venv >&2 && python3 -m venv "$VENV" >&2; }
  "$VENV/bin/pip" install -q kubernetes-validate pyyaml >&2
fi

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
prod="$CHART/ci/production-values.yaml"
"$HELM" lint "$CHART" >&2
"$HELM" lint "$CHART" -f "$prod" >&2
"$HELM" template impact-in "$CHART" >"$out/default.yaml"
"$HELM" template impact-in "$CHART" -f "$prod" >"$out/production.yaml"
# autoscaling.keda=auto on a cluster that serves KEDA's API: ScaledObjects, not HPAs.
"$HELM" template impact-in "$CHART" --api-versions keda.sh/v1alpha1/ScaledObject >"$out/keda-auto.yaml"
# Guard: maxReplicas above the partitions must fail the render.
if "$HELM" template impact-in "$CHART" --set partitions=2 >/dev/null 2>"$out/fail.txt"; then
  echo "validate: maxReplicas > partitions rendered without error" >&2; exit 1
fi
grep -q 'is above partitions' "$out/fail.txt" || { cat "$out/fail.txt" >&2; exit 1; }

"$VENV/bin/python" "$ROOT/deploy/helm/split-rendered.py" "$out" "$out"/default.yaml "$out"/production.yaml "$out"/keda-auto.yaml
"$VENV/bin/kubernetes-validate" --strict --quiet -k "$K8S_VERSION" "$out"/core/*.yaml
"$ROOT/node_modules/.bin/node" "$ROOT/deploy/helm/validate-crds.ts" "$out"/crd/*.json
echo "validate: chart OK ($(ls "$out"/core | wc -l) core objects against Kubernetes $K8S_VERSION, $(ls "$out"/crd | wc -l) custom resources against their CRDs)" >&2
