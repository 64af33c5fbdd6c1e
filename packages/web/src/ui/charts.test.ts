/**
 * Unit test of the UI's chart catalog and number formats
 * (packages/web/ui/pages/server/chart-catalog.js, lib/format.js: plain ES modules, no DOM):
 * the cache hit ratio from block rates, the choice of charts from the
 * preferences, the source chosen by which probes have data, and axis formats.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

// biome-ignore lint/suspicious/noExplicitAny: plain JavaScript modules without types
const catalog: any = await import(new URL('../../ui/pages/server/chart-catalog.js', import.meta.url).href);
// biome-ignore lint/suspicious/noExplicitAny: plain JavaScript modules without types
const format: any = await import(new URL('../../ui/lib/format.js', import.meta.url).href);

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

  it('formats axis values by unit', () => {
    assert.equal(format.withUnit(1536, 'bytes'), '1.5 KiB');
    assert.equal(format.withUnit(2 * 1024 * 1024, 'bytes/s'), '2.0 MiB/s');
    assert.equal(format.withUnit(99.456, '%'), '99.46 %');
    assert.equal(format.withUnit(12345, '/s'), '12.3k/s');
    assert.equal(format.withUnit(0.25, 's'), '0.25 s');
    assert.equal(format.withUnit(null, 'count'), '');
  });
});
