#!/usr/bin/env bash
# The first command: set up everything on a fresh machine and start Arrears.
#   install (virtual environment + pinned dependencies) -> database (SQLite in ./var) ->
#   demo portfolio (30,000 real Taiwan card accounts, shipped in the package) -> demo users ->
#   the first night -> web server. Each stage prints its time; the end prints the address and
#   the demo users.
# Environment: PORT (default 8000), HOST (default 127.0.0.1), DATABASE_URL (default SQLite in
# ./var), ARREARS_DEMO_PASSWORD (default arrears-demo), ARREARS_LANGUAGE (default: from the
# locale, zh* Simplified Chinese, else English), ARREARS_INSTALLER=pip (default uv).
set -euo pipefail
STARTED_AT="$(date +%s)"
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
cd "$ROOT"
ensure_venv
export ARREARS_HOME="${ARREARS_HOME:-$ROOT/var}"
mkdir -p "$ARREARS_HOME"
password=()  # unset: new demo users get arrears-demo, existing ones keep theirs
[ -z "${ARREARS_DEMO_PASSWORD:-}" ] || password=(--password "$ARREARS_DEMO_PASSWORD")
exec "$VENV/bin/arrears" start --host "${HOST:-127.0.0.1}" --port "${PORT:-8000}" \
  --started-at "$STARTED_AT" "${password[@]}"
