#!/usr/bin/env bash
# Builds Repère (the map page with npm, the server with cargo) and runs it on the embedded SQLite
# database (data/repere.db), loading the generated demo dataset on first start.
# Then open http://127.0.0.1:8080/ (the API is under /api). Extra arguments go to `repere serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
# maplibre-rs (static maps) needs protoc to build and Mesa (EGL/OpenGL) to draw without a GPU.
missing=()
command -v protoc >/dev/null 2>&1 || missing+=(protobuf-compiler)
for pkg in libegl1 libegl-mesa0 libgl1-mesa-dri; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing ${missing[*]}…"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null
fi
(cd frontend && npm ci --no-audit --no-fund && npm run build)
cargo build --release --locked --bin repere
exec "${CARGO_TARGET_DIR:-target}/release/repere" serve --demo-if-empty "$@"
