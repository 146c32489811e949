#!/usr/bin/env bash
# Runs every test of Repère on a fresh machine of this kind: installs what the tests need (GDAL's
# ogr2ogr for the interoperability test), then the whole workspace's tests against SQLite and, when a
# PostgreSQL server answers (REPERE_TEST_POSTGRES, default the local one), against PostgreSQL too.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v ogr2ogr >/dev/null 2>&1; then
  echo "Installing gdal-bin (ogr2ogr) for the GDAL interoperability test…"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq gdal-bin >/dev/null
fi

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

cargo test --workspace --locked
