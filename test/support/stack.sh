#!/usr/bin/env bash
# A private RabbitMQ and one real ironic-conductor (Debian packages) on 127.0.0.1 for the
# integration tests and the bench. Everything lives under .tmp/stack, so runs are isolated.
#
#   stack.sh start            start both (stopping leftovers of a previous run first), write .tmp/stack.env
#   stack.sh stop             stop both, and anything a previous run left behind
#   stack.sh restart-rabbit   stop and start the broker only (same data); the conductor reconnects by itself
#   stack.sh restart-conductor  stop the conductor (SIGTERM, then SIGKILL; a stopped one is continued first)
#                             and start it again on the same database
#   stack.sh conductor-pid    the conductor's process id (for fault tests: SIGSTOP, SIGKILL)
#   stack.sh start-second-conductor / stop-second-conductor
#                             a second conductor (host <conductor>-b) on the same database, printing its host
#   stack.sh ctl ARGS…        rabbitmqctl against the private broker
#   stack.sh status           show what runs
#
# Runs as root or as an ordinary user, without systemd.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
tmp="$root/.tmp/stack"
env_file="$root/.tmp/stack.env"
PY=/usr/bin/python3 # Debian's interpreter: it has Ironic's packages, another python3 on PATH may not
RABBIT_PORT=${STACK_RABBIT_PORT:-5672}
COND_HOST=${STACK_CONDUCTOR_HOST:-cond-1}
TRANSPORT_URL="rabbit://guest:guest@127.0.0.1:${RABBIT_PORT}/"

log() { printf '[stack] %s\n' "$*" >&2; }

# The broker's environment: its own node name, data, logs, cookie and (empty) plugins. The node
# name carries the port, so a second checkout can run its stack beside this one with
# STACK_RABBIT_PORT=<another port> (the distribution port follows it, +20000).
export RABBITMQ_NODENAME="ironic-gw-test-${RABBIT_PORT}@localhost"
export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
export RABBITMQ_NODE_PORT=$RABBIT_PORT
export RABBITMQ_DIST_PORT=$((RABBIT_PORT + 20000))
export RABBITMQ_MNESIA_BASE="$tmp/rabbit/mnesia"
export RABBITMQ_LOG_BASE="$tmp/rabbit/log"
export RABBITMQ_PID_FILE="$tmp/rabbit/beam.pid"
export RABBITMQ_ENABLED_PLUGINS_FILE="$tmp/rabbit/enabled_plugins"
export RABBITMQ_CONFIG_FILE="$tmp/rabbit/rabbitmq"
export RABBITMQ_ADVANCED_CONFIG_FILE="$tmp/rabbit/advanced.config"
export RABBITMQ_CONF_ENV_FILE="$tmp/rabbit/rabbitmq-env.conf"
export HOME="$tmp/rabbit/home" # the Erlang cookie lives here, shared by server and CLI

# The rabbitmq-* entry points in /usr/sbin switch to the rabbitmq user when run as root;
# call the real scripts so the broker runs as us with the environment above.
RMQ_BIN=/usr/lib/rabbitmq/bin
[ -x "$RMQ_BIN/rabbitmq-server" ] || RMQ_BIN=$(dirname "$(readlink -f "$(command -v rabbitmq-server)")")

rabbit_ping() { "$RMQ_BIN/rabbitmq-diagnostics" -q -n "$RABBITMQ_NODENAME" ping >/dev/null 2>&1; }

# Pids of processes whose command line or environment names our private directory.
ours() {
  local p
  for p in /proc/[0-9]*; do
    [ -r "$p/cmdline" ] || continue
    if tr '\0' ' ' <"$p/cmdline" 2>/dev/null | grep -qF "$tmp/"; then echo "${p#/proc/}"; fi
  done
}

kill_pid() { # pid [grace seconds]
  local pid=$1 grace=${2:-10} i
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < grace * 10; i++)); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
}

start_rabbit() {
  mkdir -p "$tmp/rabbit/mnesia" "$tmp/rabbit/log" "$HOME"
  echo '[].' >"$RABBITMQ_ENABLED_PLUGINS_FILE"
  printf 'loopback_users.guest = true\nlisteners.tcp.default = %s\n' "$RABBIT_PORT" >"$RABBITMQ_CONFIG_FILE.conf"
  echo '[].' >"$RABBITMQ_ADVANCED_CONFIG_FILE"
  : >"$RABBITMQ_CONF_ENV_FILE"
  if [ ! -f "$HOME/.erlang.cookie" ]; then
    head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$HOME/.erlang.cookie"
    chmod 400 "$HOME/.erlang.cookie"
  fi
  log "starting rabbitmq-server on 127.0.0.1:$RABBIT_PORT"
  setsid "$RMQ_BIN/rabbitmq-server" >"$tmp/rabbit/log/server.out" 2>&1 </dev/null &
  echo $! >"$tmp/rabbit/server.pid"
  local i
  for ((i = 0; i < 120; i++)); do
    if rabbit_ping; then log "rabbitmq is up"; return 0; fi
    kill -0 "$(cat "$tmp/rabbit/server.pid")" 2>/dev/null || { tail -30 "$tmp/rabbit/log/server.out" >&2; log "rabbitmq-server exited"; return 1; }
    sleep 0.5
  done
  tail -30 "$tmp/rabbit/log/server.out" >&2
  log "rabbitmq did not answer ping within 60 s"
  return 1
}

stop_rabbit() {
  if [ -f "$HOME/.erlang.cookie" ] && rabbit_ping; then
    "$RMQ_BIN/rabbitmqctl" -q -n "$RABBITMQ_NODENAME" stop >/dev/null 2>&1 || true
  fi
  local f
  for f in "$tmp/rabbit/server.pid" "$RABBITMQ_PID_FILE"; do
    [ -f "$f" ] && kill_pid "$(cat "$f")" 15
    rm -f "$f"
  done
}

write_conductor_config() {
  local d="$tmp/ironic"
  mkdir -p "$d/state" "$d/log" "$d/lock"
  cat >"$d/ironic.conf" <<CONF
[DEFAULT]
host = $COND_HOST
auth_strategy = noauth
transport_url = $TRANSPORT_URL
rpc_transport = oslo
state_path = $d/state
log_dir = $d/log
debug = false
enabled_hardware_types = fake-hardware
enabled_bios_interfaces = fake,no-bios
enabled_boot_interfaces = fake
enabled_console_interfaces = fake,no-console
enabled_deploy_interfaces = fake
enabled_inspect_interfaces = fake,no-inspect
enabled_management_interfaces = fake
enabled_power_interfaces = fake
enabled_raid_interfaces = fake,no-raid
enabled_rescue_interfaces = fake,no-rescue
enabled_vendor_interfaces = fake,no-vendor
enabled_network_interfaces = noop,flat
enabled_storage_interfaces = noop,fake
default_bios_interface = fake
default_boot_interface = fake
default_console_interface = fake
default_deploy_interface = fake
default_inspect_interface = fake
default_management_interface = fake
default_power_interface = fake
default_raid_interface = fake
default_rescue_interface = fake
default_vendor_interface = fake
default_network_interface = noop
default_storage_interface = noop

[conductor]
automated_clean = false
heartbeat_interval = 5

[database]
connection = sqlite:///$d/ironic.sqlite

[oslo_concurrency]
lock_path = $d/lock

[dhcp]
dhcp_provider = none
CONF
}

conductor_registered() { # [host]
  "$PY" - "$tmp/ironic/ironic.sqlite" "${1:-$COND_HOST}" <<'PY' 2>/dev/null
import sqlite3, sys
rows = sqlite3.connect(sys.argv[1]).execute("select online from conductors where hostname = ?", (sys.argv[2],)).fetchall()
sys.exit(0 if rows and rows[0][0] else 1)
PY
}

conductor_consuming() { # [host]
  "$RMQ_BIN/rabbitmqctl" -q -n "$RABBITMQ_NODENAME" list_queues name consumers 2>/dev/null |
    awk -v q="ironic.conductor_manager.${1:-$COND_HOST}" '$1 == q && $2 > 0 { found = 1 } END { exit !found }'
}

start_conductor() {
  write_conductor_config
  local d="$tmp/ironic"
  rm -f "$d/ironic.sqlite"
  log "creating the conductor's schema"
  "$PY" /usr/bin/ironic-dbsync --config-file "$d/ironic.conf" create_schema >"$d/log/dbsync.out" 2>&1 || { tail -30 "$d/log/dbsync.out" >&2; return 1; }
  : >"$d/log/conductor.out"
  launch_conductor
}

# Starts the conductor on the existing database and waits until it consumes its queue.
launch_conductor() {
  launch_conductor_as "$COND_HOST" "$tmp/ironic/ironic.conf" "$tmp/ironic/conductor.pid" "$tmp/ironic/log"
}

# The second conductor (fault tests: a dead conductor's nodes go to the survivor): the same
# database and broker, its own host name, log directory and pid file.
COND2_HOST="${COND_HOST}-b"
launch_second_conductor() {
  local d="$tmp/ironic"
  mkdir -p "$d/log2"
  sed -e "s/^host = .*/host = $COND2_HOST/" -e "s#^log_dir = .*#log_dir = $d/log2#" "$d/ironic.conf" >"$d/ironic2.conf"
  launch_conductor_as "$COND2_HOST" "$d/ironic2.conf" "$d/conductor2.pid" "$d/log2"
}

launch_conductor_as() { # host config pidfile logdir
  local host=$1 conf=$2 pidfile=$3 logdir=$4
  log "starting ironic-conductor ($host)"
  setsid "$PY" /usr/bin/ironic-conductor --config-file "$conf" >>"$logdir/conductor.out" 2>&1 </dev/null &
  echo $! >"$pidfile"
  local i
  for ((i = 0; i < 240; i++)); do
    if conductor_registered "$host" && conductor_consuming "$host"; then log "ironic-conductor $host registered and consuming"; return 0; fi
    kill -0 "$(cat "$pidfile")" 2>/dev/null || { tail -40 "$logdir/conductor.out" "$logdir/"*.log >&2 || true; log "ironic-conductor $host exited"; return 1; }
    sleep 0.5
  done
  tail -40 "$logdir/"*.log >&2 || true
  log "ironic-conductor $host did not register within 120 s"
  return 1
}

stop_conductor() { # [pidfile]
  local f=${1:-$tmp/ironic/conductor.pid}
  # a conductor a fault test left stopped (SIGSTOP) must run to hear SIGTERM
  [ -f "$f" ] && kill -CONT "$(cat "$f")" 2>/dev/null || true
  [ -f "$f" ] && kill_pid "$(cat "$f")" 15
  rm -f "$f"
}

stop_all() {
  stop_conductor "$tmp/ironic/conductor2.pid"
  stop_conductor
  stop_rabbit
  # leftovers of a previous run (e.g. killed before it could stop them): only our processes
  local pid
  for pid in $(ours); do
    [ "$pid" = "$$" ] && continue
    kill_pid "$pid" 5
  done
  rm -f "$env_file"
}

case "${1:-}" in
  start)
    [ "$(id -u)" -eq 0 ] || [ -w "$root" ] || { log "cannot write $root"; exit 1; }
    stop_all
    rm -rf "$tmp/rabbit/mnesia"
    start_rabbit
    start_conductor
    mkdir -p "$root/.tmp"
    cat >"$env_file" <<ENV
TEST_TRANSPORT_URL=$TRANSPORT_URL
TEST_CONDUCTOR_HOST=$COND_HOST
TEST_STACK_SCRIPT=$root/test/support/stack.sh
TEST_CONDUCTOR_LOG=$tmp/ironic/log/ironic-conductor.log
TEST_CONDUCTOR_CONFIG=$tmp/ironic/ironic.conf
STACK_RABBIT_PORT=$RABBIT_PORT
ENV
    log "ready: $(tr '\n' ' ' <"$env_file")"
    ;;
  stop)
    stop_all
    log "stopped"
    ;;
  restart-rabbit)
    stop_rabbit
    start_rabbit
    ;;
  stop-rabbit)
    stop_rabbit
    ;;
  start-rabbit)
    start_rabbit
    ;;
  restart-conductor)
    stop_conductor
    launch_conductor
    ;;
  conductor-pid)
    cat "$tmp/ironic/conductor.pid"
    ;;
  start-second-conductor)
    launch_second_conductor
    echo "$COND2_HOST"
    ;;
  stop-second-conductor)
    stop_conductor "$tmp/ironic/conductor2.pid"
    ;;
  ctl) # rabbitmqctl against our broker, e.g. stack.sh ctl list_queues name arguments
    shift
    exec "$RMQ_BIN/rabbitmqctl" -q -n "$RABBITMQ_NODENAME" "$@"
    ;;
  status)
    rabbit_ping && echo "rabbitmq: up" || echo "rabbitmq: down"
    f="$tmp/ironic/conductor.pid"
    if [ -f "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null; then echo "ironic-conductor: up ($(cat "$f"))"; else echo "ironic-conductor: down"; fi
    ;;
  *)
    echo "usage: $0 start|stop|restart-rabbit|stop-rabbit|start-rabbit|restart-conductor|conductor-pid|start-second-conductor|stop-second-conductor|ctl ARGS|status" >&2
    exit 2
    ;;
esac
