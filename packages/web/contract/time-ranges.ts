/**
 * The chart time ranges a user may choose (the `timeRange` preference,
 * GET/PATCH /api/preferences): id -> the range's length in seconds and the
 * label the range picker shows. The API accepts exactly these ids.
 */
export const TIME_RANGES = {
  '15m': { seconds: 900, label: 'Last 15 minutes' },
  '1h': { seconds: 3600, label: 'Last hour' },
  '6h': { seconds: 21_600, label: 'Last 6 hours' },
  '24h': { seconds: 86_400, label: 'Last 24 hours' },
  '7d': { seconds: 604_800, label: 'Last 7 days' },
} as const;

/** A time range's id ('15m', '1h', '6h', '24h', '7d'). */
export type TimeRangeId = keyof typeof TIME_RANGES;

/** The ids of {@link TIME_RANGES}, shortest first. */
export const TIME_RANGE_IDS = Object.keys(TIME_RANGES) as TimeRangeId[];
