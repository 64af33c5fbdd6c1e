/**
 * `pharos configure`, `agent register` and `agent verify` against real
 * PostgreSQL servers (a primary 127.0.8.10 with TLS and `cert` HBA rules
 * for pem_agent, and its streaming standby 127.0.8.11), run as the operator
 * runs them: `node packages/cli/bin/pharos.js ...`, the reference's command
 * lines with its addresses mapped (172.16.161.200 -> 127.0.8.10, .201 -> 127.0.8.11).
 *
 * Every failure must exit non-zero with a message naming the problem and
 * leave the backend exactly as it was (a snapshot of pem.* rows and roles).
 */
import assert from 'node:assert/strict';
import {
  chmodSync,
  chownSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { latestVersion } from '@pharos/backend/migrations/run';
import { HaConnection } from '@pharos/core/ha/connection';
import { createCa } from '@pharos/core/pki/ca';
import { writeCertFile, writeKeyFile } from '@pharos/core/pki/files';
import { issueClientCertificate, issueServerCertificate } from '@pharos/core/pki/issue';
import { startPostgres, startStandby, type TestPostgres } from '@pharos/testkit/postgres/postgres-server';
import { backendSnapshot, type CliRun, runPharos } from '../../testing/configure.js';

const P = '127.0.8.10';
const S = '127.0.8.11';
const PASSWORD = 'pemsuper-secret';

describe('pharos configure and agent registration (real PostgreSQL)', { timeout: 300_000 }, () => {
  let dir: string;
  let primary: TestPostgres;
  let standby: TestPostgres;
  let ca: { certPem: string; keyPem: string };
  const cert = (user: string) => ({
    cert: join(dir, 'certs', `${user}.crt`),
    key: join(dir, 'certs', `${user}.key`),
  });

  const snapshot = () => backendSnapshot(async (sql, db) => primary.psql(sql, db));

  /** Environment of a command run "on" host `name` at `address`. */
  const env = (name: string, address: string, extra: Record<string, string> = {}) => ({
    PHAROS_SUPERPASSWORD: PASSWORD,
    PHAROS_HOST_NAME: name,
    PHAROS_HOST_ADDRESS: address,
    PHAROS_WEB_SERVICE_PASSWORD: 'web-service-secret',
    PGSSLMODE: 'verify-full',
    PGSSLROOTCERT: join(dir, 'certs', 'ca.crt'),
    ...extra,
  });
  const configure = (args: string[], e: Record<string, string>) => runPharos(['configure', ...args], e);

  /** The reference's primary line (per-agent certificates), addresses mapped. */
  const primaryLine = (user: string, id: number, host: string) => [
    '-t',
    '3',
    '-ho',
    `127.0.0.1,${S}`,
    '-p',
    '5432',
    '-su',
    'pemsuper',
    '--asb-host-name',
    '127.0.0.1',
    '--replication-solution',
    'patroni',
    '--replication-role',
    'primary',
    '--db-unitfile',
    'patroni',
    '--db-install-path',
    '/usr/pgsql-17/',
    '--skip-db-certificate',
    '--use-agent-sslcert',
    cert(user).cert,
    '--use-agent-sslkey',
    cert(user).key,
    '-aro',
    `agent_id=${id}`,
    '--agent-config',
    join(dir, host, 'agent.yml'),
  ];
  /** The reference's standby line (per-agent certificates), addresses mapped. */
  const standbyLine = (certUser: string, id: number, host: string) => [
    '-t',
    '3',
    '-ho',
    `${P},127.0.0.1`,
    '-p',
    '5432',
    '-su',
    'pemsuper',
    '--asb-host-name',
    '127.0.0.1',
    '--replication-solution',
    'patroni',
    '--replication-role',
    'standby',
    '--db-unitfile',
    'patroni',
    '--db-install-path',
    '/usr/pgsql-17/',
    '--use-agent-sslcert',
    cert(certUser).cert,
    '--use-agent-sslkey',
    cert(certUser).key,
    '-aro',
    `agent_id=${id}`,
    '--agent-config',
    join(dir, host, 'agent.yml'),
  ];

  /** Asserts a failed run: non-zero, message matching `pattern`, backend unchanged. */
  async function failsUnchanged(run: () => Promise<CliRun>, pattern: RegExp): Promise<void> {
    const before = await snapshot();
    const r = await run();
    assert.notEqual(r.code, 0, `expected a failure, got: ${r.stdout}`);
    assert.match(r.stderr, pattern);
    assert.equal(await snapshot(), before, 'the backend changed');
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pharos-configure-'));
    chmodSync(dir, 0o755);
    mkdirSync(join(dir, 'certs'));
    ca = await createCa({ commonName: 'configure test CA', days: 30 });
    await writeCertFile(join(dir, 'certs', 'ca.crt'), ca.certPem);
    const server = await issueServerCertificate(ca, {
      commonName: P,
      dnsNames: ['localhost'],
      ipAddresses: [P, S, '127.0.0.1'],
      days: 30,
    });
    await writeKeyFile(join(dir, 'certs', 'server.key'), server.keyPem);
    await writeCertFile(join(dir, 'certs', 'server.crt'), server.certPem);
    for (const user of ['agent1', 'agent2', 'agent5']) {
      const c = await issueClientCertificate(ca, { commonName: user, days: 30 });
      await writeKeyFile(cert(user).key, c.keyPem);
      await writeCertFile(cert(user).cert, c.certPem);
    }
    primary = await startPostgres({
      address: P,
      ssl: {
        certFile: join(dir, 'certs', 'server.crt'),
        keyFile: join(dir, 'certs', 'server.key'),
        caFile: join(dir, 'certs', 'ca.crt'),
      },
      hba: [
        'hostssl pem +pem_agent 127.0.8.0/24 cert',
        'host all all 127.0.0.0/8 scram-sha-256',
        'host replication all 127.0.0.0/8 scram-sha-256',
      ],
      settings: { wal_level: 'replica', max_wal_senders: '5' },
    });
    await primary.psql(`CREATE ROLE pemsuper LOGIN SUPERUSER PASSWORD '${PASSWORD}'`);
    standby = await startStandby(primary, { address: S });
  });

  after(async () => {
    await standby?.stop();
    await primary?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('refuses -t 2 before the backend exists, and creates nothing', async () => {
    const web = [
      '-t',
      '2',
      '-ho',
      `${P},${S}`,
      '-p',
      '5432',
      '-su',
      'pemsuper',
      '--db-install-path',
      '/usr/pgsql-17/',
      '--use-agent-sslcert',
      cert('agent1').cert,
      '--use-agent-sslkey',
      cert('agent1').key,
      '-aro',
      'agent_id=1',
      '--agent-config',
      join(dir, 'web', 'agent.yml'),
      '--web-config',
      join(dir, 'web', 'web.yml'),
    ];
    await failsUnchanged(
      () => configure(web, env('web-1', '127.0.8.21')),
      /-t 2: the backend is not configured yet \(no database pem/,
    );
  });

  it('refuses -t 3 --replication-role primary run on a standby', async () => {
    await failsUnchanged(
      () => configure(primaryLine('agent1', 1, 'b1'), env('pem-backend-2', S)),
      /--replication-role primary, but the local server 127\.0\.0\.1:5432 \(this host, 127\.0\.8\.11\) is a standby/,
    );
  });

  it('refuses a wrong superuser password', async () => {
    await failsUnchanged(
      () =>
        configure(primaryLine('agent1', 1, 'b1'), env('pem-backend-1', P, { PHAROS_SUPERPASSWORD: 'wrong' })),
      /password authentication failed for user "pemsuper"/,
    );
  });

  it('configures the primary, then a second run changes nothing', async () => {
    const r = await configure(primaryLine('agent1', 1, 'b1'), env('pem-backend-1', P));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /created database pem/);
    assert.match(r.stdout, new RegExp(`schema upgraded from version 0 to ${latestVersion()}`));
    assert.match(r.stdout, /agent 1 \(agent1, pem-backend-1\): registered/);
    assert.match(r.stdout, /agent login as agent1: ok/);
    assert.match(r.stdout, /configure: done$/m);
    const before = await snapshot();
    const again = await configure(primaryLine('agent1', 1, 'b1'), env('pem-backend-1', P));
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /configure: nothing to change, already configured/);
    assert.equal(await snapshot(), before);
    const cfg = readFileSync(join(dir, 'b1', 'agent.yml'), 'utf8');
    assert.match(cfg, /agent_id: 1\n/);
    assert.match(cfg, /hostaddr=127\.0\.8\.10,/);
    assert.match(cfg, /source_address: 127\.0\.8\.10/);
    assert.equal(statSync(join(dir, 'b1', 'agent.pgpass')).mode & 0o777, 0o600);
    // the monitoring password is offered only to the bound server (security review M3)
    assert.match(readFileSync(join(dir, 'b1', 'agent.pgpass'), 'utf8'), /^127\.0\.0\.1:5432:\*:[^:]+:.+\n$/);
  });

  it('refuses a taken agent id, naming its owner', async () => {
    await failsUnchanged(
      () => configure(standbyLine('agent1', 1, 'b2'), env('pem-backend-2', S)),
      /agent id 1 is taken by agent 1 \('pem-backend-1', user agent1\)/,
    );
  });

  it('refuses a certificate whose CN is not agentN, naming the CN expected', async () => {
    await failsUnchanged(
      () => configure(standbyLine('agent5', 2, 'b2'), env('pem-backend-2', S)),
      /has CN 'agent5' but the agent's database user is 'agent2'; expected a certificate with CN=agent2/,
    );
  });

  it('refuses a missing or unreadable key file, naming it', async () => {
    const missing = join(dir, 'certs', 'nowhere.key');
    const line = standbyLine('agent2', 2, 'b2');
    line[line.indexOf('--use-agent-sslkey') + 1] = missing;
    await failsUnchanged(
      () => configure(line, env('pem-backend-2', S)),
      new RegExp(`--use-agent-sslkey: cannot read the private key file ${missing}: no such file`),
    );
    const unreadable = join(dir, 'certs');
    line[line.indexOf('--use-agent-sslkey') + 1] = unreadable;
    await failsUnchanged(
      () => configure(line, env('pem-backend-2', S)),
      new RegExp(`cannot read the private key file ${unreadable}: it is a directory`),
    );
    const garbage = join(dir, 'certs', 'garbage.key');
    writeFileSync(garbage, 'not a key\n', { mode: 0o600 });
    line[line.indexOf('--use-agent-sslkey') + 1] = garbage;
    await failsUnchanged(
      () => configure(line, env('pem-backend-2', S)),
      new RegExp(`${garbage} is not a PEM private key`),
    );
    line[line.indexOf('--use-agent-sslkey') + 1] = cert('agent1').key;
    await failsUnchanged(
      () => configure(line, env('pem-backend-2', S)),
      /is not the private key of .*agent2\.crt/,
    );
  });

  it('registers a standby through the primary and writes no schema', async () => {
    const before = JSON.parse(await snapshot());
    const r = await configure(standbyLine('agent2', 2, 'b2'), env('pem-backend-2', S));
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stdout, /schema/);
    assert.match(r.stdout, /agent 2 \(agent2, pem-backend-2\): registered/);
    const after = JSON.parse(await snapshot());
    assert.deepEqual(after.pem.versions, before.pem.versions);
    assert.equal(after.pem.relations, before.pem.relations);
    assert.deepEqual(
      after.pem.bindings.map((b: { agent_id: number; host: string }) => [b.agent_id, b.host]),
      [
        [1, '127.0.0.1'],
        [2, '127.0.0.1'],
      ],
    );
  });

  it('issues built-in CA certificates through the primary, key never leaving the host', async () => {
    const line = (host: string) => [
      '-t',
      '3',
      '-ho',
      `127.0.0.1,${S}`,
      '-p',
      '5432',
      '-su',
      'pemsuper',
      '--asb-host-name',
      '127.0.0.1',
      '--replication-solution',
      'patroni',
      '--replication-role',
      'primary',
      '--skip-db-certificate',
      '--use-existing-sslutils',
      '--db-install-path',
      '/usr/pgsql-17/',
      '--db-unitfile',
      'patroni',
      '--agent-config',
      join(dir, host, 'agent.yml'),
    ];
    // No CA files in the data directory yet: refused, naming the file, nothing kept (not even the signer).
    await failsUnchanged(
      () => configure(line('ca1'), env('ca-host-1', P)),
      /the built-in CA on the primary refused: cannot read the CA certificate .*ca_certificate\.crt: ENOENT/,
    );
    const pgUser = statSync(primary.dataDir);
    for (const [src, name] of [
      [ca.certPem, 'ca_certificate.crt'],
      [ca.keyPem, 'ca_key.key'],
    ] as const) {
      const file = join(primary.dataDir, name);
      writeFileSync(file, src, { mode: 0o600 });
      chownSync(file, pgUser.uid, pgUser.gid);
    }
    const r = await configure(line('ca1'), env('ca-host-1', P));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /built-in CA: enabled/);
    assert.match(r.stdout, /agent 3 \(agent3, ca-host-1\): registered/);
    assert.match(r.stdout, /agent certificate \(built-in-ca, expires .*\): issued/);
    assert.match(r.stdout, /agent login as agent3: ok/);
    assert.equal(statSync(join(dir, 'ca1', 'agent3.key')).mode & 0o777, 0o600);
    const issued = readFileSync(join(dir, 'ca1', 'agent3.crt'), 'utf8');
    const rows = await primary.psql(
      "SELECT source || ' ' || common_name || ' ' || (csr_pem IS NOT NULL) || ' ' || (cert_pem = $$" +
        issued +
        '$$) FROM pem.agent_certificate WHERE agent_id = 3',
      'pem',
    );
    assert.equal(rows, 'built-in-ca agent3 true true');
    const before = await snapshot();
    const again = await configure(line('ca1'), env('ca-host-1', P));
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /configure: nothing to change, already configured/);
    assert.equal(await snapshot(), before);
    assert.equal(readFileSync(join(dir, 'ca1', 'agent3.crt'), 'utf8'), issued);
  });

  it('agent register / verify / unregister for a monitored host', async () => {
    const config = join(dir, 'mon', 'agent.yml');
    const regArgs = [
      'agent',
      'register',
      '--config',
      config,
      '--host',
      `${P},${S}`,
      '--superuser',
      'pemsuper',
      '--display-name',
      'monitored-1',
    ];
    const e = env('monitored-1', '127.0.8.30');
    const r = await runPharos(regArgs, e);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /agent 4 \(agent4, monitored-1\): registered/);
    assert.match(r.stdout, /agent login as agent4: ok/);
    const again = await runPharos(regArgs, e);
    assert.match(again.stdout, /agent register: nothing to change, already registered/);
    // Registered, never ran: inactive.
    let v = await runPharos(['agent', 'verify', '--config', config], e);
    assert.equal(v.code, 3, v.stderr);
    assert.match(v.stderr, / \[PHAROS_VERIFY_NO_HEARTBEAT\]$/m);
    // A heartbeat as the agent (what `agent run` sends): working.
    const conn = new HaConnection({
      conninfo: `host=${P} dbname=pem user=agent4 sslmode=verify-full sslrootcert=${join(dir, 'certs', 'ca.crt')} sslcert=${join(dir, 'mon', 'agent4.crt')} sslkey=${join(dir, 'mon', 'agent4.key')}`,
      sourceAddress: '127.0.8.30',
    });
    await conn.query("SELECT pem.agent_heartbeat(4, 'test', 0)");
    await conn.close();
    v = await runPharos(['agent', 'verify', '--config', config], e);
    assert.equal(v.code, 0, v.stderr);
    assert.match(v.stdout, /agent 4 \(agent4\) is registered and working/);
    // Cannot connect: a port nothing listens on.
    const text = readFileSync(config, 'utf8');
    const down = join(dir, 'mon', 'down.yml');
    writeFileSync(down, text.replace('port=5432,5432', 'port=5499,5499'), { mode: 0o600 });
    v = await runPharos(['agent', 'verify', '--config', down], e);
    assert.equal(v.code, 2, v.stderr);
    assert.match(v.stderr, / \[PHAROS_VERIFY_UNREACHABLE\]$/m);
    // Configuration problem: a certificate that is not the agent user's.
    const wrong = join(dir, 'mon', 'wrong.yml');
    writeFileSync(wrong, text.replaceAll(join(dir, 'mon', 'agent4.'), join(dir, 'certs', 'agent5.')), {
      mode: 0o600,
    });
    v = await runPharos(['agent', 'verify', '--config', wrong], e);
    assert.equal(v.code, 1, v.stderr);
    assert.match(v.stderr, / \[PHAROS_VERIFY_CERTIFICATE_WRONG_USER\]$/m);
    // A taken id is refused for register too.
    const taken = await runPharos([...regArgs, '--agent-id', '1'], e);
    assert.equal(taken.code, 2);
    assert.match(
      taken.stderr,
      /^pharos: monitored-1 is already registered as agent 4.* \[PHAROS_REGISTER_ALREADY\]$/m,
    );
    // Unregister: row and role gone; verify then says not registered (the login is refused).
    const u = await runPharos(['agent', 'unregister', '--config', config, '--superuser', 'pemsuper'], e);
    assert.equal(u.code, 0, u.stderr);
    assert.match(u.stdout, /unregistered agent 4 \('monitored-1', user agent4\)/);
    assert.match(u.stdout, /dropped role agent4/);
    assert.equal(await primary.psql("SELECT count(*) FROM pg_roles WHERE rolname = 'agent4'"), '0');
    assert.equal(
      await primary.psql(
        'SELECT revoked_at IS NOT NULL FROM pem.agent_certificate WHERE agent_id = 4',
        'pem',
      ),
      't',
    );
    v = await runPharos(['agent', 'verify', '--config', config], e);
    assert.equal(v.code, 1, v.stderr);
    assert.match(v.stderr, / \[PHAROS_VERIFY_REFUSED\]$/m);
    const u2 = await runPharos(['agent', 'unregister', '--config', config, '--superuser', 'pemsuper'], e);
    assert.match(u2.stdout, /agent unregister: nothing to change/);
  });
});
