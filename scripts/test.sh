#!/usr/bin/env bash
# Runs every test of Repère on a fresh machine of this kind. Installs what the tests need (GDAL's
# ogr2ogr, Debian's Chromium, the npm packages), then:
#   1. the frontend's type check and unit tests (Vitest);
#   2. the tree's shape (scripts/check-layers.py), the whole Rust workspace's tests against SQLite and, when a PostgreSQL server answers
#      (REPERE_TEST_POSTGRES, default the local one), against PostgreSQL too;
#   3. the browser tests: the real server with the demo data, driven through Chromium.
# The mail and sign-in tests start real components as processes: an SMTP sink (Python aiosmtpd,
# tests/support/requirements.txt) and an OpenID provider (npm oidc-provider, frontend/package.json).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/packages.sh

missing=()
command -v ogr2ogr >/dev/null 2>&1 || missing+=(gdal-bin)
[ -x /usr/bin/chromium ] || missing+=(chromium)
add_missing_server_packages
install_missing
# The Python tools of the tests, pinned: the SMTP sink (aiosmtpd), OWSLib, frictionless, schemathesis.
python3 -c 'import aiosmtpd, owslib, frictionless, schemathesis' 2>/dev/null || python3 -m pip install -q -r tests/support/requirements.txt

export REPERE_TEST_POSTGRES="${REPERE_TEST_POSTGRES-postgres://postgres@127.0.0.1:5432/postgres}"
if [ -n "$REPERE_TEST_POSTGRES" ]; then
  if command -v pg_isready >/dev/null 2>&1 && ! pg_isready -q -d "$REPERE_TEST_POSTGRES"; then
    echo "error: PostgreSQL does not answer at $REPERE_TEST_POSTGRES (set REPERE_TEST_POSTGRES= to test SQLite only)" >&2
    exit 1
  fi
  echo "Testing on SQLite and on PostgreSQL ($REPERE_TEST_POSTGRES)"
else
  echo "Testing on SQLite only (REPERE_TEST_POSTGRES is empty)"
fi

echo "== frontend: type check and unit tests"
(cd frontend && npm ci --no-audit --no-fund && npm run typecheck && npm test)

echo "== Rust workspace: the tree's shape, then build and tests"
python3 scripts/check-layers.py
# One build of every target, so the `repere` binary the browser tests start shares its dependencies'
# features with the test build instead of triggering a second compilation.
cargo build --workspace --all-targets --locked
cargo test --workspace --locked

echo "== browser tests (Chromium)"
export REPERE_BIN="${CARGO_TARGET_DIR:-$PWD/target}/debug/repere"
(cd frontend && npm run build && npm run test:e2e)
