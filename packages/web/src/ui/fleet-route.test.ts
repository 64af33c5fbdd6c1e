/**
 * The fleet area's routes (ui/lib/route.js): #/fleet and its tabs, the Add
 * server and server settings forms, the Add cluster form; every href the
 * pages link with parses back to its route, and anything else under
 * #/fleet is the overview.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

// biome-ignore lint/suspicious/noExplicitAny: plain JS module of the browser UI
const route: any = await import(new URL('../../ui/lib/route.js', import.meta.url).href);

describe('UI router: the fleet area', () => {
  it('parses the fleet tabs and forms', () => {
    assert.deepEqual(route.parseRoute('#/fleet'), { page: 'fleet', tab: 'servers' });
    assert.deepEqual(route.parseRoute('#/fleet/'), { page: 'fleet', tab: 'servers' });
    assert.deepEqual(route.parseRoute('#/fleet/agents'), { page: 'fleet', tab: 'agents' });
    assert.deepEqual(route.parseRoute('#/fleet/servers/add'), { page: 'fleet', tab: 'server-add' });
    assert.deepEqual(route.parseRoute('#/fleet/servers/12/edit'), {
      page: 'fleet',
      tab: 'server-edit',
      id: 12,
    });
    assert.deepEqual(route.parseRoute('#/fleet/clusters/add'), { page: 'fleet', tab: 'cluster-add' });
    for (const hash of ['#/fleet/nope', '#/fleet/servers/x/edit', '#/fleet/servers/3', '#/fleetx'])
      assert.deepEqual(route.parseRoute(hash), { page: 'overview' }, hash);
  });

  it('parses back every href the fleet pages link with', () => {
    for (const tab of route.FLEET_TABS)
      assert.deepEqual(route.parseRoute(route.href.fleet(tab)), { page: 'fleet', tab });
    assert.equal(route.href.fleet('servers'), '#/fleet');
    assert.equal(route.parseRoute(route.href.addServer()).tab, 'server-add');
    assert.deepEqual(route.parseRoute(route.href.editServer(4)), {
      page: 'fleet',
      tab: 'server-edit',
      id: 4,
    });
    assert.equal(route.parseRoute(route.href.addCluster()).tab, 'cluster-add');
  });
});
