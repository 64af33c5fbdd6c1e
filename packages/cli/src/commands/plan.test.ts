/**
 * `pharos plan` as an operator runs it (the real CLI, a child process) on
 * hostile input: every bad topology value and every unusable file or
 * directory ends with exit code 2, one message naming the field or the
 * flag, no stack trace, and nothing written (security review M6 and L8).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

const PHAROS = new URL('../../bin/pharos.js', import.meta.url).pathname;
const SEED = new URL('../../../../examples/seed-sm.topology.yml', import.meta.url).pathname;

/** Runs `pharos plan ...args` with a 30 s bound. */
function plan(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [PHAROS, 'plan', ...args], { encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Exit 2, the message matching `message`, and no stack trace. */
function refused(r: ReturnType<typeof plan>, message: RegExp): void {
  assert.equal(r.status, 2, `exit code; stderr: ${r.stderr}`);
  assert.match(r.stderr, message);
  assert.doesNotMatch(r.stderr, /^\s+at /m, 'no stack trace');
}

describe('pharos plan on hostile input', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pharos-plan-cli-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const seed = readFileSync(SEED, 'utf8');

  /** The seed topology with `postgres.data_dir` (or another field) replaced by `value`, as YAML. */
  const withDataDir = (value: string, field = 'data_dir') => {
    const path = join(dir, `${field}-${Buffer.from(value).toString('hex').slice(0, 24)}.yml`);
    const line =
      field === 'data_dir' ? /data_dir: \/var\/lib\/pgsql\/17\/data/ : /bin_dir: \/usr\/pgsql-17\/bin/;
    writeFileSync(path, seed.replace(line, `${field}: ${JSON.stringify(value)}`));
    return path;
  };

  const hostile = ['/', '', 'a b', 'x; touch y', '../..', 'relative/data', '/var/lib/$(id)', "/it's"];
  for (const field of ['data_dir', 'bin_dir']) {
    for (const value of hostile) {
      it(`postgres.${field} ${JSON.stringify(value)}: exit 2 naming the field, nothing written`, () => {
        const out = join(dir, `out-${field}-${hostile.indexOf(value)}`);
        const r = plan('--topology', withDataDir(value, field), '--out', out);
        refused(r, new RegExp(`postgres\\.${field}: `));
        assert.ok(!existsSync(out), 'no plan written');
        assert.ok(!existsSync(join(dir, 'y')), 'nothing ran');
      });
    }
  }

  it('a YAML alias bomb: exit 2 naming the file, no ReferenceError', () => {
    const bomb = join(dir, 'bomb.yml');
    const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i <= 9; i++)
      lines.push(
        `a${i}: &a${i} [${Array(9)
          .fill(`*a${i - 1}`)
          .join(', ')}]`,
      );
    writeFileSync(bomb, `${lines.join('\n')}\n`);
    const r = plan('--topology', bomb, '--out', join(dir, 'bomb-out'));
    refused(r, /bomb\.yml: not usable YAML: aliases expand too much/);
    assert.doesNotMatch(r.stderr, /ReferenceError/);
  });

  it('--topology /dev/zero: refused at once, not read', () => {
    const t0 = Date.now();
    refused(
      plan('--topology', '/dev/zero', '--out', join(dir, 'zero-out')),
      /\/dev\/zero: .*not a regular file/,
    );
    assert.ok(Date.now() - t0 < 20_000);
  });

  it('a topology over 1 MiB: refused', () => {
    const big = join(dir, 'big.yml');
    writeFileSync(big, `${seed}# ${'k'.repeat(1024 * 1024)}\n`);
    refused(
      plan('--topology', big, '--out', join(dir, 'big-out')),
      /big\.yml: cannot read the topology file: it is \d+ bytes; at most/,
    );
  });

  it('--out with a missing parent: exit 2 naming --out and the parent', () => {
    refused(
      plan('--topology', SEED, '--out', join(dir, 'missing', 'plan')),
      /--out .*missing\/plan: its parent directory .*missing does not exist/,
    );
    refused(plan('--topology', SEED, '--out', '/proc/pharos-plan'), /--out \/proc\/pharos-plan: /);
  });
});
