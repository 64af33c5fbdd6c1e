#!/usr/bin/env bash
# Installs the Debian packages Pharos's lab and tests need, on Debian 12 or 13,
# without ever changing the host's distribution.
#
# What comes from where (README "What gets installed" says the same):
# - Debian 13: everything from Debian 13.
# - Debian 12: everything from Debian 12, except the packages Debian 12 lacks
#   in a usable version, selected one by one from Debian 13 ("trixie"):
#     patroni/trixie, etcd-server/trixie, etcd-client/trixie
#   and the two dependencies Debian 13's patroni needs newer than Debian 12
#   has: python3-click, python3-ydiff. That is TRIXIE_ALLOWED below, and
#   nothing else. Debian 12's patroni (3.0.2) is too old (DESIGN.md §5).
#   Never `-t trixie`: it raises every dependency of the command to trixie
#   (it once upgraded libc6, python3, dpkg and base-files).
#   /etc/apt/preferences.d/pharos-trixie keeps trixie at priority 100 (never
#   a candidate over Debian 12's own packages), except the allowed names at
#   500, so a later `apt-get upgrade` takes their Debian 13 security updates
#   and nothing else from trixie.
#
# Before installing, apt simulates the whole transaction. When it would
# upgrade or remove a package already installed, or take from trixie a
# package not in TRIXIE_ALLOWED, nothing is installed: the script names the
# package and why, and exits 1. Only missing packages are named to apt, so a
# package already installed is never touched.
#
# Idempotent: when every package is present it installs nothing and prints
# "system packages: all present". Needs root (or sudo).
#
# PHAROS_APT_ROOT=/path runs everything against a Debian root in that
# directory (chroot), which is how
# packages/suites/src/install-system/install-system.int.test.ts checks this script
# on fresh Debian 12 and 13 roots.
set -euo pipefail

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
ROOT="${PHAROS_APT_ROOT:-}"
in_root() { if [ -n "$ROOT" ]; then $SUDO chroot "$ROOT" "$@"; else $SUDO "$@"; fi; }

os_release="${ROOT}/etc/os-release"
VERSION_ID=$(. "$os_release" && echo "${VERSION_ID:-}")
PRETTY_NAME=$(. "$os_release" && echo "${PRETTY_NAME:-unknown}")
case "$VERSION_ID" in
  12|13) ;;
  *) echo "install-system: Debian 12 or 13 expected, found '$PRETTY_NAME'" >&2; exit 1 ;;
esac

# Every package the lab and the tests use, by name.
packages=(
  postgresql                               # the distribution's PostgreSQL (15 on 12, 17 on 13)
  etcd-server etcd-client patroni          # the DCS and the HA manager
  python3-psycopg2 python3-etcd            # Patroni's PostgreSQL driver and etcd3 module
  openssl ca-certificates iproute2
  shellcheck                               # tests lint the shell the plan writes (RUNBOOK.md, *.sh)
  chromium                                 # browser tests (headless)
  mmdebstrap                               # Debian roots: the install test (packages/suites/src/install-system), the deployment test's hosts
  systemd-container                        # the deployment test: hosts booted with systemd-nspawn
  ansible ansible-lint                     # the generated playbook (deployment test, lint)
  rpm                                      # rpmbuild for `npm run package`, rpm -qip/-qlp in the deployment test
)
# The extensions: a package of their own on Debian 12; on Debian 13 the
# postgresql package provides postgresql-contrib (there is no such package,
# and asking for it on every run would never let this script say "all present").
if [ "$VERSION_ID" = 12 ]; then packages+=(postgresql-contrib); fi
# Taken from Debian 13 on Debian 12, and nothing else (see the header).
TRIXIE_NAMED=(patroni etcd-server etcd-client)
TRIXIE_ALLOWED=(patroni etcd-server etcd-client python3-click python3-ydiff)

installed() { in_root dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
patroni_ok() {
  local v
  v=$(in_root dpkg-query -W -f='${Version}' patroni 2>/dev/null || true)
  [ -n "$v" ] && in_root dpkg --compare-versions "$v" ge 4.0
}

missing=()
for p in "${packages[@]}"; do installed "$p" || missing+=("$p"); done

if [ ${#missing[@]} -eq 0 ] && patroni_ok; then
  echo "system packages: all present"
  exit 0
fi
if installed patroni && ! patroni_ok; then
  echo "install-system: patroni $(in_root dpkg-query -W -f='${Version}' patroni) is installed; Pharos needs Patroni 4." >&2
  echo "  Upgrading it would change a package you installed; remove it first (apt-get remove patroni) and run this again." >&2
  exit 1
fi

if [ "$VERSION_ID" = 12 ]; then
  src="${ROOT}/etc/apt/sources.list.d/pharos-trixie.sources"
  pin="${ROOT}/etc/apt/preferences.d/pharos-trixie"
  $SUDO tee "$src" >/dev/null <<'SRC'
# Pharos: Debian 13 packages that Debian 12 lacks in a usable version (see pharos-trixie in preferences.d)
Types: deb
URIs: http://deb.debian.org/debian
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  $SUDO tee "$pin" >/dev/null <<PIN
# Pharos: nothing comes from trixie unless named below (scripts/install-system.sh).
Package: *
Pin: release n=trixie
Pin-Priority: 100

Package: ${TRIXIE_ALLOWED[*]}
Pin: release n=trixie
Pin-Priority: 500
PIN
fi

export DEBIAN_FRONTEND=noninteractive
in_root apt-get update -qq

# Name only what is missing; on Debian 12 the trixie packages by release.
request=()
for p in "${missing[@]}"; do
  if [ "$VERSION_ID" = 12 ] && [[ " ${TRIXIE_NAMED[*]} " == *" $p "* ]]; then
    request+=("$p/trixie")
  elif [ "$p" = systemd-container ] && installed systemd; then
    # Must match the installed systemd exactly; naming the version keeps apt
    # from upgrading systemd (and libsystemd0, udev...) to a newer point release.
    request+=("systemd-container=$(in_root dpkg-query -W -f='${Version}' systemd)")
  else
    request+=("$p")
  fi
done

# Simulate first: refuse anything that changes an installed package or takes
# an unlisted package from another release.
plan=$(in_root apt-get install -s -y --no-install-recommends "${request[@]}" 2>&1) || {
  echo "install-system: apt cannot install ${request[*]}:" >&2
  echo "$plan" | grep -E '^(E:| )' >&2 || echo "$plan" >&2
  exit 1
}
# from_release N ORIGINS: ORIGINS (as apt-get -s prints them) include Debian N or its security archive.
from_release() { [[ "$2" =~ (^|,\ )Debian(-Security)?:$1([./-]|$) ]]; }
problems=()
while IFS= read -r line; do
  case "$line" in
    Remv\ *)
      problems+=("$(awk '{print $2}' <<<"$line"): apt would remove it") ;;
    Inst\ *)
      name=$(awk '{print $2}' <<<"$line")
      if [[ "$line" =~ ^Inst\ [^\ ]+\ \[([^]]+)\] ]]; then
        problems+=("$name: already installed (${BASH_REMATCH[1]}); apt would upgrade it")
      fi
      # The archives that carry the version to install: "Inst NAME [OLD] (VERSION ORIGIN, ORIGIN [ARCH])".
      # A version both releases carry (an arch-all package such as libjson-perl) is Debian 12's own.
      origins=$(sed -E 's/^[^(]*\([^ ]+ //; s/ \[[^]]*\]\).*$//' <<<"$line")
      if [ "$VERSION_ID" = 12 ] && from_release 13 "$origins" && ! from_release 12 "$origins" &&
        [[ " ${TRIXIE_ALLOWED[*]} " != *" $name "* ]]; then
        problems+=("$name: apt would take it from Debian 13 ($origins), which is not in the allowed list (${TRIXIE_ALLOWED[*]})")
      fi
      if [ "$VERSION_ID" = 13 ] && ! from_release 13 "$origins"; then
        problems+=("$name: apt would take it from ${origins:-an unknown archive}, not Debian 13")
      fi ;;
  esac
done <<<"$plan"
if [ ${#problems[@]} -gt 0 ]; then
  echo "install-system: nothing was installed, because installing ${request[*]} would change this system:" >&2
  printf '  - %s\n' "${problems[@]}" >&2
  echo "  Pharos never upgrades or removes a package you installed. Resolve the packages above (for example" >&2
  echo "  with your own 'apt-get upgrade' within your release) and run this again." >&2
  exit 1
fi

echo "system packages: installing ${request[*]}"
# Do not start distribution services (on a systemd host Debian's default etcd
# service would otherwise listen on localhost:2379; the lab starts its own).
policy="${ROOT}/usr/sbin/policy-rc.d"
policy_created=""
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
  $SUDO chmod +x "$policy"
  policy_created=1
fi
trap '[ -n "$policy_created" ] && $SUDO rm -f "$policy"' EXIT
in_root apt-get install -y -qq --no-install-recommends "${request[@]}"

# Debian's postgresql-common creates a default cluster; the lab never uses it.
echo "system packages: done"
