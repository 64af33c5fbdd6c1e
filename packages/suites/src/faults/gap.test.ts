import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { longestGap } from './gap.js';

describe('longestGap', () => {
  it('finds the longest stretch between acknowledgements inside the window', () => {
    const acks = [0, 100, 200, 1700, 1800, 1900];
    assert.deepEqual(longestGap(acks, 150, 1850), { gapMs: 1500, fromMs: 200, toMs: 1700 });
  });
  it('opens the window with the last acknowledgement before it', () => {
    assert.deepEqual(longestGap([0, 900, 1000], 500, 1000), { gapMs: 900, fromMs: 0, toMs: 900 });
  });
  it('counts a gap still open at the window end', () => {
    assert.deepEqual(longestGap([0, 100], 50, 5000), { gapMs: 4900, fromMs: 100, toMs: 5000 });
  });
  it('is the whole window without any acknowledgement', () => {
    assert.deepEqual(longestGap([], 10, 30), { gapMs: 20, fromMs: 10, toMs: 30 });
  });
});
