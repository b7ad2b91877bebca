#!/usr/bin/env bash
# A real PgBouncer in transaction mode on 127.0.0.1:${PGBOUNCER_PORT:-6432}, in front of the local PostgreSQL
# (127.0.0.1:5432, trust auth), for the store's pooler suites (PGBOUNCER_URL) and the fleet benchmark.
# Installs the Debian package when missing (as root), writes its own config into a private directory, starts
# it as a non-root user (PgBouncer refuses to run as root), and waits until it answers. Idempotent: when a
# PgBouncer already answers on the port, it is left as it is.
#   scripts/pgbouncer.sh            # start (or reuse)
#   scripts/pgbouncer.sh stop       # stop the one this script started
set -euo pipefail

port="${PGBOUNCER_PORT:-6432}"
upstream_host="${PGBOUNCER_UPSTREAM_HOST:-127.0.0.1}"
upstream_port="${PGBOUNCER_UPSTREAM_PORT:-5432}"
dir="${PGBOUNCER_DIR:-${TMPDIR:-/tmp}/kaviar-flags-pgbouncer-$port}"
url="postgres://postgres@127.0.0.1:$port/${PGBOUNCER_DATABASE:-test}"

answers() { psql "$url" -Atqc 'select 1' >/dev/null 2>&1; }

if [ "${1:-}" = stop ]; then
  if [ -f "$dir/pgbouncer.pid" ]; then kill "$(cat "$dir/pgbouncer.pid")" 2>/dev/null || true; fi
  exit 0
fi

if answers; then
  echo "PgBouncer answers on 127.0.0.1:$port"
  exit 0
fi

bin="$(command -v pgbouncer || true)"
[ -z "$bin" ] && [ -x /usr/sbin/pgbouncer ] && bin=/usr/sbin/pgbouncer
if [ -z "$bin" ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "pgbouncer is not installed; install the Debian package 'pgbouncer' (as root: apt-get install pgbouncer)" >&2
    exit 1
  fi
  echo "== installing pgbouncer"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pgbouncer >/dev/null
  bin=/usr/sbin/pgbouncer
fi

mkdir -p "$dir"
cat > "$dir/pgbouncer.ini" <<INI
[databases]
* = host=$upstream_host port=$upstream_port

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $port
unix_socket_dir =
auth_type = trust
auth_file = $dir/userlist.txt
admin_users = postgres
stats_users = postgres
pool_mode = transaction
; The fleet benchmark opens about a thousand client connections; the server sees at most default_pool_size.
max_client_conn = 3000
default_pool_size = 20
reserve_pool_size = 0
server_reset_query =
ignore_startup_parameters = extra_float_digits
logfile = $dir/pgbouncer.log
pidfile = $dir/pgbouncer.pid
INI
echo '"postgres" ""' > "$dir/userlist.txt"

# A pid file left by a PgBouncer that no longer answers: stop it before starting ours.
if [ -f "$dir/pgbouncer.pid" ] && kill -0 "$(cat "$dir/pgbouncer.pid")" 2>/dev/null; then
  kill "$(cat "$dir/pgbouncer.pid")" 2>/dev/null || true
  sleep 1
fi
rm -f "$dir/pgbouncer.pid"

if [ "$(id -u)" = 0 ]; then
  user="${PGBOUNCER_USER:-postgres}"
  id "$user" >/dev/null 2>&1 || user=nobody
  chown -R "$user" "$dir"
  "$bin" -d -u "$user" "$dir/pgbouncer.ini"
else
  "$bin" -d "$dir/pgbouncer.ini"
fi

for _ in $(seq 1 50); do
  if answers; then
    echo "PgBouncer (transaction mode) answers on 127.0.0.1:$port -> $upstream_host:$upstream_port"
    exit 0
  fi
  sleep 0.2
done
echo "PgBouncer did not answer on 127.0.0.1:$port; its log:" >&2
tail -n 20 "$dir/pgbouncer.log" >&2 || true
exit 1
