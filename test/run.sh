#!/usr/bin/env bash
# The whole test suite. Does its own set-up on a fresh Debian machine: npm packages, then
# RabbitMQ, MariaDB and Ironic's Debian packages (apt-get, when missing), and the cached sid
# chroot of the newest Ironic (test/support/build-chroot.sh). Runs the unit tests, the
# end-to-end tests on the simulator, then, for each Ironic release of TEST_RELEASES (default
# "21.4,39.0"), starts that release's stack on 127.0.0.1 (test/support/stack.sh), runs the
# integration tests and the end-to-end tests against it, and stops it. Stops everything it
# started, whatever happens. With Ironic 21.4's stack up, the keystone tests run too: Debian's
# Keystone on its own private MariaDB (test/support/keystone.sh), started in the background.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

log() { printf '[test] %s\n' "$*"; }
timings=()
phase_start=$SECONDS
phase_name=""
phase() { # name: ends the previous phase (recording its time) and starts the next
  [ -n "$phase_name" ] && timings+=("$(printf '%5d s  %s' $((SECONDS - phase_start)) "$phase_name")")
  phase_name=$1
  phase_start=$SECONDS
  [ -n "$1" ] && log "$1"
  return 0
}

IFS=, read -ra releases <<<"${TEST_RELEASES-21.4,39.0}"
for r in "${releases[@]}"; do
  case "$r" in
    21.4 | 39.0) ;;
    *) log "unknown release \"$r\" in TEST_RELEASES (21.4, 39.0, comma-separated)"; exit 2 ;;
  esac
done
wants_39=false
for r in "${releases[@]}"; do [ "$r" = 39.0 ] && wants_39=true; done

# 1. npm packages
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  phase "installing npm packages"
  npm ci --no-audit --no-fund
fi

# 2. system packages for the integration and end-to-end suites
phase "system packages"
bash test/support/install-system-packages.sh

mkdir -p .tmp
build_pid=""
keystone_start=""
cleanup() {
  [ -n "$build_pid" ] && kill -TERM -- "-$build_pid" 2>/dev/null || true
  if [ -n "$keystone_start" ]; then kill "$keystone_start" 2>/dev/null || true; wait "$keystone_start" 2>/dev/null || true; fi
  bash test/support/keystone.sh stop >/dev/null 2>&1 || true
  bash test/support/stack.sh stop-all || true
}
trap cleanup EXIT

# 3. the sid chroot of Ironic 39.0, when not cached: built in the background (mostly downloads)
#    while the type check and the unit tests run
if $wants_39; then
  log "building the sid chroot when missing (log: .tmp/chroot-build.log)"
  setsid bash test/support/build-chroot.sh >.tmp/chroot-build.log 2>&1 </dev/null &
  build_pid=$!
fi

# 4. lint and format (Biome, and Redocly for the OpenAPI document), then the type check: the
#    whole tree, tests included, under the strict tsconfig
phase "linting"
npm run --silent lint
phase "type-checking"
npx tsc --noEmit -p .

# 5. unit tests (no broker)
phase "unit tests"
mapfile -t unit < <(find test/unit -name '*.test.ts' | sort)
node --import tsx --test --test-concurrency=1 "${unit[@]}"

# 6. end-to-end: the baremetal CLI, openstacksdk, gophercloud and the client generated from the
#    OpenAPI document, unmodified, against the gateway on the embedded simulator
mapfile -t e2e < <(find test/e2e -name '*.test.ts' | sort)
phase "end-to-end tests: simulator"
E2E_BACKENDS=simulator node --import tsx --test --test-concurrency=1 "${e2e[@]}"

if [ -n "$build_pid" ]; then
  phase "waiting for the sid chroot"
  if ! wait "$build_pid"; then
    build_pid=""
    tail -30 .tmp/chroot-build.log
    log "building the sid chroot failed"
    exit 1
  fi
  build_pid=""
  cat .tmp/chroot-build.log
fi

# 7. each release's stack: a real RabbitMQ, MariaDB and ironic-conductor on 127.0.0.1; the
#    integration tests (the parity test against that release's ironic-api), then the same
#    clients as above against the gateway in front of that conductor
mapfile -t integration < <(find test/integration -name '*.test.ts' | sort)
mapfile -t keystone < <(find test/keystone -name '*.test.ts' | sort)
wants_21=false
for r in "${releases[@]}"; do [ "$r" = 21.4 ] && wants_21=true; done
if $wants_21; then
  # Keystone takes ~30-60 s to set up (MariaDB, db_sync, bootstrap): in the background, meanwhile
  log "starting MariaDB and Keystone in the background (log: .tmp/keystone-start.log)"
  bash test/support/keystone.sh start >.tmp/keystone-start.log 2>&1 &
  keystone_start=$!
fi
for r in "${releases[@]}"; do
  phase "Ironic $r: its stack, integration and end-to-end tests"
  if [ "$r" = 39.0 ]; then log "Ironic 39.0: its RBAC matrices (the chroot's), gateway unpinned" && node --import tsx --test test/chroot/rbac-matrix-39.test.ts; fi
  STACK_RELEASE=$r bash test/support/stack.sh start
  (
    set -a
    # shellcheck disable=SC1090
    . ".tmp/stack-$r.env"
    set +a
    log "Ironic $r: integration tests"
    node --import tsx --test --test-concurrency=1 "${integration[@]}"
    log "Ironic $r: end-to-end tests"
    E2E_BACKENDS=real node --import tsx --test --test-concurrency=1 "${e2e[@]}"
  )
  if [ "$r" = 21.4 ]; then
    # the gateway with auth_strategy keystone in front of this conductor, Keystone validating
    # tokens; the baremetal CLI authenticates with a password and finds the gateway in the catalog
    if ! wait "$keystone_start"; then
      keystone_start=""
      cat .tmp/keystone-start.log >&2
      log "Keystone did not start"
      exit 1
    fi
    keystone_start=""
    (
      set -a
      # shellcheck disable=SC1090,SC1091
      . ".tmp/stack-$r.env"
      . .tmp/keystone.env
      set +a
      log "Ironic $r: keystone tests"
      node --import tsx --test --test-concurrency=1 "${keystone[@]}"
    )
    bash test/support/keystone.sh stop
  fi
  STACK_RELEASE=$r bash test/support/stack.sh stop
done
phase ""
trap - EXIT
cleanup
log "times:"
printf '%s\n' "${timings[@]}"
log "total: $SECONDS s"
