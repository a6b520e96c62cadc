#!/usr/bin/env bash
# How fast the release hub serves what a first visit downloads: responses/s for the wasm,
# index.html and alerts.json, fresh and revalidated (If-None-Match), with wrk (2 threads,
# 16 connections, loopback, Accept-Encoding: br, gzip), and the bytes sent against the brotli-11
# sizes the shell budget counts. Prints figures; fails only when the hub cannot be started.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$MACHI_ROOT"

if ! command -v wrk >/dev/null 2>&1; then
  say bench "serving: skipped (no wrk; scripts/bootstrap installs it as root)"
  exit 0
fi
HUB="$(release_hub_bin)"
[[ -x "$HUB" ]] || cargo build --release -q -p machi-hub
PORT="$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
STATE="$(mktemp -d)"
"$HUB" serve --cities cities --dist dist --addr "127.0.0.1:$PORT" --state-dir "$STATE" >"$STATE/hub.log" 2>&1 &
HUB_PID=$!
trap 'kill "$HUB_PID" 2>/dev/null; wait "$HUB_PID" 2>/dev/null; rm -rf "$STATE"' EXIT
BASE="http://127.0.0.1:$PORT"
for _ in $(seq 100); do curl -sf "$BASE/healthz" >/dev/null && break; sleep 0.1; done
WASM="/$(basename "$(ls dist/*_bg.wasm)")"
DURATION="${MACHI_SERVE_BENCH_SECS:-5}"
printf 'serve bench: wrk -t2 -c16 -d%ss, loopback, 2 cores, hub and wrk on the same machine\n' "$DURATION"
for path in "$WASM" / /feeds/demo/alerts.json; do
  etag="$(curl -s -D - -o /dev/null -H 'Accept-Encoding: br' "$BASE$path" | tr -d '\r' | awk 'tolower($1)=="etag:" {print $2}')"
  sent="$(curl -s -o /dev/null -w '%{size_download}' -H 'Accept-Encoding: br' "$BASE$path")"
  fresh="$(wrk -t2 -c16 -d"${DURATION}s" -H 'Accept-Encoding: br, gzip' "$BASE$path" | awk '/Requests\/sec/ {print $2}')"
  revalidated="$(wrk -t2 -c16 -d"${DURATION}s" -H 'Accept-Encoding: br, gzip' -H "If-None-Match: $etag" "$BASE$path" | awk '/Requests\/sec/ {print $2}')"
  printf 'serve bench: %-40s %10s responses/s, %10s revalidated (304)/s, %8s B sent (br)\n' "$path" "$fresh" "$revalidated" "$sent"
done
