/**
 * Issue 12's acceptance: scripts/install-system.sh never changes the host's
 * distribution. It runs against fresh Debian minbase roots
 * (testing/debian-root.ts; PHAROS_APT_ROOT makes the script chroot):
 *
 * - Debian 12: /etc/os-release still says 12; every package installed before
 *   keeps its version; the packages whose installed version only Debian 13
 *   carries are exactly the documented list (README "What gets installed");
 *   a later `apt-get dist-upgrade` would take nothing from Debian 13 (the
 *   pin); a second run prints "system packages: all present" and installs
 *   nothing.
 * - Debian 13: the same, every installed version is Debian 13's, and no
 *   trixie source or pin file is written.
 * - Debian 12 with Debian 12's python3-cdiff installed (a dependency of
 *   Debian 12's patroni 3.0.2, which Debian 13's python3-ydiff breaks):
 *   the script refuses, exit 1, naming python3-cdiff, and dpkg's state is
 *   unchanged.
 *
 * The three run concurrently. The first run builds the cached roots
 * (mmdebstrap) and downloads every package; later runs download nothing.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type RunResult, runProgram } from '@pharos/testkit/postgres/postgres-server';
import { copyRoot, type DebianRoot, ROOT_PATH, runInOk } from './debian-root.js';

const SCRIPT = new URL('../../../../scripts/install-system.sh', import.meta.url).pathname;
const README = new URL('../../../../README.md', import.meta.url).pathname;
/** What Debian 12 takes from Debian 13: the script's TRIXIE_ALLOWED and the README's list. */
const TRIXIE_ON_12 = ['etcd-client', 'etcd-server', 'patroni', 'python3-click', 'python3-ydiff'];
const PIN = 'etc/apt/preferences.d/pharos-trixie';
const SOURCES = 'etc/apt/sources.list.d/pharos-trixie.sources';
const HOOK_TIMEOUT_MS = 840_000;

function installSystem(root: DebianRoot): Promise<RunResult> {
  return runProgram('bash', [SCRIPT], {
    env: { ...process.env, PATH: ROOT_PATH, PHAROS_APT_ROOT: root.dir },
  });
}

/** `name old -> new` for each package of `before` whose version changed or that is gone. */
function changed(before: Map<string, string>, after: Map<string, string>): string[] {
  return [...before]
    .filter(([name, v]) => after.get(name) !== v)
    .map(([name, v]) => `${name} ${v} -> ${after.get(name) ?? 'removed'}`);
}

/** Installed packages whose installed version no configured archive carries. */
function unknownOrigin(releases: Map<string, Set<number>>): string[] {
  return [...releases].filter(([, r]) => r.size === 0).map(([n]) => n);
}

const output = (r: RunResult) => `exit ${r.code}\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`;

describe('scripts/install-system.sh on fresh Debian roots', { concurrency: true }, () => {
  before(() => {
    assert.equal(process.getuid?.(), 0, 'this test needs root (mmdebstrap, chroot)');
  });

  it('lists the documented Debian 13 packages in the script and the README', () => {
    const script = readFileSync(SCRIPT, 'utf8');
    const allowed = /^TRIXIE_ALLOWED=\(([^)]*)\)/m.exec(script)?.[1]?.trim().split(/\s+/);
    assert.deepEqual([...(allowed ?? [])].sort(), TRIXIE_ON_12);
    const readme = readFileSync(README, 'utf8');
    for (const name of TRIXIE_ON_12) assert.match(readme, new RegExp(`\\b${name}\\b`), `README: ${name}`);
  });

  describe('Debian 12 (bookworm)', { concurrency: false }, () => {
    let root: DebianRoot;
    let before12: Map<string, string>;
    let first: RunResult;

    before(
      async () => {
        root = await copyRoot('bookworm');
        before12 = await root.installed();
        first = await installSystem(root);
        root.saveDownloads();
      },
      { timeout: HOOK_TIMEOUT_MS },
    );
    after(() => root?.remove());

    it('installs, and /etc/os-release still says 12', () => {
      assert.equal(first.code, 0, output(first));
      assert.match(first.stdout, /^system packages: done$/m);
      assert.equal(root.versionId(), '12');
    });

    it('keeps the version of every package installed before', async () => {
      const now = await root.installed();
      assert.deepEqual(changed(before12, now), []);
      assert.ok(now.size > before12.size + 40, `only ${now.size - before12.size} packages installed`);
      process.stdout.write(
        `# Debian 12 root: ${before12.size} packages before, ${now.size} after: ${now.size - before12.size} new, 0 upgraded, 0 removed\n`,
      );
    });

    it('takes from Debian 13 exactly the documented packages', async () => {
      const releases = await root.releasesOfInstalled();
      assert.deepEqual(unknownOrigin(releases), []);
      const from13 = [...releases].filter(([, r]) => !r.has(12)).map(([n]) => n);
      assert.deepEqual(from13.sort(), TRIXIE_ON_12);
      for (const n of from13) assert.ok(releases.get(n)!.has(13), n);
    });

    it('pins Debian 13 so that a later dist-upgrade takes nothing from it', async () => {
      const pin = readFileSync(join(root.dir, PIN), 'utf8');
      assert.match(pin, /^Package: \*\nPin: release n=trixie\nPin-Priority: 100$/m);
      const named = /^Package: (?!\*)(.*)\nPin: release n=trixie\nPin-Priority: 500$/m.exec(pin)?.[1];
      assert.deepEqual(named?.split(' ').sort(), TRIXIE_ON_12, pin);
      const plan = await runInOk(root.dir, ['apt-get', '-s', 'dist-upgrade']);
      const from13 = plan.split('\n').filter((l) => /^Inst .*Debian:13/.test(l) && !/Debian:12/.test(l));
      assert.deepEqual(from13, []);
    });

    it('a second run installs nothing', async () => {
      const installed = await root.installed();
      const second = await installSystem(root);
      assert.equal(second.code, 0, output(second));
      assert.equal(second.stdout.trim(), 'system packages: all present');
      assert.deepEqual(await root.installed(), installed);
    });
  });

  describe('Debian 13 (trixie)', { concurrency: false }, () => {
    let root: DebianRoot;
    let before13: Map<string, string>;
    let first: RunResult;

    before(
      async () => {
        root = await copyRoot('trixie');
        before13 = await root.installed();
        first = await installSystem(root);
        root.saveDownloads();
      },
      { timeout: HOOK_TIMEOUT_MS },
    );
    after(() => root?.remove());

    it('installs, writes no trixie source or pin, and /etc/os-release still says 13', () => {
      assert.equal(first.code, 0, output(first));
      assert.match(first.stdout, /^system packages: done$/m);
      assert.equal(root.versionId(), '13');
      assert.equal(existsSync(join(root.dir, PIN)), false);
      assert.equal(existsSync(join(root.dir, SOURCES)), false);
    });

    it('keeps the version of every package installed before', async () => {
      const now = await root.installed();
      assert.deepEqual(changed(before13, now), []);
      process.stdout.write(
        `# Debian 13 root: ${before13.size} packages before, ${now.size} after: ${now.size - before13.size} new, 0 upgraded, 0 removed\n`,
      );
    });

    it('takes every package from Debian 13', async () => {
      const releases = await root.releasesOfInstalled();
      assert.deepEqual(unknownOrigin(releases), []);
      const other = [...releases].filter(([, r]) => !r.has(13)).map(([n, r]) => `${n} (${[...r]})`);
      assert.deepEqual(other, []);
    });

    it('a second run installs nothing', async () => {
      const installed = await root.installed();
      const second = await installSystem(root);
      assert.equal(second.code, 0, output(second));
      assert.equal(second.stdout.trim(), 'system packages: all present');
      assert.deepEqual(await root.installed(), installed);
    });
  });

  describe('Debian 12 with a package the install would have to remove', { concurrency: false }, () => {
    let root: DebianRoot;

    before(
      async () => {
        root = await copyRoot('bookworm');
        // Debian 12's own python3-cdiff (patroni 3.0.2 depends on it); Debian 13's python3-ydiff breaks it.
        await runInOk(root.dir, [
          'apt-get',
          'install',
          '-y',
          '-qq',
          '--no-install-recommends',
          'python3-cdiff',
        ]);
      },
      { timeout: HOOK_TIMEOUT_MS },
    );
    after(() => root?.remove());

    it('refuses with exit 1 naming python3-cdiff, and installs nothing', async () => {
      const installed = await root.installed();
      assert.ok(installed.has('python3-cdiff'));
      const r = await installSystem(root);
      assert.equal(r.code, 1, output(r));
      assert.match(r.stderr, /^install-system: nothing was installed/m);
      assert.match(r.stderr, /^ {2}- python3-cdiff: apt would (remove|upgrade) it/m);
      assert.deepEqual(await root.installed(), installed);
    });
  });
});
