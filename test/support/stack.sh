#!/usr/bin/env bash
# A real Ironic stack on 127.0.0.1 for the integration and end-to-end tests and the bench: a
# RabbitMQ broker, one ironic-conductor (fake-hardware) and its database on a private MariaDB,
# for one of two Ironic releases (STACK_RELEASE, default 21.4):
#
#   21.4  Debian bookworm's packages on the host: ironic-conductor and ironic-api 21.4 (REST
#         1.82, RPC 1.55), RabbitMQ 3.10 with its defaults.
#   39.0  Debian sid's packages in a chroot (test/support/build-chroot.sh, cached under
#         /var/cache/ironic-gateway): ironic-conductor and ironic-api 39.0 (REST 1.115, RPC 1.62),
#         RabbitMQ 4.3 refusing transient non-exclusive queues
#         (deprecated_features.permit.transient_nonexcl_queues = false), and oslo.messaging set as
#         its documentation advises for such a broker: quorum queues, transient quorum queues, the
#         queue manager.
#
# Both releases keep one database each (ironic_214, ironic_390) on one private MariaDB (Debian's
# mariadbd on the host, own data directory and socket under .tmp/mariadb): an Ironic conductor
# of 2024 on never heartbeats on SQLite, so it would look dead to the gateway's hash ring.
#
#   stack.sh start            start this release's stack (and MariaDB), write .tmp/stack-<release>.env
#   stack.sh stop             stop this release's stack (and MariaDB once no release uses it)
#   stack.sh stop-all         stop every release's stack, MariaDB, and anything a previous run left
#   stack.sh restart-rabbit | stop-rabbit | start-rabbit    the broker only; the conductor reconnects
#   stack.sh restart-conductor  stop the conductor (SIGTERM, then SIGKILL; a stopped one is continued first)
#                             and start it again on the same database
#   stack.sh signal-conductor SIG  signal the conductor's processes, its master and workers (STOP, CONT, KILL)
#   stack.sh conductor-pid    the conductor's (master) process id
#   stack.sh start-second-conductor / stop-second-conductor
#                             a second conductor (host <conductor>-b) on the same database, printing its host
#   stack.sh ctl ARGS…        rabbitmqctl against this release's broker
#   stack.sh api ARGS…        exec this release's ironic-api with ARGS (test/support/ironic-api.ts)
#   stack.sh status           show what runs
#
# Ports (127.0.0.1 only), each overridable so that two checkouts can run side by side:
#   STACK_RABBIT_PORT (5672; 21.4's broker, its Erlang distribution port +20000),
#   STACK_RABBIT_EPMD_PORT (4369, Erlang's default; the epmd 21.4's broker starts or joins),
#   STACK_RABBIT4_PORT (5673; 39.0's broker), STACK_RABBIT4_DIST_PORT (its port +20000),
#   STACK_RABBIT4_EPMD_PORT (4370; 39.0's broker has its own epmd), STACK_MARIADB_PORT (3307,
#   beside a system MariaDB's 3306).
#
# The 21.4 stack runs as root or as an ordinary user; the 39.0 stack needs root (chroot). Nothing
# runs under systemd. Processes in the chroot run in a private mount namespace (unshare) that
# bind-mounts /proc, /dev and this checkout's .tmp: the mounts vanish with the processes.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
RELEASE=${STACK_RELEASE:-21.4}
case "$RELEASE" in
  21.4 | 39.0) ;;
  *) echo "[stack] unknown STACK_RELEASE $RELEASE (21.4 or 39.0)" >&2; exit 2 ;;
esac
tmp="$root/.tmp/stack-$RELEASE"
env_file="$root/.tmp/stack-$RELEASE.env"
dbdir="$root/.tmp/mariadb"
DB_PORT=${STACK_MARIADB_PORT:-3307}
DB_NAME="ironic_${RELEASE//./}"
DB_USER=ironic
DB_PASS=ironic-test
COND_HOST=${STACK_CONDUCTOR_HOST:-cond-1}
CHROOT=""

log() { printf '[stack %s] %s\n' "$RELEASE" "$*" >&2; }

# IRONIC_GW_STACK=<its directory> marks every server this script starts (inherited by their
# children: beam's epmd, Ironic's workers), so that leftovers of a killed run are found and only
# ours are stopped.

if [ "$RELEASE" = 21.4 ]; then
  RABBIT_PORT=${STACK_RABBIT_PORT:-5672}
  export RABBITMQ_DIST_PORT=$((RABBIT_PORT + 20000))
  export ERL_EPMD_PORT=${STACK_RABBIT_EPMD_PORT:-4369}
  PY=/usr/bin/python3 # Debian's interpreter: it has Ironic's packages, another python3 on PATH may not
  # The rabbitmq-* entry points in /usr/sbin switch to the rabbitmq user when run as root;
  # call the real scripts so the broker runs as us with the environment below.
  RMQ_BIN=/usr/lib/rabbitmq/bin
  [ -x "$RMQ_BIN/rabbitmq-server" ] || RMQ_BIN=$(dirname "$(readlink -f "$(command -v rabbitmq-server)")")
else
  RABBIT_PORT=${STACK_RABBIT4_PORT:-5673}
  export RABBITMQ_DIST_PORT=${STACK_RABBIT4_DIST_PORT:-$((RABBIT_PORT + 20000))}
  export ERL_EPMD_PORT=${STACK_RABBIT4_EPMD_PORT:-4370}
  PY=/usr/bin/python3
  RMQ_BIN=/usr/lib/rabbitmq/bin
  CHROOT=$(bash "$root/test/support/build-chroot.sh" --path)
fi
TRANSPORT_URL="rabbit://guest:guest@127.0.0.1:${RABBIT_PORT}/"

# The broker's environment: its own node name, data, logs, cookie and (empty) plugins. The node
# name carries the port, so stacks of other checkouts (other ports) run beside this one.
export RABBITMQ_NODENAME="ironic-gw-test-${RABBIT_PORT}@localhost"
export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
export RABBITMQ_NODE_PORT=$RABBIT_PORT
export RABBITMQ_MNESIA_BASE="$tmp/rabbit/mnesia"
export RABBITMQ_LOG_BASE="$tmp/rabbit/log"
export RABBITMQ_PID_FILE="$tmp/rabbit/beam.pid"
export RABBITMQ_ENABLED_PLUGINS_FILE="$tmp/rabbit/enabled_plugins"
export RABBITMQ_CONFIG_FILE="$tmp/rabbit/rabbitmq"
export RABBITMQ_ADVANCED_CONFIG_FILE="$tmp/rabbit/advanced.config"
export RABBITMQ_CONF_ENV_FILE="$tmp/rabbit/rabbitmq-env.conf"
export HOME="$tmp/rabbit/home" # the Erlang cookie lives here, shared by server and CLI

# Runs a program of this release: on the host for 21.4; for 39.0 in the chroot, inside a private
# mount namespace with /proc, /dev and .tmp (same path inside) bind-mounted. Execs, so the pid
# of `run …` started in the background is the program's own.
run() {
  if [ -z "$CHROOT" ]; then
    exec "$@"
  fi
  [ -f "$CHROOT/.ironic-gateway-chroot" ] || { echo "no chroot at $CHROOT: test/support/build-chroot.sh builds it" >&2; exit 1; }
  mkdir -p "$CHROOT$root/.tmp"
  exec unshare --mount --propagation private -- /bin/bash -c '
    set -e
    c=$1 t=$2
    shift 2
    mount --bind /proc "$c/proc"
    mount --rbind /dev "$c/dev"
    mount --bind "$t" "$c$t"
    exec chroot "$c" /usr/bin/env PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 "$@"
  ' in-chroot "$CHROOT" "$root/.tmp" "$@"
}

rabbit_ping() { (run "$RMQ_BIN/rabbitmq-diagnostics" -q -n "$RABBITMQ_NODENAME" ping) >/dev/null 2>&1; }

# Pids of processes started by this script for this release (or for MariaDB, with argument
# "mariadb"): their environment carries our marker, or their command line our directory.
ours() {
  local dir=$tmp p
  [ "${1:-}" = mariadb ] && dir=$dbdir
  for p in /proc/[0-9]*; do
    [ "${p#/proc/}" = "$$" ] || [ "${p#/proc/}" = "$BASHPID" ] && continue
    if tr '\0' '\n' 2>/dev/null <"$p/environ" | grep -qxF "IRONIC_GW_STACK=$dir" ||
      tr '\0' ' ' 2>/dev/null <"$p/cmdline" | grep -qF "$dir/"; then
      echo "${p#/proc/}"
    fi
  done
}

kill_pid() { # pid [grace seconds]
  local pid=$1 grace=${2:-10} i
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < grace * 10; i++)); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
}

# ---- MariaDB: one private server for both releases -------------------------------------------

DB_SOCK="$dbdir/mysqld.sock"
db_sql() { mariadb --no-defaults -S "$DB_SOCK" -u root -N -B "$@"; }
db_up() { [ -S "$DB_SOCK" ] && db_sql -e 'select 1' >/dev/null 2>&1; }

start_mariadb() {
  db_up && return 0
  local user=() install_user=""
  [ "$(id -u)" -eq 0 ] && user=(--user=root) install_user=root
  rm -rf "$dbdir"
  mkdir -p "$dbdir"
  log "creating a private MariaDB in $dbdir"
  bash "$root/test/support/mariadb-install.sh" "$dbdir/data" "$install_user" || return 1
  # a second start without native AIO when the first server exits (what a shared host's kernel
  # may be short of); error.log says why each time
  local extra i
  for extra in "" --innodb-use-native-aio=0; do
    log "starting mariadbd on 127.0.0.1:$DB_PORT${extra:+ ($extra)}"
    IRONIC_GW_STACK="$dbdir" setsid /usr/sbin/mariadbd --no-defaults "${user[@]}" --datadir="$dbdir/data" \
      --socket="$DB_SOCK" --port="$DB_PORT" --bind-address=127.0.0.1 --pid-file="$dbdir/mysqld.pid" \
      --tmpdir="$dbdir/tmp" --log-error="$dbdir/error.log" --skip-log-bin --skip-name-resolve \
      --performance-schema=OFF --innodb-buffer-pool-size=64M --innodb-log-file-size=16M \
      --innodb-flush-log-at-trx-commit=0 --skip-innodb-doublewrite --character-set-server=utf8mb4 \
      ${extra:+"$extra"} >/dev/null 2>&1 </dev/null &
    echo $! >"$dbdir/server.pid"
    for ((i = 0; i < 120; i++)); do
      db_up && { log "mariadb is up"; return 0; }
      kill -0 "$(cat "$dbdir/server.pid")" 2>/dev/null || break
      sleep 0.5
    done
    tail -40 "$dbdir/error.log" >&2 || true
    if kill -0 "$(cat "$dbdir/server.pid")" 2>/dev/null; then
      log "mariadbd did not answer within 60 s"
      return 1
    fi
    log "mariadbd exited"
  done
  return 1
}

stop_mariadb() {
  [ -f "$dbdir/server.pid" ] && kill_pid "$(cat "$dbdir/server.pid")" 30
  rm -f "$dbdir/server.pid"
  local pid
  for pid in $(ours mariadb); do kill_pid "$pid" 10; done
}

# Stops MariaDB unless the stack of another release still runs.
maybe_stop_mariadb() {
  local f
  for f in "$root"/.tmp/stack-*/ironic/conductor.pid; do
    [ -f "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null && return 0
  done
  stop_mariadb
}

create_database() {
  db_sql -e "DROP DATABASE IF EXISTS $DB_NAME; CREATE DATABASE $DB_NAME CHARACTER SET utf8mb4;
    CREATE USER IF NOT EXISTS '$DB_USER'@'127.0.0.1' IDENTIFIED BY '$DB_PASS';
    GRANT ALL ON $DB_NAME.* TO '$DB_USER'@'127.0.0.1';"
}

# ---- RabbitMQ -----------------------------------------------------------------------------------

start_rabbit() {
  mkdir -p "$tmp/rabbit/mnesia" "$tmp/rabbit/log" "$HOME"
  echo '[].' >"$RABBITMQ_ENABLED_PLUGINS_FILE"
  {
    printf 'loopback_users.guest = true\nlisteners.tcp.default = %s\n' "$RABBIT_PORT"
    # 39.0's broker as RabbitMQ advises operators to run 4.x: transient non-exclusive classic
    # queues (oslo.messaging's defaults for topic, fanout and reply queues) are refused
    [ "$RELEASE" = 39.0 ] && printf 'deprecated_features.permit.transient_nonexcl_queues = false\n'
  } >"$RABBITMQ_CONFIG_FILE.conf"
  echo '[].' >"$RABBITMQ_ADVANCED_CONFIG_FILE"
  : >"$RABBITMQ_CONF_ENV_FILE"
  if [ ! -f "$HOME/.erlang.cookie" ]; then
    head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$HOME/.erlang.cookie"
    chmod 400 "$HOME/.erlang.cookie"
  fi
  log "starting rabbitmq-server on 127.0.0.1:$RABBIT_PORT"
  setsid "$BASH" "$0" _exec "$RMQ_BIN/rabbitmq-server" >"$tmp/rabbit/log/server.out" 2>&1 </dev/null &
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
    (run "$RMQ_BIN/rabbitmqctl" -q -n "$RABBITMQ_NODENAME" stop) >/dev/null 2>&1 || true
  fi
  local f
  for f in "$tmp/rabbit/server.pid" "$RABBITMQ_PID_FILE"; do
    [ -f "$f" ] && kill_pid "$(cat "$f")" 15
    rm -f "$f"
  done
  # the epmd the broker or its CLI started; epmd refuses while another node is registered with it
  if [ -d "$tmp/rabbit" ]; then (run epmd -port "$ERL_EPMD_PORT" -kill) >/dev/null 2>&1 || true; fi
}

# ---- ironic-conductor ---------------------------------------------------------------------------

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
connection = mysql+pymysql://$DB_USER:$DB_PASS@127.0.0.1:$DB_PORT/$DB_NAME?charset=utf8mb4

[oslo_concurrency]
lock_path = $d/lock

[dhcp]
dhcp_provider = none
CONF
  if [ "$RELEASE" = 39.0 ]; then
    # oslo.messaging's advice for a broker without transient non-exclusive queues: topic queues
    # as quorum queues, reply and fanout queues as (transient, x-expires) quorum queues, and the
    # queue manager's stable names so a restart re-uses them instead of leaving new ones behind
    cat >>"$d/ironic.conf" <<CONF

[oslo_messaging_rabbit]
rabbit_quorum_queue = true
rabbit_transient_quorum_queue = true
use_queue_manager = true
CONF
  fi
}

conductor_registered() { # [host]
  [ "$(db_sql -e "SELECT online FROM $DB_NAME.conductors WHERE hostname = '${1:-$COND_HOST}'" 2>/dev/null)" = 1 ]
}

conductor_consuming() { # [host]
  (run "$RMQ_BIN/rabbitmqctl" -q -n "$RABBITMQ_NODENAME" list_queues name consumers) 2>/dev/null |
    awk -v q="ironic.conductor_manager.${1:-$COND_HOST}" '$1 == q && $2 > 0 { found = 1 } END { exit !found }'
}

start_conductor() {
  write_conductor_config
  local d="$tmp/ironic"
  create_database
  log "creating the conductor's schema"
  # its own session: oslo.messaging's queue manager (39.0) reads /proc/<process group>/stat, and
  # the caller's group leader may have exited (a CI step, a backgrounded job)
  setsid --wait "$BASH" "$0" _exec "$PY" /usr/bin/ironic-dbsync --config-file "$d/ironic.conf" create_schema \
    >"$d/log/dbsync.out" 2>&1 </dev/null ||
    { tail -30 "$d/log/dbsync.out" >&2; return 1; }
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
  setsid "$BASH" "$0" _exec "$PY" /usr/bin/ironic-conductor --config-file "$conf" \
    >>"$logdir/conductor.out" 2>&1 </dev/null &
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

stop_release() {
  stop_conductor "$tmp/ironic/conductor2.pid"
  stop_conductor
  stop_rabbit
  # leftovers of a previous run (e.g. killed before it could stop them): only our processes
  local pid
  for pid in $(ours); do kill_pid "$pid" 5; done
  rm -f "$env_file"
}

case "${1:-}" in
  start)
    [ "$(id -u)" -eq 0 ] || [ -w "$root" ] || { log "cannot write $root"; exit 1; }
    if [ -n "$CHROOT" ]; then
      [ "$(id -u)" -eq 0 ] || { log "the $RELEASE stack runs in a chroot: it needs root"; exit 1; }
      bash "$root/test/support/build-chroot.sh" >/dev/null
    fi
    stop_release
    rm -rf "$tmp/rabbit/mnesia"
    start_mariadb
    start_rabbit
    start_conductor
    mkdir -p "$root/.tmp"
    quorum=false
    [ "$RELEASE" = 39.0 ] && quorum=true
    cat >"$env_file" <<ENV
TEST_RELEASE=$RELEASE
TEST_TRANSPORT_URL=$TRANSPORT_URL
TEST_RABBIT_QUORUM_QUEUES=$quorum
TEST_CONDUCTOR_HOST=$COND_HOST
TEST_STACK_SCRIPT=$root/test/support/stack.sh
TEST_CONDUCTOR_LOG=$tmp/ironic/log/ironic-conductor.log
TEST_CONDUCTOR_CONFIG=$tmp/ironic/ironic.conf
ENV
    log "ready: $(tr '\n' ' ' <"$env_file")"
    ;;
  stop)
    stop_release
    maybe_stop_mariadb
    log "stopped"
    ;;
  stop-all)
    for r in 21.4 39.0; do STACK_RELEASE=$r bash "$0" stop-release; done
    stop_mariadb
    ;;
  stop-release)
    stop_release
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
  signal-conductor) # SIG: the conductor's processes, e.g. STOP, CONT, KILL (fault tests)
    # 21.4's conductor is one process; 39.0's is a master (oslo.service/cotyledon) whose worker
    # process serves RPC and which respawns a dead worker: signal the master first (a killed or
    # stopped master respawns nothing), then its children, so the whole conductor gets it.
    sig=${2:?usage: stack.sh signal-conductor SIG}
    master=$(cat "$tmp/ironic/conductor.pid")
    # its children from /proc (no procps needed), read before the master is signalled: a killed
    # master's /proc entry is gone
    children=$(cat /proc/"$master"/task/*/children 2>/dev/null || true)
    kill -s "$sig" "$master"
    for child in $children; do kill -s "$sig" "$child" 2>/dev/null || true; done
    ;;
  start-second-conductor)
    launch_second_conductor
    echo "$COND2_HOST"
    ;;
  stop-second-conductor)
    stop_conductor "$tmp/ironic/conductor2.pid"
    # Conductor.list, which the gateway's hash ring reads, answers every conductor row, online or
    # not, and a stopped conductor's row keeps its last heartbeat for 60 s: every ring built
    # meanwhile would send nodes to it. Remove the row, so the suites after this one find the
    # stack as it was before the second conductor.
    db_sql -e "DELETE FROM $DB_NAME.conductor_hardware_interfaces WHERE conductor_id IN
      (SELECT id FROM $DB_NAME.conductors WHERE hostname = '$COND2_HOST');
      DELETE FROM $DB_NAME.conductors WHERE hostname = '$COND2_HOST'" || true
    ;;
  ctl) # rabbitmqctl against our broker, e.g. stack.sh ctl list_queues name arguments
    shift
    run "$RMQ_BIN/rabbitmqctl" -q -n "$RABBITMQ_NODENAME" "$@"
    ;;
  api) # this release's ironic-api, e.g. stack.sh api --config-file FILE
    shift
    export IRONIC_GW_STACK="$tmp"
    run "$PY" /usr/bin/ironic-api "$@"
    ;;
  _exec) # a program of this release, in the chroot for 39.0 (how the ones above are started)
    shift
    export IRONIC_GW_STACK="$tmp"
    run "$@"
    ;;
  status)
    rabbit_ping && echo "rabbitmq: up" || echo "rabbitmq: down"
    f="$tmp/ironic/conductor.pid"
    if [ -f "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null; then echo "ironic-conductor: up ($(cat "$f"))"; else echo "ironic-conductor: down"; fi
    db_up && echo "mariadb: up" || echo "mariadb: down"
    ;;
  *)
    echo "usage: STACK_RELEASE=21.4|39.0 $0 start|stop|stop-all|restart-rabbit|stop-rabbit|start-rabbit|restart-conductor|conductor-pid|start-second-conductor|stop-second-conductor|ctl ARGS|api ARGS|status" >&2
    exit 2
    ;;
esac
