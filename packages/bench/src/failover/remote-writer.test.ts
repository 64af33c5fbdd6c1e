import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { waitFor } from '@pharos/testkit/wait/wait-for';
import { RemoteWriter } from './remote-writer.js';

/*
 * The writer process plumbing (writer-process.ts, remote-writer.ts) without
 * a server: a psql writer on a port nothing listens on (127.0.0.1:1, refused
 * at once) fails each write, and its process reports every failure with the
 * time it was taken in that process, heartbeats, and stops on request.
 */
describe('RemoteWriter', () => {
  it('reports failed writes with their times from the writer process, beats, and stops', async () => {
    const before = Date.now();
    const w = new RemoteWriter({
      type: 'start',
      kind: 'psql',
      label: 'remote-test',
      conninfo: 'host=127.0.0.1 port=1 dbname=postgres user=nobody connect_timeout=2 sslmode=disable',
      password: 'x',
      intervalMs: 100,
    });
    try {
      await w.run();
      await waitFor('two failed writes', async () => w.failures.length >= 2, { deadlineMs: 20_000 });
      await w.reportedUntil(Date.now());
      const f = w.failures[0]!;
      assert.equal(w.acks.length, 0);
      assert.equal(w.lastAckMs, undefined);
      assert.ok(f.startedMs >= before && f.atMs >= f.startedMs && f.atMs <= Date.now(), JSON.stringify(f));
      assert.equal(f.code, 'exit 2');
      assert.match(f.error, /127\.0\.0\.1.*port 1|Connection refused/);
      assert.ok(w.beatMs >= f.atMs);
    } finally {
      await w.stop();
    }
    assert.equal(w.exited, true, 'the writer process has exited');
  });
});
