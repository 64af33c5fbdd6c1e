// `pharos probe add|check`: bad flags exit 2 naming the flag, before any request (no --url needed),
// with no stack trace; the flag parsers and the caret under an error's position.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runProgram } from '@pharos/testkit/postgres/postgres-server';
import { caretLines, columnsOf, sqlOf } from './probes.js';

const BIN = new URL('../../../bin/pharos.js', import.meta.url).pathname;
const pharos = (...args: string[]) => runProgram(process.execPath, [BIN, ...args]);

describe('pharos probe flags', () => {
  let dir: string;
  let file: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'pharos-probe-test-'));
    file = join(dir, 'q.sql');
    writeFileSync(file, 'SELECT 1 AS n\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('exits 2 naming the flag for bad input', async () => {
    const cases: [string[], RegExp][] = [
      [['--column', 'n:integer:count', '--check-on', '1'], /--sql: a file with the SQL text is required/],
      [
        ['--sql', join(dir, 'nope.sql'), '--column', 'n:integer:count', '--check-on', '1'],
        /--sql: .*nope\.sql does not exist/,
      ],
      [
        ['--sql', file, '--column', 'n-integer', '--check-on', '1'],
        /--column: .*n-integer.* is not name:type:unit/,
      ],
      [
        ['--sql', file, '--column', 'n:integer:count', '--check-on', 'x'],
        /--check-on: 'x' is not a positive integer/,
      ],
      [
        ['--sql', file, '--column', 'n:integer:count', '--check-on', '1', '--interval', '0'],
        /--interval: '0' is not a positive integer/,
      ],
    ];
    for (const [flags, message] of cases) {
      const r = await pharos('probe', 'add', 'custom_x', ...flags);
      assert.equal(r.code, 2, `${flags.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.doesNotMatch(r.stderr, /\n {4}at /);
    }
  });

  it('reads SQL per major and columns', () => {
    assert.deepEqual(sqlOf([file, `16=${file}`]), { '13': 'SELECT 1 AS n\n', '16': 'SELECT 1 AS n\n' });
    assert.deepEqual(columnsOf(['n:bigint:count:counter', 's:text:text']), [
      { name: 'n', type: 'bigint', unit: 'count', counter: true },
      { name: 's', type: 'text', unit: 'text' },
    ]);
    assert.deepEqual(caretLines('SELECT 1\n  FORM x', 12), ['line 2, character 3:', '  FORM x', '  ^']);
  });
});
