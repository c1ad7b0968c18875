#!/bin/sh
# What the test suite needs beyond npm packages: Debian's Chromium for the browser test
# (Playwright drives /usr/bin/chromium; it never downloads a browser). Java 17 and Maven, for the
# Kafka broker and the MongoDB stand-in, come with this kind of machine. Needs root (or sudo).
set -e
if [ -x /usr/bin/chromium ]; then
  echo "chromium: present"
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium
echo "chromium: installed"
