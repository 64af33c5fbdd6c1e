/**
 * Unit test of the UI's shared helpers (packages/web/ui/lib: plain ES
 * modules; route.js and api.js use the DOM only when called for it): the one
 * hash router, the one duration formatter and the other formats, and the one
 * wording of a failed request.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

// biome-ignore lint/suspicious/noExplicitAny: plain JavaScript modules (type-checked with JSDoc by tsc -p packages/web/ui)
const [route, format, api]: any[] = await Promise.all(
  ['lib/route.js', 'lib/format.js', 'lib/api.js'].map(
    (m) => import(new URL(`../../ui/${m}`, import.meta.url).href),
  ),
);

describe('UI router', () => {
  it('parses every page, and falls back to the overview', () => {
    assert.deepEqual(route.parseRoute('#/'), { page: 'overview' });
    assert.deepEqual(route.parseRoute(''), { page: 'overview' });
    assert.deepEqual(route.parseRoute('#/server/12'), { page: 'server', id: 12 });
    assert.deepEqual(route.parseRoute('#/probe-log'), { page: 'probe-log' });
    assert.deepEqual(route.parseRoute('#/alerts'), { page: 'alerts', tab: 'current', params: {} });
    assert.deepEqual(route.parseRoute('#/alerts/webhooks'), { page: 'alerts', tab: 'webhooks', params: {} });
    assert.deepEqual(route.parseRoute('#/alerts/7'), { page: 'alerts', tab: 'alert', id: 7, params: {} });
    assert.deepEqual(route.parseRoute('#/alerts/deliveries?webhookId=3'), {
      page: 'alerts',
      tab: 'deliveries',
      params: { webhookId: '3' },
    });
  });

  it('names an unknown route as such instead of showing the overview (review C9)', () => {
    for (const hash of ['#/server/x', '#/alerts/current', '#/alerts/nope', '#/elsewhere', '#/nonsense'])
      assert.deepEqual(route.parseRoute(hash), { page: 'not-found', hash }, hash);
  });

  it('makes the links it parses', () => {
    const back = (h: string) => route.parseRoute(h);
    assert.deepEqual(back(route.href.server(4)), { page: 'server', id: 4 });
    assert.deepEqual(back(route.href.alert(9)), { page: 'alerts', tab: 'alert', id: 9, params: {} });
    for (const tab of route.ALERT_TABS) assert.equal(back(route.href.alerts(tab)).tab, tab);
    assert.deepEqual(back(route.href.deliveries({ alertId: 5 })).params, { alertId: '5' });
    assert.equal(route.href.deliveries(), '#/alerts/deliveries');
    assert.equal(back(route.href.probeLog()).page, 'probe-log');
    assert.deepEqual(back(route.href.host(3)), { page: 'host', id: 3 });
    assert.deepEqual(back(route.href.database(2, 'my db/x')), {
      page: 'database',
      serverId: 2,
      database: 'my db/x',
    });
    assert.deepEqual(back(route.href.table(2, 'app', 'public.order lines')), {
      page: 'table',
      serverId: 2,
      database: 'app',
      relation: 'public.order lines',
    });
  });
});

describe('UI formats', () => {
  it('writes durations approximately (ages) or exactly (configured intervals)', () => {
    const approx = [
      [6, '6 s'],
      [89, '89 s'],
      [600, '10 min'],
      [3600, '1 h 0 min'],
      [3 * 3600 + 20 * 60, '3 h 20 min'],
      [2 * 86400 + 4 * 3600, '2 d 4 h'],
    ] as const;
    for (const [s, text] of approx) assert.equal(format.duration(s), text, String(s));
    const exact = [
      [0, '0'],
      [30, '30 s'],
      [90, '90 s'],
      [300, '5 min'],
      [7200, '2 h'],
      [86400, '1 d'],
    ] as const;
    for (const [s, text] of exact) assert.equal(format.duration(s, { exact: true }), text, String(s));
    assert.equal(format.duration(null), '');
  });

  it('writes sizes, counts and values by chart unit', () => {
    assert.equal(format.bytes(512), '512 B');
    assert.equal(format.bytes('9007199254740993'), '8192.0 TiB', 'a bigint beyond 2^53 arrives as a string');
    assert.equal(format.count('1234567'), '1,234,567');
    assert.equal(format.count(undefined), '');
    assert.equal(format.withUnit(1536, 'bytes'), '1.5 KiB');
    assert.equal(format.withUnit(2 * 1024 * 1024, 'bytes/s'), '2.0 MiB/s');
    assert.equal(format.withUnit(99.456, '%'), '99.46 %');
    assert.equal(format.withUnit(12345, '/s'), '12.3k/s');
    assert.equal(format.withUnit(0.25, 's'), '0.25 s');
    assert.equal(format.withUnit(null, 'count'), '');
  });
});

describe('UI formats of units (review B10, C6)', () => {
  it('labels axis ticks with enough precision that no two labels repeat', () => {
    // Ticks uPlot picks for a database that grew from 7.19 to 7.25 MiB: one decimal wrote 7.2 MiB three times.
    const ticks = [7_540_000, 7_560_000, 7_580_000, 7_600_000];
    const labels = format.axisValues(ticks, 'bytes');
    assert.equal(new Set(labels).size, ticks.length, labels.join(', '));
    assert.deepEqual(format.axisValues([0, 0.5, 1, 1.5], '/s'), ['0/s', '0.5/s', '1/s', '1.5/s']);
    assert.deepEqual(format.axisValues([99.1, 99.2, 99.3], '%'), ['99.1 %', '99.2 %', '99.3 %']);
    assert.deepEqual(format.axisValues([0, 1024, 2048], 'bytes'), ['0 KiB', '1 KiB', '2 KiB']);
  });

  it('writes a value in the unit its template or column declares', () => {
    assert.equal(format.quantity(88.2, 'percent'), '88.2 %');
    assert.equal(format.quantity(16_777_216, 'bytes'), '16 MiB');
    assert.equal(format.quantity(1_610_612_736, 'bytes'), '1.5 GiB');
    assert.equal(format.quantity(3725, 's'), '1 h 2 min');
    assert.equal(format.quantity(12.5, 's'), '12.5 s');
    assert.equal(format.quantity(0.9879999160766602, 's'), '0.988 s');
    assert.equal(format.quantity(12.345678, 'ms'), '12.3 ms');
    assert.equal(format.quantity(1_500_000_000, 'transactions'), '1,500,000,000 transactions');
    assert.equal(format.quantity(3, 'count'), '3');
    assert.equal(format.quantity(2.5, 'tasks per CPU'), '2.5 tasks per CPU');
    assert.equal(format.quantity(1, 'boolean'), 'yes');
    assert.equal(format.quantity(0, 'boolean'), 'no');
    assert.equal(format.quantity(null, 'bytes'), '');
  });

  it('writes a threshold list with a word unit once, so the all-alerts table fits (review B2)', () => {
    assert.equal(
      format.thresholdList([500_000_000, 1_000_000_000, 1_500_000_000], 'transactions'),
      '500,000,000 / 1,000,000,000 / 1,500,000,000 transactions',
    );
    assert.equal(
      format.thresholdList([16_777_216, 67_108_864, 268_435_456], 'bytes'),
      '16 MiB / 64 MiB / 256 MiB',
    );
    assert.equal(format.thresholdList([80, 90, 95], 'percent'), '80 % / 90 % / 95 %');
    assert.equal(format.thresholdList([5, 10, 20], ''), '5 / 10 / 20');
  });

  it('shortens long decimals inside a text (an alert detail)', () => {
    assert.equal(format.tidyNumbers('DCS last seen 0.9879999160766602 s ago'), 'DCS last seen 0.988 s ago');
    assert.equal(format.tidyNumbers('lag 123.45 s, slot pem_backend_1'), 'lag 123.45 s, slot pem_backend_1');
    assert.equal(format.tidyNumbers('1234.56789 over 4 CPUs'), '1235 over 4 CPUs');
  });
});

describe('UI error words', () => {
  it('says what failed, one wording per failure, retrying or not', () => {
    const failingOver = new api.ApiError(503, 'backend is failing over');
    assert.equal(api.errorText(failingOver), 'The backend is failing over; try again in a few seconds.');
    assert.equal(api.errorText(failingOver, { retrying: true }), 'The backend is failing over; retrying…');
    assert.equal(api.errorText(new api.ApiError(0, 'x')), 'This web instance does not answer.');
    assert.equal(
      api.errorText(new api.ApiError(403, 'administrators only (pem_admin)'), { forbidden: 'Ask one.' }),
      'Not allowed: administrators only (pem_admin). Ask one.',
    );
    assert.equal(
      api.errorText(new api.ApiError(400, 'low: a number is needed', 'low')),
      'low: a number is needed',
    );
    assert.equal(api.errorText(new Error('boom'), { retrying: true }), 'boom; retrying…');
  });
});
