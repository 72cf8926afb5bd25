#!/usr/bin/env bash
# Release smoke test: proves from OUTSIDE the repository that the packed packages work as a
# user gets them. Run by .ci/run (on Node.js 22); by hand: `bash scripts/release-smoke.sh`.
#
#  1. build and pack every published package (scripts/pack-packages.mjs), lint the tarballs
#     (publint, attw);
#  2. install them into an empty folder with scripts/install-release.sh (the container
#     image's install step), start `keyward serve`, `keyward init`, create an API and a key
#     with curl, verify it; use the CLI;
#  3. a plain-JavaScript Express app (ES module and CommonJS) that installs only the SDK and
#     protects a route in remote mode: 401 with WWW-Authenticate, 200 with RateLimit headers;
#  4. a TypeScript consumer type-checked with moduleResolution node16, nodenext and bundler
#     (and a CommonJS .cts one under nodenext);
#  5. `keyward serve --gateway` in front of a small upstream;
#  6. a missing optional driver names the package to install.
#
# Everything happens in a temporary folder outside the repository (removed at the end;
# KEYWARD_SMOKE_KEEP=1 keeps it). Figures are printed at the end.
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
FIXTURES="$REPO/scripts/release-smoke"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/keyward-release-smoke.XXXXXX")
case "$WORK/" in "$REPO"/*)
  echo "the smoke test's folder must be outside the repository (TMPDIR=$TMPDIR)" >&2
  exit 1
  ;;
esac

PIDS=()
cleanup() {
  local status=$?
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ "$status" -ne 0 ]; then
    for log in "$WORK"/*.log; do
      [ -f "$log" ] && { echo "--- $log (last 30 lines)"; tail -n 30 "$log"; }
    done
  fi
  if [ "${KEYWARD_SMOKE_KEEP:-}" = 1 ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

step() { printf '\n== release smoke: %s\n' "$*"; }
fail() {
  echo "release smoke FAILED: $*" >&2
  exit 1
}
now_ms() { date +%s%3N; }
# `json PATH` prints a field of the JSON on stdin (a.b.c); fails when it is missing.
json() {
  node -e '
    let text = "";
    process.stdin.on("data", (d) => (text += d)).on("end", () => {
      const value = process.argv[1].split(".").filter(Boolean).reduce((o, k) => o?.[k], JSON.parse(text));
      if (value === undefined) process.exit(1);
      console.log(typeof value === "string" ? value : JSON.stringify(value));
    });' "$1"
}
free_port() {
  node -e 'const s = require("node:net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}
wait_http() { # url, what
  for _ in $(seq 1 120); do
    curl -s -o /dev/null "$1" && return 0
    sleep 0.5
  done
  fail "$2 did not answer at $1"
}
# `expect_header FILE NAME` fails unless the curl -D dump FILE has header NAME.
expect_header() { grep -qi "^$2:" "$1" || fail "no $2 header in $(tr -d '\r' <"$1" | head -1) ($1)"; }
status_of() { head -1 "$1" | awk '{print $2}'; }

node_version=$(node -p 'process.versions.node')
node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 22 || (a === 22 && b >= 12) ? 0 : 1)' ||
  fail "needs Node.js 22.12 or newer (it runs a CommonJS app that require()s ES modules); this is $node_version"
echo "node $node_version, npm $(npm --version), work folder $WORK"

step "build and pack"
node "$REPO/scripts/pack-packages.mjs" --out "$WORK/tarballs" >/dev/null
tarball() { ls "$WORK/tarballs/"keyward-"$1"-*.tgz; }

step "publint and attw"
node "$REPO/scripts/check-packages.mjs" --tarballs "$WORK/tarballs" >"$WORK/check-packages.log" ||
  fail "package checks (see $WORK/check-packages.log)"
tail -n 1 "$WORK/check-packages.log"

step "install the tarballs into an empty folder (scripts/install-release.sh)"
started=$(now_ms)
bash "$REPO/scripts/install-release.sh" "$WORK/tarballs" "$WORK/keyward" >"$WORK/install.log" 2>&1 ||
  fail "install (see install.log)"
installed=$(now_ms)
KEYWARD="$WORK/keyward/node_modules/.bin/keyward"
[ -z "$(grep -i EBADENGINE "$WORK/install.log" || true)" ] || fail "EBADENGINE warnings while installing on Node $node_version"

step "keyward serve, init, an API and a key with curl, verify"
PORT=$(free_port)
BASE="http://127.0.0.1:$PORT"
export KEYWARD_DATA_DIR="$WORK/data" KEYWARD_HOST=127.0.0.1 KEYWARD_PORT="$PORT" KEYWARD_URL="$BASE"
(cd "$WORK" && exec "$KEYWARD" serve >"$WORK/serve.log" 2>&1) &
SERVE_PID=$!
PIDS+=("$SERVE_PID")
wait_http "$BASE/readyz" "keyward serve"
ROOT_KEY=$("$KEYWARD" init --json | json rootKey) || fail "keyward init --json"
export KEYWARD_ROOT_KEY="$ROOT_KEY"
auth=(-H "Authorization: Bearer $ROOT_KEY" -H 'Content-Type: application/json')
API_ID=$(curl -sf "$BASE/v1/apis" "${auth[@]}" -d '{"name":"Smoke API","prefix":"smoke"}' | json id) ||
  fail "create an API"
ISSUED=$(curl -sf "$BASE/v1/keys" "${auth[@]}" -d "{\"apiId\":\"$API_ID\",\"externalId\":\"acme\",\"permissions\":[\"stations:read\"],\"ratelimits\":[{\"name\":\"requests\",\"limit\":100,\"duration\":60000}]}") ||
  fail "create a key"
KEY=$(json key <<<"$ISSUED")
KEY_ID=$(json id <<<"$ISSUED")
VERIFIED=$(curl -sf "$BASE/v1/keys/verify" "${auth[@]}" -d "{\"key\":\"$KEY\",\"permissions\":\"stations:read\"}")
[ "$(json valid <<<"$VERIFIED")" = true ] || fail "the new key did not verify: $VERIFIED"
first_key=$(now_ms)
echo "verified $KEY_ID"

step "the dashboard and the portal are served"
dashboard=$(curl -sf "$BASE/dashboard/") || fail "GET /dashboard/ did not answer 200"
grep -q '<div id="root">' <<<"$dashboard" || grep -qi '<!doctype html>' <<<"$dashboard" ||
  fail "GET /dashboard/ is not the dashboard's page"
curl -sf -o /dev/null "$BASE/portal/" || fail "GET /portal/ did not answer 200"

step "the CLI against the running server"
listed=$("$KEYWARD" keys list --json) || fail "keyward keys list"
grep -q "$KEY_ID" <<<"$listed" || fail "keyward keys list does not show $KEY_ID"
"$KEYWARD" apis list >/dev/null || fail "keyward apis list"

step "an Express app outside the repository with only the SDK (remote mode)"
APP="$WORK/app"
mkdir -p "$APP"
cp "$FIXTURES/app.mjs" "$FIXTURES/app.cjs" "$APP/"
printf '{ "name": "sdk-app", "private": true }\n' >"$APP/package.json"
(cd "$APP" && npm install --no-audit --no-fund "$(tarball sdk)" "$(tarball protocol)" express@5 >"$WORK/app-install.log" 2>&1) ||
  fail "installing the SDK (see app-install.log)"
for forbidden in @keyward/core better-sqlite3 pg ioredis kysely; do
  [ ! -e "$APP/node_modules/$forbidden" ] || fail "remote mode installed $forbidden"
done
app_size=$(du -sh "$APP/node_modules" | cut -f1)
sdk_size=$(cd "$APP/node_modules" && du -sh @keyward/sdk @keyward/protocol @sinclair/typebox | awk '{printf "%s%s %s", sep, $2, $1; sep=", "}')
for app in app.mjs app.cjs; do
  APP_PORT=$(free_port)
  (cd "$APP" && PORT="$APP_PORT" exec node "$app" >"$WORK/$app.log" 2>&1) &
  PIDS+=($!)
  wait_http "http://127.0.0.1:$APP_PORT/" "$app"
  curl -s -D "$WORK/h401" -o /dev/null "http://127.0.0.1:$APP_PORT/stations"
  [ "$(status_of "$WORK/h401")" = 401 ] || fail "$app without a key: $(head -1 "$WORK/h401")"
  expect_header "$WORK/h401" WWW-Authenticate
  curl -s -D "$WORK/h200" -o "$WORK/body" -H "Authorization: Bearer $KEY" "http://127.0.0.1:$APP_PORT/stations"
  [ "$(status_of "$WORK/h200")" = 200 ] || fail "$app with the key: $(head -1 "$WORK/h200") $(cat "$WORK/body")"
  expect_header "$WORK/h200" RateLimit
  expect_header "$WORK/h200" RateLimit-Policy
  [ "$(json keyId <"$WORK/body")" = "$KEY_ID" ] || fail "$app did not see the caller: $(cat "$WORK/body")"
  echo "$app: 401 with WWW-Authenticate without a key, 200 with RateLimit headers with it"
done

step "TypeScript consumer: moduleResolution node16, nodenext and bundler"
cp "$FIXTURES"/consumer.ts "$FIXTURES"/consumer.cts "$FIXTURES"/tsconfig.*.json "$APP/"
(cd "$APP" && npm pkg set type=module && npm install --no-audit --no-fund -D @types/express@5 >>"$WORK/app-install.log" 2>&1) ||
  fail "installing @types/express"
# The repository's compiler binary; every module it resolves comes from the app's folder.
for config in node16 nodenext bundler; do
  (cd "$APP" && "$REPO/node_modules/.bin/tsc" -p "tsconfig.$config.json") || fail "type-check with moduleResolution $config"
  echo "tsc -p tsconfig.$config.json: no errors"
done

step "keyward serve --gateway in front of an upstream"
kill -TERM "$SERVE_PID"
wait "$SERVE_PID" || fail "keyward serve did not exit 0 on SIGTERM"
UPSTREAM_PORT=$(free_port)
(PORT="$UPSTREAM_PORT" exec node "$FIXTURES/upstream.mjs" >"$WORK/upstream.log" 2>&1) &
PIDS+=($!)
GATEWAY_PORT=$(free_port)
cat >"$WORK/gateway.yaml" <<EOF
listen: { host: 127.0.0.1, port: $GATEWAY_PORT }
upstreams: [{ url: "http://127.0.0.1:$UPSTREAM_PORT" }]
routes:
  - { methods: [GET], path: /stations, permissions: stations:read }
EOF
(cd "$WORK" && exec "$KEYWARD" serve --gateway "$WORK/gateway.yaml" >"$WORK/gateway.log" 2>&1) &
PIDS+=($!)
wait_http "http://127.0.0.1:$GATEWAY_PORT/" "the gateway"
curl -s -D "$WORK/g401" -o /dev/null "http://127.0.0.1:$GATEWAY_PORT/stations"
[ "$(status_of "$WORK/g401")" = 401 ] || fail "gateway without a key: $(head -1 "$WORK/g401")"
curl -s -D "$WORK/g200" -o "$WORK/body" -H "Authorization: Bearer $KEY" "http://127.0.0.1:$GATEWAY_PORT/stations"
[ "$(status_of "$WORK/g200")" = 200 ] || fail "gateway with the key: $(head -1 "$WORK/g200")"
[ "$(json keyId <"$WORK/body")" = "$KEY_ID" ] || fail "the upstream did not get the caller: $(cat "$WORK/body")"
echo "gateway: 401 without a key, 200 with it, the upstream saw $KEY_ID"

step "a missing optional driver names the package to install"
mv "$WORK/keyward/node_modules/pg" "$WORK/pg.away"
set +e
missing=$(KEYWARD_DATABASE_URL=postgres://nobody@127.0.0.1:1/none "$KEYWARD" migrate 2>&1)
# SQLite does not need pg: the embedded default migrates (and so loads every store) without it.
sqlite_without_pg=$(KEYWARD_DATA_DIR="$WORK/data-without-pg" "$KEYWARD" migrate 2>&1)
sqlite_status=$?
set -e
mv "$WORK/pg.away" "$WORK/keyward/node_modules/pg"
grep -q 'npm install pg' <<<"$missing" || fail "keyward migrate without pg said: $missing"
echo "$missing" | grep 'npm install pg'
[ "$sqlite_status" -eq 0 ] || fail "keyward migrate on SQLite without pg failed: $sqlite_without_pg"
echo "SQLite without pg: keyward migrate exits 0"

step "figures"
node -e '
  const packages = require(process.argv[1]);
  for (const p of packages)
    console.log(`${p.name.padEnd(20)} tarball ${(p.size / 1024).toFixed(1).padStart(7)} kB  unpacked ${(p.unpackedSize / 1024).toFixed(1).padStart(8)} kB  ${String(p.files).padStart(4)} files`);
' "$WORK/tarballs/packages.json"
echo "SDK-only Express app (the SDK, its protocol package and Express): node_modules $app_size; $sdk_size"
echo "install of the tarballs: $(((installed - started) / 1000)) s; from npm install to the first verified key: $(((first_key - started) / 1000)) s"
echo "release smoke: all good"
