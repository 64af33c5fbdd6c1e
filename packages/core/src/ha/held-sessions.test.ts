import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import type pg from 'pg';
import { parseConninfo } from '../conninfo/resolve.js';
import { HeldSessions } from './held-sessions.js';
import type { HostContext, Session } from './session.js';

/*
 * The bookkeeping of held sessions (held-sessions.ts) on sessions whose
 * client is an event emitter that records whether it was ended; dialling
 * hosts in the background (holdOtherHosts) needs servers and is tested in
 * connection.int.test.ts.
 */

function session(index: number): Session & { ended: () => boolean; client: EventEmitter } {
  let ended = false;
  const client = Object.assign(new EventEmitter(), {
    end: async () => {
      ended = true;
    },
  });
  return {
    client: client as unknown as pg.Client,
    socket: undefined,
    entry: { host: `127.0.9.${index + 1}`, port: 5432 },
    index,
    dead: false,
    ended: () => ended,
  } as unknown as Session & { ended: () => boolean; client: EventEmitter };
}

const ctx: HostContext = {
  ci: parseConninfo('host=127.0.9.1,127.0.9.2,127.0.9.3 dbname=postgres user=u', {}),
  tls: undefined,
  sourceAddress: undefined,
  logger: undefined,
};

describe('held sessions', () => {
  it('take hands over the live ones and empties the set; dead ones are destroyed', () => {
    const h = new HeldSessions(ctx, false, () => undefined);
    const [a, b] = [session(0), session(1)];
    h.hold([a, b]);
    assert.deepEqual(h.hosts, [0, 1]);
    b.dead = true;
    const taken = h.take();
    assert.deepEqual([...taken.keys()], [0]);
    assert.equal(taken.get(0), a);
    assert.ok(b.ended() && !a.ended());
    assert.deepEqual(h.hosts, []);
    h.release();
  });

  it('a newer session of a host replaces the older; the session in use is never held', () => {
    const h = new HeldSessions(ctx, true, () => 2);
    const [old, young, inUse] = [session(0), session(0), session(2)];
    h.hold([old]);
    h.hold([young, inUse]);
    assert.deepEqual(h.hosts, [0]);
    assert.ok(old.ended() && !young.ended());
    assert.ok(inUse.ended(), 'a second session on the host in use is closed');
    h.release();
    assert.ok(young.ended());
  });

  it('a held session the server ends is forgotten; after release nothing is held', () => {
    const h = new HeldSessions(ctx, false, () => undefined);
    const a = session(1);
    h.hold([a]);
    a.client.emit('end');
    assert.deepEqual(h.hosts, []);
    assert.ok(a.ended());
    h.release();
    const late = session(0);
    h.hold([late]);
    assert.deepEqual(h.hosts, []);
    assert.ok(late.ended());
  });
});
