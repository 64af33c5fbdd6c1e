/**
 * The `pharos` command's usage errors and help, run as a user runs it
 * (bin/pharos.js in a child process): an unknown command is an error even
 * with --help; a usage error prints the error, commander's "Did you mean"
 * and one line naming the help, not the whole help; configure's help shows
 * the reference's short flags; operator errors print no stack trace.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type RunResult, runProgram } from '@pharos/testkit/postgres/postgres-server';
import { CONFIGURE_SHORT_FLAGS } from './commands/configure/flags.js';

const BIN = new URL('../bin/pharos.js', import.meta.url).pathname;
const pharos = (...args: string[]): Promise<RunResult> => runProgram(process.execPath, [BIN, ...args]);

/** Asserts a usage error: exit 2, `error` (ending PHAROS_CLI_USAGE) and `hint` on stderr, no help text, no stack trace. */
function assertUsageError(r: RunResult, error: RegExp, hint: string): void {
  assert.equal(r.code, 2, r.stderr);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, error);
  assert.equal(r.stderr.trimEnd().split('\n').at(-1), hint);
  assert.doesNotMatch(r.stderr, /Usage:|Options:|\n {4}at /);
}

describe('pharos usage errors and help', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'pharos-main-test-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('pharos nosuch --help is an error naming nosuch (exit 2), not the top-level help', async () => {
    assertUsageError(
      await pharos('nosuch', '--help'),
      /^pharos: unknown command 'nosuch' \[PHAROS_CLI_USAGE\]$/m,
      "Run 'pharos --help' for usage.",
    );
    assertUsageError(
      await pharos('help', 'nosuch'),
      /^pharos: unknown command 'nosuch' \[PHAROS_CLI_USAGE\]$/m,
      "Run 'pharos --help' for usage.",
    );
  });

  it('keeps the "Did you mean" suggestions, with one line naming the help', async () => {
    assertUsageError(
      await pharos('chek', '--help'),
      /^pharos: unknown command 'chek' \[PHAROS_CLI_USAGE\]\n\(Did you mean check\?\)$/m,
      "Run 'pharos --help' for usage.",
    );
    assertUsageError(
      await pharos('lab', 'stauts'),
      /^pharos: unknown command 'stauts' \[PHAROS_CLI_USAGE\]\n\(Did you mean status\?\)$/m,
      "Run 'pharos lab --help' for usage.",
    );
    assertUsageError(
      await pharos('configure', '--typ', '3'),
      /^pharos: unknown option '--typ' \[PHAROS_CLI_USAGE\]\n\(Did you mean --type\?\)$/m,
      "Run 'pharos configure --help' for usage.",
    );
    assertUsageError(
      await pharos('check', '--timeout', '-1'),
      /--timeout: '-1' is not a positive number \[PHAROS_CLI_USAGE\]$/m,
      "Run 'pharos check --help' for usage.",
    );
  });

  it('a known command with --help still prints its help (exit 0)', async () => {
    const r = await pharos('lab', '--help');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Usage: pharos lab /m);
  });

  it('configure --help shows each of the reference short flags beside its long flag', async () => {
    const r = await pharos('configure', '--help');
    assert.equal(r.code, 0, r.stderr);
    for (const [short, long] of Object.entries(CONFIGURE_SHORT_FLAGS)) {
      assert.match(r.stdout, new RegExp(`^ {2}${short}, ${long}\\b`, 'm'), `${short}, ${long}`);
    }
  });

  it('prints no stack trace for an unusable topology file or --out directory', async () => {
    // nine levels of nine aliases: the yaml library refuses to expand it
    const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 9; i++)
      lines.push(
        `a${i}: &a${i} [${Array(9)
          .fill(`*a${i - 1}`)
          .join(', ')}]`,
      );
    const bomb = join(dir, 'bomb.yml');
    writeFileSync(bomb, `${lines.join('\n')}\ncluster: *a8\n`);
    const r = await pharos('plan', '--topology', bomb, '--format', 'json');
    assert.equal(r.code, 2, r.stderr);
    assert.equal(
      r.stderr,
      `pharos: ${bomb}: not usable YAML: aliases expand too much (more than 100 aliased nodes; a topology file needs none): Excessive alias count indicates a resource exhaustion attack [PHAROS_TOPOLOGY_YAML_UNUSABLE]\n`,
    );

    const topology = new URL('../../../examples/seed-sm.topology.yml', import.meta.url).pathname;
    const out = join(dir, 'missing', 'plan');
    const p = await pharos('plan', '--topology', topology, '--out', out);
    assert.equal(p.code, 2, p.stderr);
    assert.match(
      p.stderr,
      new RegExp(
        `^pharos: --out ${out}: its parent directory ${join(dir, 'missing')} does not exist; create it first \\[PHAROS_PLAN_OUT_PARENT_MISSING\\]$`,
        'm',
      ),
    );
    assert.equal(p.stderr.split('\n').length, 2, p.stderr);
  });
});
