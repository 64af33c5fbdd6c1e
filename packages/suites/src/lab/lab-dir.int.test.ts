/**
 * Issue 20: `pharos lab up --dir D` where the postgres OS user cannot enter
 * D (what `mktemp -d` makes: mode 0700, owned by root) fails in preflight
 * with exit code 2, naming D and the postgres user, and starts nothing.
 * Runs as root (the lab runs Patroni and PostgreSQL as postgres only then),
 * on a topology moved to 127.0.21.X so that a regression that did start
 * servers would collide with no other lab.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PharosError } from '@pharos/core/errors';
import { postgresUser } from '@pharos/ops/lab/backend-sql';
import { PHAROS_BIN } from '@pharos/ops/lab/context';
import { requireEnterable } from '@pharos/ops/lab/preflight';
import { writeShiftedTopology } from '@pharos/ops/testing/test-lab';
import { runProgram } from '@pharos/testkit/postgres/postgres-server';

/** PIDs of processes whose command line names `dir`. */
function processesNaming(dir: string): string[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(dir);
      } catch {
        return false;
      }
    });
}

describe('lab up in a directory the postgres user cannot enter', () => {
  let scratch: string;
  let topology: string;
  let pg: { uid: number; gid: number };

  before(() => {
    assert.equal(process.getuid?.(), 0, 'this test runs as root');
    const user = postgresUser();
    assert.ok(user, 'no postgres OS user: run scripts/install-system.sh');
    pg = user;
    scratch = mkdtempSync(join(tmpdir(), 'pharos-lab-dir-'));
    chmodSync(scratch, 0o755);
    topology = writeShiftedTopology('127.0.21', join(scratch, 'topology'));
  });
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it('fails in preflight with exit 2 naming the directory and the postgres user; nothing is started', async () => {
    const dir = mkdtempSync(join(scratch, 'mktemp-'));
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    const r = await runProgram(process.execPath, [
      PHAROS_BIN,
      'lab',
      'up',
      '--dir',
      dir,
      '--topology',
      topology,
    ]);
    assert.equal(r.code, 2, `${r.stdout}\n${r.stderr}`);
    assert.equal(
      r.stderr.split('\n')[0],
      `pharos: --dir ${dir}: the postgres user (uid ${pg.uid}), which runs Patroni and PostgreSQL, cannot enter ${dir} (mode 0700, owner uid 0); nothing was started. Use a directory it can reach (the default /var/tmp/pharos-lab, or a new one under /var/tmp), or let it through: chmod o+x ${dir} [PHAROS_LAB_DIR_NOT_ENTERABLE]`,
    );
    assert.doesNotMatch(r.stderr, /\n {4}at /, 'a stack trace');
    assert.doesNotMatch(r.stdout, /\[\d\/8\]/, 'a step was started');
    assert.deepEqual(readdirSync(dir), [], 'the lab wrote into the directory');
    assert.deepEqual(processesNaming(dir), []);
  });

  it('names the first directory on the way that stops the postgres user', () => {
    const parent = join(scratch, 'closed');
    mkdirSync(join(parent, 'open'), { recursive: true });
    chmodSync(parent, 0o700);
    chmodSync(join(parent, 'open'), 0o755);
    const user = { name: 'postgres', ...pg };
    assert.throws(
      () => requireEnterable(join(parent, 'open', 'lab'), user),
      (err: Error) =>
        err instanceof PharosError &&
        err.code === 'PHAROS_LAB_DIR_NOT_ENTERABLE' &&
        err.exitCode === 2 &&
        err.message.includes(`cannot enter ${parent} (mode 0700, owner uid 0)`),
    );
    chmodSync(parent, 0o711);
    // traversable now; 'lab' does not exist yet (lab up makes it, mode 0755)
    requireEnterable(join(parent, 'open', 'lab'), user);
  });
});
