// The web package's copy of the probe columns (packages/web/contract/probe-columns.ts) is
// the agent's catalog as scripts/probe-columns.mjs writes it: this fails while it is stale.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { currentModule, probeColumnsModule, TARGET } from './probe-columns.mjs';

describe('probe columns for the web package', () => {
  it('is the agent catalog as generated (run node scripts/probe-columns.mjs when this fails)', async () => {
    assert.equal(readFileSync(TARGET, 'utf8'), await currentModule());
  });

  it('writes each column with its value type, unit and counter mark', () => {
    const text = probeColumnsModule([
      {
        name: 'cpu',
        level: 'agent',
        columns: [
          { name: 'busy_pct', type: 'double', unit: 'percent' },
          { name: 'ticks', type: 'bigint', unit: 'count', counter: true },
        ],
      },
      {
        name: 'locks',
        level: 'server',
        objectColumn: 'mode',
        columns: [{ name: 'mode', type: 'text', unit: 'text' }],
      },
    ]);
    assert.match(text, /cpu: \['busy_pct', 'ticks'\],\n {2}locks: \['mode'\],/);
    assert.match(text, /\/\*\* percent \*\/\n {4}busy_pct: number \| null;/);
    assert.match(text, /\/\*\* count, counter \*\/\n {4}ticks: number \| string \| null;/);
    assert.match(text, /\/\*\* server probe; object: mode \*\/\n {2}locks: \{/);
    assert.throws(
      () =>
        probeColumnsModule([
          { name: 'x', level: 'agent', columns: [{ name: 'y', type: 'money', unit: 'count' }] },
        ]),
      /probe x: column y has type money/,
    );
  });
});
