# shellcheck shell=bash
# Shared helpers for scripts/*. Source it; it only sets PATH and defines functions.

# The repository root, whatever directory the caller ran from.
MACHI_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export MACHI_ROOT

# Pinned npm tools (wasm-opt from binaryen) must win over Debian's broken wasm-opt, and
# cargo-installed trunk / wasm-bindgen over anything else on PATH. So `node` in the scripts is the
# pinned Node 22 of the npm package node (Lighthouse 13 needs it) once npm ci has run.
# scripts/tools comes first: its wasm-bindgen splits the app's wasm before calling the real one
# (see that script).
export PATH="$MACHI_ROOT/scripts/tools:$MACHI_ROOT/node_modules/.bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

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

# The release hub the benchmarks run: MACHI_HUB_BIN, or cargo's release build (which
# follows CARGO_TARGET_DIR).
release_hub_bin() {
  printf '%s\n' "${MACHI_HUB_BIN:-${CARGO_TARGET_DIR:-$MACHI_ROOT/target}/release/machi-hub}"
}

# trunk_release_build — the app's release build into dist/; trunk finds wasm-opt and
# wasm-bindgen on PATH (set above), as Trunk.toml pins their versions.
trunk_release_build() {
  (cd "$MACHI_ROOT" && trunk build --release)
}
