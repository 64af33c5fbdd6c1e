import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatSummary, median, percentile, summarize } from './stats.js';

describe('stats', () => {
  it('median of odd and even counts', () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 2, 3]), 2.5);
  });
  it('nearest-rank percentiles', () => {
    const s = Array.from({ length: 20 }, (_, i) => i + 1);
    assert.equal(percentile(s, 5), 1);
    assert.equal(percentile(s, 95), 19);
  });
  it('summarises with spread and formats', () => {
    const x = summarize([1.5, 0.5, 1], 's');
    assert.deepEqual(x, { runs: 3, median: 1, min: 0.5, max: 1.5, p5: 0.5, p95: 1.5, unit: 's' });
    assert.equal(formatSummary(x), '1.00 s (0.50–1.50, 3 runs)');
    assert.equal(formatSummary(summarize([], 's')), '—');
  });
});
