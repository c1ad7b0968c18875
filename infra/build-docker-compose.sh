#!/bin/sh
# Builds the real Docker Compose CLI (github.com/docker/compose/v2, the version pinned in
# test/tools/docker-compose/go.mod) once per machine, into
#   ${XDG_CACHE_HOME:-$HOME/.cache}/logbook/docker-compose/<version>/docker-compose
# and prints that path. Idempotent: an existing binary is reused. `docker-compose config` needs no
# Docker engine and no docker CLI, so the compose-config test runs it on any machine.
# Needs Go (1.24 or newer; the tools module uses go.mod's `tool` directive) and the Go module
# proxy (or a filled module cache). CGO is off, so the binary is static and needs no C toolchain.
# Cost on a fresh machine: ~75 MB binary; a first build (module download + compile) took 19.6 min
# wall here on 2 cores shared with other builds (load average ~20; 4.0 min user + 0.9 min sys CPU).
#
# The tools module (test/tools/docker-compose) requires only compose; `go get -tool
# github.com/docker/compose/v2/cmd@<version>` made its go.mod and go.sum, and its dependency
# versions are the ones compose's own go.mod pins (compose v2.40.3 has no replace directives).
set -e
here=$(cd "$(dirname "$0")/.." && pwd)
tools="$here/test/tools/docker-compose"
version=$(sed -n 's#^[[:space:]]*github.com/docker/compose/v2 \(v[^ ]*\).*#\1#p' "$tools/go.mod")
[ -n "$version" ] || { echo "build-docker-compose: no compose version in $tools/go.mod" >&2; exit 1; }
dir="${XDG_CACHE_HOME:-$HOME/.cache}/logbook/docker-compose/$version"
bin="$dir/docker-compose"
if [ -x "$bin" ] && "$bin" version > /dev/null 2>&1; then
  echo "$bin"
  exit 0
fi
command -v go > /dev/null 2>&1 || { echo "build-docker-compose: go is not installed" >&2; exit 1; }
mkdir -p "$dir"
start=$(date +%s)
# Built into a temporary name and renamed, so a build cut short never leaves a half-written binary
# where the test looks for it.
# -mod=readonly: the versions are go.mod's and go.sum's, never re-resolved.
(cd "$tools" && CGO_ENABLED=0 GOFLAGS="-mod=readonly -buildvcs=false" go build -trimpath \
  -ldflags "-w -X github.com/docker/compose/v2/internal.Version=$version" \
  -o "$bin.partial" github.com/docker/compose/v2/cmd)
mv "$bin.partial" "$bin"
echo "build-docker-compose: built $version in $(( $(date +%s) - start )) s" >&2
echo "$bin"
