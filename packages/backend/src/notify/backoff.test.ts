import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { retryDelayS } from './backoff.js';

describe('retry backoff', () => {
  it('doubles from the base up to the maximum', () => {
    const p = { baseS: 10, maxS: 60, jitter: 0 };
    assert.deepEqual(
      [1, 2, 3, 4, 5, 50].map((n) => retryDelayS(n, p)),
      [10, 20, 40, 60, 60, 60],
    );
  });

  it('spreads by the jitter', () => {
    const p = { baseS: 10, maxS: 900, jitter: 0.2 };
    assert.equal(
      retryDelayS(1, p, () => 0),
      8,
    );
    assert.ok(Math.abs(retryDelayS(1, p, () => 0.999999) - 12) < 1e-4);
  });

  it('refuses attempt numbers below 1', () => {
    assert.throws(() => retryDelayS(0), RangeError);
  });
});
