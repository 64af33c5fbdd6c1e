/**
 * A revoked agent certificate stops working (issue 16, security review L6),
 * on a real PostgreSQL with TLS and certificate authentication for agents
 * (127.0.8.40): agent 1 connects with its client certificate, the way the
 * agent does; once pem.agent_certificate.revoked_at is set for that
 * certificate (what re-registration and unregistration do), every function
 * an agent calls refuses it with SQLSTATE 28000, on the connection opened
 * before the revocation too, while the agent's new certificate works.
 */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sqlStateOf } from '@pharos/core/errors';
import { HaConnection } from '@pharos/core/ha/connection';
import { makeTestPki } from '@pharos/testkit/pki/test-pki';
import { startPostgres, type TestPostgres } from '@pharos/testkit/postgres/postgres-server';
import { migrate } from '../migrations/run.js';

const ADDRESS = '127.0.8.40';

describe('a revoked agent certificate is refused by every agent function', { timeout: 120_000 }, () => {
  let dir: string;
  let pg: TestPostgres;
  let admin: HaConnection;
  const conns: HaConnection[] = [];
  let caCert: string;
  const certs: Record<string, { cert: string; key: string; serial: string; fingerprint: string }> = {};

  const agentConn = (which: string) => {
    const c = new HaConnection({
      conninfo: `host=${ADDRESS} dbname=pem user=agent1 sslmode=verify-full sslrootcert=${caCert} sslcert=${certs[which]!.cert} sslkey=${certs[which]!.key}`,
      queryTimeoutMs: 10_000,
    });
    conns.push(c);
    return c;
  };
  const record = (which: string, revoked: boolean) =>
    admin.query(
      `INSERT INTO pem.agent_certificate (agent_id, fingerprint_sha256, common_name, serial_number, issuer,
                                          not_before, not_after, source, cert_pem, revoked_at)
       VALUES (1, $1, 'agent1', $2, 'CN=test CA', now() - interval '1 hour', now() + interval '1 day', 'supplied', $3,
               CASE WHEN $4 THEN now() END)
       ON CONFLICT (agent_id, fingerprint_sha256) DO UPDATE SET revoked_at = excluded.revoked_at`,
      [certs[which]!.fingerprint, certs[which]!.serial, readFileSync(certs[which]!.cert, 'utf8'), revoked],
    );
  /** What the agent calls first and most: heartbeat, bindings (SQL function), registration (SQL function). */
  const calls = [
    "SELECT pem.agent_heartbeat(1, 'test', 0)",
    'SELECT * FROM pem.agent_bindings(1)',
    'SELECT * FROM pem.agent_registration(1)',
    'SELECT * FROM pem.agent_probe_config(1)',
  ];
  const outcome = async (c: HaConnection, sql: string) => {
    try {
      await c.query(sql);
      return 'ok';
    } catch (err) {
      return `${sqlStateOf(err)} ${(err as Error).message}`;
    }
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pharos-revoked-'));
    const pki = makeTestPki(dir);
    caCert = pki.caCert;
    const server = pki.issue('server', [ADDRESS]);
    for (const which of ['old', 'new']) {
      const c = pki.issueClient(`agent1-${which}`, 'agent1');
      const x = new X509Certificate(readFileSync(c.cert));
      certs[which] = {
        ...c,
        serial: x.serialNumber,
        fingerprint: x.fingerprint256.replaceAll(':', '').toLowerCase(),
      };
    }
    pg = await startPostgres({
      address: ADDRESS,
      ssl: { certFile: server.cert, keyFile: server.key, caFile: pki.caCert },
      hba: ['hostssl pem +pem_agent 127.0.0.0/8 cert', 'host all postgres 127.0.0.0/8 scram-sha-256'],
    });
    await pg.psql('CREATE DATABASE pem');
    admin = new HaConnection({ conninfo: pg.conninfo('postgres', 'pem'), queryTimeoutMs: 120_000 });
    await migrate((fn) => admin.transaction(fn));
    await admin.query('CREATE ROLE agent1 LOGIN IN ROLE pem_agent');
    await admin.query("INSERT INTO pem.agent (id, user_name, display_name) VALUES (1, 'agent1', 'host-1')");
    await record('old', false);
  });

  after(async () => {
    for (const c of [...conns, admin]) await c?.close().catch(() => {});
    await pg?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('works with the certificate in force, refuses it once revoked (open connection included), takes the new one', async () => {
    const old = agentConn('old');
    for (const sql of calls) assert.equal(await outcome(old, sql), 'ok', sql);
    // the agent is registered again: the old certificate is revoked, the new one recorded
    await record('old', true);
    await record('new', false);
    for (const sql of calls) {
      const o = await outcome(old, sql);
      assert.match(o, /^28000 .*client certificate of user agent1 \(serial \d+\) was revoked/, sql);
    }
    // a new connection with the old certificate gets in (PostgreSQL has no CRL here) but can do nothing
    const reopened = agentConn('old');
    assert.match(await outcome(reopened, calls[0]!), /^28000 /);
    const fresh = agentConn('new');
    for (const sql of calls) assert.equal(await outcome(fresh, sql), 'ok', sql);
    // the same certificate registered again (not revoked any more) works again
    await record('old', false);
    assert.equal(await outcome(old, calls[0]!), 'ok');
  });
});
