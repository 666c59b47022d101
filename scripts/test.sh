#!/usr/bin/env bash
# The second command: lint, then the whole test suite on SQLite and again on PostgreSQL.
# PostgreSQL: TEST_POSTGRES_URL (default postgres://root@127.0.0.1:5432/test; pytest-django
# creates and drops test_<name>). When nothing answers there, a throwaway PostgreSQL server is
# started for the run (scripts/throwaway_postgres.sh) and removed afterwards.
# Extra arguments go to pytest (e.g. -k aging). The tests run in one process per core
# (pytest-xdist, a file per process at a time); ARREARS_TEST_WORKERS=0 runs them in this one.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
source "$ROOT/scripts/throwaway_postgres.sh"
cd "$ROOT"

declare -A MSG_TEST_EN=(
  [ruff]="ruff"
  [sqlite]="Tests on SQLite"
  [postgres]="Tests on PostgreSQL (%s)"
  [unreachable]="    nothing answers at %s: starting a throwaway PostgreSQL server for the tests"
)
declare -A MSG_TEST_ZH=(
  [ruff]="ruff 代码检查"
  [sqlite]="在 SQLite 上运行测试"
  [postgres]="在 PostgreSQL 上运行测试（%s）"
  [unreachable]="    %s 无响应：为测试启动一个临时 PostgreSQL 服务器"
)
for key in "${!MSG_TEST_EN[@]}"; do
  MSG_EN[test_$key]="${MSG_TEST_EN[$key]}"
  MSG_ZH[test_$key]="${MSG_TEST_ZH[$key]}"
done

ensure_venv dev,spark
ensure_test_packages
PG_URL="${TEST_POSTGRES_URL:-postgres://root@127.0.0.1:5432/test}"
PARALLEL=(-n "${ARREARS_TEST_WORKERS:-auto}" --dist loadfile)

stage_begin test_ruff
"$VENV/bin/ruff" check src tests benchmarks
stage_end

stage_begin test_sqlite
env -u DATABASE_URL ARREARS_HOME="$(mktemp -d)" "$VENV/bin/pytest" -p no:cacheprovider \
  "${PARALLEL[@]}" "$@"
stage_end

stage_begin test_postgres "$PG_URL"
if ! "$VENV/bin/python" -c "import psycopg, sys; psycopg.connect(sys.argv[1], connect_timeout=5).close()" \
    "$PG_URL" 2>/dev/null; then
  msg test_unreachable "$PG_URL"
  echo
  trap 'throwaway_postgres_stop' EXIT
  throwaway_postgres_start
  PG_URL="$THROWAWAY_PG_URL"
fi
DATABASE_URL="$PG_URL" ARREARS_HOME="$(mktemp -d)" "$VENV/bin/pytest" -p no:cacheprovider \
  "${PARALLEL[@]}" "$@"
stage_end
