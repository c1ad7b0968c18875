#!/usr/bin/env bash
# Runs a single-node Apache Kafka broker (KRaft mode: one process that is both broker and
# controller) on 127.0.0.1, from jars that Maven resolves out of Maven Central.
#
#   infra/kafka/run.sh PORT [LOGDIR] [CONTROLLER_PORT]
#
#   PORT             client port (PLAINTEXT listener), e.g. 9092
#   LOGDIR           where server.properties and the data live; default /tmp/logbook-kafka-PORT.
#                    A directory that was formatted before is reused (its topics and offsets
#                    survive a restart); an empty or missing one is formatted with a new random
#                    cluster id.
#   CONTROLLER_PORT  KRaft controller listener; default PORT+1
#
# Environment: KAFKA_HEAP_OPTS (default "-Xms128m -Xmx512m"), KAFKA_LOG_LEVEL (default WARN),
# KAFKA_CLASSPATH_CACHE (default ~/.cache/logbook/kafka-classpath-<hash of pom.xml>.txt).
# A second client listener, SASL_SSL (TLS, then SASL/PLAIN), when all three are set:
#   KAFKA_SASL_SSL_PORT      its port on 127.0.0.1
#   KAFKA_SASL_SSL_KEYSTORE  a PEM file: the broker's private key (PKCS#8, unencrypted), then its
#                            certificate chain
#   KAFKA_SASL_PLAIN_USERS   the PLAIN users, as the login module's options: user_NAME="PASSWORD" ...
# The PLAINTEXT listener stays (brokers talk to each other, and tests probe readiness, over it).
#
# The first run resolves the jars with Maven, which may take minutes; later runs read the cached
# classpath. The broker runs in the foreground (exec java): SIGTERM shuts it down cleanly.
set -euo pipefail

usage() {
  echo "usage: $0 PORT [LOGDIR] [CONTROLLER_PORT]" >&2
  exit 2
}

is_port() {
  [[ "$1" =~ ^[0-9]+$ ]] && (( $1 > 0 && $1 < 65536 ))
}

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
port="${1:-}"
is_port "$port" || usage
log_dir="${2:-${TMPDIR:-/tmp}/logbook-kafka-$port}"
controller_port="${3:-$((port + 1))}"
is_port "$controller_port" || usage
[[ "$controller_port" != "$port" ]] || { echo "controller port must differ from port" >&2; exit 2; }

secure_listener=""
secure_properties=""
if [[ -n "${KAFKA_SASL_SSL_PORT:-}" || -n "${KAFKA_SASL_SSL_KEYSTORE:-}" || -n "${KAFKA_SASL_PLAIN_USERS:-}" ]]; then
  is_port "${KAFKA_SASL_SSL_PORT:-}" || { echo "run.sh: KAFKA_SASL_SSL_PORT must be a port" >&2; exit 2; }
  [[ -f "${KAFKA_SASL_SSL_KEYSTORE:-}" ]] || { echo "run.sh: KAFKA_SASL_SSL_KEYSTORE must name a PEM file" >&2; exit 2; }
  [[ -n "${KAFKA_SASL_PLAIN_USERS:-}" ]] || { echo "run.sh: KAFKA_SASL_PLAIN_USERS must list user_NAME=\"PASSWORD\" entries" >&2; exit 2; }
  secure_listener=",SASL_SSL://127.0.0.1:$KAFKA_SASL_SSL_PORT"
  secure_properties="
# The SASL_SSL listener (KAFKA_SASL_SSL_*): TLS with a PEM key store, then SASL/PLAIN.
sasl.enabled.mechanisms=PLAIN
listener.name.sasl_ssl.sasl.enabled.mechanisms=PLAIN
listener.name.sasl_ssl.ssl.keystore.type=PEM
listener.name.sasl_ssl.ssl.keystore.location=$KAFKA_SASL_SSL_KEYSTORE
listener.name.sasl_ssl.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required $KAFKA_SASL_PLAIN_USERS;"
fi

command -v java >/dev/null || { echo "run.sh: java not found (Kafka needs Java 17+)" >&2; exit 1; }

# --- classpath: resolved once per pom.xml content, cached in a file -----------------------------
pom="$here/pom.xml"
pom_hash="$(sha256sum "$pom" | cut -c1-16)"
classpath_file="${KAFKA_CLASSPATH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/logbook/kafka-classpath-$pom_hash.txt}"

classpath_is_usable() {
  [[ -s "$classpath_file" ]] || return 1
  local jar
  local -a jars
  IFS=':' read -r -a jars < "$classpath_file"
  for jar in "${jars[@]}"; do
    [[ -f "$jar" ]] || return 1 # e.g. the local Maven repository was cleaned
  done
}

if ! classpath_is_usable; then
  command -v mvn >/dev/null || { echo "run.sh: mvn not found (needed once to resolve Kafka's jars)" >&2; exit 1; }
  echo "run.sh: resolving Kafka's jars with Maven (first run may take minutes)..." >&2
  mkdir -p "$(dirname "$classpath_file")"
  partial="$classpath_file.$$.tmp"
  if ! mvn -q -B -Dstyle.color=never -f "$pom" dependency:build-classpath \
      -Dmdep.includeScope=runtime -Dmdep.outputFile="$partial" >&2; then
    rm -f "$partial"
    echo "run.sh: Maven could not resolve Kafka's classpath" >&2
    exit 1
  fi
  mv -f "$partial" "$classpath_file" # atomic: concurrent runs never read a half-written file
fi
classpath="$(cat "$classpath_file")"

# --- configuration --------------------------------------------------------------------------
mkdir -p "$log_dir/data"
log_dir="$(cd "$log_dir" && pwd)"
config="$log_dir/server.properties"
cat > "$config" <<EOF
# Written by infra/kafka/run.sh: single combined broker + controller on loopback.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$controller_port
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller_port$secure_listener
advertised.listeners=PLAINTEXT://127.0.0.1:$port$secure_listener
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SASL_SSL:SASL_SSL
$secure_properties
log.dirs=$log_dir/data

# One node: every internal topic has a single replica.
num.partitions=1
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=8
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=4
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1

# Fast to start and to form groups (tests start consumers all the time).
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=true
num.network.threads=2
num.io.threads=4
num.recovery.threads.per.data.dir=1
EOF

if [[ ! -f "$log_dir/data/meta.properties" ]]; then
  # A Kafka cluster id is 16 random bytes in URL-safe base64 without padding (22 characters).
  # One that starts with "-" would be read as an option by StorageTool's argument parser.
  cluster_id="-"
  while [[ "$cluster_id" == -* ]]; do
    cluster_id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')"
  done
  java -cp "$classpath" -Dlog4j2.configurationFile="$here/log4j2.properties" \
    kafka.tools.StorageTool format --cluster-id "$cluster_id" --config "$config" >&2
fi

# --- run ------------------------------------------------------------------------------------
# shellcheck disable=SC2086 # KAFKA_HEAP_OPTS holds several options
exec java ${KAFKA_HEAP_OPTS:--Xms128m -Xmx512m} \
  -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:+ExitOnOutOfMemoryError \
  -Djava.awt.headless=true \
  -Dlog4j2.configurationFile="$here/log4j2.properties" \
  -cp "$classpath" kafka.Kafka "$config"
