#!/usr/bin/env bash
# A throwaway Postgres cluster for the index's Postgres tests: initdb into a temp dir, listening on
# 127.0.0.1 at a random free port and on a unix socket in that dir, nothing else.
#
#   env=$(bash scripts/pg-test-cluster.sh start) && eval "$env"   # exports BBMESH_TEST_PG_URL, BBMESH_TEST_PG_DIR
#   bash scripts/pg-test-cluster.sh stop "$BBMESH_TEST_PG_DIR"
#
# `start` prints only shell assignments on stdout (its logs go to stderr and <dir>/data/server.log). Run as root
# it initdbs and runs the server as the `postgres` user, which Debian's package creates; Postgres
# refuses to run as root.
set -euo pipefail

find_bin() {
  local d
  for d in /usr/lib/postgresql/*/bin; do
    if [ -x "$d/initdb" ]; then echo "$d"; return 0; fi
  done
  if command -v initdb >/dev/null; then dirname "$(command -v initdb)"; return 0; fi
  return 1
}

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

start() {
  local bin dir port
  bin=$(find_bin) || { echo "pg-test-cluster: no initdb found (apt-get install postgresql)" >&2; exit 3; }
  # -t: under $TMPDIR (else the system temp dir), never a fixed path.
  dir=$(mktemp -d -t bbmesh-pg.XXXXXX)
  chmod 755 "$dir"
  if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$dir"; fi
  as_owner "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
    || as_owner "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; exit 1; }
  port=$(free_port)
  # fsync off: a test cluster is thrown away, and durability costs the tests time on a shared disk.
  as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/data/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=60" \
    start >&2 || { cat "$dir/data/server.log" >&2; exit 1; }
  echo "export BBMESH_TEST_PG_DIR=$dir"
  echo "export BBMESH_TEST_PG_URL=postgres://postgres@127.0.0.1:$port/postgres"
  echo "export BBMESH_TEST_PG_PID=$(head -1 "$dir/data/postmaster.pid")"
}

stop() {
  local dir=${1:?usage: pg-test-cluster.sh stop DIR}
  local bin
  bin=$(find_bin)
  # Only a directory start() made (mktemp -t bbmesh-pg.*).
  case "$(basename "$dir")" in bbmesh-pg.*) ;; *) echo "pg-test-cluster: refusing to remove $dir" >&2; exit 2 ;; esac
  if [ -f "$dir/data/postmaster.pid" ]; then
    as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >&2 || true
  fi
  rm -rf "$dir"
}

case "${1:-}" in
  start) start ;;
  stop) stop "${2:-}" ;;
  *) echo "usage: pg-test-cluster.sh start | stop DIR" >&2; exit 2 ;;
esac
