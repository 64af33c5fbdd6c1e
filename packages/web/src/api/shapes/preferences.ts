/** Shapes of GET and PATCH /api/preferences (preferences.ts, preferences-store.ts). */
import { type Static, Type } from 'typebox';
import { TIME_RANGE_IDS, type TimeRangeId } from '../../../ui/contract/time-ranges.js';

const fields = {
  timeRange: Type.Unsafe<TimeRangeId>({
    type: 'string',
    enum: TIME_RANGE_IDS,
    description: 'chart time range (the last ...): an id of contract/time-ranges.ts',
  }),
  refreshIntervalS: Type.Integer({
    minimum: 0,
    maximum: 3600,
    description: 'seconds between automatic refreshes; 0 = off',
  }),
  dashboards: Type.Array(Type.String({ pattern: '^[a-z0-9_]{1,40}$' }), {
    maxItems: 32,
    uniqueItems: true,
    description: 'chart ids shown on the server analysis page, in order; empty = all',
  }),
  theme: Type.Union([Type.Literal('light'), Type.Literal('dark'), Type.Literal('system')]),
};

/** The complete preference set (answer of both routes). */
export const Preferences = Type.Object(fields);
export type Preferences = Static<typeof Preferences>;

/** Body of PATCH /api/preferences: any subset of the fields, nothing else. */
export const PreferencesPatch = Type.Object(
  {
    timeRange: Type.Optional(fields.timeRange),
    refreshIntervalS: Type.Optional(fields.refreshIntervalS),
    dashboards: Type.Optional(fields.dashboards),
    theme: Type.Optional(fields.theme),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type PreferencesPatch = Static<typeof PreferencesPatch>;
