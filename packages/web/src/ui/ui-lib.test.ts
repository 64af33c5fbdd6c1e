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
    for (const hash of ['#/server/x', '#/alerts/current', '#/alerts/nope', '#/elsewhere'])
      assert.deepEqual(route.parseRoute(hash), { page: 'overview' }, hash);
  });

  it('makes the links it parses', () => {
    const back = (h: string) => route.parseRoute(h);
    assert.deepEqual(back(route.href.server(4)), { page: 'server', id: 4 });
    assert.deepEqual(back(route.href.alert(9)), { page: 'alerts', tab: 'alert', id: 9, params: {} });
    for (const tab of route.ALERT_TABS) assert.equal(back(route.href.alerts(tab)).tab, tab);
    assert.deepEqual(back(route.href.deliveries({ alertId: 5 })).params, { alertId: '5' });
    assert.equal(route.href.deliveries(), '#/alerts/deliveries');
    assert.equal(back(route.href.probeLog()).page, 'probe-log');
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
