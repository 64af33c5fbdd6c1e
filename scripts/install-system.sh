#!/usr/bin/env bash
# Installs the Debian packages Pharos's lab and tests need, on Debian 12 or 13.
#
# - PostgreSQL server + contrib: the distribution's major (15 on 12, 17 on 13).
# - etcd 3.5 (etcd-server, etcd-client) and Patroni 4.x: native on Debian 13;
#   on Debian 12 they come from Debian 13 ("trixie") with a low pin priority
#   (100), so nothing else on the machine is upgraded from trixie.
#   Debian 12's own patroni (3.0.2) is too old: see DESIGN.md §5.
# - openssl (certificates), chromium (browser tests), iproute2.
#
# Idempotent: when every package is present it installs nothing and prints
# "system packages: all present". Needs root (or sudo).
set -euo pipefail

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

. /etc/os-release
case "${VERSION_ID:-}" in
  12|13) ;;
  *) echo "install-system: Debian 12 or 13 expected, found '${PRETTY_NAME:-unknown}'" >&2; exit 1 ;;
esac

packages=(postgresql postgresql-contrib etcd-server etcd-client patroni openssl chromium iproute2 python3-psycopg2 python3-etcd ca-certificates)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

patroni_ok() {
  local v
  v=$(dpkg-query -W -f='${Version}' patroni 2>/dev/null || true)
  [ -n "$v" ] && dpkg --compare-versions "$v" ge 4.0
}

if [ ${#missing[@]} -eq 0 ] && patroni_ok; then
  echo "system packages: all present"
  exit 0
fi

echo "system packages: installing ${missing[*]:-patroni (upgrade to 4.x)}"

if [ "$VERSION_ID" = 12 ]; then
  src=/etc/apt/sources.list.d/pharos-trixie.sources
  if [ ! -f "$src" ]; then
    $SUDO tee "$src" >/dev/null <<'SRC'
Types: deb
URIs: http://deb.debian.org/debian
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  fi
  pin=/etc/apt/preferences.d/pharos-trixie
  if [ ! -f "$pin" ]; then
    $SUDO tee "$pin" >/dev/null <<'PIN'
# Pharos: only what we ask for by name comes from trixie.
Package: *
Pin: release n=trixie
Pin-Priority: 100
PIN
  fi
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# Do not start distribution services (no systemd here; on a systemd host the
# default etcd service would otherwise listen on localhost:2379).
policy_created=""
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
  $SUDO chmod +x /usr/sbin/policy-rc.d
  policy_created=1
fi
trap '[ -n "$policy_created" ] && $SUDO rm -f /usr/sbin/policy-rc.d' EXIT

common=(postgresql postgresql-contrib openssl chromium iproute2 ca-certificates)
if [ "$VERSION_ID" = 12 ]; then
  $SUDO apt-get install -y -qq --no-install-recommends "${common[@]}"
  $SUDO apt-get install -y -qq --no-install-recommends -t trixie etcd-server etcd-client patroni python3-psycopg2 python3-etcd
else
  $SUDO apt-get install -y -qq --no-install-recommends "${common[@]}" etcd-server etcd-client patroni python3-psycopg2 python3-etcd
fi

# Debian's postgresql-common creates a default cluster; the lab never uses it.
echo "system packages: done"
