#!/usr/bin/env bash
# Builds the hub's container image (deploy/Containerfile) from what is already built here: the
# release hub, the app's dist/, the city files and the demo's sources, staged into a fresh build
# context. Uses podman or docker, whichever answers (MACHI_CONTAINER_ENGINE picks one).
#
#   deploy/container.sh [TAG]          default TAG: machi-hub:latest
#
# Environment: MACHI_HUB_BIN (default: $CARGO_TARGET_DIR or target/, then release/machi-hub),
# MACHI_BASE_IMAGE (the Containerfile's BASE, default debian:bookworm-slim).
# Exit status: 0 built, 1 failed, 3 no container engine is usable (nothing was tried).
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
cd "$MACHI_ROOT"

TAG="${1:-machi-hub:latest}"
HUB_BIN="${MACHI_HUB_BIN:-${CARGO_TARGET_DIR:-$MACHI_ROOT/target}/release/machi-hub}"

# engine — the first of podman and docker whose daemon or service answers.
engine() {
  local candidates=(podman docker) e
  if [[ -n "${MACHI_CONTAINER_ENGINE:-}" ]]; then candidates=("$MACHI_CONTAINER_ENGINE"); fi
  for e in "${candidates[@]}"; do
    if command -v "$e" >/dev/null 2>&1 && "$e" info >/dev/null 2>&1; then
      echo "$e"
      return 0
    fi
  done
  return 1
}

if ! ENGINE="$(engine)"; then
  say container "no usable container engine: neither 'podman info' nor 'docker info' succeeds" \
    "(a docker client without a running daemon does not count)"
  exit 3
fi
for needed in "$HUB_BIN" dist/index.html cities public/demo; do
  if [[ ! -e "$needed" ]]; then
    say container "missing $needed: build first (cargo build --release -p machi-hub; trunk_release_build after source scripts/lib.sh)"
    exit 1
  fi
done

CONTEXT="$(mktemp -d)"
trap 'rm -rf "$CONTEXT"' EXIT
mkdir -p "$CONTEXT/app/public"
cp "$HUB_BIN" "$CONTEXT/machi-hub"
cp -r dist cities "$CONTEXT/app/"
cp -r public/demo "$CONTEXT/app/public/demo"
cp deploy/Containerfile "$CONTEXT/Containerfile"
# World-readable, whatever the umask here: the image runs as uid 10001.
chmod -R a+rX "$CONTEXT"

FORMAT=()
# podman's default OCI format has no HEALTHCHECK.
if [[ "$ENGINE" == podman ]]; then FORMAT=(--format docker); fi
say container "building $TAG with $ENGINE from $HUB_BIN, dist/, cities/ and public/demo/"
"$ENGINE" build "${FORMAT[@]}" \
  --build-arg "BASE=${MACHI_BASE_IMAGE:-debian:bookworm-slim}" \
  -f "$CONTEXT/Containerfile" -t "$TAG" "$CONTEXT"
say container "built $TAG"
