#!/usr/bin/env bash
# A private Keystone (Debian's `keystone` package, run by uwsgi) on a private MariaDB, both on
# 127.0.0.1, for the keystone auth tests. Everything lives under .tmp/keystone, so runs are
# isolated from any system MariaDB or Keystone.
#
#   keystone.sh start       start MariaDB and Keystone (stopping leftovers first), db_sync,
#                           fernet/credential keys, bootstrap an admin; write .tmp/keystone.env
#   keystone.sh stop        stop both, and anything a previous run left behind
#   keystone.sh stop-api    stop Keystone only (the database keeps running): an identity outage
#   keystone.sh start-api   start Keystone again on the same port and data
#   keystone.sh status      show what runs
#
# KEYSTONE_DB_PORT (default 3326): MariaDB's port. KEYSTONE_PORT: Keystone's port (default: a
# free one). KEYSTONE_TOKEN_EXPIRATION (default 40): token lifetime in seconds, short so that
# the tests can watch a token expire. Projects, users and the catalog entry for the gateway are
# created by the tests through Keystone's API (test/support/keystone.ts).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
tmp="$root/.tmp/keystone"
env_file="$root/.tmp/keystone.env"
PY=/usr/bin/python3
DB_PORT=${KEYSTONE_DB_PORT:-3326}
TOKEN_EXPIRATION=${KEYSTONE_TOKEN_EXPIRATION:-40}
sock="$tmp/mariadb/mysqld.sock"

log() { printf '[keystone] %s\n' "$*" >&2; }

kill_pid() { # pid [grace seconds]
  local pid=$1 grace=${2:-10} i
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < grace * 10; i++)); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
}

# Pids of processes whose command line names our private directory (leftovers of a killed run).
ours() {
  local p
  for p in /proc/[0-9]*; do
    [ -r "$p/cmdline" ] || continue
    if tr '\0' ' ' <"$p/cmdline" 2>/dev/null | grep -qF "$tmp/"; then echo "${p#/proc/}"; fi
  done
}

mariadbd_bin() {
  local b
  for b in /usr/sbin/mariadbd /usr/sbin/mysqld; do [ -x "$b" ] && { echo "$b"; return; }; done
  log "mariadbd not found: install mariadb-server"
  return 1
}

sql() { mariadb --no-defaults --protocol=socket --socket="$sock" -uroot "$@"; }

start_db() {
  local d="$tmp/mariadb" user
  user=$(id -un)
  mkdir -p "$d"
  if [ ! -d "$d/data/mysql" ]; then
    log "initialising MariaDB in $d/data"
    bash "$root/test/support/mariadb-install.sh" "$d/data" "$user" || return 1
  fi
  mkdir -p "$d/tmp"
  log "starting MariaDB on 127.0.0.1:$DB_PORT"
  setsid "$(mariadbd_bin)" --no-defaults --user="$user" --datadir="$d/data" --socket="$sock" \
    --port="$DB_PORT" --bind-address=127.0.0.1 --pid-file="$d/mariadbd.pid" --log-error="$d/error.log" --tmpdir="$d/tmp" \
    --skip-name-resolve --skip-log-bin --performance-schema=OFF --innodb-buffer-pool-size=64M \
    --innodb-flush-log-at-trx-commit=0 --max-connections=100 >"$d/server.out" 2>&1 </dev/null &
  echo $! >"$d/server.pid"
  local i
  for ((i = 0; i < 120; i++)); do
    if sql -e 'select 1' >/dev/null 2>&1; then log "MariaDB is up"; return 0; fi
    kill -0 "$(cat "$d/server.pid")" 2>/dev/null || { tail -30 "$d/error.log" >&2 || true; log "mariadbd exited"; return 1; }
    sleep 0.5
  done
  tail -30 "$d/error.log" >&2 || true
  log "MariaDB did not answer within 60 s"
  return 1
}

stop_db() {
  local d="$tmp/mariadb" f
  [ -S "$sock" ] && sql -e 'shutdown' >/dev/null 2>&1 || true
  for f in "$d/server.pid" "$d/mariadbd.pid"; do
    [ -f "$f" ] && kill_pid "$(cat "$f")" 20
    rm -f "$f"
  done
}

free_port() {
  node --import tsx -e "import('$root/test/support/free-port.ts').then(async (m) => console.log(await m.freePort()))"
}

write_keystone_config() {
  local d="$tmp/api" db_password=$1
  mkdir -p "$d/log" "$d/fernet-keys" "$d/credential-keys"
  chmod 700 "$d/fernet-keys" "$d/credential-keys"
  cat >"$d/keystone.conf" <<CONF
[DEFAULT]
log_file = $d/log/keystone.log
debug = false

[database]
connection = mysql+pymysql://keystone:$db_password@127.0.0.1:$DB_PORT/keystone

[token]
provider = fernet
expiration = $TOKEN_EXPIRATION

[fernet_tokens]
key_repository = $d/fernet-keys

[fernet_receipts]
key_repository = $d/fernet-keys

[credential]
key_repository = $d/credential-keys

[identity]
password_hash_rounds = 4

[oslo_policy]
policy_dirs = $d/policy.d
CONF
  mkdir -p "$d/policy.d"
}

start_api() {
  local d="$tmp/api" port
  port=$(cat "$d/port")
  stop_api # never two on one port
  log "starting Keystone (uwsgi) on 127.0.0.1:$port"
  # keystone-wsgi-public is the WSGI script Debian's package runs under uwsgi (its init script
  # and /etc/keystone/keystone-uwsgi.ini); this is the same, without the system's paths.
  # uwsgi's http-socket closes the connection after each response: say so, or clients that
  # reuse it (python-requests, undici) get "connection reset by peer".
  OS_KEYSTONE_CONFIG_FILES="$d/keystone.conf" setsid /usr/bin/uwsgi_python3 --http-socket "127.0.0.1:$port" \
    --wsgi-file /usr/bin/keystone-wsgi-public --master --die-on-term --need-app --lazy-apps \
    --processes 2 --threads 4 --buffer-size 65535 --add-header 'Connection: close' --pidfile "$d/uwsgi.pid" --chdir "$d" \
    --logto "$d/log/uwsgi.log" --disable-logging >/dev/null 2>&1 </dev/null &
  echo $! >"$d/server.pid"
  local i
  for ((i = 0; i < 240; i++)); do
    if "$PY" -c "import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=5)" "http://127.0.0.1:$port/v3" 2>/dev/null; then log "Keystone is up"; return 0; fi
    kill -0 "$(cat "$d/server.pid")" 2>/dev/null || { tail -30 "$d/log/uwsgi.log" "$d/log/keystone.log" >&2 || true; log "uwsgi exited"; return 1; }
    sleep 0.5
  done
  tail -30 "$d/log/uwsgi.log" "$d/log/keystone.log" >&2 || true
  log "Keystone did not answer within 120 s"
  return 1
}

stop_api() {
  local d="$tmp/api" f pid
  for f in "$d/server.pid" "$d/uwsgi.pid"; do
    [ -f "$f" ] && kill_pid "$(cat "$f")" 15
    rm -f "$f"
  done
  # and any uwsgi of ours the pid files lost track of (its command line names $d)
  for pid in $(ours); do
    { tr '\0' ' ' <"/proc/$pid/cmdline"; } 2>/dev/null | grep -qF -- "--pidfile $d/" && kill_pid "$pid" 15
  done
  return 0
}

stop_all() {
  stop_api
  stop_db
  local pid
  for pid in $(ours); do
    [ "$pid" = "$$" ] && continue
    kill_pid "$pid" 5
  done
  rm -f "$env_file"
}

start_all() {
  stop_all
  rm -rf "$tmp"
  mkdir -p "$tmp/api"
  start_db
  local db_password admin_password port d="$tmp/api"
  db_password=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
  admin_password=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
  sql -e "CREATE DATABASE keystone; CREATE USER 'keystone'@'127.0.0.1' IDENTIFIED BY '$db_password';
          GRANT ALL PRIVILEGES ON keystone.* TO 'keystone'@'127.0.0.1';"
  write_keystone_config "$db_password"
  port=${KEYSTONE_PORT:-$(free_port)}
  echo "$port" >"$d/port"
  local url="http://127.0.0.1:$port"
  local km=("$PY" /usr/bin/keystone-manage --config-file "$d/keystone.conf")
  log "keystone-manage db_sync"
  "${km[@]}" db_sync >"$d/log/manage.out" 2>&1 || { tail -30 "$d/log/manage.out" "$d/log/keystone.log" >&2; return 1; }
  "${km[@]}" fernet_setup --keystone-user "$(id -un)" --keystone-group "$(id -gn)" >>"$d/log/manage.out" 2>&1
  "${km[@]}" credential_setup --keystone-user "$(id -un)" --keystone-group "$(id -gn)" >>"$d/log/manage.out" 2>&1
  log "keystone-manage bootstrap (admin, RegionOne, identity endpoints at $url/v3)"
  "${km[@]}" bootstrap --bootstrap-password "$admin_password" --bootstrap-username admin \
    --bootstrap-project-name admin --bootstrap-role-name admin --bootstrap-service-name keystone \
    --bootstrap-region-id RegionOne --bootstrap-admin-url "$url/v3" --bootstrap-internal-url "$url/v3" \
    --bootstrap-public-url "$url/v3" >>"$d/log/manage.out" 2>&1 || { tail -30 "$d/log/manage.out" >&2; return 1; }
  start_api
  cat >"$env_file" <<ENV
TEST_KEYSTONE_URL=$url/v3
TEST_KEYSTONE_ADMIN_PASSWORD=$admin_password
TEST_KEYSTONE_TOKEN_EXPIRATION=$TOKEN_EXPIRATION
TEST_KEYSTONE_SCRIPT=$root/test/support/keystone.sh
ENV
  chmod 600 "$env_file"
  log "ready: Keystone at $url/v3 (env in $env_file)"
}

case "${1:-}" in
  start) start_all ;;
  stop)
    stop_all
    log "stopped"
    ;;
  stop-api) stop_api ;;
  start-api) start_api ;;
  status)
    sql -e 'select 1' >/dev/null 2>&1 && echo "mariadb: up" || echo "mariadb: down"
    f="$tmp/api/server.pid"
    if [ -f "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null; then echo "keystone: up ($(cat "$f"))"; else echo "keystone: down"; fi
    ;;
  *)
    echo "usage: $0 start|stop|stop-api|start-api|status" >&2
    exit 2
    ;;
esac
