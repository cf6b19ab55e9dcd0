#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests:
#   scripts/pg.sh start DIR   initdb in DIR (as the postgres user), start it on a free port, print
#                             its connection URL (postgres://postgres@127.0.0.1:PORT/postgres)
#   scripts/pg.sh stop DIR    stop it (immediate) and delete DIR
# Root cannot run the server: initdb and pg_ctl run as `postgres` (Debian's postgresql package).
set -euo pipefail
cmd=${1:-}; dir=${2:-}
if [ -z "$cmd" ] || [ -z "$dir" ]; then echo "usage: $0 start|stop DIR" >&2; exit 2; fi
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  echo "[pg] PostgreSQL is not installed (run scripts/setup.sh)" >&2; exit 1
fi
as_pg() {
  if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$*"; else "$@"; fi
}
case "$cmd" in
  start)
    # DIR itself is handed to postgres; its parents must let postgres through (/tmp does;
    # mktemp -d makes DIR 0700, which this opens up).
    mkdir -p "$dir"
    chmod 0755 "$dir"
    if [ "$(id -u)" = 0 ]; then chown postgres "$dir"; fi
    port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
    as_pg "$bin/initdb" -D "$dir/data" -A trust -U postgres >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
      -o "\"-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100\"" start >/dev/null \
      || { cat "$dir/server.log" >&2; exit 1; }
    echo "postgres://postgres@127.0.0.1:$port/postgres"
    ;;
  stop)
    if [ -d "$dir/data" ]; then as_pg "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true; fi
    rm -rf "$dir"
    ;;
  *) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
