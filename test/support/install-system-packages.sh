#!/usr/bin/env bash
# Installs, when missing, the Debian packages the integration and end-to-end tests use:
# rabbitmq-server, Ironic's conductor (fake-hardware; ironic-common has ironic-api), MariaDB's server and client
# binaries (no service: test/support/stack.sh runs a private mariadbd) with Python's MySQL driver,
# debootstrap (for the chroot of the newest Ironic, test/support/build-chroot.sh), the baremetal
# CLI, openstacksdk, and Go with Debian's gophercloud sources (built offline, in GOPATH mode).
set -euo pipefail
pkgs=(rabbitmq-server ironic-conductor mariadb-server-core mariadb-client-core python3-pymysql debootstrap python3-ironicclient python3-openstacksdk golang-go golang-github-gophercloud-gophercloud-dev)
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
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
