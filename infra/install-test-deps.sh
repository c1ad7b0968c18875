#!/bin/sh
# What the test suite needs beyond npm packages: Debian's Chromium for the browser test
# (Playwright drives /usr/bin/chromium; it never downloads a browser) and Debian's nginx for the
# topology test (it runs infra/nginx/logbook.conf, the compose proxy's configuration). Java 17
# and Maven, for the Kafka broker and the MongoDB stand-in, come with this kind of machine.
# Then the Docker Compose CLI for the compose-config test, built from source once per machine
# into the user's cache (infra/build-docker-compose.sh; needs Go). The packages need root (or sudo).
set -e
here=$(cd "$(dirname "$0")" && pwd)
compose=$(sh "$here/build-docker-compose.sh")
echo "docker-compose: $compose"
missing=""
[ -x /usr/bin/chromium ] && echo "chromium: present" || missing="$missing chromium"
command -v nginx > /dev/null 2>&1 || [ -x /usr/sbin/nginx ] && echo "nginx: present" || missing="$missing nginx"
[ -z "$missing" ] && exit 0
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing
echo "installed:$missing"
