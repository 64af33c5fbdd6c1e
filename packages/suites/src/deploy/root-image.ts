/**
 * The Debian 13 roots the deployment tests boot their hosts from (DESIGN.md
 * §5 "Real hosts are emulated with booted containers"): built once with
 * `mmdebstrap` from Debian's archive and kept in a cache directory between
 * runs. Two kinds:
 *
 * - `bare` (the default-run test, deploy.int.test.ts): systemd, sshd and
 *   python3 (what Ansible needs on a host); the packages the playbook
 *   installs (PostgreSQL, Patroni, etcd) are only downloaded into its apt
 *   cache, so the playbook really installs them, from Debian's archive,
 *   without fetching them for every host. This is the path a fresh host
 *   takes, exercised once per default run.
 * - `preinstalled` (the nine-host test, deploy.slow.test.ts): the same plus
 *   those packages installed, as an image-based deployment would have them,
 *   so the roles' install tasks find them present and change nothing (90-130 s
 *   of dpkg per host under load otherwise). Installed as the roles would
 *   leave them: no default PostgreSQL cluster (postgresql-common's
 *   createcluster.d, the role's own file, written first), etcd.service
 *   disabled (Debian enables it, and its default member would listen on
 *   127.0.0.1:2379, the loopback every container shares; the etcd role
 *   enables it with the plan's configuration), and the apt-daily timers
 *   disabled (they take the dpkg lock and the CPU minutes after a boot; the
 *   pharos_package role's retry is for real hosts and the bare root's).
 *
 * Cache: as the install-system suite's roots (install-system/debian-root.ts),
 * under /var/cache/pharos-test (PHAROS_TEST_CACHE replaces it), here
 * `deploy-roots/debian13-<key>/root` (bare) and
 * `deploy-roots/debian13-preinstalled-<key>/root`, where the key changes
 * with the suite, the package lists and the recipe. A root is used
 * read-only (the lower layer of every host's overlay).
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

/** Version of the preinstalled root's extra steps (PREINSTALL_HOOKS). */
const PREINSTALL_RECIPE = 1;

/** The kinds of root (module note). */
export type RootKind = 'bare' | 'preinstalled';

/**
 * postgresql-common's createcluster.d file of roles/patroni/tasks/install-Debian.yml,
 * byte for byte (the role then finds it in place): no default cluster.
 */
const NO_MAIN_CLUSTER =
  '# Written by the Pharos playbook: Patroni creates and runs the cluster.\ncreate_main_cluster = false\n';

/**
 * The preinstalled root's extra mmdebstrap hooks: the createcluster.d file
 * before anything is installed (essential hook), then the playbook's
 * packages installed and etcd and the apt-daily timers disabled (customize
 * hook; mmdebstrap's policy-rc.d keeps every daemon stopped meanwhile).
 */
const PREINSTALL_HOOKS = [
  `--essential-hook=mkdir -p "$1/etc/postgresql-common/createcluster.d" && printf '${NO_MAIN_CLUSTER}' > "$1/etc/postgresql-common/createcluster.d/00-pharos.conf"`,
  `--customize-hook=chroot "$1" apt-get install -y --no-install-recommends ${PLAYBOOK_PACKAGES.join(' ')}`,
  '--customize-hook=chroot "$1" systemctl disable etcd.service apt-daily.timer apt-daily-upgrade.timer',
  // what must hold, or the cache entry is not made: no cluster, etcd off
  '--customize-hook=test ! -e "$1/etc/postgresql/17/main" && ! chroot "$1" systemctl is-enabled --quiet etcd.service',
];

/** The cache key of a root: suite, package lists, recipe (and the preinstalled root's steps). */
export function rootImageKey(suite = 'trixie', kind: RootKind = 'bare'): string {
  const recipe =
    kind === 'bare'
      ? { suite, ROOT_PACKAGES, PLAYBOOK_PACKAGES, RECIPE }
      : { suite, ROOT_PACKAGES, PLAYBOOK_PACKAGES, RECIPE, PREINSTALL_RECIPE, PREINSTALL_HOOKS };
  return createHash('sha256').update(JSON.stringify(recipe)).digest('hex').slice(0, 12);
}

/**
 * Returns the path of a Debian 13 root directory of `kind`, building it
 * with mmdebstrap when the cache has none (about 2 minutes, mostly
 * downloads; 3-4 for the preinstalled one; `log` gets the progress). The
 * directory must not be changed: hosts boot from overlays on top of it.
 * @throws Error naming mmdebstrap's last output lines when the build fails.
 */
export async function ensureRootImage(
  log: (line: string) => void,
  kind: RootKind = 'bare',
  cacheDir = ROOT_CACHE_DIR,
): Promise<string> {
  const dir = join(
    cacheDir,
    kind === 'bare' ? `debian13-${rootImageKey()}` : `debian13-preinstalled-${rootImageKey('trixie', kind)}`,
  );
  const root = join(dir, 'root');
  if (existsSync(join(dir, 'complete'))) return root;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const building = join(dir, 'root.building');
  log(`building a Debian 13 root (${kind}) with mmdebstrap in ${dir} (cached for later runs)`);
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
        ...(kind === 'preinstalled' ? PREINSTALL_HOOKS : []),
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
