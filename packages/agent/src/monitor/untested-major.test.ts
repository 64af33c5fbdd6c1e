/**
 * A server on a major newer than the newest the probe matrix tests is
 * monitored with the newest SQL and said, never silently (issue 17): the
 * monitor records one probe-log entry `untested-major` naming both majors
 * when it learns the major from server_info, and none for a tested major.
 * No server is contacted (the monitor is not started).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLogger } from '@pharos/core/log';
import { walProbe } from '../probes/server/wal.js';
import { NEWEST_TESTED_MAJOR, sqlForMajor } from '../probes/sql-for-major.js';
import { ServerMonitor } from './server-monitor.js';
import type { MonitorSink, ProbeFailure } from './sink.js';

function monitor(failures: ProbeFailure[]) {
  const sink: MonitorSink = { record: async () => {}, probeFailed: (f) => failures.push(f) };
  const m = new ServerMonitor({
    agentId: 1,
    binding: {
      serverId: 7,
      displayName: 'db-7',
      host: '127.0.0.1',
      port: 5432,
      userName: 'pem_monitor',
      sslmode: 'disable',
      maintenanceDb: 'postgres',
    },
    intervalMs: 10_000,
    sink,
    logger: createLogger('test', { level: 'silent' }),
  });
  // what server_info's row teaches the monitor (server-monitor.ts `learn`)
  const learn = (versionNum: number) =>
    (m as unknown as { learn(row: Record<string, unknown>): void }).learn({
      server_version_num: versionNum,
      in_recovery: false,
    });
  return { m, learn };
}

describe('a server on an untested major', () => {
  it('is flagged once in the probe log, naming its major and the newest tested one', async () => {
    const failures: ProbeFailure[] = [];
    const { m, learn } = monitor(failures);
    const next = NEWEST_TESTED_MAJOR + 1;
    learn(next * 10000 + 1);
    learn(next * 10000 + 2);
    assert.equal(failures.length, 1);
    assert.equal(failures[0]!.code, 'untested-major');
    assert.equal(failures[0]!.serverId, 7);
    assert.match(
      failures[0]!.error,
      new RegExp(`PostgreSQL ${next} is newer .*\\(${NEWEST_TESTED_MAJOR}\\)`),
    );
    // monitored with the newest SQL there is
    assert.equal(sqlForMajor(walProbe, next), sqlForMajor(walProbe, NEWEST_TESTED_MAJOR));
    await m.stop();
  });

  it('is not flagged on a tested major', async () => {
    const failures: ProbeFailure[] = [];
    const { m, learn } = monitor(failures);
    learn(NEWEST_TESTED_MAJOR * 10000 + 4);
    learn(130020);
    assert.deepEqual(failures, []);
    await m.stop();
  });
});
