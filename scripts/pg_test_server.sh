# shellcheck shell=bash
# A PostgreSQL for the tests. Sourced by scripts/test.sh, which calls `legajo_pg_ensure`:
#
#   - when the server at LEGAJO_TEST_PG_URL (default postgresql://postgres@127.0.0.1:5432/postgres)
#     answers, the tests use it (they create and drop their own database on it);
#   - otherwise a THROW-AWAY cluster is started: initdb into a temporary folder (owned by the
#     `postgres` system user when we are root: PostgreSQL refuses to run as root), trust auth,
#     listening on 127.0.0.1 on a free port; LEGAJO_TEST_PG_URL is exported for it, and an EXIT trap
#     stops it and removes the folder. The PostgreSQL server is installed with apt when missing.
#
# Also runnable on its own, to run any command beside a throw-away cluster:
#
#   bash scripts/pg_test_server.sh [--fresh] COMMAND [ARGS...]
#
# (--fresh: start a throw-away cluster even if LEGAJO_TEST_PG_URL answers.)
# Needs scripts/setup.sh's helpers (sourced below when missing).

if ! declare -F _lg_say >/dev/null; then
  # shellcheck source=scripts/setup.sh
  source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/setup.sh"
fi

LEGAJO_TEST_PG_DEFAULT="postgresql://postgres@127.0.0.1:5432/postgres"
_LG_PG_DIR=""
_LG_PG_USER=""

# URL $1 with any password masked, for messages.
_lg_pg_show() { printf '%s' "$1" | sed -E 's#(://[^:/@]+):[^@]*@#\1:***@#'; }

# The interpreter to run small helpers with (the venv's when set up: it has psycopg).
_lg_pg_python() { if [ -n "${LEGAJO_PY:-}" ]; then printf '%s' "$LEGAJO_PY"; else printf 'python3'; fi; }

# Does a PostgreSQL answer at URL $1 (a real login, not only a listening port)?
legajo_pg_answers() {
  local py
  py="$(_lg_pg_python)"
  if "$py" -c 'import psycopg' 2>/dev/null; then
    "$py" - "$1" <<'PY' 2>/dev/null
import sys

import psycopg

url = sys.argv[1].replace("postgresql+psycopg://", "postgresql://", 1)
with psycopg.connect(url, connect_timeout=3) as conn:
    conn.execute("SELECT 1")
PY
  elif command -v pg_isready >/dev/null 2>&1; then
    pg_isready -q -t 3 -d "${1/postgresql+psycopg:/postgresql:}"
  else
    return 1
  fi
}

# The folder holding initdb and pg_ctl, installing the server with apt when none is found.
_lg_pg_bindir() {
  local d
  d="$(command -v initdb 2>/dev/null)" && { dirname "$(readlink -f "$d")"; return 0; }
  d="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)"
  if [ -z "$d" ] || [ ! -x "$d/initdb" ]; then
    _lg_say "PostgreSQL server binaries not found: installing them"
    legajo_apt_install postgresql
    d="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)"
    [ -n "$d" ] && [ -x "$d/initdb" ] || _lg_die "initdb not found even after installing postgresql"
  fi
  printf '%s' "$d"
}

# Runs "$@" as the cluster's owner, from inside the cluster folder.
_lg_pg_run() {
  if [ -z "$_LG_PG_USER" ]; then
    (cd "$_LG_PG_DIR" && "$@")
  elif command -v runuser >/dev/null 2>&1; then
    (cd "$_LG_PG_DIR" && runuser -u "$_LG_PG_USER" -- "$@")
  else
    (cd "$_LG_PG_DIR" && su -s /bin/sh "$_LG_PG_USER" -c "$(printf '%q ' "$@")")
  fi
}

_lg_pg_free_port() {
  "$(_lg_pg_python)" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
}

# Stops the throw-away cluster and removes its folder (the EXIT trap).
legajo_pg_stop() {
  [ -n "$_LG_PG_DIR" ] && [ -d "$_LG_PG_DIR" ] || return 0
  local pid=""
  [ -f "$_LG_PG_DIR/data/postmaster.pid" ] && pid="$(head -n1 "$_LG_PG_DIR/data/postmaster.pid")"
  _lg_pg_run "$_LG_PG_BIN/pg_ctl" -D "$_LG_PG_DIR/data" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -KILL "$pid" 2>/dev/null || true
    sleep 1
  fi
  rm -rf "$_LG_PG_DIR"
  _lg_say "throw-away PostgreSQL stopped and removed"
  _LG_PG_DIR=""
}

# Starts a throw-away cluster and exports LEGAJO_TEST_PG_URL for it.
legajo_pg_start_throwaway() {
  _LG_PG_BIN="$(_lg_pg_bindir)" || exit 1
  if [ "$(id -u)" = 0 ]; then
    id -u postgres >/dev/null 2>&1 || _lg_die "running as root but there is no 'postgres' user to own the throw-away cluster (install the postgresql package, or run as a normal user)"
    _LG_PG_USER=postgres
    # A folder every user can reach: TMPDIR may be under a root-only home.
    _LG_PG_DIR="$(mktemp -d /tmp/legajo-pg.XXXXXX)"
    chown "$_LG_PG_USER" "$_LG_PG_DIR"
  else
    _LG_PG_USER=""
    _LG_PG_DIR="$(mktemp -d "${TMPDIR:-/tmp}/legajo-pg.XXXXXX")"
  fi
  chmod 700 "$_LG_PG_DIR"
  trap legajo_pg_stop EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM HUP

  local port
  port="$(_lg_pg_free_port)" || exit 1
  _lg_say "starting a throw-away PostgreSQL ($("$_LG_PG_BIN/postgres" --version | awk '{print $3}')) in $_LG_PG_DIR on 127.0.0.1:$port"
  if ! _lg_pg_run "$_LG_PG_BIN/initdb" -D "$_LG_PG_DIR/data" -U postgres -A trust -E UTF8 \
      --locale=C.UTF-8 >"$_LG_PG_DIR/initdb.log" 2>&1; then
    rm -rf "$_LG_PG_DIR/data"
    _lg_pg_run "$_LG_PG_BIN/initdb" -D "$_LG_PG_DIR/data" -U postgres -A trust -E UTF8 \
      --no-locale >"$_LG_PG_DIR/initdb.log" 2>&1 \
      || { cat "$_LG_PG_DIR/initdb.log" >&2; _lg_die "initdb failed"; }
  fi
  # Durability settings off: the cluster lives for one test run.
  if ! _lg_pg_run "$_LG_PG_BIN/pg_ctl" -D "$_LG_PG_DIR/data" -l "$_LG_PG_DIR/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $_LG_PG_DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100" \
      start >/dev/null; then
    tail -n 30 "$_LG_PG_DIR/server.log" >&2 || true
    _lg_die "the throw-away PostgreSQL did not start (log above)"
  fi
  export LEGAJO_TEST_PG_URL="postgresql://postgres@127.0.0.1:$port/postgres"
  legajo_pg_answers "$LEGAJO_TEST_PG_URL" || _lg_die "the throw-away PostgreSQL started but does not answer at $LEGAJO_TEST_PG_URL"
}

# Uses the server at LEGAJO_TEST_PG_URL when it answers, else starts a throw-away one.
legajo_pg_ensure() {
  local url="${LEGAJO_TEST_PG_URL:-$LEGAJO_TEST_PG_DEFAULT}"
  if [ "${1:-}" != --fresh ] && legajo_pg_answers "$url"; then
    export LEGAJO_TEST_PG_URL="$url"
    _lg_say "tests use the PostgreSQL at $(_lg_pg_show "$url")"
    return 0
  fi
  [ "${1:-}" = --fresh ] || _lg_say "no PostgreSQL answers at $(_lg_pg_show "$url")"
  legajo_pg_start_throwaway
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  fresh=""
  if [ "${1:-}" = --fresh ]; then fresh=--fresh; shift; fi
  [ "$#" -gt 0 ] || { echo "usage: bash scripts/pg_test_server.sh [--fresh] COMMAND [ARGS...]" >&2; exit 2; }
  [ -x "$LEGAJO_VENV/bin/python" ] && LEGAJO_PY="$LEGAJO_VENV/bin/python"
  legajo_pg_ensure $fresh
  rc=0
  "$@" || rc=$?
  exit "$rc"
fi
