import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ackEdges, collapse, formatTimeline, rel } from './gap-trace.js';

describe('gap timelines', () => {
  it('ackEdges: the last acknowledgement before the gap and the first after it', () => {
    assert.deepEqual(ackEdges('w', [100, 200, 900, 1000], 201, 900), [
      { atMs: 200, who: 'w', what: 'last acknowledged write before the gap' },
      { atMs: 900, who: 'w', what: 'first acknowledged write after the gap' },
    ]);
    // a writer that never resumed has no "after" line
    assert.deepEqual(ackEdges('w', [100, 200], 201, 900), [
      { atMs: 200, who: 'w', what: 'last acknowledged write before the gap' },
    ]);
  });

  it('collapse: repeats of one writer merge with a count and the last time; other writers keep theirs', () => {
    const lines = [
      { atMs: 1300, who: 'a', what: 'refused' },
      { atMs: 1000, who: 'a', what: 'refused' },
      { atMs: 1100, who: 'b', what: 'timeout' },
      { atMs: 1200, who: 'a', what: 'refused' },
      { atMs: 1400, who: 'a', what: 'ok' },
    ];
    assert.deepEqual(collapse(lines, 1000), [
      { atMs: 1000, who: 'a', what: 'refused (×3 until +0.300 s)' },
      { atMs: 1100, who: 'b', what: 'timeout' },
      { atMs: 1400, who: 'a', what: 'ok' },
    ]);
  });

  it('rel and formatTimeline: times relative to the fault, only the window', () => {
    assert.equal(rel(500, 1000), '-0.500 s');
    assert.equal(rel(2250, 1000), '+1.250 s');
    const text = formatTimeline(
      [
        { atMs: 900, who: 'fault', what: 'before the window' },
        { atMs: 2000, who: 'pharos', what: 'attempt' },
      ],
      1000,
      1500,
      3000,
    );
    assert.equal(text, `${'+1.000 s'.padStart(10)}  ${'pharos'.padEnd(24)} attempt`);
  });
});
