/**
 * Unit test of the UI's chart catalog (packages/web/ui/pages/server/chart-catalog.js,
 * a plain ES module, no DOM): the cache hit ratio from block rates, the
 * choice of charts from the preferences, the source chosen by which probes
 * have data, and that every chart reads columns its probe declares
 * (contract/probe-columns.ts; the UI type check says so too).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PROBE_COLUMNS, PROBE_UNITS } from '../../ui/contract/probe-columns.js';

// biome-ignore lint/suspicious/noExplicitAny: a plain JavaScript module (type-checked with JSDoc by tsc -p packages/web/ui)
const catalog: any = await import(new URL('../../ui/pages/server/chart-catalog.js', import.meta.url).href);

const chart = (id: string) => catalog.CHARTS.find((c: { id: string }) => c.id === id);

describe('UI charts', () => {
  it('computes the cache hit ratio per bucket from the block rates, null where nothing moved', () => {
    const lines = chart('cache_hit').lines({
      series: [
        { object: '', field: 'blks_hit', values: [99, 0, null, 50] },
        { object: '', field: 'blks_read', values: [1, 0, 5, 50] },
      ],
    });
    assert.deepEqual(lines, [{ label: 'cache hit %', values: [99, null, null, 50] }]);
  });

  it('leaves out connection states that stayed at zero', () => {
    const lines = chart('connections').lines({
      series: [
        { object: 'active', field: 'connections', values: [1, 2] },
        { object: 'disabled', field: 'connections', values: [0, null] },
      ],
    });
    assert.deepEqual(
      lines.map((l: { label: string }) => l.label),
      ['active'],
    );
  });

  it('shows the chosen charts in order, all when none (or none known) is chosen', () => {
    assert.equal(catalog.chosenCharts([]).length, catalog.CHARTS.length);
    assert.deepEqual(
      catalog.chosenCharts(['wal', 'tps']).map((c: { id: string }) => c.id),
      ['wal', 'tps'],
    );
    assert.equal(catalog.chosenCharts(['gone']).length, catalog.CHARTS.length);
  });

  it('uses the first source whose probe has data, none when no probe has', () => {
    const c = { sources: [{ probe: 'checkpointer' }, { probe: 'bgwriter' }] };
    assert.equal(catalog.sourceFor(c, new Set(['bgwriter'])).probe, 'bgwriter');
    assert.equal(catalog.sourceFor(c, new Set(['bgwriter', 'checkpointer'])).probe, 'checkpointer');
    assert.equal(catalog.sourceFor(c, new Set(['database_stats'])), undefined);
    assert.equal(catalog.sourceFor(chart('checkpoints'), new Set(['checkpointer'])).probe, 'checkpointer');
  });

  it('reads only columns the probes declare', () => {
    const columns: Record<string, readonly string[]> = PROBE_COLUMNS;
    for (const c of catalog.CHARTS as { id: string; sources: { probe: string; fields: string[] }[] }[])
      for (const s of c.sources)
        for (const f of s.fields) assert.ok(columns[s.probe]?.includes(f), `${c.id}: ${s.probe}.${f}`);
    assert.ok(columns[catalog.TABLE_STATS_PROBE], catalog.TABLE_STATS_PROBE);
  });

  it('puts only columns of one unit on a chart, so none is flattened by another (review C14)', () => {
    const units: Record<string, Record<string, string>> = PROBE_UNITS;
    for (const c of catalog.CHARTS as { id: string; sources: { probe: string; fields: string[] }[] }[])
      for (const s of c.sources) {
        const used = new Set(s.fields.map((f) => units[s.probe]?.[f]));
        assert.equal(used.size, 1, `${c.id}: ${s.probe} mixes ${[...used].join(' and ')}`);
      }
  });
});
