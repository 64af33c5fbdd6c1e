/**
 * Patroni probes against answers shaped like Patroni 4's REST API
 * (rest_api.html), served over HTTP on 127.0.11.221:8008 as the agent would
 * reach its node's API, and through a ServerMonitor for a PEM backend.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '@pharos/core/log';
import { createCa } from '@pharos/core/pki/ca';
import { issuePeerCertificate } from '@pharos/core/pki/issue';
import { definitionDefaults } from '../../monitor/probe-settings.js';
import { ServerMonitor } from '../../monitor/server-monitor.js';
import type { ProbeFailure } from '../../monitor/sink.js';
import type { NewSample } from '../../sample.js';
import { columnProblems } from '../../testing/check-columns.js';
import { clusterRow, nodeRow, ttlOf } from './parse.js';
import { patroniClusterProbe } from './patroni-cluster.js';
import { patroniNodeProbe } from './patroni-node.js';

const ADDRESS = '127.0.11.221';
const NOW = 1_700_000_100;

const CLUSTER = {
  members: [
    {
      name: 'pem-backend-1',
      role: 'leader',
      state: 'running',
      api_url: `http://${ADDRESS}:8008/patroni`,
      host: ADDRESS,
      port: 5432,
      timeline: 3,
    },
    {
      name: 'pem-backend-2',
      role: 'replica',
      state: 'streaming',
      api_url: 'http://127.0.11.222:8008/patroni',
      host: '127.0.11.222',
      port: 5432,
      timeline: 3,
      lag: 0,
    },
    {
      name: 'pem-backend-3',
      role: 'replica',
      state: 'stopped',
      api_url: 'http://127.0.11.223:8008/patroni',
      host: '127.0.11.223',
      port: 5432,
      timeline: 2,
      lag: 'unknown',
    },
  ],
  scope: 'pem',
};

const NODE_REPLICA = {
  state: 'running',
  postmaster_start_time: '2023-11-14 22:00:00.000000+00:00',
  role: 'replica',
  server_version: 150008,
  xlog: { received_location: 83886080, replayed_location: 83886000, replayed_timestamp: null, paused: false },
  timeline: 3,
  replication_state: 'streaming',
  dcs_last_seen: NOW - 4,
  database_system_identifier: '7300000000000000000',
  patroni: { version: '4.0.7', scope: 'pem', name: 'pem-backend-2' },
};

const NODE_LEADER = {
  state: 'running',
  role: 'primary',
  server_version: 150008,
  xlog: { location: 83886080 },
  timeline: 3,
  dcs_last_seen: NOW - 50,
  pending_restart: true,
  pause: true,
  patroni: { version: '4.0.7', scope: 'pem', name: 'pem-backend-1' },
};

describe('Patroni answers', () => {
  it('make the cluster row: leader, timeline, members, lag, DCS', () => {
    assert.deepEqual(clusterRow(CLUSTER, NODE_REPLICA, 30, NOW), {
      scope: 'pem',
      leader: 'pem-backend-1',
      has_leader: true,
      timeline: 3,
      members: 3,
      members_running: 2,
      replicas_unknown_lag: 1,
      max_lag_bytes: 0,
      paused: false,
      dcs_last_seen_age_s: 4,
      dcs_healthy: true,
    });
    const noLeader = clusterRow(
      { ...CLUSTER, pause: true, members: CLUSTER.members.slice(1) },
      NODE_LEADER,
      null,
      NOW,
    );
    assert.equal(noLeader.leader, null);
    assert.equal(noLeader.has_leader, false);
    assert.equal(noLeader.timeline, null);
    assert.equal(noLeader.paused, true);
    assert.equal(noLeader.dcs_healthy, false, '50 s since the DCS was seen, beyond the default ttl of 30 s');
    assert.throws(() => clusterRow({}, {}, null, NOW), /no members/);
    assert.equal(ttlOf({ ttl: 20, loop_wait: 5 }), 20);
  });

  it('make the node row: role, state, WAL positions, lag from the cluster view', () => {
    const r = nodeRow(NODE_REPLICA, CLUSTER, NOW);
    assert.equal(r.member, 'pem-backend-2');
    assert.equal(r.role, 'replica');
    assert.equal(r.lag_bytes, 0);
    assert.equal(r.received_position_bytes, 83886080);
    assert.equal(r.wal_position_bytes, null);
    assert.equal(r.replay_paused, false);
    assert.equal(r.pending_restart, false);
    const l = nodeRow(NODE_LEADER, null, NOW);
    assert.equal(l.lag_bytes, null);
    assert.equal(l.wal_position_bytes, 83886080);
    assert.equal(l.pending_restart, true);
    assert.equal(l.paused, true);
    assert.throws(() => nodeRow({}, null, NOW), /no state/);
    for (const [p, row] of [
      [patroniClusterProbe, clusterRow(CLUSTER, NODE_REPLICA, 30, NOW)],
      [patroniNodeProbe, r],
    ] as const) {
      assert.deepEqual(columnProblems(p, row as never, NOW * 1000), []);
      assert.deepEqual(Object.keys(row).sort(), p.columns.map((c) => c.name).sort());
    }
  });
});

describe('Patroni probes over HTTP', () => {
  let server: Server;
  let node: unknown = NODE_REPLICA;
  let hang = false;
  before(async () => {
    server = createServer((req, res) => {
      if (hang) return; // never answer
      const body =
        req.url === '/cluster'
          ? CLUSTER
          : req.url === '/patroni'
            ? node
            : req.url === '/config'
              ? { ttl: 30 }
              : null;
      res.writeHead(body ? 200 : 404, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body ?? { error: 'not found' }));
    });
    await new Promise<void>((r) => server.listen(8008, ADDRESS, r));
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('collect through a ServerMonitor of a PEM backend (API at <binding host>:8008), beside the SQL probes', async () => {
    node = { ...NODE_REPLICA, dcs_last_seen: Math.floor(Date.now() / 1000) - 2 };
    hang = false;
    const samples: NewSample[] = [];
    const failures: ProbeFailure[] = [];
    const m = new ServerMonitor({
      agentId: 1,
      binding: {
        serverId: 4,
        displayName: 'pem-backend-2',
        host: ADDRESS,
        port: 5432, // no PostgreSQL here: the SQL lane fails on its own, the HTTP lane does not care
        userName: 'monitor',
        sslmode: 'disable',
        maintenanceDb: 'postgres',
      },
      intervalMs: 10_000,
      logger: createLogger('t', { level: 'silent' }),
      settings: definitionDefaults({ patroni_cluster: { enabled: true }, patroni_node: { enabled: true } }),
      sink: {
        record: async (s) => {
          samples.push(...s);
        },
        probeFailed: (f) => {
          failures.push(f);
        },
      },
    });
    await m.cycle();
    await m.stop();
    const c = samples.find((s) => s.probe === 'patroni_cluster')!;
    assert.equal(c.value.leader, 'pem-backend-1');
    assert.equal(c.value.dcs_healthy, true);
    const n = samples.find((s) => s.probe === 'patroni_node')!;
    assert.equal(n.value.state, 'running');
    assert.equal(n.serverId, 4);
    assert.equal(samples.find((s) => s.probe === 'server_up')!.value.up, 0, 'no PostgreSQL on that address');
    assert.ok(!failures.some((f) => f.probe.startsWith('patroni')));
  });

  it('record a failure with the reason when the API does not answer in time', async () => {
    hang = true;
    await assert.rejects(
      patroniNodeProbe.http!({ patroniUrl: `http://${ADDRESS}:8008`, timeoutMs: 300 }),
      /did not answer within 300 ms/,
    );
    hang = false;
    await assert.rejects(
      patroniNodeProbe.http!({ patroniUrl: 'http://127.0.11.222:8008', timeoutMs: 1000 }),
      /ECONNREFUSED/,
    );
  });
});

describe('Patroni probes over HTTPS (a secured deployment)', () => {
  const HTTPS_ADDRESS = '127.0.11.224';
  let server: HttpsServer;
  let ca: string;
  before(async () => {
    const authority = await createCa({ commonName: 'probe test CA', days: 1 });
    ca = authority.certPem;
    const cert = await issuePeerCertificate(authority, {
      commonName: '',
      unit: 'patroni test',
      dnsNames: [],
      ipAddresses: [HTTPS_ADDRESS],
      days: 1,
    });
    server = createHttpsServer({ cert: cert.certPem, key: cert.keyPem }, (req, res) => {
      const body = req.url === '/cluster' ? CLUSTER : req.url === '/patroni' ? NODE_REPLICA : null;
      res.writeHead(body ? 200 : 404, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body ?? { error: 'not found' }));
    });
    await new Promise<void>((r) => server.listen(8008, HTTPS_ADDRESS, r));
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('read the node over https, verified against the deployment CA', async () => {
    const rows = await patroniNodeProbe.http!({
      patroniUrl: `https://${HTTPS_ADDRESS}:8008`,
      timeoutMs: 3000,
      ca: Buffer.from(ca),
    });
    assert.equal(rows[0]?.member, 'pem-backend-2');
  });

  it('refuse a server whose certificate does not chain to the given CA', async () => {
    const other = await createCa({ commonName: 'another CA', days: 1 });
    await assert.rejects(
      patroniNodeProbe.http!({
        patroniUrl: `https://${HTTPS_ADDRESS}:8008`,
        timeoutMs: 3000,
        ca: Buffer.from(other.certPem),
      }),
      /unable to verify|self.signed|certificate/i,
    );
  });
});
