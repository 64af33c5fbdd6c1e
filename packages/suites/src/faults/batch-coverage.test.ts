import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { coverage } from './batch-coverage.js';

const b = (first: number, last: number) => ({ first, last, sampleCount: last - first + 1 });

describe('batch coverage', () => {
  it('is complete for consecutive batches', () => {
    assert.deepEqual(coverage([b(1, 5), b(6, 9), b(10, 10)], 1, 10), {
      missing: 0,
      duplicated: 0,
      irregular: 0,
      examples: [],
    });
  });
  it('finds missing ids between batches and after the last', () => {
    const c = coverage([b(1, 5), b(8, 9)], 1, 12);
    assert.equal(c.missing, 2 + 3);
    assert.deepEqual(c.examples, ['missing 6..7', 'missing 10..12']);
  });
  it('does not count ids a killed agent never made durable', () => {
    assert.equal(coverage([b(1, 5), b(8, 9)], 1, 9, [{ from: 6, to: 7 }]).missing, 0);
  });
  it('counts ids stored in two batches', () => {
    const c = coverage([b(1, 5), b(4, 8)], 1, 8);
    assert.equal(c.duplicated, 2);
    assert.equal(c.missing, 0);
  });
  it('flags a batch whose count does not match its range', () => {
    assert.equal(coverage([{ first: 1, last: 5, sampleCount: 4 }], 1, 5).irregular, 1);
  });
  it('only looks inside the window', () => {
    assert.equal(coverage([b(1, 5), b(20, 30)], 3, 25).missing, 14);
  });
});
