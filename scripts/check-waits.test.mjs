// The no-fixed-wait rule (check-waits.mjs) fails on deliberate violations, honours the
// commented escape (and its limit), and passes on the tree.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { analyze, fixedWaitsOf, MAX_ESCAPES, readTests } from './check-waits.mjs';

const lines = (text) => fixedWaitsOf(text).map((w) => [w.line, w.escaped]);

describe('check-waits', () => {
  it('finds sleep(), timer-resolved promises and scheduler.wait', () => {
    const text = `const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
await sleep(300);
await new Promise((resolve) => setTimeout(resolve, 50));
await new Promise((r) => setTimeout(() => r(), 50));
for (let i = 0; i < 10 && !done; i++) await sleep(20);
await scheduler.wait(10);`;
    assert.deepEqual(lines(text), [
      [1, false],
      [2, false],
      [3, false],
      [4, false],
      [5, false],
      [6, false],
    ]);
  });

  it('finds setTimeout of node:timers/promises under its own name or an alias', () => {
    const text = `import { setImmediate, setTimeout as delay } from 'node:timers/promises';
import { setTimeout } from 'timers/promises';
await delay(100);
await setTimeout(5);
const x = delayed(1);`;
    assert.deepEqual(lines(text), [
      [3, false],
      [4, false],
    ]);
  });

  it('leaves conditions, SQL pg_sleep, methods, comments and scheduling callbacks alone', () => {
    const text = `await waitFor('rows', async () => (await count()) > 3);
await conn.query('select pg_sleep(3)');
await clock.sleep(50);
// await sleep(100) was here
/* sleep(1) */
upstream.on('data', (d) => setTimeout(() => client.write(d), delayMs));
const t = setTimeout(fire, ms);`;
    assert.deepEqual(lines(text), []);
  });

  it('accepts a fixed wait escaped with a reason, and counts the escapes', () => {
    const one = "await delay(50); // fixed-wait: the evaluators' poll interval is the workload\n";
    const bare = 'await delay(50); // fixed-wait:\n';
    const imp = "import { setTimeout as delay } from 'node:timers/promises';\n";
    assert.deepEqual(analyze({ 'a.test.ts': imp + one }), {
      problems: [],
      escapes: ["a.test.ts:2: await delay(50); // fixed-wait: the evaluators' poll interval is the workload"],
    });
    const { problems } = analyze({ 'b.test.ts': imp + bare });
    assert.equal(problems.length, 1, 'an escape without a reason is no escape');
    assert.match(
      problems[0],
      /^b\.test\.ts:2: a fixed wait in a test \(await delay\(50\); \/\/ fixed-wait:\)/,
    );
    const many = Object.fromEntries(
      Array.from({ length: MAX_ESCAPES + 1 }, (_, i) => [`t${i}.test.ts`, imp + one]),
    );
    const r = analyze(many);
    assert.equal(r.escapes.length, MAX_ESCAPES + 1);
    assert.deepEqual(r.problems, [
      `${MAX_ESCAPES + 1} escaped fixed waits (// fixed-wait:), more than ${MAX_ESCAPES}: turn one into a condition wait first`,
    ]);
  });

  it('passes on the tree', () => {
    const root = fileURLToPath(new URL('..', import.meta.url));
    const tests = readTests(root);
    assert.ok(Object.keys(tests).length > 50, 'the test files are read');
    assert.deepEqual(analyze(tests).problems, []);
  });
});
