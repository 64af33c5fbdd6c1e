/**
 * Fresh Debian roots for testing scripts/install-system.sh, made as DESIGN.md
 * §5 makes Debian roots: `mmdebstrap --variant=minbase CODENAME` (essential
 * packages and apt; its sources name that release, its -updates and
 * -security suites). One root per release is cached; every test works on a
 * throw-away copy, entered with chroot(8) (apt and dpkg need neither /proc
 * nor /dev/pts mounted there). Needs root.
 *
 * Cache, per codename, under /var/cache/pharos-test/debian-roots/CODENAME/
 * (PHAROS_TEST_CACHE replaces /var/cache/pharos-test):
 *   root/      the minbase root; built when absent (about 1-2 min). Before its
 *              first use in a process it is brought up to date within its own
 *              release (`apt-get update && apt-get upgrade`): a root behind its
 *              release's updates would make install-system.sh refuse, rightly,
 *              to upgrade the packages a new one needs, for the wrong reason.
 *   archives/  the .deb files earlier runs downloaded (newest version of each
 *              package), hard-linked into a copy's apt cache before a run and
 *              back after it, so a cached run downloads nothing.
 *
 * Copies go to /var/tmp (the cache's file system: `cp -a` and hard links are
 * quick). In a copy dpkg runs with force-unsafe-io (no fsync; the copy is
 * thrown away), which changes no package decision.
 */
import {
  existsSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { type RunResult, runProgram } from '@pharos/testkit/postgres/postgres-server';
import { parseDpkgQuery, parseMadison, releasesOfInstalled } from './package-origin.js';

/** PATH for commands in a root and for the script that enters it. */
export const ROOT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

const CACHE = join(process.env.PHAROS_TEST_CACHE ?? '/var/cache/pharos-test', 'debian-roots');

function chrootEnv(): NodeJS.ProcessEnv {
  return { PATH: ROOT_PATH, LANG: 'C.UTF-8', HOME: '/root', DEBIAN_FRONTEND: 'noninteractive' };
}

/** Runs `args` inside the root at `dir` (chroot); never rejects for a non-zero exit. */
export function runIn(dir: string, args: string[]): Promise<RunResult> {
  return runProgram('chroot', [dir, ...args], { env: chrootEnv() });
}

/** Like {@link runIn}; rejects naming the command and its output when the exit code is not 0. */
export async function runInOk(dir: string, args: string[]): Promise<string> {
  const r = await runIn(dir, args);
  if (r.code !== 0) {
    throw new Error(`in ${dir}: ${args.join(' ')} exited ${r.code}: ${(r.stderr || r.stdout).trim()}`);
  }
  return r.stdout;
}

async function runOk(cmd: string, args: string[]): Promise<string> {
  const r = await runProgram(cmd, args, { env: { ...process.env, PATH: ROOT_PATH } });
  if (r.code !== 0)
    throw new Error(`${cmd} ${args.join(' ')} exited ${r.code}: ${(r.stderr || r.stdout).trim()}`);
  return r.stdout;
}

/** Keeps services from starting in the root while apt runs (invoke-rc.d's policy, exit 101 = forbidden). */
function forbidServices(dir: string): void {
  writeFileSync(join(dir, 'usr/sbin/policy-rc.d'), '#!/bin/sh\nexit 101\n', { mode: 0o755 });
}

async function buildRoot(codename: string, root: string): Promise<void> {
  const partial = `${root}.partial`;
  rmSync(partial, { recursive: true, force: true });
  await runOk('mmdebstrap', ['--variant=minbase', codename, partial]);
  renameSync(partial, root);
}

/** Brings the cached root up to date within its own release (its sources name no other). */
async function refreshRoot(root: string): Promise<void> {
  writeFileSync(join(root, 'etc/resolv.conf'), readFileSync('/etc/resolv.conf'));
  forbidServices(root);
  try {
    await runInOk(root, ['apt-get', 'update', '-qq']);
    await runInOk(root, ['apt-get', 'upgrade', '-y', '-qq']);
    await runInOk(root, ['apt-get', 'clean']);
  } finally {
    rmSync(join(root, 'usr/sbin/policy-rc.d'), { force: true });
  }
}

const ready = new Map<string, Promise<string>>();

/**
 * The cached minbase root of `codename` (bookworm, trixie), built when absent
 * and brought up to date once per process. Resolves with its directory.
 */
export function cachedRoot(codename: string): Promise<string> {
  let p = ready.get(codename);
  if (!p) {
    p = (async () => {
      const root = join(CACHE, codename, 'root');
      mkdirSync(join(CACHE, codename, 'archives'), { recursive: true });
      if (!existsSync(join(root, 'etc/os-release'))) await buildRoot(codename, root);
      await refreshRoot(root);
      return root;
    })();
    ready.set(codename, p);
  }
  return p;
}

/** A throw-away copy of a cached root. */
export interface DebianRoot {
  codename: string;
  dir: string;
  /** VERSION_ID of the root's /etc/os-release ("12"). */
  versionId(): string;
  /** Installed packages, name -> version (dpkg-query, status `ii`). */
  installed(): Promise<Map<string, string>>;
  /** Per installed package, the releases whose configured archives carry its installed version. */
  releasesOfInstalled(): Promise<Map<string, Set<number>>>;
  /** Hard-links the .deb files this copy downloaded into the cache (newest version of each package kept). */
  saveDownloads(): void;
  /** Deletes the copy (kept when PHAROS_KEEP_ROOT=1). */
  remove(): void;
}

const debName = (file: string) => file.split('_')[0]!;

/** Copies the cached root of `codename` to a new directory under /var/tmp, with the cached downloads. */
export async function copyRoot(codename: string): Promise<DebianRoot> {
  const base = await cachedRoot(codename);
  const dir = mkdtempSync(`/var/tmp/pharos-test-root-${codename}-`);
  await runOk('cp', ['-a', '--reflink=auto', `${base}/.`, dir]);
  writeFileSync(join(dir, 'etc/dpkg/dpkg.cfg.d/pharos-test-unsafe-io'), 'force-unsafe-io\n');
  const cache = join(CACHE, codename, 'archives');
  const archives = join(dir, 'var/cache/apt/archives');
  for (const f of readdirSync(cache)) if (f.endsWith('.deb')) linkSync(join(cache, f), join(archives, f));
  // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own ${field} format (dpkg-query(1))
  const format = '${Package}\\t${Version}\\t${db:Status-Abbrev}\\n';
  const installed = async () => parseDpkgQuery(await runInOk(dir, ['dpkg-query', '-W', '-f', format]));
  return {
    codename,
    dir,
    versionId() {
      const m = /^VERSION_ID="?([^"\n]*)"?$/m.exec(readFileSync(join(dir, 'etc/os-release'), 'utf8'));
      return m?.[1] ?? '';
    },
    installed,
    async releasesOfInstalled() {
      const packages = await installed();
      const madison = await runInOk(dir, ['apt-cache', 'madison', ...packages.keys()]);
      return releasesOfInstalled(packages, parseMadison(madison));
    },
    saveDownloads() {
      const cached = new Set(readdirSync(cache));
      for (const f of readdirSync(archives)) {
        if (!f.endsWith('.deb') || cached.has(f)) continue;
        for (const old of cached)
          if (old.endsWith('.deb') && debName(old) === debName(f)) rmSync(join(cache, old), { force: true });
        linkSync(join(archives, f), join(cache, f));
      }
    },
    remove() {
      if (process.env.PHAROS_KEEP_ROOT !== '1') rmSync(dir, { recursive: true, force: true });
    },
  };
}
