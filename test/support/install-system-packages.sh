#!/usr/bin/env bash
# Installs, when missing, the Debian packages the integration and end-to-end tests use:
# rabbitmq-server, Ironic's conductor (fake-hardware; ironic-common has ironic-api), MariaDB's server and client
# binaries (test/support/stack.sh runs a private mariadbd) with Python's MySQL driver,
# debootstrap (for the chroot of the newest Ironic, test/support/build-chroot.sh), the baremetal
# CLI, openstacksdk, Go with Debian's gophercloud sources (built offline, in GOPATH mode),
# openssl, which makes the TLS tests' certificates (test/support/certs.ts), and Keystone with
# MariaDB for the keystone tests (test/support/keystone.sh runs private instances of both), and wrk, the
# load generator of `npm run bench compare` (bench/wrk.ts).
set -euo pipefail
pkgs=(rabbitmq-server ironic-conductor mariadb-server-core mariadb-client-core python3-pymysql debootstrap python3-ironicclient wrk
  python3-openstacksdk golang-go golang-github-gophercloud-gophercloud-dev openssl keystone mariadb-server)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "[test] installing Debian packages: ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
echo "ironic-common ironic/configure_db boolean false" | $SUDO debconf-set-selections
# keystone: no database, admin or endpoint set-up by the package (the tests make their own)
printf '%s\n' 'keystone keystone/configure_db boolean false' 'keystone keystone/create-admin-tenant boolean false' \
  'keystone keystone/register-endpoint boolean false' | $SUDO debconf-set-selections
# The packages' services (system MariaDB on 3306, Keystone on 5000) are not wanted: the tests
# run private instances. Where nothing already stops them (Docker images ship a policy-rc.d
# that does), keep invoke-rc.d from starting them during this install.
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
  $SUDO chmod 755 /usr/sbin/policy-rc.d
  trap '$SUDO rm -f /usr/sbin/policy-rc.d' EXIT
fi
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
