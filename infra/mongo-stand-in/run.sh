#!/usr/bin/env bash
# Starts the in-memory MongoDB stand-in (mongo-java-server) on 127.0.0.1.
#
#   infra/mongo-stand-in/run.sh [port] [--exit-with-stdin]
#
# port defaults to 27017; 0 picks any free port. Prints "LISTENING <port>" on stdout once it
# accepts connections; stops on SIGTERM / Ctrl-C, and with --exit-with-stdin also when its
# stdin closes. Needs Java 17+. The first start (or one after pom.xml or src/ changed) builds
# target/mongo-stand-in.jar with Maven, which resolves its jars from Maven Central into
# ~/.m2; later starts run the jar directly, without Maven.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
jar="$here/target/mongo-stand-in.jar"

jar_missing_or_stale() {
  [[ ! -f "$jar" ]] || [[ -n "$(find "$here/pom.xml" "$here/src" -newer "$jar" -print -quit)" ]]
}

build_jar() {
  # Maven's output goes to stderr: stdout carries only the LISTENING line.
  mvn -B -q -f "$here/pom.xml" package >&2
}

if jar_missing_or_stale; then
  mkdir -p "$here/target"
  if command -v flock >/dev/null; then
    # Several test processes may start at once: build once, the others wait for it.
    (
      flock 9
      if jar_missing_or_stale; then build_jar; fi
    ) 9>"$here/target/.build.lock"
  else
    build_jar
  fi
fi

exec java -XX:+UseSerialGC -jar "$jar" "$@"
