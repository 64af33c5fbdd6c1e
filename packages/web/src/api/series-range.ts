/**
 * The time grid of a downsampled series: from a requested range and a
 * maximum number of points, the bucket width and the bucket start times.
 * Buckets are aligned to multiples of their width since the Unix epoch, so
 * two refreshes of a sliding range share their buckets (a chart does not
 * shimmer) and the answer never has more than `points` buckets. For long
 * ranges the width is a multiple of a rollup width (pemhistory.rollup,
 * 006_rollup.sql), so the backend reads the rollup instead of every sample.
 */
import { pharosError } from '@pharos/core/errors';

/** Fewest points a series may be asked for. */
export const MIN_POINTS = 2;
/** Most points a series may be asked for. */
export const MAX_POINTS = 2000;
/** Points when the caller does not say. */
export const DEFAULT_POINTS = 400;
/** Longest range one request may cover, seconds (90 days). */
export const MAX_RANGE_S = 90 * 86400;
/** Range when the caller gives no `from`, seconds (1 hour). */
export const DEFAULT_RANGE_S = 3600;

/** The grid: bucket width and the start of every bucket, both in seconds since the epoch. */
export interface BucketPlan {
  /** Start of the range, inclusive (seconds since the epoch, may be fractional). */
  fromS: number;
  /** End of the range, exclusive. */
  toS: number;
  /** Width of one bucket, whole seconds (>= 1). */
  bucketS: number;
  /** Start of each bucket, ascending; `starts.length <= points`. */
  starts: number[];
}

/**
 * Plans the buckets of [fromS, toS) for at most `points` points: width
 * ceil(span / (points - 1)) seconds (at least 1), aligned to multiples of it.
 * @throws InputError when the range is empty or reversed, longer than
 *   {@link MAX_RANGE_S}, or `points` is outside [{@link MIN_POINTS}, {@link MAX_POINTS}].
 */
export function planBuckets(fromS: number, toS: number, points: number): BucketPlan {
  if (!Number.isFinite(fromS) || !Number.isFinite(toS) || toS <= fromS)
    throw pharosError('PHAROS_SERIES_RANGE_EMPTY', {}, { field: 'to' });
  if (toS - fromS > MAX_RANGE_S)
    throw pharosError('PHAROS_SERIES_RANGE_TOO_LONG', { days: MAX_RANGE_S / 86400 }, { field: 'from' });
  if (!Number.isInteger(points) || points < MIN_POINTS || points > MAX_POINTS)
    throw pharosError(
      'PHAROS_SERIES_POINTS_INVALID',
      { min: MIN_POINTS, max: MAX_POINTS },
      { field: 'points' },
    );
  const bucketS = Math.max(1, Math.ceil((toS - fromS) / (points - 1)));
  const first = Math.floor(fromS / bucketS) * bucketS;
  const starts: number[] = [];
  for (let t = first; t < toS; t += bucketS) starts.push(t);
  return { fromS, toS, bucketS, starts };
}

/** Bucket widths of pemhistory.rollup, seconds (006_rollup.sql), finest first. */
export const ROLLUP_WIDTHS_S: readonly number[] = [60, 300, 3600];

/** The grid of a series answer and where it is read from. */
export interface SeriesPlan extends BucketPlan {
  /** Rollup width the buckets are made of (a divisor of bucketS), or 0: from the samples only. */
  rollupS: number;
}

/**
 * Plans the buckets of [fromS, toS) like {@link planBuckets}, and chooses the
 * resolution to read: the widest rollup width that is at most half the bucket
 * width. With one, the bucket width is rounded up to a multiple of it (so the
 * answer has at least two thirds of the buckets {@link planBuckets} gives, and
 * never more than `points`), and `fromS` becomes the first bucket's start (the
 * first bucket is whole). Short ranges (buckets under 2 minutes) read the samples.
 * @throws InputError as {@link planBuckets}.
 */
export function planSeries(fromS: number, toS: number, points: number): SeriesPlan {
  const base = planBuckets(fromS, toS, points);
  const rollupS = [...ROLLUP_WIDTHS_S].reverse().find((w) => base.bucketS >= 2 * w) ?? 0;
  if (rollupS === 0) return { ...base, rollupS };
  const bucketS = Math.ceil(base.bucketS / rollupS) * rollupS;
  const first = Math.floor(fromS / bucketS) * bucketS;
  const starts: number[] = [];
  for (let t = first; t < toS; t += bucketS) starts.push(t);
  return { fromS: first, toS, bucketS, starts, rollupS };
}

/**
 * Reads the request's `from`/`to` (ISO 8601 date-times, optional): `to`
 * defaults to `nowS`, `from` to `to` - {@link DEFAULT_RANGE_S}. Returns seconds
 * since the epoch. @throws InputError on a date that does not parse.
 */
export function parseRange(from: string | undefined, to: string | undefined, nowS: number): [number, number] {
  const parse = (name: string, text: string) => {
    const ms = Date.parse(text);
    if (Number.isNaN(ms))
      throw pharosError('PHAROS_SERIES_TIME_INVALID', { name, text: text.slice(0, 40) }, { field: name });
    return ms / 1000;
  };
  const toS = to === undefined ? nowS : parse('to', to);
  const fromS = from === undefined ? toS - DEFAULT_RANGE_S : parse('from', from);
  return [fromS, toS];
}
