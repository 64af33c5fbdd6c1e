import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InputError } from '@pharos/core/errors';
import { MAX_POINTS, parseRange, planBuckets } from './series-range.js';

describe('series buckets', () => {
  it('never plans more buckets than points, aligned to the bucket width', () => {
    for (const [span, points] of [
      [3600, 400],
      [7 * 86400, 600],
      [7 * 86400, 2],
      [61, 60],
      [10, 2000],
      [86400 + 7, 333],
    ] as const) {
      for (const offset of [0, 0.5, 17, 1_700_000_123.25]) {
        const p = planBuckets(offset, offset + span, points);
        assert.ok(p.starts.length <= points, `${span}/${points}@${offset}: ${p.starts.length}`);
        assert.ok(p.starts.every((t) => t % p.bucketS === 0));
        assert.ok(p.starts[0]! <= offset && p.starts[0]! + p.bucketS > offset, 'first bucket holds from');
        assert.ok(
          p.starts.at(-1)! < offset + span && p.starts.at(-1)! + p.bucketS >= offset + span,
          'last holds to',
        );
      }
    }
    assert.equal(planBuckets(0, 7 * 86400, 600).bucketS, 1010);
    assert.equal(planBuckets(0, 10, 2000).bucketS, 1);
  });

  it('refuses empty, reversed or too long ranges and bad point counts', () => {
    assert.throws(() => planBuckets(10, 10, 100), InputError);
    assert.throws(() => planBuckets(10, 5, 100), /after/);
    assert.throws(() => planBuckets(0, 91 * 86400, 100), /longer than 90 days/);
    assert.throws(() => planBuckets(0, 100, 1), /points/);
    assert.throws(() => planBuckets(0, 100, MAX_POINTS + 1), /points/);
  });

  it('reads ISO dates with defaults: to = now, from = to - 1 h', () => {
    assert.deepEqual(parseRange(undefined, undefined, 10_000), [6400, 10_000]);
    assert.deepEqual(parseRange('1970-01-01T00:00:10Z', '1970-01-01T00:01:00Z', 0), [10, 60]);
    assert.deepEqual(parseRange(undefined, '1970-01-01T02:00:00Z', 0), [3600, 7200]);
    assert.throws(() => parseRange('yesterday', undefined, 0), /from is not an ISO 8601/);
  });
});
