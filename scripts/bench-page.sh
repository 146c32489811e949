#!/usr/bin/env bash
# The page benchmark: every page of Repère in Chromium on an emulated school line (1 Mbit/s down,
# 256 kbit/s up, 150 ms round trip), first and repeat visits, bytes on the wire by type and seconds
# until usable, on the demo data and on 100,000 generated practices. Writes bench/results/pages-*.md
# (the figures in BENCHMARKS.md come from there). Not part of the tests: the byte budgets are
# (frontend/e2e/budget.e2e.test.ts); times depend on the machine.
#
#   bash scripts/bench-page.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
cargo build --locked --bin repere
export REPERE_BIN="$CARGO_TARGET_DIR/debug/repere"
cd frontend
npm ci --no-audit --no-fund
npm run build
for dataset in demo large; do
  BENCH_DATASET=$dataset npx vitest run --config vitest.bench-page.config.ts
done
