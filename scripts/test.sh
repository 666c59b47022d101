#!/usr/bin/env bash
# The second command: lint, then the whole test suite on SQLite and again on PostgreSQL.
# PostgreSQL: TEST_POSTGRES_URL (default postgres://root@127.0.0.1:5432/test; pytest-django
# creates and drops test_<name>). Extra arguments go to pytest (e.g. -k aging).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
cd "$ROOT"
ensure_venv dev,spark
ensure_test_packages
PG_URL="${TEST_POSTGRES_URL:-postgres://root@127.0.0.1:5432/test}"

echo "==> ruff"
"$VENV/bin/ruff" check src tests benchmarks

echo "==> tests on SQLite"
env -u DATABASE_URL ARREARS_HOME="$(mktemp -d)" "$VENV/bin/pytest" -p no:cacheprovider "$@"

echo "==> tests on PostgreSQL ($PG_URL)"
if ! "$VENV/bin/python" -c "import psycopg, sys; psycopg.connect(sys.argv[1], connect_timeout=5).close()" "$PG_URL"; then
  echo "PostgreSQL is not reachable at $PG_URL; the tests must run on it too." >&2
  exit 1
fi
DATABASE_URL="$PG_URL" ARREARS_HOME="$(mktemp -d)" "$VENV/bin/pytest" -p no:cacheprovider "$@"
