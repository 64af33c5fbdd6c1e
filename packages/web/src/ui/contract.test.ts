/**
 * Unit test of the contract the web API and the UI share (packages/web/contract,
 * compiled to ui/contract/): the overview keeps only columns its probes
 * declare (server_info's Uptime comes from started_at, which the probe
 * writes, not from an uptime_s it never wrote), the time ranges, and the
 * check of alert template parameters.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { alertParamsProblems } from '../../ui/contract/alert-params.js';
import { OVERVIEW_FIELDS } from '../../ui/contract/overview-fields.js';
import { PROBE_COLUMNS } from '../../ui/contract/probe-columns.js';
import { TIME_RANGE_IDS, TIME_RANGES } from '../../ui/contract/time-ranges.js';

describe('web contract', () => {
  it('the overview keeps only declared columns of its probes', () => {
    const columns: Record<string, readonly string[]> = PROBE_COLUMNS;
    for (const [probe, fields] of Object.entries(OVERVIEW_FIELDS))
      for (const f of fields)
        assert.ok(columns[probe]?.includes(f), `${probe}.${f} is not a column of ${probe}`);
    assert.ok((OVERVIEW_FIELDS.server_info as readonly string[]).includes('started_at'));
  });

  it('offers the time ranges shortest first, each with its length and label', () => {
    assert.deepEqual(TIME_RANGE_IDS, ['15m', '1h', '6h', '24h', '7d']);
    const seconds = TIME_RANGE_IDS.map((id) => TIME_RANGES[id].seconds);
    assert.deepEqual(seconds, [900, 3600, 21_600, 86_400, 604_800]);
    for (const id of TIME_RANGE_IDS) assert.match(TIME_RANGES[id].label, /^Last /);
  });

  it('checks alert template parameters against the probe catalog', () => {
    assert.deepEqual(alertParamsProblems({ probe: 'cpu', column: 'busy_pct', max_age_s: 300 }), []);
    assert.deepEqual(alertParamsProblems({ probe: 'table_stats', min_rows: 1000, own_key: 'kept' }), []);
    assert.deepEqual(alertParamsProblems({ column: 'anything' }), [], 'the probe is in the template SQL');
    assert.deepEqual(alertParamsProblems({ probe: 'cpu', column: 'usage_pct' }), [
      'column "usage_pct" is not a column of probe cpu (it has user_pct, system_pct, idle_pct, iowait_pct, steal_pct, busy_pct)',
    ]);
    assert.deepEqual(alertParamsProblems({ probe: 'uptime' }), ['probe "uptime" is not a probe']);
    assert.deepEqual(alertParamsProblems({ probe: 'toString' }), ['probe "toString" is not a probe']);
    assert.deepEqual(alertParamsProblems({ max_age_s: '300' }), [
      'max_age_s must be a number (values older than this many seconds count as no data), not "300"',
    ]);
  });
});
