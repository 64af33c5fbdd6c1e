#!/usr/bin/env bash
# `npm run package`: builds Pharos's packages from this working tree.
#
#   packaging/out/pharos_<version>-<release>_amd64.deb      dpkg-deb (Debian 12, 13)
#   packaging/out/pharos-<version>-<release>.x86_64.rpm     rpmbuild (RHEL 9), from Debian's `rpm` package
#   packaging/out/pharos-<version>-<release>.x86_64.tar.gz  the same tree, to unpack at / by hand
#
# Options (after `npm run package --`):
#   --version V      package version (default: package.json's); also written into
#                    every packaged package.json, so `pharos --version` and the web
#                    instances' /api/health report it
#   --release N      package release (default 1)
#   --out DIR        output directory (default packaging/out)
#   --formats LIST   comma-separated subset of deb,rpm,tar (default all three)
#   --fast           light compression (tests); default is zstd -19 / gzip -9
#
# What goes in (packaging/README.md says why):
#   /usr/lib/pharos/node/bin/node    the Node.js 20 binary running this script (stripped),
#                                    its licence in /usr/share/doc/pharos/node-LICENSE
#   /usr/lib/pharos/app/             package.json, packages/{core,backend,agent,web,ops,cli}
#                                    (compiled dist/ without tests, sql/, ui/, ansible/, bin/),
#                                    production node_modules (npm ci --omit=dev)
#   /usr/bin/pharos                  wrapper running the bundled node
#   /usr/lib/systemd/system/         pharos-agent.service, pharos-web.service
#   /usr/lib/sysusers.d/pharos.conf  the pharos system user
#   /usr/lib/tmpfiles.d/pharos.conf  /etc/pharos (0750 root:pharos), /var/lib/pharos (0750 pharos)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
here="$root/packaging"

version=$(node -p "require('$root/package.json').version")
release=1
out="$here/out"
formats=deb,rpm,tar
fast=""
while [ $# -gt 0 ]; do
  case "$1" in
    --version) version="$2"; shift 2 ;;
    --release) release="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --formats) formats="$2"; shift 2 ;;
    --fast) fast=1; shift ;;
    *) echo "package: unknown option '$1' (see packaging/build.sh)" >&2; exit 2 ;;
  esac
done
if ! [[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.]+)?$ ]]; then
  echo "package: --version '$version' is not a version like 1.2.3 or 1.2.3-rc.1" >&2; exit 2
fi
if ! [[ "$release" =~ ^[0-9]+$ ]]; then echo "package: --release '$release' is not a number" >&2; exit 2; fi
for f in ${formats//,/ }; do
  case "$f" in deb|rpm|tar) ;; *) echo "package: unknown format '$f' (deb, rpm, tar)" >&2; exit 2 ;; esac
done
# Debian and RPM order a pre-release below its release with '~'.
pkgver=${version//-/\~}
pkgver=${pkgver//+/.}

node_bin=$(command -v node)
node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then echo "package: Node.js 20 or later is needed to bundle (found $(node --version))" >&2; exit 1; fi
node_license=""
for f in "$(dirname "$(readlink -f "$node_bin")")/../share/doc/node/LICENSE" /usr/share/doc/nodejs/LICENSE /usr/share/doc/node/LICENSE; do
  if [ -f "$f" ]; then node_license="$f"; break; fi
done
if [ -z "$node_license" ]; then echo "package: cannot find the licence of $node_bin (LICENSE of the Node.js build)" >&2; exit 1; fi
for tool in dpkg-deb strip; do
  command -v "$tool" >/dev/null || { echo "package: $tool is missing (bash scripts/install-system.sh)" >&2; exit 1; }
done
if [[ ",$formats," == *",rpm,"* ]] && ! command -v rpmbuild >/dev/null; then
  echo "package: rpmbuild is missing (Debian package rpm: bash scripts/install-system.sh)" >&2; exit 1
fi

t0=$(date +%s)
echo "package: building the TypeScript (tsc -b)"
(cd "$root" && npx tsc -b packages/cli)

work=$(mktemp -d "${TMPDIR:-/var/tmp}/pharos-package.XXXXXX")
trap 'rm -rf "$work"' EXIT
stage="$work/root"
app="$stage/usr/lib/pharos/app"
mkdir -p "$app/packages"

echo "package: staging $version in $work"
cp "$root/package.json" "$root/package-lock.json" "$app/"
cp -a "$root/examples" "$app/examples"
shipped=(core backend agent web ops cli)
for p in "${shipped[@]}"; do
  mkdir -p "$app/packages/$p"
  cp "$root/packages/$p/package.json" "$app/packages/$p/"
done
# Only the shipped workspaces, without development dependencies (the test
# and bench workspaces' own dependencies, browsers and test servers, would
# otherwise count as production ones); npm resolves from the lock file.
node -e '
  const fs = require("fs");
  const [app, ...pkgs] = process.argv.slice(1);
  for (const f of [`${app}/package.json`, ...pkgs.map((p) => `${app}/packages/${p}/package.json`)]) {
    const j = JSON.parse(fs.readFileSync(f, "utf8"));
    delete j.devDependencies;
    if (f === `${app}/package.json`) j.workspaces = pkgs.map((p) => `packages/${p}`);
    fs.writeFileSync(f, JSON.stringify(j, null, 2) + "\n");
  }' "$app" "${shipped[@]}"
echo "package: production dependencies of the shipped workspaces (npm install --omit=dev, from the lock file)"
(cd "$app" && npm install --omit=dev --ignore-scripts --prefer-offline --no-audit --no-fund --loglevel=error >/dev/null)
for p in "${shipped[@]}"; do
  cp -a "$root/packages/$p/dist" "$app/packages/$p/dist"
  for d in bin sql ui ansible; do
    if [ -d "$root/packages/$p/$d" ]; then cp -a "$root/packages/$p/$d" "$app/packages/$p/$d"; fi
  done
done
find "$app/packages" \( -name '*.test.js' -o -name '*.d.ts' -o -name '*.map' -o -name '*.tsbuildinfo' \) -delete
# The version every component reports.
node -e '
  const fs = require("fs");
  const [app, version, ...pkgs] = process.argv.slice(1);
  for (const f of [`${app}/package.json`, ...pkgs.map((p) => `${app}/packages/${p}/package.json`)]) {
    const j = JSON.parse(fs.readFileSync(f, "utf8"));
    j.version = version;
    fs.writeFileSync(f, JSON.stringify(j, null, 2) + "\n");
  }' "$app" "$version" "${shipped[@]}"

mkdir -p "$stage/usr/lib/pharos/node/bin" "$stage/usr/bin" "$stage/usr/lib/systemd/system" \
  "$stage/usr/lib/sysusers.d" "$stage/usr/lib/tmpfiles.d" "$stage/usr/share/doc/pharos" \
  "$stage/etc/pharos" "$stage/var/lib/pharos"
strip -o "$stage/usr/lib/pharos/node/bin/node" "$node_bin"
install -m 0755 "$here/bin/pharos" "$stage/usr/bin/pharos"
install -m 0644 "$here"/systemd/pharos-*.service "$stage/usr/lib/systemd/system/"
install -m 0644 "$here/sysusers.d/pharos.conf" "$stage/usr/lib/sysusers.d/pharos.conf"
install -m 0644 "$here/tmpfiles.d/pharos.conf" "$stage/usr/lib/tmpfiles.d/pharos.conf"
install -m 0644 "$node_license" "$stage/usr/share/doc/pharos/node-LICENSE"
install -m 0644 "$root/README.md" "$stage/usr/share/doc/pharos/README.md"
if [ -f "$root/docs/deploy.md" ]; then install -m 0644 "$root/docs/deploy.md" "$stage/usr/share/doc/pharos/deploy.md"; fi
cat >"$stage/usr/share/doc/pharos/copyright" <<EOF
Pharos $version: Apache-2.0 (the project's own code).
Bundled Node.js $(node --version) ($node_bin): MIT and the licences of its
bundled dependencies, in node-LICENSE.
npm dependencies under /usr/lib/pharos/app/node_modules: each with its licence file.
EOF
"$stage/usr/lib/pharos/node/bin/node" "$app/packages/cli/bin/pharos.js" --version >/dev/null

mkdir -p "$out"
made=()
if [[ ",$formats," == *",deb,"* ]]; then
  deb="$out/pharos_${pkgver}-${release}_amd64.deb"
  size_kb=$(du -sk "$stage" | cut -f1)
  mkdir -p "$work/DEBIAN"
  sed -e "s/@DEB_VERSION@/${pkgver}-${release}/" -e "s/@INSTALLED_SIZE_KB@/$size_kb/" "$here/deb/control.in" >"$work/DEBIAN/control"
  install -m 0755 "$here/deb/postinst" "$here/deb/prerm" "$here/deb/postrm" "$work/DEBIAN/"
  mv "$work/DEBIAN" "$stage/DEBIAN"
  echo "package: dpkg-deb"
  if [ -n "$fast" ]; then z=(-Zzstd -z1); else z=(-Zzstd -z19); fi
  dpkg-deb --root-owner-group "${z[@]}" --build "$stage" "$deb" >/dev/null
  rm -rf "$stage/DEBIAN"
  made+=("$deb")
fi
if [[ ",$formats," == *",rpm,"* ]]; then
  echo "package: rpmbuild"
  if [ -n "$fast" ]; then payload=w1.zstdio; else payload=w19.zstdio; fi
  rpmbuild -bb --quiet --target x86_64 \
    --define "_topdir $work/rpmbuild" \
    --define "_rpmdir $out" \
    --define "_build_name_fmt %%{NAME}-%%{VERSION}-%%{RELEASE}.%%{ARCH}.rpm" \
    --define "_binary_payload $payload" \
    --define "pharos_stage $stage" \
    --define "pharos_version $pkgver" \
    --define "pharos_release $release" \
    "$here/rpm/pharos.spec"
  made+=("$out/pharos-${pkgver}-${release}.x86_64.rpm")
fi
if [[ ",$formats," == *",tar,"* ]]; then
  echo "package: tarball"
  tgz="$out/pharos-${pkgver}-${release}.x86_64.tar.gz"
  if [ -n "$fast" ]; then gz=1; else gz=9; fi
  tar --owner=0 --group=0 --numeric-owner -C "$stage" -cf - . | gzip -"$gz" >"$tgz"
  made+=("$tgz")
fi
echo "package: done in $(( $(date +%s) - t0 )) s (installed size $(du -sh "$stage" | cut -f1))"
for f in "${made[@]}"; do echo "  $(du -h "$f" | cut -f1)  $f"; done
