import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { LogSet, tailOf, testLogs, watchLogs } from './log-set.js';
import { FatalWaitError, WaitTimeoutError, waitFor } from './wait-for.js';

const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});
async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'pharos-kit-'));
  dirs.push(d);
  return d;
}

describe('waitFor', () => {
  it('resolves with the first value that is not undefined, null or false', async () => {
    let n = 0;
    const v = await waitFor('n to reach 3', () => (++n >= 3 ? { n } : n === 1 ? null : false), {
      intervalMs: 1,
    });
    assert.deepEqual(v, { n: 3 });
    assert.equal(await waitFor('zero', () => 0), 0, '0 is a value');
    assert.equal(await waitFor('empty text', async () => ''), '');
  });

  it('retries a condition that throws', async () => {
    let n = 0;
    const v = await waitFor(
      'a flaky check',
      () => {
        if (++n < 3) throw new Error('not yet');
        return 'ok';
      },
      { intervalMs: 1 },
    );
    assert.equal(v, 'ok');
  });

  it('says what it waited for, the last value and error, and the state, on timeout', async () => {
    let n = 0;
    const err = await waitFor(
      'the answer',
      () => {
        n++;
        if (n % 2 === 0) throw new Error(`refused ${n}`);
        return false;
      },
      { deadlineMs: 60, intervalMs: 5, logs: null, state: () => ({ tries: n }) },
    ).catch((e: unknown) => e);
    assert.ok(err instanceof WaitTimeoutError);
    assert.match(err.message, /^timed out after 0\.1 s waiting for the answer; /);
    assert.match(err.message, /last value: false/);
    assert.match(err.message, /state: \{"tries":\d+\}/);
    // the last round either returned false or threw: the message reports the error only when the last round threw
    if (err.lastError) assert.match(err.message, /last error: refused \d+/);
    assert.ok(!err.message.includes('logs of the processes'), 'logs: null dumps nothing');
  });

  it('dumps the tails of the watched logs on timeout', async () => {
    const dir = await tempDir();
    const a = join(dir, 'a.log');
    await writeFile(a, `${Array.from({ length: 30 }, (_, i) => `line ${i}`).join('\n')}\n`);
    const unwatch = watchLogs(a, join(dir, 'missing.log'));
    try {
      const err = (await waitFor('nothing', () => false, { deadlineMs: 10, logLines: 3 }).catch(
        (e: unknown) => e,
      )) as Error;
      assert.match(err.message, /logs of the processes this test started:/);
      assert.ok(err.message.includes(`--- ${a} ---\nline 27\nline 28\nline 29`), err.message);
      assert.ok(!err.message.includes('line 26'));
      assert.ok(err.message.includes(`--- ${join(dir, 'missing.log')} ---\n(empty)`));
    } finally {
      unwatch();
    }
    assert.deepEqual(testLogs.files(), [], 'unwatch removes them');
  });

  it('stops at once on a FatalWaitError (also one named so by another module)', async () => {
    const t0 = Date.now();
    await assert.rejects(
      waitFor('a dead process', () => {
        throw new FatalWaitError('it exited');
      }),
      /it exited/,
    );
    class OpsFatal extends Error {
      override name = 'FatalWaitError';
    }
    await assert.rejects(
      waitFor('a dead process', () => {
        throw new OpsFatal('gone');
      }),
      /gone/,
    );
    assert.ok(Date.now() - t0 < 5_000);
  });
});

describe('LogSet', () => {
  it('expands directories to their *.log files and calls listing functions', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'b.log'), 'b1\n');
    await writeFile(join(dir, 'a.log'), 'a1\na2\n');
    await writeFile(join(dir, 'notes.txt'), 'x\n');
    const set = new LogSet();
    const other = join(dir, 'other.out');
    await writeFile(other, 'o\n');
    set.watch(dir, () => [other]);
    set.watch(() => {
      throw new Error('the lab state is gone');
    });
    assert.deepEqual(set.files(), [join(dir, 'a.log'), join(dir, 'b.log'), other]);
    assert.equal(
      set.dump(1),
      `--- ${join(dir, 'a.log')} ---\na2\n--- ${join(dir, 'b.log')} ---\nb1\n--- ${other} ---\no`,
    );
    assert.equal(new LogSet().dump(), '');
    assert.equal(tailOf(join(dir, 'none')), '');
  });
});
