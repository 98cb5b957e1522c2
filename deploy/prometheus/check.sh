#!/usr/bin/env bash
# Checks impact-in's alert rules and runs their unit tests with promtool. promtool comes with
# Debian's prometheus package, installed here when missing (apt, as root or through sudo).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if ! command -v promtool >/dev/null; then
  sudo=""
  [[ $(id -u) -eq 0 ]] || sudo="sudo"
  echo "promtool missing: installing Debian's prometheus package" >&2
  $sudo apt-get update -qq
  # policy-rc.d-free containers: the package's service is not started (no init); we only need the binaries.
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends prometheus >/dev/null
fi
cd "$here"
promtool check rules alerts.yml
promtool test rules alerts.test.yml
