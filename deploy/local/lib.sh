# shellcheck shell=bash disable=SC2034,SC2016
# Shared helpers for deploy/local/stack.sh and deploy/local/kafka-cli.sh. Source it; don't run it.
# Expects the caller to have `set -euo pipefail`.

LOCAL_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$LOCAL_DIR/../.." && pwd)"
# shellcheck source=versions.env
. "$LOCAL_DIR/versions.env"

STACK_DIR="$(realpath -m "${IMPACT_STACK_DIR:-$REPO_DIR/.stack}")"
CACHE_DIR="$(realpath -m "${IMPACT_CACHE_DIR:-$REPO_DIR/.cache}")"
LOG_DIR="$STACK_DIR/logs"
RUN_DIR="$STACK_DIR/run"
KAFKA_CACHE="$CACHE_DIR/kafka-$KAFKA_VERSION"
KAFKA_LIBS="$KAFKA_CACHE/libs"
REGISTRY_CACHE="$CACHE_DIR/registry-$APICURIO_VERSION"
REGISTRY_JAR="$REGISTRY_CACHE/apicurio-registry-app-$APICURIO_VERSION-runner.jar"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"

warn() { printf 'stack: %s\n' "$*" >&2; }
die() { printf 'stack: ERROR: %s\n' "$*" >&2; exit 1; }
now() { printf '%s' "${EPOCHREALTIME/,/.}"; }
# elapsed <start> -> "1.2s"
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1fs", b - a }'; }
is_root() { [[ $(id -u) -eq 0 ]]; }

# tcp_open HOST PORT: something accepts TCP connections there.
tcp_open() { timeout 2 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$1" "$2" 2>/dev/null; }

# kafka_metadata_ok HOST PORT: a Kafka broker there answers a Metadata request (v1, all topics), sent
# by hand over bash /dev/tcp: ~10 ms instead of ~1.5 s for a JVM CLI. Brokers open their client
# listener only once started (and unfenced), so an answer means the broker is usable.
kafka_metadata_ok() {
  timeout 3 bash -c '
    exec 3<>"/dev/tcp/$1/$2" || exit 1
    # size=19 | api_key=3 (Metadata) | api_version=1 | correlation_id=7 | client_id="stack" | topics=null
    printf "\x00\x00\x00\x13\x00\x03\x00\x01\x00\x00\x00\x07\x00\x05stack\xff\xff\xff\xff" >&3
    r="$(head -c 8 <&3 | od -An -tx1 | tr -d " \n")"
    [[ ${#r} -eq 16 && ${r:8:8} == 00000007 ]]' _ "$1" "$2" 2>/dev/null
}

# http_status METHOD URL [JSON_BODY] -> prints the HTTP status code ("000" when nothing answers).
# curl when present (any URL, incl. https and user:pass@); otherwise plain http over bash /dev/tcp.
http_status() {
  local method="$1" url="$2" body="${3-}"
  if command -v curl >/dev/null; then
    local args=(-s -o /dev/null -w '%{http_code}' --connect-timeout 2 --max-time 5 -X "$method")
    [[ -n $body ]] && args+=(-H 'Content-Type: application/vnd.schemaregistry.v1+json' --data "$body")
    curl "${args[@]}" "$url" 2>/dev/null || true
    return 0
  fi
  local re='^http://([^/:@]+)(:([0-9]+))?(/.*)?$'
  [[ $url =~ $re ]] || { printf '000'; return 0; }
  timeout 5 bash -c '
    exec 3<>"/dev/tcp/$1/$2" || exit 1
    printf "%s %s HTTP/1.1\r\nHost: %s:%s\r\nAccept: application/json\r\nContent-Type: application/vnd.schemaregistry.v1+json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s" \
      "$3" "$4" "$1" "$2" "${#5}" "$5" >&3
    IFS=" " read -r _ code _ <&3 && printf "%s" "${code%%[!0-9]*}"' _ \
    "${BASH_REMATCH[1]}" "${BASH_REMATCH[3]:-80}" "$method" "${BASH_REMATCH[4]:-/}" "$body" 2>/dev/null || printf '000'
}

is_loopback() { [[ $1 == 127.* || $1 == localhost || $1 == ::1 || $1 == '[::1]' ]]; }

# proc_running PID: the process exists and is not a zombie (a detached daemon's parent is PID 1,
# which may reap it late, and kill -0 succeeds on zombies).
proc_running() {
  local stat
  stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
  stat="${stat##*) }"
  [[ ${stat%% *} != Z ]]
}

# pid_alive PIDFILE PATTERN: the pid in PIDFILE runs and its command line contains PATTERN.
pid_alive() {
  local pid
  [[ -s $1 ]] || return 1
  pid="$(<"$1")"
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  proc_running "$pid" || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$2"
}

# ---------------------------------------------------------------- apt
APT_UPDATED=0
# apt_install PKG...: install Debian packages without letting their maintainer scripts start services
# (a temporary /usr/sbin/policy-rc.d that denies starts, unless one already exists).
apt_install() {
  local log="$LOG_DIR/apt.log" own_policy=0 rc=0
  is_root || die "need root to 'apt-get install $*' (install them yourself, or re-run as root)"
  command -v apt-get >/dev/null || die "no apt-get on this machine; install $* yourself"
  mkdir -p "$LOG_DIR"
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\n# temporary, from impact-in deploy/local: do not start services on install\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    own_policy=1
  fi
  if ((APT_UPDATED == 0)); then
    warn "apt-get update (log: $log)"
    DEBIAN_FRONTEND=noninteractive apt-get update -q >>"$log" 2>&1 || rc=$?
    APT_UPDATED=1
  fi
  if ((rc == 0)); then
    warn "apt-get install $* (log: $log)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" >>"$log" 2>&1 || rc=$?
  fi
  ((own_policy)) && rm -f /usr/sbin/policy-rc.d
  ((rc == 0)) || { tail -n 20 "$log" >&2; die "apt-get failed installing $* (see $log)"; }
}

# ---------------------------------------------------------------- test tools
# The interop scenario's independent producer (test/interop/produce_avro.py, run by
# test/integration/python-interop.test.ts): Confluent's Python client from Debian with what its
# legacy Avro serializer imports. Always Debian's /usr/bin/python3: a pyenv or venv python first
# on PATH does not see Debian's packages.
PYTHON_INTEROP_PACKAGES=(python3-confluent-kafka python3-avro python3-requests)
python_interop_ok() {
  [[ -x /usr/bin/python3 ]] && /usr/bin/python3 -c 'import confluent_kafka.avro, avro, requests' >/dev/null 2>&1
}
# ensure_faketime: libfaketime from Debian, for the unit suite's second run with the clock moved a
# year ahead (scripts/test.sh): a test that reads the real clock where it meant a fixed one fails there.
ensure_faketime() {
  command -v faketime >/dev/null 2>&1 && return 0
  apt_install faketime
  command -v faketime >/dev/null 2>&1 || die "installed faketime but it is not on PATH"
}
# ensure_python_interop: install the packages when the import fails (idempotent: nothing to do, no apt, once present).
ensure_python_interop() {
  python_interop_ok && return 0
  apt_install "${PYTHON_INTEROP_PACKAGES[@]}"
  python_interop_ok || die "installed ${PYTHON_INTEROP_PACKAGES[*]} but /usr/bin/python3 still cannot import confluent_kafka.avro, avro, requests"
}

# ---------------------------------------------------------------- java + kafka jars
ensure_java() {
  if ! command -v "$JAVA" >/dev/null; then
    apt_install openjdk-17-jre-headless
  fi
  local v props
  props="$("$JAVA" -XshowSettings:properties -version 2>&1)"
  v="$(awk -F'= ' '/java.specification.version/ {print $2}' <<<"$props")"
  [[ ${v%%.*} -ge 17 ]] 2>/dev/null || die "Kafka $KAFKA_VERSION needs Java 17+, found '$v' at $(command -v "$JAVA")"
  # exact runtime build (keys the registry's class-data-sharing archive, which is only valid for one JVM build)
  JAVA_RUNTIME_VERSION="$(awk -F'= ' '/java.runtime.version/ {print $2}' <<<"$props" | tr -c 'A-Za-z0-9._+\n-' '_')"
}

ensure_maven() {
  command -v mvn >/dev/null || apt_install maven
}

# only the Kafka-related pins count (bumping APICURIO_VERSION must not re-resolve Kafka)
kafka_libs_key() {
  { cat "$LOCAL_DIR/kafka/pom.xml"; printf 'KAFKA_VERSION=%s\nLOG4J_VERSION=%s\n' "$KAFKA_VERSION" "$LOG4J_VERSION"; } |
    sha256sum | cut -c1-16
}
kafka_libs_ready() {
  [[ -d $KAFKA_LIBS && -f $KAFKA_CACHE/.complete && "$(<"$KAFKA_CACHE/.complete")" == "$(kafka_libs_key)" ]]
}

# kafka_ensure_libs: materialise <cache>/kafka-<v>/libs once (Maven Central via ~/.m2), reuse afterwards.
kafka_ensure_libs() {
  kafka_libs_ready && return 0
  ensure_java
  ensure_maven
  mkdir -p "$KAFKA_CACHE"
  local lockfd tmp log="$KAFKA_CACHE/maven.log" t0
  exec {lockfd}>"$KAFKA_CACHE/.lock"
  flock -w 900 "$lockfd" || die "timed out waiting for another process resolving Kafka jars ($KAFKA_CACHE/.lock)"
  if ! kafka_libs_ready; then
    t0="$(now)"
    warn "resolving Kafka $KAFKA_VERSION jars with Maven into $KAFKA_LIBS (log: $log)"
    tmp="$KAFKA_CACHE/libs.tmp.$$"
    rm -rf "$tmp"
    if ! mvn -B -q -f "$LOCAL_DIR/kafka/pom.xml" \
      -Dkafka.version="$KAFKA_VERSION" -Dlog4j.version="$LOG4J_VERSION" \
      dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$tmp" >"$log" 2>&1; then
      tail -n 30 "$log" >&2
      rm -rf "$tmp"
      die "Maven could not resolve Kafka $KAFKA_VERSION jars (see $log)"
    fi
    ls "$tmp"/kafka_2.13-"$KAFKA_VERSION".jar "$tmp"/kafka-tools-"$KAFKA_VERSION".jar >/dev/null 2>&1 ||
      die "Maven ran but Kafka jars are missing from $tmp (see $log)"
    rm -rf "$KAFKA_LIBS"
    mv "$tmp" "$KAFKA_LIBS"
    kafka_libs_key >"$KAFKA_CACHE/.complete"
    warn "resolved $(find "$KAFKA_LIBS" -name '*.jar' | wc -l) jars in $(elapsed "$t0")"
  fi
  exec {lockfd}>&-
}

# ---------------------------------------------------------------- schema registry (Apicurio) distribution
registry_dist_key() {
  { cat "$LOCAL_DIR/registry/pom.xml"; printf 'APICURIO_VERSION=%s\n' "$APICURIO_VERSION"; } | sha256sum | cut -c1-16
}
registry_dist_ready() {
  [[ -f $REGISTRY_JAR && -d $REGISTRY_CACHE/lib && -f $REGISTRY_CACHE/.complete &&
    "$(<"$REGISTRY_CACHE/.complete")" == "$(registry_dist_key)" ]]
}

# registry_ensure_dist: materialise <cache>/registry-<v>/ (runner jar + lib/) once, from the `all` tar.gz
# that Apicurio attaches to io.apicurio:apicurio-registry-app (Maven Central via ~/.m2); reuse afterwards.
registry_ensure_dist() {
  registry_dist_ready && return 0
  ensure_java
  ensure_maven
  mkdir -p "$REGISTRY_CACHE"
  local lockfd tmp log="$REGISTRY_CACHE/maven.log" t0 tgz
  exec {lockfd}>"$REGISTRY_CACHE/.lock"
  flock -w 900 "$lockfd" || die "timed out waiting for another process fetching Apicurio ($REGISTRY_CACHE/.lock)"
  if ! registry_dist_ready; then
    t0="$(now)"
    warn "fetching Apicurio Registry $APICURIO_VERSION with Maven into $REGISTRY_CACHE (log: $log)"
    tmp="$REGISTRY_CACHE/dist.tmp.$$"
    rm -rf "$tmp"
    mkdir -p "$tmp/unpacked"
    if ! mvn -B -q -f "$LOCAL_DIR/registry/pom.xml" -Dapicurio.version="$APICURIO_VERSION" \
      -Dregistry.out="$tmp" dependency:copy >"$log" 2>&1; then
      tail -n 30 "$log" >&2
      rm -rf "$tmp"
      die "Maven could not fetch io.apicurio:apicurio-registry-app:$APICURIO_VERSION:tar.gz:all (see $log)"
    fi
    tgz="$tmp/apicurio-registry-app-$APICURIO_VERSION-all.tar.gz"
    [[ -s $tgz ]] || { rm -rf "$tmp"; die "Maven ran but $tgz is missing (see $log)"; }
    tar --no-same-owner -xzf "$tgz" -C "$tmp/unpacked" >>"$log" 2>&1 || { rm -rf "$tmp"; die "could not unpack $tgz (see $log)"; }
    [[ -f $tmp/unpacked/${REGISTRY_JAR##*/} && -d $tmp/unpacked/lib ]] ||
      { rm -rf "$tmp"; die "unexpected layout in $tgz: no ${REGISTRY_JAR##*/} + lib/ (see $log)"; }
    rm -rf "$REGISTRY_JAR" "${REGISTRY_CACHE:?}/lib" "${REGISTRY_CACHE:?}/meta" "${REGISTRY_CACHE:?}"/cds-* # archives match old jars
    mv "$tmp/unpacked/"* "$REGISTRY_CACHE/"
    rm -rf "$tmp"
    registry_dist_key >"$REGISTRY_CACHE/.complete"
    warn "fetched Apicurio Registry $APICURIO_VERSION ($(find "$REGISTRY_CACHE/lib" -name '*.jar' | wc -l) jars) in $(elapsed "$t0")"
  fi
  exec {lockfd}>&-
}

# KAFKA_TOOL_JVM: java command line for Kafka CLIs (small heap, fast start, warnings to stderr).
# Extra JVM flags: KAFKA_TOOL_OPTS (word-split).
kafka_tool_jvm() {
  # shellcheck disable=SC2206
  KAFKA_TOOL_JVM=("$JAVA" -Xmx512m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Djava.awt.headless=true
    "-Dlog4j2.configurationFile=$LOCAL_DIR/kafka/tools-log4j2.properties" ${KAFKA_TOOL_OPTS:-}
    -cp "$KAFKA_LIBS/*")
}

# kafka_tool CLASS ARGS...: run a Kafka CLI main class from the cached jars.
kafka_tool() {
  kafka_ensure_libs
  kafka_tool_jvm
  "${KAFKA_TOOL_JVM[@]}" "$@"
}

# kafka_tool_class NAME -> main class for a short tool name (kafka-<name>.sh in the Kafka distribution).
kafka_tool_class() {
  case "$1" in
    topics) echo org.apache.kafka.tools.TopicCommand ;;
    consumer-groups) echo org.apache.kafka.tools.consumer.group.ConsumerGroupCommand ;;
    share-groups) echo org.apache.kafka.tools.consumer.group.ShareGroupCommand ;;
    groups) echo org.apache.kafka.tools.GroupsCommand ;;
    console-consumer) echo org.apache.kafka.tools.consumer.ConsoleConsumer ;;
    console-producer) echo org.apache.kafka.tools.ConsoleProducer ;;
    configs) echo org.apache.kafka.tools.ConfigCommand ;;
    broker-api-versions) echo org.apache.kafka.tools.BrokerApiVersionsCommand ;;
    metadata-quorum) echo org.apache.kafka.tools.MetadataQuorumCommand ;;
    features) echo org.apache.kafka.tools.FeatureCommand ;;
    get-offsets) echo org.apache.kafka.tools.GetOffsetShell ;;
    delete-records) echo org.apache.kafka.tools.DeleteRecordsCommand ;;
    log-dirs) echo org.apache.kafka.tools.LogDirsCommand ;;
    dump-log) echo org.apache.kafka.tools.DumpLogSegments ;;
    transactions) echo org.apache.kafka.tools.TransactionsCommand ;;
    leader-election) echo org.apache.kafka.tools.LeaderElectionCommand ;;
    reassign-partitions) echo org.apache.kafka.tools.reassign.ReassignPartitionsCommand ;;
    acls) echo org.apache.kafka.tools.AclCommand ;;
    cluster) echo org.apache.kafka.tools.ClusterTool ;;
    storage) echo kafka.tools.StorageTool ;;
    *) return 1 ;;
  esac
}
KAFKA_TOOL_NAMES="topics consumer-groups share-groups groups console-consumer console-producer configs
  broker-api-versions metadata-quorum features get-offsets delete-records log-dirs dump-log transactions
  leader-election reassign-partitions acls cluster storage"
