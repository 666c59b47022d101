#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests, from the Debian packages: a new cluster in a
# temporary directory, trust authentication, listening on a free port of 127.0.0.1 (and a unix
# socket in that directory), run as a non-root user when we are root (postgres refuses root).
#
# Sourced (test.sh):  throwaway_postgres_start   -> THROWAWAY_PG_URL, THROWAWAY_PG_DIR
#                     throwaway_postgres_stop    (stops it and removes the directory)
# Run:  bash scripts/throwaway_postgres.sh start      prints URL=... and DIR=... lines
#       bash scripts/throwaway_postgres.sh stop DIR
# PostgreSQL is installed with apt-get when missing and we are root.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

declare -A MSG_PG_EN=(
  [no_initdb]="PostgreSQL's initdb was not found (looked in /usr/lib/postgresql/*/bin and PATH); install it with: sudo apt-get install postgresql"
  [no_user]="Running as root, but there is no way to run PostgreSQL as another user (runuser or setpriv, and a user postgres or nobody)."
  [failed]="The throwaway PostgreSQL server did not start; its log:"
  [started]="    a throwaway PostgreSQL %s on %s, in %s"
)
declare -A MSG_PG_ZH=(
  [no_initdb]="未找到 PostgreSQL 的 initdb（已查找 /usr/lib/postgresql/*/bin 和 PATH）；请安装：sudo apt-get install postgresql"
  [no_user]="当前以 root 运行，但无法以其他用户身份运行 PostgreSQL（需要 runuser 或 setpriv，以及用户 postgres 或 nobody）。"
  [failed]="临时 PostgreSQL 服务器未能启动；其日志："
  [started]="    临时 PostgreSQL %s，地址 %s，目录 %s"
)
for key in "${!MSG_PG_EN[@]}"; do
  MSG_EN[pg_$key]="${MSG_PG_EN[$key]}"
  MSG_ZH[pg_$key]="${MSG_PG_ZH[$key]}"
done

# The directory of initdb and pg_ctl: the newest /usr/lib/postgresql/*/bin, else PATH.
postgres_bin() {
  local dir
  dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
  if [ -n "$dir" ] && [ -x "$dir/initdb" ]; then
    echo "$dir"
  elif command -v initdb >/dev/null 2>&1; then
    dirname "$(command -v initdb)"
  fi
}

ensure_postgres_bin() {
  PG_BIN="$(postgres_bin)"
  if [ -z "$PG_BIN" ] && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    apt_install_or_explain postgresql
    PG_BIN="$(postgres_bin)"
  fi
  if [ -z "$PG_BIN" ]; then
    msg pg_no_initdb >&2
    echo >&2
    return 2
  fi
}

# as_server_user COMMAND...: run it as the user that owns the cluster.
as_server_user() {
  if [ "$(id -u)" != "0" ]; then
    "$@"
  elif command -v runuser >/dev/null 2>&1; then
    runuser -u "$PG_USER" -- "$@"
  else
    setpriv --reuid="$PG_USER" --regid="$(id -g "$PG_USER")" --clear-groups -- "$@"
  fi
}

choose_server_user() {
  PG_USER="$(id -un)"
  [ "$(id -u)" = "0" ] || return 0
  local user
  for user in postgres nobody; do
    if id "$user" >/dev/null 2>&1; then
      PG_USER="$user"
      break
    fi
  done
  if [ "$PG_USER" = "root" ] || ! { command -v runuser || command -v setpriv; } >/dev/null 2>&1; then
    msg pg_no_user >&2
    echo >&2
    return 2
  fi
}

free_port() {
  "$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

throwaway_postgres_start() {
  ensure_postgres_bin
  choose_server_user
  THROWAWAY_PG_DIR="$(mktemp -d "${TMPDIR:-/tmp}/arrears-postgres.XXXXXX")"
  chmod 700 "$THROWAWAY_PG_DIR"
  [ "$(id -u)" != "0" ] || chown "$PG_USER" "$THROWAWAY_PG_DIR"
  local data="$THROWAWAY_PG_DIR/data" port
  as_server_user "$PG_BIN/initdb" --pgdata="$data" --username=arrears --auth=trust \
    --encoding=UTF8 --no-locale >"$THROWAWAY_PG_DIR/initdb.log" 2>&1 || {
    msg pg_failed >&2; echo >&2; cat "$THROWAWAY_PG_DIR/initdb.log" >&2
    throwaway_postgres_stop; return 1; }
  port="$(free_port)"
  # Durability is not wanted for a cluster that is thrown away: fsync off makes it quicker.
  as_server_user "$PG_BIN/pg_ctl" --pgdata="$data" --log="$THROWAWAY_PG_DIR/server.log" \
    --wait --timeout=120 --silent start --options="-c listen_addresses=127.0.0.1 -c port=$port \
-c unix_socket_directories=$THROWAWAY_PG_DIR -c fsync=off -c synchronous_commit=off \
-c full_page_writes=off -c max_connections=100" >/dev/null || {
    msg pg_failed >&2; echo >&2; cat "$THROWAWAY_PG_DIR/server.log" >&2
    throwaway_postgres_stop; return 1; }
  as_server_user "$PG_BIN/createdb" --host=127.0.0.1 --port="$port" --username=arrears arrears
  THROWAWAY_PG_URL="postgres://arrears@127.0.0.1:$port/arrears"
  msg pg_started "$("$PG_BIN/postgres" --version | awk '{print $3}')" "127.0.0.1:$port" \
    "$THROWAWAY_PG_DIR"
  echo
}

throwaway_postgres_stop() {
  local dir="${1:-${THROWAWAY_PG_DIR:-}}"
  [ -n "$dir" ] && [ -d "$dir" ] || return 0
  if [ -f "$dir/data/postmaster.pid" ]; then
    PG_BIN="${PG_BIN:-$(postgres_bin)}"
    PG_USER="$(stat -c %U "$dir")"
    as_server_user "$PG_BIN/pg_ctl" --pgdata="$dir/data" --mode=fast --wait --silent stop \
      >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
  THROWAWAY_PG_DIR=""
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  case "${1:-}" in
    start)
      throwaway_postgres_start >&2
      echo "URL=$THROWAWAY_PG_URL"
      echo "DIR=$THROWAWAY_PG_DIR"
      ;;
    stop) throwaway_postgres_stop "${2:?the directory start printed}" ;;
    *) echo "usage: $0 start | stop DIR" >&2; exit 2 ;;
  esac
fi
