#!/usr/bin/env bash
# The first command: set up everything on a fresh machine and start Arrears.
#   virtual environment + pinned dependencies -> SQLite database + migrations ->
#   demo portfolio (30,000 real Taiwan card accounts) -> one demo user per role -> web server.
# Environment: PORT (default 8000), HOST (default 127.0.0.1), DATABASE_URL (default SQLite in
# ./var), ARREARS_DEMO_PASSWORD (default arrears-demo).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
cd "$ROOT"
ensure_venv
export ARREARS_HOME="${ARREARS_HOME:-$ROOT/var}"
mkdir -p "$ARREARS_HOME"
"$VENV/bin/arrears" demo --password "${ARREARS_DEMO_PASSWORD:-arrears-demo}"
exec "$VENV/bin/arrears" serve --host "${HOST:-127.0.0.1}" --port "${PORT:-8000}"
