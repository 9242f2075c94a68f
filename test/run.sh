#!/usr/bin/env bash
# The whole test suite. Does its own set-up on a fresh Debian machine: npm packages, then
# RabbitMQ and Ironic's Debian packages (apt-get, when missing); starts a broker and a real
# ironic-conductor on 127.0.0.1 for the integration tests, and stops them at the end.
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

# 3. type check: the whole tree, tests included, under the strict tsconfig
log "type-checking"
npx tsc --noEmit -p .

# 4. unit tests (no broker)
log "unit tests"
mapfile -t unit < <(find test/unit -name '*.test.ts' | sort)
node --import tsx --test --test-concurrency=1 "${unit[@]}"

# 5. integration tests: a real RabbitMQ and a real ironic-conductor on 127.0.0.1
mkdir -p .tmp
trap 'bash test/support/stack.sh stop-all || true' EXIT
bash test/support/stack.sh start
# shellcheck disable=SC1091
set -a; . .tmp/stack-21.4.env; set +a
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
