#!/usr/bin/env bash
# Builds Repère and runs it on the embedded SQLite database (data/repere.db), loading the generated
# demo dataset on first start. Then open http://127.0.0.1:8080/ (API under /api).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked --bin repere
exec ./target/release/repere serve --demo-if-empty "$@"
