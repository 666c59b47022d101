#!/usr/bin/env bash
# Sourced by start.sh and test.sh: the user's language, timed stages, the virtual environment
# with Arrears installed into it. Re-running is cheap: it reinstalls only when pyproject.toml
# has changed.
#
# Installer: uv (fast, wheels only for the plain install), fetched from PyPI into the venv;
# pip when uv cannot be had. ARREARS_INSTALLER=pip forces pip.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
PYTHON="${PYTHON:-python3}"
UV_VERSION="0.13.9"

# The user's language: ARREARS_LANGUAGE, else the locale (LC_ALL, LC_MESSAGES, LANG):
# zh* is Simplified Chinese, anything else English. Exported so the Python side agrees.
arrears_language() {
  local chosen="${ARREARS_LANGUAGE:-${LC_ALL:-${LC_MESSAGES:-${LANG:-}}}}"
  case "$chosen" in
    zh* | ZH*) echo "zh-hans" ;;
    *) echo "en" ;;
  esac
}
ARREARS_LANGUAGE="$(arrears_language)"
export ARREARS_LANGUAGE

# The messages of the shell scripts, in English and Simplified Chinese (printf formats).
declare -A MSG_EN=(
  [python_old]="Arrears needs Python 3.11 or newer as '%s' (set PYTHON=/path/to/python3.11)."
  [no_venv]="Python cannot make a virtual environment; install it with: sudo apt-get install python3-venv"
  [install]="Install: Arrears and its pinned dependencies into %s"
  [install_current]="Install: %s is up to date"
  [creating_venv]="    creating the virtual environment"
  [with]="    installing with %s"
  [uv_missing]="    uv is not available; installing with pip instead"
  [uv_failed]="    uv did not succeed; trying pip"
  [install_failed]="Installing the dependencies failed; the messages above say why."
  [done]="    done in %s"
  [seconds]="%d s"
  [minutes]="%d min %d s"
  [missing_packages]="Missing Debian packages: %s. Install them with:"
  [installing_packages]="==> Installing Debian packages: %s"
)
declare -A MSG_ZH=(
  [python_old]="Arrears 需要 Python 3.11 或更高版本作为 '%s'（可设置 PYTHON=/path/to/python3.11）。"
  [no_venv]="Python 无法创建虚拟环境；请安装：sudo apt-get install python3-venv"
  [install]="安装：将 Arrears 及其锁定版本的依赖安装到 %s"
  [install_current]="安装：%s 已是最新"
  [creating_venv]="    正在创建虚拟环境"
  [with]="    使用 %s 安装"
  [uv_missing]="    无法获取 uv，改用 pip 安装"
  [uv_failed]="    uv 安装未成功，改用 pip 重试"
  [install_failed]="依赖安装失败；原因见上方信息。"
  [done]="    完成，用时 %s"
  [seconds]="%d 秒"
  [minutes]="%d 分 %d 秒"
  [missing_packages]="缺少 Debian 软件包：%s。请用以下命令安装："
  [installing_packages]="==> 正在安装 Debian 软件包：%s"
)

# msg KEY [ARGS...]: the message KEY in the user's language, formatted with ARGS.
msg() {
  local key="$1"
  shift
  local format
  if [ "$ARREARS_LANGUAGE" = "zh-hans" ]; then format="${MSG_ZH[$key]}"; else format="${MSG_EN[$key]}"; fi
  # shellcheck disable=SC2059
  printf "$format" "$@"
}

duration_text() {  # whole seconds -> "42 s" / "2 min 5 s" in the user's language
  local total="$1"
  if [ "$total" -lt 60 ]; then msg seconds "$total"; else msg minutes $((total / 60)) $((total % 60)); fi
}

STAGE_STARTED=0
stage_begin() {  # stage_begin KEY [ARGS...]: print the stage's header and start its clock
  printf '==> %s\n' "$(msg "$@")"
  STAGE_STARTED=$SECONDS
}
stage_end() {
  printf '%s\n' "$(msg done "$(duration_text $((SECONDS - STAGE_STARTED)))")"
}

ensure_python() {
  if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    msg python_old "$PYTHON" >&2
    echo >&2
    exit 2
  fi
}

# A uv for the venv in the array UV: one already in it or on PATH, else one installed into the
# venv from PyPI; empty when none can be had (offline, say).
find_uv() {
  UV=()
  if "$VENV/bin/python" -m uv --version >/dev/null 2>&1; then
    UV=("$VENV/bin/python" -m uv)
  elif command -v uv >/dev/null 2>&1; then
    UV=(uv)
  elif "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
      "uv==$UV_VERSION" >/dev/null 2>&1; then
    UV=("$VENV/bin/python" -m uv)
  fi
}

# install SPEC ONLY_BINARY INSTALLER...: install SPEC (the project, editable) into the venv.
install() {
  local spec="$1" only_binary="$2"
  shift 2
  local options=(--quiet)
  [ -z "$only_binary" ] || options+=(--only-binary :all:)
  if [ "$1" = "pip" ]; then
    "$VENV/bin/python" -m pip install "${options[@]}" --disable-pip-version-check -e "$spec"
  else
    "$@" pip install "${options[@]}" --python "$VENV/bin/python" -e "$spec"
  fi
}

# ensure_venv [EXTRAS]: EXTRAS like "dev,spark" (the tests) or nothing (just run Arrears,
# from wheels only).
ensure_venv() {
  local extras="${1:-}"
  local stamp="$VENV/.arrears-installed${extras:+-$extras}"
  if [ -f "$stamp" ] && [ ! "$ROOT/pyproject.toml" -nt "$stamp" ] && [ -x "$VENV/bin/python" ]; then
    stage_begin install_current "${VENV/#$ROOT\//}"
    stage_end
    return 0
  fi
  stage_begin install "${VENV/#$ROOT\//}"
  ensure_python
  if [ ! -x "$VENV/bin/python" ]; then
    msg creating_venv
    echo
    if ! "$PYTHON" -m venv "$VENV" >/dev/null; then
      rm -rf "$VENV"
      msg no_venv >&2
      echo >&2
      exit 2
    fi
  fi
  local spec="$ROOT${extras:+[$extras]}" only_binary=""
  [ -n "$extras" ] || only_binary=1  # the test extras hold pyspark, published as source only
  local installed=""
  UV=()
  [ "${ARREARS_INSTALLER:-uv}" != "uv" ] || find_uv
  if [ ${#UV[@]} -gt 0 ]; then
    msg with "uv"
    echo
    if install "$spec" "$only_binary" "${UV[@]}"; then
      installed=1
    else
      msg uv_failed
      echo
    fi
  elif [ "${ARREARS_INSTALLER:-uv}" = "uv" ]; then
    msg uv_missing
    echo
  else
    msg with "pip"
    echo
  fi
  if [ -z "$installed" ]; then
    install "$spec" "$only_binary" pip || { msg install_failed >&2; echo >&2; exit 1; }
  fi
  touch "$stamp"
  stage_end
}

# Debian packages the tests need: Chromium and its driver for the browser tests, gettext to
# check the translations, Java for the PySpark run of the nightly batch, PostgreSQL's server
# for a throwaway cluster (scripts/throwaway_postgres.sh). Installed when missing and we may
# (root with apt-get).
ensure_test_packages() {
  local missing=()
  compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || command -v initdb >/dev/null 2>&1 \
    || missing+=(postgresql)
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
  command -v msgfmt >/dev/null 2>&1 || missing+=(gettext)
  command -v java >/dev/null 2>&1 || missing+=(openjdk-17-jre-headless)
  # A Chinese font: the browser tests measure the pages as a reader in China sees them.
  fc-list :lang=zh 2>/dev/null | grep -q . || missing+=(fonts-wqy-microhei)
  apt_install_or_explain "${missing[@]}"
}

# apt_install_or_explain PACKAGE...: install them when root with apt-get, else say how.
apt_install_or_explain() {
  [ $# -gt 0 ] || return 0
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    msg installing_packages "$*"
    echo
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
  else
    msg missing_packages "$*" >&2
    echo >&2
    echo "  sudo apt-get install $*" >&2
    exit 2
  fi
}
