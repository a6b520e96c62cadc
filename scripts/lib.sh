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

# The app's release wasm (profile wasm-release) is built with the standard library compiled
# along (rust-src, installed by bootstrap) and panics that abort at once without a message:
# the std code monomorphised, size-optimised and LTO'd with the app, and no panic-message
# formatting, took 18 KB brotli off the main wasm (244.1 → 225.8 KB). Both are unstable cargo
# features, so the one stable toolchain here is told to allow them (RUSTC_BOOTSTRAP) for this
# build only: never exported, so the hub and the tests build as usual. APP_BUILD_ENV is read by
# trunk_release_build, by bootstrap (std's own crates fetched for Trunk's offline build) and by
# Trunk.toml's pre-build hook, which refuses a release build without it.
# Three more unstable levers of the same build, 5.6 KB brotli together (221.3 KB against 226.9
# KB): std's `optimize_for_size` (smaller algorithms, e.g. its sorts), `-Zlocation-detail=none`
# (no file and line of every possible panic) and `-Zfmt-debug=none`: `{:?}` writes nothing and
# derived Debug is empty, so Debug text must never be logic (a serde error's quoted value,
# `string "x"`, reads `string `); `shallow` keeps strings but cost 3.4 KB. Cargo adds these
# rustflags to .cargo/config.toml's for the target.
APP_BUILD_ENV=(
  RUSTC_BOOTSTRAP=1
  CARGO_UNSTABLE_BUILD_STD=std,panic_abort
  CARGO_UNSTABLE_BUILD_STD_FEATURES=optimize_for_size
  CARGO_UNSTABLE_PANIC_IMMEDIATE_ABORT=true
  CARGO_PROFILE_WASM_RELEASE_PANIC=immediate-abort
  CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="-Zlocation-detail=none -Zfmt-debug=none"
)

# trunk_release_build — the app's release build into dist/; trunk finds wasm-opt and
# wasm-bindgen on PATH (set above), as Trunk.toml pins their versions.
trunk_release_build() {
  (cd "$MACHI_ROOT" && env "${APP_BUILD_ENV[@]}" trunk build --release "$@")
}
