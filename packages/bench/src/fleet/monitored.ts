/**
 * The PostgreSQL servers the fleet benchmark monitors: real instances
 * (startPostgres, the machine's major), each listening on
 * ADDRESSES_PER_INSTANCE of the monitored servers' addresses
 * (listen_addresses; addresses.ts says why), with TLS (a certificate naming
 * every address it listens on, from the backend's test CA, so agents verify
 * it with sslmode=verify-full as the fleet's default asks) and a monitoring
 * role `pem_monitor` in pg_monitor, admitted by one HBA rule (hostssl,
 * scram-sha-256) from loopback: what a DBA's server looks like after
 * `pharos server prepare` (docs/monitoring-a-server.md).
 */
import type { TestPki } from '@pharos/testkit/pki/test-pki';
import { startPostgres, type TestPostgres } from '@pharos/testkit/postgres/postgres-server';
import { ADDRESSES_PER_INSTANCE, serverAddress } from './addresses.js';

/** The monitoring role's name and password on every instance. */
export const MONITOR_USER = 'pem_monitor';
export const MONITOR_PASSWORD = 'fleet-monitor-pw';

/** A monitored instance and the server addresses (indexes into serverAddress) it listens on. */
export interface MonitoredInstance {
  pg: TestPostgres;
  servers: number[];
}

/**
 * Starts ceil(servers / ADDRESSES_PER_INSTANCE) instances covering servers
 * 0..servers-1, two at a time (each initdb takes a few seconds).
 * @throws startPostgres's errors (an address in use, initdb failing); the
 *   instances already started are stopped first.
 */
export async function startMonitored(servers: number, pki: TestPki): Promise<MonitoredInstance[]> {
  const count = Math.ceil(servers / ADDRESSES_PER_INSTANCE);
  const plan = Array.from({ length: count }, (_, i) =>
    Array.from(
      { length: Math.min(ADDRESSES_PER_INSTANCE, servers - i * ADDRESSES_PER_INSTANCE) },
      (_, j) => i * ADDRESSES_PER_INSTANCE + j,
    ),
  );
  const started: MonitoredInstance[] = [];
  try {
    for (let i = 0; i < plan.length; i += 2) {
      started.push(
        ...(await Promise.all(
          plan.slice(i, i + 2).map(async (idx, j) => {
            const addresses = idx.map(serverAddress);
            const cert = pki.issue(`monitored-${i + j}`, addresses);
            const pg = await startPostgres({
              address: addresses[0]!,
              ssl: { certFile: cert.cert, keyFile: cert.key },
              hba: [`hostssl all ${MONITOR_USER} 127.0.0.0/8 scram-sha-256`, 'host all all 0.0.0.0/0 reject'],
              settings: {
                listen_addresses: addresses.join(','),
                // one probe session per server, plus the database lane's short sessions
                max_connections: String(2 * idx.length + 20),
                shared_buffers: '16MB',
              },
            });
            await pg.psql(
              `CREATE ROLE ${MONITOR_USER} LOGIN PASSWORD '${MONITOR_PASSWORD}' IN ROLE pg_monitor`,
            );
            return { pg, servers: idx };
          }),
        )),
      );
    }
  } catch (err) {
    await Promise.all(started.map((m) => m.pg.stop().catch(() => {})));
    throw err;
  }
  return started;
}
