import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InputError } from '@pharos/core/errors';
import { MAX_POINTS, parseRange, planBuckets, planSeries, ROLLUP_WIDTHS_S } from './series-range.js';

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

  it('reads the rollup for long ranges: the widest width at most half a bucket, whole buckets of it', () => {
    const day = 86400;
    const cases = [
      // [span, points, rollup width, bucket width]
      [3 * 3600, 100, 0, 110], // short: samples only, the grid of planBuckets
      [3600, 400, 0, 10],
      [day, 600, 60, 180],
      [7 * day, 600, 300, 1200],
      [7 * day, 2000, 60, 360],
      [30 * day, 600, 300, 4500],
      [90 * day, 600, 3600, 14400],
    ] as const;
    for (const [span, points, rollupS, bucketS] of cases) {
      for (const offset of [0, 17.5, 1_700_000_123.25]) {
        const base = planBuckets(offset, offset + span, points);
        const p = planSeries(offset, offset + span, points);
        const what = `${span}/${points}@${offset}`;
        assert.equal(p.rollupS, rollupS, what);
        assert.equal(p.bucketS, bucketS, what);
        assert.ok(p.starts.length <= points, `${what}: ${p.starts.length} buckets`);
        assert.ok(p.starts.length >= (2 * base.starts.length) / 3 - 1, `${what}: ${p.starts.length} buckets`);
        assert.ok(p.starts.every((t) => t % p.bucketS === 0));
        if (rollupS === 0) assert.deepEqual(p, { ...base, rollupS: 0 });
        else {
          assert.equal(p.bucketS % p.rollupS, 0);
          assert.equal(p.fromS, p.starts[0], 'the first bucket is whole');
          assert.ok(p.fromS <= offset && p.fromS + p.bucketS > offset);
        }
        assert.ok(p.starts.at(-1)! < offset + span && p.starts.at(-1)! + p.bucketS >= offset + span);
      }
    }
    assert.deepEqual(ROLLUP_WIDTHS_S, [60, 300, 3600], 'the widths of pemhistory.rollup (006_rollup.sql)');
  });

  it('refuses empty, reversed or too long ranges and bad point counts', () => {
    assert.throws(() => planBuckets(10, 10, 100), InputError);
    assert.throws(() => planBuckets(10, 5, 100), /after/);
    assert.throws(() => planBuckets(0, 91 * 86400, 100), /longer than 90 days/);
    assert.throws(() => planBuckets(0, 100, 1), /points/);
    assert.throws(() => planBuckets(0, 100, MAX_POINTS + 1), /points/);
    assert.throws(() => planSeries(0, 91 * 86400, 100), /longer than 90 days/);
  });

  it('reads ISO dates with defaults: to = now, from = to - 1 h', () => {
    assert.deepEqual(parseRange(undefined, undefined, 10_000), [6400, 10_000]);
    assert.deepEqual(parseRange('1970-01-01T00:00:10Z', '1970-01-01T00:01:00Z', 0), [10, 60]);
    assert.deepEqual(parseRange(undefined, '1970-01-01T02:00:00Z', 0), [3600, 7200]);
    assert.throws(() => parseRange('yesterday', undefined, 0), /from is not an ISO 8601/);
  });
});
