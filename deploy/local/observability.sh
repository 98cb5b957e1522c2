#!/usr/bin/env bash
# Optional observability services of the local stack, on loopback: Prometheus (Debian's package)
# scraping impact-in's /metrics with the alert rules loaded, and Jaeger v2 (built once from the Go
# module proxy, deploy/local/jaeger) receiving OTLP traces. `stack.sh up` does not start them (it
# stays fast); `stack.sh observability up|down|status` does.
#
#   observability.sh up | down | status
#
# Honoured: PROMETHEUS_PORT (9090), JAEGER_QUERY_PORT (16686), JAEGER_OTLP_HTTP_PORT (4318),
#   JAEGER_OTLP_GRPC_PORT (4317), IMPACT_METRICS_TARGETS (host:port list; default 127.0.0.1:9464,9466-9471 (9465 is the Benevity callback port):
#   one process with every role, or one per role on consecutive HTTP_PORTs).
# Trace a run with: export OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:${JAEGER_OTLP_HTTP_PORT:-4318}
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
. "$here/lib.sh"
repo="$(cd "$here/../.." && pwd)"
PROMETHEUS_PORT="${PROMETHEUS_PORT:-9090}"
export JAEGER_QUERY_PORT="${JAEGER_QUERY_PORT:-16686}" JAEGER_OTLP_HTTP_PORT="${JAEGER_OTLP_HTTP_PORT:-4318}" JAEGER_OTLP_GRPC_PORT="${JAEGER_OTLP_GRPC_PORT:-4317}"
export JAEGER_QUERY_GRPC_PORT="${JAEGER_QUERY_GRPC_PORT:-16685}" JAEGER_HEALTH_PORT="${JAEGER_HEALTH_PORT:-13133}"
TARGETS="${IMPACT_METRICS_TARGETS:-$(printf "127.0.0.1:%s," 9464 9466 9467 9468 9469 9470 9471 | sed "s/,$//")}"
OBS_DIR="$STACK_DIR/observability"
PROM_PID="$RUN_DIR/prometheus.pid"
JAEGER_PID="$RUN_DIR/jaeger.pid"

report() { printf '%-10s %s\n' "$1" "$2" >&2; }
running() { [[ -f $1 ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

prometheus_up() {
  if running "$PROM_PID"; then report prometheus "running (pid $(cat "$PROM_PID")) http://127.0.0.1:$PROMETHEUS_PORT"; return; fi
  command -v prometheus >/dev/null || bash "$repo/deploy/prometheus/check.sh" >/dev/null
  mkdir -p "$OBS_DIR/prometheus" "$LOG_DIR"
  {
    echo 'global: { scrape_interval: 5s, evaluation_interval: 5s }'
    echo "rule_files: [\"$repo/deploy/prometheus/alerts.yml\"]"
    echo 'scrape_configs:'
    echo '  - job_name: impact-in'
    echo '    static_configs:'
    echo "      - targets: [$(sed 's/[^,]*/"&"/g' <<<"$TARGETS")]"
  } >"$OBS_DIR/prometheus/prometheus.yml"
  nohup prometheus --config.file="$OBS_DIR/prometheus/prometheus.yml" --storage.tsdb.path="$OBS_DIR/prometheus/data" \
    --web.listen-address="127.0.0.1:$PROMETHEUS_PORT" >"$LOG_DIR/prometheus.log" 2>&1 &
  echo $! >"$PROM_PID"
  for _ in $(seq 100); do tcp_open 127.0.0.1 "$PROMETHEUS_PORT" && break; sleep 0.2; done
  report prometheus "up http://127.0.0.1:$PROMETHEUS_PORT (scraping $TARGETS)"
}

jaeger_up() {
  if running "$JAEGER_PID"; then report jaeger "running (pid $(cat "$JAEGER_PID")) http://127.0.0.1:$JAEGER_QUERY_PORT"; return; fi
  local binary t0
  t0="$(now)"
  binary="$(bash "$here/jaeger/build.sh")"
  mkdir -p "$LOG_DIR"
  nohup "$binary" --config "$here/jaeger/jaeger.yaml" >"$LOG_DIR/jaeger.log" 2>&1 &
  echo $! >"$JAEGER_PID"
  for _ in $(seq 100); do tcp_open 127.0.0.1 "$JAEGER_QUERY_PORT" && break; sleep 0.2; done
  report jaeger "up in $(elapsed "$t0") http://127.0.0.1:$JAEGER_QUERY_PORT (OTLP http://127.0.0.1:$JAEGER_OTLP_HTTP_PORT)"
}

down() {
  local pidfile
  for pidfile in "$PROM_PID" "$JAEGER_PID"; do
    if running "$pidfile"; then kill "$(cat "$pidfile")"; fi
    rm -f "$pidfile"
  done
}

status() {
  local rc=0
  if running "$PROM_PID"; then report prometheus "up http://127.0.0.1:$PROMETHEUS_PORT"; else report prometheus down; rc=3; fi
  if running "$JAEGER_PID"; then report jaeger "up http://127.0.0.1:$JAEGER_QUERY_PORT"; else report jaeger down; rc=3; fi
  return "$rc"
}

case "${1:-}" in
  up) mkdir -p "$RUN_DIR"; prometheus_up; jaeger_up ;;
  down | stop) down ;;
  status) status ;;
  *) sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
