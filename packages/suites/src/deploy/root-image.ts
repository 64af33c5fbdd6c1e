/**
 * The Debian 13 root the deployment test boots its hosts from (DESIGN.md §5
 * "Real hosts are emulated with booted containers"): built once with
 * `mmdebstrap` from Debian's archive and kept in a cache directory between
 * runs. It holds systemd, sshd and python3 (what Ansible needs on a host);
 * the packages the playbook installs (PostgreSQL, Patroni, etcd) are only
 * downloaded into its apt cache, so the playbook really installs them, from
 * Debian's archive, without fetching them nine times.
 *
 * Cache: as the install-system suite's roots (install-system/debian-root.ts),
 * under /var/cache/pharos-test (PHAROS_TEST_CACHE replaces it), here
 * `deploy-roots/debian13-<key>/root`, where the key changes with the suite,
 * the package lists and the recipe. The root is used read-only (the lower
 * layer of every host's overlay).
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { rename } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Default cache of built roots (beside install-system's debian-roots/). */
export const ROOT_CACHE_DIR = join(process.env.PHAROS_TEST_CACHE ?? '/var/cache/pharos-test', 'deploy-roots');

/** Debian's archive (the only one this machine reaches besides npm). */
export const DEBIAN_MIRROR = 'http://deb.debian.org/debian';

/** Installed in the root: a booted host reachable over SSH that Ansible can drive (python3-apt for its apt module). */
export const ROOT_PACKAGES = [
  'systemd',
  'systemd-sysv',
  'dbus',
  'openssh-server',
  'python3',
  'python3-apt',
  'ca-certificates',
];

/** Downloaded into the root's apt cache for the playbook (roles/common/vars/Debian.yml, patroni, etcd). */
export const PLAYBOOK_PACKAGES = [
  'postgresql-17',
  'patroni',
  'python3-psycopg2',
  'python3-etcd',
  'etcd-server',
  'etcd-client',
  'sudo',
];

/** Version of the recipe below: a change makes a new cache entry. */
const RECIPE = 1;

/** The cache key of the root: suite, package lists, recipe. */
export function rootImageKey(suite = 'trixie'): string {
  return createHash('sha256')
    .update(JSON.stringify({ suite, ROOT_PACKAGES, PLAYBOOK_PACKAGES, RECIPE }))
    .digest('hex')
    .slice(0, 12);
}

/**
 * Returns the path of a Debian 13 root directory, building it with
 * mmdebstrap when the cache has none (about 2 minutes, mostly downloads;
 * `log` gets the progress). The directory must not be changed: hosts boot
 * from overlays on top of it.
 * @throws Error naming mmdebstrap's last output lines when the build fails.
 */
export async function ensureRootImage(
  log: (line: string) => void,
  cacheDir = ROOT_CACHE_DIR,
): Promise<string> {
  const dir = join(cacheDir, `debian13-${rootImageKey()}`);
  const root = join(dir, 'root');
  if (existsSync(join(dir, 'complete'))) return root;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const building = join(dir, 'root.building');
  log(`building a Debian 13 root with mmdebstrap in ${dir} (cached for later runs)`);
  const t0 = Date.now();
  try {
    await run(
      'mmdebstrap',
      [
        '--variant=apt',
        `--include=${ROOT_PACKAGES.join(',')}`,
        // keep the package lists and the downloaded packages: the playbook installs from them
        '--skip=cleanup/apt/lists',
        '--skip=cleanup/apt/cache',
        `--customize-hook=chroot "$1" apt-get install --download-only -y --no-install-recommends ${PLAYBOOK_PACKAGES.join(' ')}`,
        'trixie',
        building,
        DEBIAN_MIRROR,
      ],
      { timeout: 15 * 60_000, maxBuffer: 64 * 1024 * 1024 },
    );
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`mmdebstrap failed: ${(e.stderr ?? e.message).trim().split('\n').slice(-15).join('\n')}`);
  }
  await rename(building, root);
  writeFileSync(join(dir, 'complete'), `${new Date().toISOString()} ${Date.now() - t0} ms\n`);
  log(`root built in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  return root;
}
