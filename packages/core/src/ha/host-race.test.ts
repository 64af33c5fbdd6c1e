import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type pg from 'pg';
import { parseConninfo } from '../conninfo/resolve.js';
import { NoHostError } from './errors.js';
import { REDIAL_MS, redialDelayMs, selectHost } from './host-race.js';
import type { HostContext, Session } from './session.js';
import type { HaTraceEvent } from './trace.js';

/*
 * Selections that only re-check sessions kept from an earlier selection
 * (host-race.ts `reuse`, `keep`, `keepLosers`): no host is dialled, so the
 * race's bookkeeping (which session wins, which are kept, which destroyed)
 * is tested here on sessions whose client answers the target check
 * (session.ts checkTarget: pg_is_in_recovery(), transaction_read_only) from
 * a script. Dialling real servers is connection.int.test.ts's job.
 */

/** A kept session of host `index` whose target checks answer `facts` in turn (the last one repeats). */
function scripted(
  index: number,
  ...facts: { inRecovery: boolean; readOnly: boolean }[]
): Session & { ended: () => boolean } {
  let n = 0;
  let ended = false;
  const client = {
    query: async () => {
      if (ended) throw new Error('Client was closed and is not queryable');
      const f = facts[Math.min(n++, facts.length - 1)]!;
      return { rows: [{ in_recovery: f.inRecovery, read_only: f.readOnly ? 'on' : 'off' }] };
    },
    end: async () => {
      ended = true;
    },
  } as unknown as pg.Client;
  return {
    client,
    socket: undefined,
    entry: { host: `127.0.9.${index + 1}`, port: 5432 },
    index,
    dead: false,
    ended: () => ended,
  } as Session & { ended: () => boolean };
}

const STANDBY = { inRecovery: true, readOnly: true };
const PRIMARY = { inRecovery: false, readOnly: false };

function context(tsa: string, events: HaTraceEvent[]): HostContext {
  return {
    ci: parseConninfo(
      `host=127.0.9.1,127.0.9.2,127.0.9.3 dbname=postgres user=u target_session_attrs=${tsa} connect_timeout=2`,
      {},
    ),
    tls: undefined,
    sourceAddress: undefined,
    logger: undefined,
    trace: (e) => {
      events.push(e);
    },
  };
}

describe('selection re-checking kept sessions', () => {
  it('the one promoted since wins; the others are destroyed, or kept with keepLosers', async () => {
    for (const keepLosers of [false, true]) {
      const events: HaTraceEvent[] = [];
      const s = [scripted(0, STANDBY), scripted(1, PRIMARY), scripted(2, STANDBY)];
      const kept: Session[] = [];
      const won = await selectHost(context('read-write', events), 0, Date.now() + 5000, undefined, {
        reuse: new Map(s.map((x) => [x.index, x])),
        keep: (k) => kept.push(...k),
        keepLosers,
      });
      assert.equal(won, s[1]);
      assert.equal(won.inRecovery, false);
      if (keepLosers) {
        assert.deepEqual(kept.map((k) => k.index).sort(), [0, 2]);
        assert.ok(!s[0]!.ended() && !s[2]!.ended());
      } else {
        assert.deepEqual(kept, []);
        assert.ok(s[0]!.ended() && s[2]!.ended());
      }
      // every host was re-checked on its session, none dialled
      assert.ok(
        events.every((e) => e.kind === 'recheck'),
        JSON.stringify(events),
      );
    }
  });

  it('no session matches: NoHostError at once, and every session goes to keep for the next selection', async () => {
    const events: HaTraceEvent[] = [];
    const s = [scripted(0, STANDBY), scripted(1, STANDBY), scripted(2, STANDBY)];
    const kept: Session[] = [];
    await assert.rejects(
      selectHost(context('primary', events), 1, Date.now() + 5000, undefined, {
        reuse: new Map(s.map((x) => [x.index, x])),
        keep: (k) => kept.push(...k),
      }),
      (e: unknown) =>
        e instanceof NoHostError &&
        e.retryable &&
        /does not match target_session_attrs=primary/.test(e.message),
    );
    assert.deepEqual(kept.map((k) => k.index).sort(), [0, 1, 2]);
    assert.ok(s.every((x) => !x.ended()));
  });

  it('without keep, the sessions of a selection that found no match are destroyed', async () => {
    const s = [scripted(0, STANDBY), scripted(1, STANDBY), scripted(2, STANDBY)];
    await assert.rejects(
      selectHost(context('read-write', []), 1, Date.now() + 5000, undefined, {
        reuse: new Map(s.map((x) => [x.index, x])),
      }),
      NoHostError,
    );
    assert.ok(s.every((x) => x.ended()));
  });

  it('prefer-standby re-checks take a standby over the primary kept beside it', async () => {
    const s = [scripted(0, PRIMARY), scripted(1, STANDBY), scripted(2, PRIMARY)];
    const won = await selectHost(context('prefer-standby', []), 0, Date.now() + 5000, undefined, {
      reuse: new Map(s.map((x) => [x.index, x])),
    });
    assert.equal(won, s[1]);
  });
});

describe('redialDelayMs', () => {
  it('waits out the rest of the period since the last dial started', () => {
    assert.equal(redialDelayMs(10_000, 10_300, REDIAL_MS), 700);
  });
  it('dials at once when the last dial took longer than the period (connect_timeout)', () => {
    assert.equal(redialDelayMs(10_000, 12_050, REDIAL_MS), 0);
    assert.equal(redialDelayMs(10_000, 11_000, REDIAL_MS), 0);
  });
  it('waits a whole period when no dial is known', () => {
    assert.equal(redialDelayMs(undefined, 12_000, REDIAL_MS), REDIAL_MS);
  });
});
