#!/usr/bin/env bash
# Creates a private MariaDB data directory: mariadb-install-db, for test/support/stack.sh and
# test/support/keystone.sh.
#
#   bash test/support/mariadb-install.sh DATADIR [USER]
#
# The bootstrap server gets its own tmpdir (DATADIR/../tmp), so nothing depends on $TMPDIR or
# /tmp. A failed attempt prints everything the bootstrap server said (its errors come before
# mariadb-install-db's advice, which is all a `tail` shows), then the attempt is repeated on an
# empty directory: the second and third without native AIO and with a small buffer pool, the
# resources a shared CI host is most likely to be short of. Exit status 1 after three failures.
set -euo pipefail
datadir=${1:?usage: mariadb-install.sh DATADIR [USER]}
user=${2:-}
base=$(dirname "$datadir")
log() { printf '[mariadb] %s\n' "$*" >&2; }

args=(--no-defaults --datadir="$datadir" --tmpdir="$base/tmp" --auth-root-authentication-method=normal --skip-test-db)
[ -n "$user" ] && args+=(--user="$user")
for attempt in 1 2 3; do
  rm -rf "$datadir" "$base/tmp"
  mkdir -p "$base/tmp"
  extra=()
  [ "$attempt" -gt 1 ] && extra=(--innodb-use-native-aio=0 --innodb-buffer-pool-size=32M)
  if mariadb-install-db "${args[@]}" "${extra[@]}" >"$base/install.out" 2>&1; then
    [ "$attempt" -gt 1 ] && log "mariadb-install-db succeeded on attempt $attempt (${extra[*]})"
    exit 0
  fi
  log "mariadb-install-db failed (attempt $attempt of 3, ${extra[*]:-default options}); it printed:"
  # the advice paragraphs after "Installation of system tables failed!" are the same every time
  sed '/^Installation of system tables failed/q' "$base/install.out" >&2
  for f in "$datadir"/*.err; do [ -f "$f" ] && { log "$f:"; tail -40 "$f" >&2; }; done
  log "disk: $(df -h "$base" | tail -1); memory: $(free -m | awk '/^Mem:/ {print $7 " MiB available"}')"
  sleep 2
done
log "could not create a MariaDB data directory in $datadir"
exit 1
