#!/usr/bin/env bash
# Builds Repère (the map page with npm, the server with cargo) and runs it on the embedded SQLite
# database (data/repere.db), loading the generated demo dataset on first start.
# Then open http://127.0.0.1:8080/ (the API is under /api). Extra arguments go to `repere serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/packages.sh
missing=()
add_missing_server_packages
if command -v apt-get >/dev/null 2>&1; then
  install_missing
fi
(cd frontend && npm ci --no-audit --no-fund && npm run build)
cargo build --release --locked --bin repere
exec "${CARGO_TARGET_DIR:-target}/release/repere" serve --demo-if-empty "$@"
