#!/usr/bin/env bash
# The whole test suite. Does its own set-up on a fresh Debian machine: npm packages, then
# RabbitMQ, Ironic's, Keystone's and MariaDB's Debian packages (apt-get, when missing); starts
# a broker and a real ironic-conductor on 127.0.0.1 for the integration tests, and a private
# MariaDB with Keystone for the keystone tests, and stops them all at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

log() { printf '[test] %s\n' "$*"; }

# 1. npm packages
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "installing npm packages"
  npm ci --no-audit --no-fund
fi

# 2. system packages for the integration and end-to-end suites
bash test/support/install-system-packages.sh

# 3. lint and format (Biome), then the type check: the whole tree, tests included
log "linting"
npm run --silent lint
log "type-checking"
npx tsc --noEmit -p .

# 4. unit tests (no broker)
log "unit tests"
mapfile -t unit < <(find test/unit -name '*.test.ts' | sort)
node --import tsx --test --test-concurrency=1 "${unit[@]}"

# 5. integration tests: a real RabbitMQ and a real ironic-conductor on 127.0.0.1
mkdir -p .tmp
keystone_start=""
stop_all() {
  if [ -n "$keystone_start" ]; then kill "$keystone_start" 2>/dev/null || true; wait "$keystone_start" 2>/dev/null || true; fi
  bash test/support/keystone.sh stop >/dev/null 2>&1 || true
  bash test/support/stack.sh stop || true
}
trap stop_all EXIT
# Keystone (stage 7) takes ~30 s to set up (MariaDB, db_sync, bootstrap): in the background, meanwhile
log "starting MariaDB and Keystone in the background (log: .tmp/keystone-start.log)"
bash test/support/keystone.sh start >.tmp/keystone-start.log 2>&1 &
keystone_start=$!
bash test/support/stack.sh start
# shellcheck disable=SC1091
set -a; . .tmp/stack.env; set +a
log "integration tests"
mapfile -t integration < <(find test/integration -name '*.test.ts' | sort)
node --import tsx --test --test-concurrency=1 "${integration[@]}"

# 6. end-to-end: the baremetal CLI, openstacksdk and the client generated from the OpenAPI
#    document, unmodified, against the gateway: on the embedded simulator, then on the real
#    ironic-conductor that is still up (TEST_TRANSPORT_URL)
mapfile -t e2e < <(find test/e2e -name '*.test.ts' | sort)
for backend in simulator real; do
  log "end-to-end tests: $backend"
  E2E_BACKENDS=$backend node --import tsx --test --test-concurrency=1 "${e2e[@]}"
done

# 7. keystone: the gateway with auth_strategy keystone in front of the real conductor, Keystone
#    (Debian's package, on its own MariaDB, 127.0.0.1) validating tokens; the baremetal CLI
#    authenticates with a password and finds the gateway in Keystone's catalog
if ! wait "$keystone_start"; then
  cat .tmp/keystone-start.log >&2
  log "Keystone did not start"
  exit 1
fi
# shellcheck disable=SC1091
set -a; . .tmp/keystone.env; set +a
log "keystone tests"
mapfile -t keystone < <(find test/keystone -name '*.test.ts' | sort)
node --import tsx --test --test-concurrency=1 "${keystone[@]}"
