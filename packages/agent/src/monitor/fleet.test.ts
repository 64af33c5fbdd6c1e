/**
 * ServerFleet.refresh reads the bindings one read at a time: a call during
 * a read (the short wait's ticker and a backend notice arriving together)
 * does not read beside it, it makes one more read after it (so a change
 * committed during the first read is seen).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLogger } from '@pharos/core/log';
import { ServerFleet } from './fleet.js';

const logger = createLogger('agent', { level: 'silent' });

describe('ServerFleet.refresh', () => {
  it('one read at a time; calls during a read make exactly one more read after it', async () => {
    let reads = 0;
    let open = 0;
    let maxOpen = 0;
    const releases: (() => void)[] = [];
    const fleet = new ServerFleet({
      agentId: 1,
      conn: {
        query: async <R>() => {
          reads++;
          open++;
          maxOpen = Math.max(maxOpen, open);
          await new Promise<void>((resolve) => releases.push(resolve));
          open--;
          return { rows: [] as R[], rowCount: 0 };
        },
      },
      intervalMs: 1000,
      sink: { write: async () => {} } as never,
      logger,
      settings: (() => undefined) as never,
      refreshSettings: async () => {},
      monitor: {},
    });
    const first = fleet.refresh();
    const second = fleet.refresh(); // during the first read
    const third = fleet.refresh(); // also during it: folded into the same extra read
    assert.equal(reads, 1, 'no read beside the one in progress');
    releases.shift()!();
    // the extra read starts once the first one is applied
    while (reads < 2) await new Promise((r) => setImmediate(r));
    releases.shift()!();
    await Promise.all([first, second, third]);
    assert.equal(reads, 2);
    assert.equal(maxOpen, 1);
    const later = fleet.refresh();
    assert.equal(reads, 3, 'a call after the reads ended reads at once');
    releases.shift()!();
    await later;
  });
});
