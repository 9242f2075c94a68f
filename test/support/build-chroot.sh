#!/usr/bin/env bash
# Builds, once, the Debian sid chroot that runs the newest Ironic (python3-ironic 39.0 in sid
# today) and RabbitMQ 4 for the second test stack, and caches it outside the checkout:
#
#   build-chroot.sh            build it unless a complete one is cached; print its path
#   build-chroot.sh --rebuild  build it again
#   build-chroot.sh --path     print the path it has (or would have)
#
# IRONIC_CHROOT_DIR (default /var/cache/ironic-gateway/sid-ironic) chooses the place. The
# Debian mirror is the one the host's own apt sources name (never a host name written here).
# A build happens in a sibling directory and is renamed into place only once complete, so an
# interrupted build is never taken for a cached one. /proc and /dev are bind-mounted in a
# private mount namespace (unshare), so no mount outlives the build, whatever stops it.
set -euo pipefail
DIR=${IRONIC_CHROOT_DIR:-/var/cache/ironic-gateway/sid-ironic}
SUITE=${IRONIC_CHROOT_SUITE:-sid}
# What runs inside: the conductor and (ironic-common's) ironic-api of that release, MySQL's driver,
# the broker, and the release's own clients (the `baremetal` CLI; openstacksdk comes with the conductor).
PACKAGES=(ironic-conductor python3-pymysql rabbitmq-server python3-ironicclient)
STAMP="$DIR/.ironic-gateway-chroot"
want="suite=$SUITE packages=${PACKAGES[*]}"

log() { printf '[chroot] %s\n' "$*" >&2; }

case "${1:-}" in
  --path) echo "$DIR"; exit 0 ;;
  --rebuild) rm -f "$STAMP" ;;
  "") ;;
  *) echo "usage: $0 [--rebuild|--path]" >&2; exit 2 ;;
esac

cached() { [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ]; }
if cached; then
  echo "$DIR"
  exit 0
fi
[ "$(id -u)" -eq 0 ] || { log "building the chroot needs root (debootstrap, chroot)"; exit 1; }
mkdir -p "$(dirname "$DIR")"
# one build at a time (another checkout may be building the same cache)
exec 9>"$DIR.lock"
flock 9
if cached; then
  echo "$DIR"
  exit 0
fi

# in the chroot, in a private mount namespace (the bind mounts vanish with it): apt-get install
install_into() {
  unshare --mount --propagation private -- bash -euo pipefail -c '
    d=$1; shift
    mount --bind /proc "$d/proc"
    mount --rbind /dev "$d/dev"
    chroot "$d" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8 bash -euo pipefail -c "
      apt-get -qq -o Acquire::Check-Valid-Until=false update
      echo \"ironic-common ironic/configure_db boolean false\" | debconf-set-selections
      apt-get install -y -qq --no-install-recommends \"\$@\"
      apt-get clean
    " inside "$@"
  ' build "$@" >"$(dirname "$DIR")/apt.log" 2>&1 ||
    { tail -30 "$(dirname "$DIR")/apt.log" >&2; log "installing into the chroot failed"; exit 1; }
}

# A complete chroot of the same suite that lacks packages added to PACKAGES since it was built:
# add them in place (minutes saved over a new debootstrap).
if [ -f "$STAMP" ] && [ "$(sed -n 's/^suite=\([^ ]*\) .*/\1/p' "$STAMP")" = "$SUITE" ]; then
  log "adding packages to $DIR: ${PACKAGES[*]}"
  install_into "$DIR" "${PACKAGES[@]}"
  echo "$want" >"$STAMP"
  echo "$DIR"
  exit 0
fi

command -v debootstrap >/dev/null || { log "debootstrap is missing (test/support/install-system-packages.sh installs it)"; exit 1; }

# The Debian archive the host already uses (not its -security or -updates suites).
# ORIGIN is known once `apt-get update` has run; before that, an archive's URI ends in /debian.
mirror=$(apt-get indextargets --format '$(REPO_URI) $(SUITE) $(ORIGIN)' 'Created-By: Packages' 2>/dev/null |
  awk '$2 !~ /-(security|updates|backports)$/ && ($3 == "Debian" || $1 ~ /\/debian\/?$/) { print $1; exit }')
[ -n "$mirror" ] || { log "no Debian archive found in the host's apt sources"; exit 1; }

new="$DIR.new"
# never delete through a mount (a bind-mounted /dev or checkout left by some other tool)
for d in "$new" "$DIR"; do
  if findmnt -rn -o TARGET | grep -q "^$d/"; then
    log "something is mounted under $d: unmount it first"
    exit 1
  fi
done
rm -rf --one-file-system "$new"
start=$(date +%s)
log "debootstrap $SUITE from $mirror into $new"
# (in a private mount namespace too: debootstrap mounts /proc and /sys in the target)
unshare --mount --propagation private -- debootstrap --variant=minbase "$SUITE" "$new" "$mirror" \
  >"$(dirname "$DIR")/debootstrap.log" 2>&1 ||
  { tail -30 "$(dirname "$DIR")/debootstrap.log" >&2; log "debootstrap failed"; exit 1; }
cp /etc/resolv.conf "$new/etc/resolv.conf"
# Services are never started by the packages' scripts: the test stack starts the binaries itself.
printf '#!/bin/sh\nexit 101\n' >"$new/usr/sbin/policy-rc.d"
chmod 755 "$new/usr/sbin/policy-rc.d"

log "installing ${PACKAGES[*]}"
install_into "$new" "${PACKAGES[@]}"

echo "$want" >"$new/.ironic-gateway-chroot"
rm -rf --one-file-system "$DIR"
mv "$new" "$DIR"
log "built $DIR in $(($(date +%s) - start)) s: $(chroot "$DIR" dpkg-query -W -f='${Version}' python3-ironic) ironic, $(chroot "$DIR" dpkg-query -W -f='${Version}' rabbitmq-server) rabbitmq"
echo "$DIR"
