import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BackendFailingOverError } from '../backend.js';
import { createFleetCache, FLEET_CACHE_MS, FLEET_CACHE_PAGES } from './fleet-cache.js';
import { FIRST_PAGE, type FleetPageQuery } from './fleet-query.js';

/** A loader whose answers the test releases one by one, counting the reads. */
function manualLoader() {
  const pending: { resolve: (s: string) => void; reject: (e: unknown) => void }[] = [];
  const loader = () =>
    new Promise<string>((resolve, reject) => {
      pending.push({ resolve, reject });
    });
  return { loader, pending };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('overview cache', () => {
  it('reads once for every request that arrives while a read is running', async () => {
    const { loader, pending } = manualLoader();
    const cache = createFleetCache(loader, { clock: { now: () => 0 } });
    const answers = [cache.get(), cache.get(), cache.get()];
    await tick();
    assert.equal(pending.length, 1);
    pending[0]!.resolve('{"asOf":"x"}');
    const bodies = await Promise.all(answers);
    assert.ok(bodies.every((b) => b.toString('utf8') === '{"asOf":"x"}'));
    assert.equal((await cache.get()).toString(), '{"asOf":"x"}', 'served again without a read');
    assert.equal(pending.length, 1);
  });

  it('reads again once the answer is older than the period', async () => {
    const { loader, pending } = manualLoader();
    let now = 1000;
    const cache = createFleetCache(loader, { clock: { now: () => now } });
    const first = cache.get();
    await tick();
    pending[0]!.resolve('"one"');
    assert.equal((await first).toString(), '"one"');
    now += FLEET_CACHE_MS - 1;
    assert.equal((await cache.get()).toString(), '"one"');
    now += 2;
    const second = cache.get();
    await tick();
    assert.equal(pending.length, 2);
    pending[1]!.resolve('"two"');
    assert.equal((await second).toString(), '"two"');
  });

  it('gives a failed read to every waiting request and keeps nothing of it', async () => {
    const { loader, pending } = manualLoader();
    const cache = createFleetCache(loader, { clock: { now: () => 0 } });
    const waiting = [cache.get(), cache.get()];
    await tick();
    assert.equal(pending.length, 1);
    pending[0]!.reject(new BackendFailingOverError());
    for (const w of waiting) await assert.rejects(w, BackendFailingOverError);
    const retry = cache.get();
    await tick();
    assert.equal(pending.length, 2, 'the next request reads again');
    pending[1]!.resolve('"back"');
    assert.equal((await retry).toString(), '"back"');
  });
});

describe('overview cache by page', () => {
  it('reads each page on its own and serves each its own answer', async () => {
    const asked: FleetPageQuery[] = [];
    const cache = createFleetCache(
      async (q) => {
        asked.push(q);
        return JSON.stringify({ offset: q.offset, name: q.name ?? null });
      },
      { clock: { now: () => 0 } },
    );
    const second = { ...FIRST_PAGE, offset: 100 };
    const named = { ...FIRST_PAGE, name: 'pg-1' };
    assert.equal((await cache.get()).toString(), '{"offset":0,"name":null}');
    assert.equal((await cache.get(second)).toString(), '{"offset":100,"name":null}');
    assert.equal((await cache.get(named)).toString(), '{"offset":0,"name":"pg-1"}');
    assert.equal((await cache.get({ ...second })).toString(), '{"offset":100,"name":null}', 'kept');
    assert.equal(asked.length, 3);
  });
});

describe('overview cache under many different pages', () => {
  it('a read pushed out of the cache while running still answers its waiting requests', async () => {
    // Under load the fuzzer asked many different pages (limit=0x10, ...) while
    // one read was slow; the page being read was evicted and its requests got
    // lru-cache's Error('evicted'): answered 500.
    const { loader, pending } = manualLoader();
    const cache = createFleetCache(loader, { clock: { now: () => 0 } });
    const slow = [cache.get({ ...FIRST_PAGE, limit: 16 }), cache.get({ ...FIRST_PAGE, limit: 16 })];
    await tick();
    assert.equal(pending.length, 1);
    const others: Promise<Buffer>[] = [];
    for (let i = 1; i <= FLEET_CACHE_PAGES + 1; i++) others.push(cache.get({ ...FIRST_PAGE, offset: i }));
    await tick();
    assert.equal(pending.length, FLEET_CACHE_PAGES + 2);
    for (let i = 1; i < pending.length; i++) pending[i]!.resolve(`"page ${i}"`);
    await Promise.all(others);
    pending[0]!.resolve('"slow"');
    for (const w of slow) assert.equal((await w).toString(), '"slow"');
    // not kept (its slot went to another page): the next request reads again
    const again = cache.get({ ...FIRST_PAGE, limit: 16 });
    await tick();
    assert.equal(pending.length, FLEET_CACHE_PAGES + 3);
    pending.at(-1)!.resolve('"slow again"');
    assert.equal((await again).toString(), '"slow again"');
  });
});
