/**
 * "Test connection" against real PostgreSQL servers and real failures: each
 * cause is named in a sentence (issue 14 acceptance: wrong password, no HBA
 * rule, wrong certificate name, role without pg_monitor, unreachable), and
 * the test connects exactly as a monitor would (passfile, CA, source address).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { makeTestPki } from '@pharos/testkit/pki/test-pki';
import { startPostgres, type TestPostgres } from '@pharos/testkit/postgres/postgres-server';
import { type TestConnectionTarget, testConnection } from './test-connection.js';

const A = '127.0.2.73'; // TLS, certificate for A
const B = '127.0.2.74'; // TLS, the same certificate (does not name B)
const AGENT = '127.0.2.75'; // the agent's address, allowed by both servers' HBA rules
const STRANGER = '127.0.2.76'; // an address no HBA rule allows
const NOBODY = '127.0.2.77'; // nothing listens
const HOLE = '127.0.2.78'; // accepts and never answers
const WEB = '127.0.2.79'; // an HTTP server on 5432

describe('test connection from the agent (real PostgreSQL)', () => {
  let dir: string;
  let ca: string;
  let a: TestPostgres;
  let b: TestPostgres;
  let passfile: string;
  const closers: (() => Promise<void>)[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pharos-testconn-'));
    const pki = makeTestPki(dir);
    ca = pki.caCert;
    const cert = pki.issue('server-a', [A]);
    const hba = [`hostssl all all ${AGENT}/32 scram-sha-256`, 'hostnossl all all 0.0.0.0/0 reject'];
    const ssl = { certFile: cert.cert, keyFile: cert.key };
    [a, b] = await Promise.all([
      startPostgres({ address: A, hba, ssl }),
      startPostgres({ address: B, hba, ssl }),
    ]);
    const roles = `CREATE ROLE monitor LOGIN PASSWORD 'mon-pw' IN ROLE pg_monitor;
      CREATE ROLE nomon LOGIN PASSWORD 'nomon-pw';
      CREATE ROLE nopass LOGIN PASSWORD 'np-pw' IN ROLE pg_monitor`;
    await Promise.all([a.psql(roles), b.psql(roles)]);
    passfile = join(dir, 'agent.pgpass');
    writeFileSync(
      passfile,
      [
        `${A}:5432:*:monitor:mon-pw`,
        `${A}:5432:*:nomon:nomon-pw`,
        `${A}:5432:*:postgres:wrong-pw`,
        `${B}:5432:*:monitor:mon-pw`,
        `${B}:5432:*:nopass:np-pw`, // a line for another server only
        '',
      ].join('\n'),
      { mode: 0o600 },
    );
    // a black hole and a web server where PostgreSQL is expected
    const held: Socket[] = [];
    const hole = createServer((s) => {
      held.push(s);
      s.on('error', () => {});
    });
    await new Promise<void>((r) => hole.listen(5432, HOLE, r));
    closers.push(
      () =>
        new Promise((r) => {
          for (const s of held) s.destroy();
          hole.close(() => r());
        }),
    );
    const web = createHttpServer((_q, res) => res.end('hello'));
    await new Promise<void>((r) => web.listen(5432, WEB, r));
    closers.push(() => new Promise((r) => web.close(() => r())));
  });
  after(async () => {
    for (const c of closers) await c();
    await a?.stop();
    await b?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const target = (over: Partial<TestConnectionTarget> = {}): TestConnectionTarget => ({
    host: A,
    port: 5432,
    maintenanceDb: 'postgres',
    user: 'monitor',
    sslmode: 'verify-full',
    sslrootcert: ca,
    ...over,
  });
  const test = (over: Partial<TestConnectionTarget> = {}, source = AGENT) =>
    testConnection(target(over), {
      agentId: 9,
      passfile,
      sourceAddress: source,
      home: dir,
      connectTimeoutS: 2,
    });

  it('connects with verify-full and reports what the server is', async () => {
    const r = await test();
    assert.equal(r.ok, true, JSON.stringify(r));
    assert.match(r.message, /^Connected to 127\.0\.2\.73:5432 as monitor \(PostgreSQL \d+, primary, TLS\)/);
    assert.equal(r.server?.pgMonitor, true);
    assert.equal(r.server?.tls, true);
    assert.deepEqual(
      r.warnings.map((w) => w.split(':')[0]),
      ['pg_stat_statements is not installed in postgres'],
    );
  });

  it('names a wrong password', async () => {
    const r = await test({ user: 'postgres' });
    assert.equal(r.cause, 'authentication', JSON.stringify(r));
    assert.equal(r.sqlstate, '28P01');
    assert.match(
      r.message,
      /^Password authentication failed for postgres on 127\.0\.2\.73:5432: the password in .*agent\.pgpass/,
    );
  });

  it('names a missing password and gives the passfile line, scoped to host:port', async () => {
    const r = await test({ user: 'nopass' });
    assert.equal(r.cause, 'no-password', JSON.stringify(r));
    assert.equal(r.passfileLine, '127.0.2.73:5432:*:nopass:<password>');
    assert.match(
      r.message,
      /The agent has no password for nopass@127\.0\.2\.73:5432: add this line to .*agent\.pgpass/,
    );
  });

  it('names a missing HBA rule with the address the server saw', async () => {
    const r = await test({}, STRANGER);
    assert.equal(r.cause, 'no-hba-rule', JSON.stringify(r));
    assert.match(
      r.message,
      /has no pg_hba\.conf rule for the agent \(host 127\.0\.2\.76, user monitor, database postgres\)/,
    );
    assert.match(r.message, /hostssl postgres monitor 127\.0\.2\.76\/32 scram-sha-256/);
  });

  it('names a certificate that does not name the host (verify-full)', async () => {
    const r = await test({ host: B });
    assert.equal(r.cause, 'tls', JSON.stringify(r));
    assert.match(r.message, /^The certificate of 127\.0\.2\.74:5432 does not name 127\.0\.2\.74/);
  });

  it('names a role without pg_monitor', async () => {
    const r = await test({ user: 'nomon' });
    assert.equal(r.cause, 'no-pg-monitor', JSON.stringify(r));
    assert.match(r.message, /nomon is not a member of pg_monitor.*GRANT pg_monitor TO nomon;/);
  });

  it('names an unreachable server: refused, silent, or not PostgreSQL', async () => {
    const refused = await test({ host: NOBODY });
    assert.equal(refused.cause, 'refused', JSON.stringify(refused));
    assert.match(
      refused.message,
      /^Connection refused at 127\.0\.2\.77:5432 from 127\.0\.2\.75: nothing listens there/,
    );
    const t0 = Date.now();
    const silent = await test({ host: HOLE });
    assert.equal(silent.cause, 'timeout', JSON.stringify(silent));
    assert.match(silent.message, /^No answer from 127\.0\.2\.78:5432 within 2 s/);
    assert.ok(Date.now() - t0 < 6000, `bounded by connect_timeout: ${Date.now() - t0} ms`);
    const web = await test({ host: WEB, sslmode: 'prefer' });
    assert.equal(web.cause, 'not-postgresql', JSON.stringify(web));
    assert.match(web.message, /answered, but not as PostgreSQL does/);
  });

  it('names a missing CA file and a missing database', async () => {
    const noCa = await testConnection(target({ sslrootcert: undefined }), {
      agentId: 9,
      passfile,
      sourceAddress: AGENT,
      home: dir,
    });
    assert.equal(noCa.cause, 'tls', JSON.stringify(noCa));
    assert.match(
      noCa.message,
      /The agent cannot verify 127\.0\.2\.73:5432 \(sslmode=verify-full\): root certificate file/,
    );
    const db = await test({ maintenanceDb: 'nosuchdb' });
    assert.equal(db.cause, 'no-database', JSON.stringify(db));
  });
});
