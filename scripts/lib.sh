# shellcheck shell=bash
# Shared helpers for scripts/*. Source it; it only sets PATH and defines functions.

# The repository root, whatever directory the caller ran from.
MACHI_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export MACHI_ROOT

# Pinned npm tools (wasm-opt from binaryen) must win over Debian's broken wasm-opt, and
# cargo-installed trunk / wasm-bindgen over anything else on PATH.
export PATH="$MACHI_ROOT/node_modules/.bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

# The trunk release the project is pinned to (Trunk.toml says the same); used by bootstrap.
# shellcheck disable=SC2034
TRUNK_VERSION="0.21.14"

# say WHO MESSAGE... — one prefixed line on stderr, so it never mixes into captured stdout.
say() {
  local who="$1"
  shift
  printf '%s: %s\n' "$who" "$*" >&2
}

# The wasm-bindgen version the app is locked to; the CLI must match it exactly.
lock_wasm_bindgen_version() {
  awk '
    $0 == "name = \"wasm-bindgen\"" { found = 1; next }
    found && /^version = / { gsub(/"/, "", $3); print $3; exit }
  ' "$MACHI_ROOT/Cargo.lock"
}

# free_port — print a TCP port on 127.0.0.1 that nothing listens on right now.
free_port() {
  node -e '
    const s = require("net").createServer();
    s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });
  '
}

# http_ok URL — true when URL answers with a 2xx status.
http_ok() {
  if command -v curl >/dev/null 2>&1; then
    curl --silent --fail --max-time 2 --output /dev/null "$1"
  else
    node -e '
      fetch(process.argv[1], { signal: AbortSignal.timeout(2000) })
        .then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1));
    ' "$1"
  fi
}

# wait_for_http URL TIMEOUT_SECONDS [PID] — poll until URL answers 2xx; give up early if PID dies.
wait_for_http() {
  local url="$1" timeout="$2" pid="${3:-}"
  local deadline=$((SECONDS + timeout))
  until http_ok "$url"; do
    if [[ -n "$pid" ]] && ! kill -0 "$pid" 2>/dev/null; then
      say wait_for_http "process $pid exited before $url answered"
      return 1
    fi
    if ((SECONDS >= deadline)); then
      say wait_for_http "$url did not answer within ${timeout}s"
      return 1
    fi
    sleep 0.2
  done
}

# trunk_release_build — the app's release build into dist/; trunk finds wasm-opt and
# wasm-bindgen on PATH (set above), as Trunk.toml pins their versions.
trunk_release_build() {
  (cd "$MACHI_ROOT" && trunk build --release)
}
