#!/usr/bin/env bash
# Run Kafka's own CLIs from the jars cached by deploy/local/stack.sh (resolved on first use).
#   deploy/local/kafka-cli.sh <tool> [args...]      e.g.
#   deploy/local/kafka-cli.sh topics --bootstrap-server 127.0.0.1:9092 --list
#   deploy/local/kafka-cli.sh consumer-groups --bootstrap-server 127.0.0.1:9092 --describe --all-groups
# <tool> is the kafka-<tool>.sh name from the Kafka distribution, or a fully-qualified main class.
# Arguments are passed through untouched (no default --bootstrap-server).
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
  echo "usage: $0 <tool> [args...]" >&2
  echo "tools: $(tr -s " \n" " " <<<"$KAFKA_TOOL_NAMES")" >&2
  echo "       or a fully-qualified main class (e.g. org.apache.kafka.tools.ClusterTool)" >&2
  exit 2
}
[[ $# -ge 1 ]] || usage
tool="$1"
shift
case "$tool" in
  -h | --help | help) usage ;;
  kafka-*.sh) tool="${tool#kafka-}"; tool="${tool%.sh}" ;;
esac
if ! class="$(kafka_tool_class "$tool")"; then
  [[ $tool == *.* ]] || { echo "unknown tool: $tool" >&2; usage; }
  class="$tool"
fi
kafka_ensure_libs
kafka_tool_jvm
exec "${KAFKA_TOOL_JVM[@]}" "$class" "$@"
