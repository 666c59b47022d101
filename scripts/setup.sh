#!/usr/bin/env bash
# Sourced by start.sh and test.sh: make the virtual environment and install Arrears into it.
# Re-running it is cheap: it reinstalls only when pyproject.toml has changed.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
PYTHON="${PYTHON:-python3}"

ensure_python() {
  if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "Arrears needs Python 3.11 or newer as '$PYTHON' (set PYTHON=/path/to/python3.11)." >&2
    exit 2
  fi
}

# ensure_venv [EXTRAS]: EXTRAS like "dev,spark" (the tests) or nothing (just run Arrears).
ensure_venv() {
  local extras="${1:-}"
  ensure_python
  if [ ! -x "$VENV/bin/python" ]; then
    echo "==> Creating the virtual environment in .venv"
    "$PYTHON" -m venv "$VENV"
  fi
  local stamp="$VENV/.arrears-installed${extras:+-$extras}"
  if [ ! -f "$stamp" ] || [ "$ROOT/pyproject.toml" -nt "$stamp" ]; then
    echo "==> Installing Arrears and its pinned dependencies"
    "$VENV/bin/python" -m pip install --quiet --upgrade pip
    "$VENV/bin/python" -m pip install --quiet -e "$ROOT${extras:+[$extras]}"
    touch "$stamp"
  fi
}

# Debian packages the tests need: Chromium and its driver for the browser tests, gettext to
# check the translations, Java for the PySpark run of the nightly batch. Installed when missing and we may (root with apt-get).
ensure_test_packages() {
  local missing=()
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
  command -v msgfmt >/dev/null 2>&1 || missing+=(gettext)
  command -v java >/dev/null 2>&1 || missing+=(openjdk-17-jre-headless)
  # A Chinese font: the browser tests measure the pages as a reader in China sees them.
  fc-list :lang=zh 2>/dev/null | grep -q . || missing+=(fonts-wqy-microhei)
  if [ ${#missing[@]} -eq 0 ]; then
    return 0
  fi
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "==> Installing Debian packages: ${missing[*]}"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "Missing Debian packages: ${missing[*]}. Install them with:" >&2
    echo "  sudo apt-get install ${missing[*]}" >&2
    exit 2
  fi
}
