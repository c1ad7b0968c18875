#!/bin/sh
# The runtime file list, in one place for the image (Dockerfile) and for its check without a
# Docker engine (check-runtime.sh): copies from a built tree SRC (after `npm run build`) into DEST
# what a production Logbook reads at run time, and nothing else. node_modules is not copied: DEST
# gets its own from `npm ci --omit=dev` against the lock file copied here.
#
#   sh infra/docker/runtime-files.sh SRC DEST
#
# - package.json, package-lock.json: npm ci --omit=dev, and the version /version reports
# - dist/ without dist/test: the compiled services and shared code, and dist/console when the
#   build makes one (the browser console's build output)
# - services/shell-broker/console/: the remote-shell page, read from the source tree at run time
#   (services/shell-broker/console-routes.ts), when it exists
# Certificates are not files of the image: Logbook makes them under DATA_DIR/tls at start-up
# (or reads TLS_CERT/TLS_KEY), so DATA_DIR must be writable by the service user.
set -eu
src=${1:?usage: runtime-files.sh SRC DEST}
dest=${2:?usage: runtime-files.sh SRC DEST}

[ -f "$src/dist/services/all-in-one/main.js" ] || { echo "runtime-files.sh: $src/dist has no build (run npm run build first)" >&2; exit 1; }
mkdir -p "$dest/dist"
cp "$src/package.json" "$src/package-lock.json" "$dest/"
for entry in "$src"/dist/*; do
  [ "$(basename "$entry")" = test ] || cp -R "$entry" "$dest/dist/"
done
for assets in services/shell-broker/console; do
  if [ -d "$src/$assets" ]; then
    mkdir -p "$dest/$(dirname "$assets")"
    cp -R "$src/$assets" "$dest/$assets"
  fi
done
