/**
 * The fleet journey of issue 14 with real parts, as a DBA types it
 * (docs/monitoring-a-server.md): a pem backend (real PostgreSQL, TLS, the
 * built-in CA), a web instance, a new host at its own address whose agent
 * is enrolled with a one-time token (no superuser password), and monitored
 * PostgreSQL servers. Only documented commands act: `pharos token create`,
 * `pharos agent enrol`, `pharos agent run`, `pharos server prepare|add|
 * list|show|set|test|remove`, `pharos agent unregister`; the test plays the
 * DBA's hands where the docs tell them to edit a server (role, pg_hba.conf,
 * passfile line).
 *
 * Checked: each failing test connection (wrong password, no HBA rule, wrong
 * certificate name, role without pg_monitor, unreachable) is a sentence
 * naming the cause and nothing is registered; bad input names the field and
 * writes nothing (duplicate host:port, unknown agent, expired, used and
 * revoked tokens, a token from another deployment, a server removed twice);
 * the added server's data arrives; removal and unregistration leave nothing
 * behind but history.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import {
  appendFileSync,
  chmodSync,
  chownSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { httpsJson } from '@pharos/cli/api/client';
import { type CliRun, PHAROS_BIN, runPharos } from '@pharos/cli/testing/configure';
import { createCsr, ENROLMENT_CSR_CN } from '@pharos/core/pki/csr';
import { startPostgres, type TestPostgres } from '@pharos/testkit/postgres/postgres-server';
import { waitFor } from '@pharos/testkit/wait/wait-for';
import { PASSWORDS, startTestBackend, type TestBackend } from '@pharos/web/testing/backend-fixture';
import { startTestInstance, type TestInstance } from '@pharos/web/testing/web-instance';

const BACKEND = '127.0.2.84';
const WEB = '127.0.2.85';
const HARNESS = '127.0.2.86';
const HOST = '127.0.2.87'; // the new host: its agent's address
const MONITORED = '127.0.2.88'; // a PostgreSQL with a certificate naming it
const WRONG_NAME = '127.0.2.89'; // a PostgreSQL serving 127.0.2.88's certificate
const NOBODY = '127.0.2.90'; // nothing listens

/** Waits for `check` to return a value (not undefined) within `ms`; fails naming `what` (waitFor's report). */
async function until<T>(what: string, ms: number, check: () => Promise<T | undefined>): Promise<T> {
  return (await waitFor(what, check, { deadlineMs: ms, intervalMs: 200 })) as T;
}

/** Whether the JSON log at `path` has a line with message `msg` whose fields include `fields`. */
function logHas(path: string, msg: string, fields: Record<string, unknown>): boolean {
  if (!existsSync(path)) return false;
  return readFileSync(path, 'utf8')
    .split('\n')
    .some((line) => {
      if (!line.includes(msg)) return false;
      const o = JSON.parse(line) as Record<string, unknown>;
      return o.msg === msg && Object.entries(fields).every(([k, v]) => o[k] === v);
    });
}

describe('the fleet: enrol a host, add and remove servers (real PostgreSQL, web, agent)', {
  timeout: 600_000,
}, () => {
  let dir: string;
  let backend: TestBackend;
  let web: TestInstance;
  let monitored: TestPostgres;
  let wrongName: TestPostgres;
  let agent: ChildProcess | undefined;
  const hostDir = () => join(dir, 'pg-host-1');
  const config = () => join(hostDir(), 'agent.yml');

  /** Environment of a command typed by the administrator (alice, a pem_admin member). */
  const admin = () => ({
    PHAROS_URL: web.url,
    PHAROS_CA_FILE: backend.pki.caCert,
    PHAROS_USER: 'alice',
    PHAROS_PASSWORD: PASSWORDS.alice,
    XDG_CACHE_HOME: join(dir, 'cache'),
    PHAROS_HOST_ADDRESS: HARNESS,
  });
  /** Environment of a command typed on the new host. */
  const onHost = (extra: Record<string, string> = {}) => ({
    PHAROS_HOST_ADDRESS: HOST,
    PHAROS_HOST_NAME: 'pg-host-1',
    XDG_CACHE_HOME: join(dir, 'cache-host'),
    ...extra,
  });
  const pharos = (args: string[], env: Record<string, string>) => runPharos(args, env);
  const sql = (text: string) => backend.psql(text);
  const count = async (text: string) => Number(await sql(text));
  const ok = (r: CliRun) => assert.equal(r.code, 0, `exit ${r.code}\n${r.stdout}\n${r.stderr}`);
  const token = async (name: string, validFor = '1h') => {
    const r = await pharos(['token', 'create', '--name', name, '--valid-for', validFor, '--json'], admin());
    ok(r);
    return JSON.parse(r.stdout) as { id: number; token: string };
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pharos-fleet-'));
    backend = await startTestBackend({
      primaryAddress: BACKEND,
      clientAddresses: [WEB, HARNESS],
      harnessAddress: HARNESS,
      // the plan's rule for agents on monitored hosts: certificates only, no password rule
      hba: [`hostssl pem +pem_agent ${HOST}/32 cert`],
      fleet: false,
    });
    // The built-in CA: the CA files in the backend's data directory, and the signer it runs.
    const pgUser = statSync(backend.primary.dataDir);
    for (const [src, name] of [
      [backend.pki.caCert, 'ca_certificate.crt'],
      [backend.pki.caKey, 'ca_key.key'],
    ] as const) {
      const file = join(backend.primary.dataDir, name);
      copyFileSync(src, file);
      chownSync(file, pgUser.uid, pgUser.gid);
    }
    await sql(
      `INSERT INTO pem.ca_signer (program) VALUES (ARRAY['${process.execPath}', '${PHAROS_BIN}', 'agent', 'sign-csr'])`,
    );
    // the test enrols and logs in more often per minute than a person does
    web = await startTestInstance(backend, WEB, { login_rate_limit_per_minute: 100 });
    const cert = backend.pki.issue('monitored', [MONITORED]);
    const ssl = { certFile: cert.cert, keyFile: cert.key };
    // what the DBA's servers look like before Pharos: TLS on, their own HBA rules
    [monitored, wrongName] = await Promise.all([
      startPostgres({ address: MONITORED, ssl, hba: ['hostnossl all all 0.0.0.0/0 reject'] }),
      startPostgres({
        address: WRONG_NAME,
        ssl,
        hba: [`hostssl all pem_monitor ${HOST}/32 scram-sha-256`],
      }),
    ]);
    await wrongName.psql("CREATE ROLE pem_monitor LOGIN PASSWORD 'mon-pw' IN ROLE pg_monitor");
  });

  after(async () => {
    if (agent?.pid && agent.exitCode === null) {
      agent.kill('SIGTERM');
      await new Promise((r) => agent!.once('exit', r));
    }
    await monitored?.stop();
    await wrongName?.stop();
    await web?.close();
    await backend?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  let firstToken: { id: number; token: string };
  it('enrols the new host with a one-time token, through the web instance, without the superuser', async () => {
    const t = await token('pg-host-1');
    firstToken = t;
    assert.match(t.token, /^pht_[0-9a-f]{32}_[A-Za-z0-9_-]{43}$/);
    assert.equal(
      await count(`SELECT count(*) FROM pem.enrolment_token WHERE token_sha256 = sha256('${t.token}')`),
      1,
    );
    assert.equal(
      await count(`SELECT count(*) FROM pem.enrolment_token WHERE token_sha256::text LIKE '%${t.token}%'`),
      0,
    );
    const r = await pharos(
      [
        'agent',
        'enrol',
        '--url',
        web.url,
        '--ca-file',
        backend.pki.caCert,
        '--config',
        config(),
        '--server-sslrootcert',
        backend.pki.caCert,
      ],
      onHost({ PHAROS_ENROL_TOKEN: t.token }),
    );
    ok(r);
    assert.match(r.stdout, /^agent 1 \(agent1, pg-host-1\): enrolled through https:\/\/127\.0\.2\.85:8443/m);
    assert.match(
      r.stdout,
      /agent certificate \(built-in-ca, expires .*\): .*agent1\.crt, key .*agent1\.key \(made here, 0600\)/,
    );
    assert.match(r.stdout, /agent login as agent1: ok/);
    assert.equal(statSync(join(hostDir(), 'agent1.key')).mode & 0o777, 0o600);
    assert.equal(statSync(config()).mode & 0o777, 0o600);
    assert.equal(statSync(join(hostDir(), 'agent.pgpass')).mode & 0o777, 0o600);
    assert.equal(
      await sql(
        "SELECT source || ' ' || common_name FROM pem.agent_certificate WHERE agent_id = 1 AND revoked_at IS NULL",
      ),
      'built-in-ca agent1',
    );
    assert.equal(await sql('SELECT host(host_address) FROM pem.agent WHERE id = 1'), HOST);
    assert.equal(
      await sql(`SELECT used_by_agent || ' ' || host(used_from) FROM pem.enrolment_token WHERE id = ${t.id}`),
      `1 ${HOST}`,
    );
    // the agent runs (its intervals shortened in its configuration, whose keys may be edited)
    writeFileSync(config(), `${readFileSync(config(), 'utf8')}probe_interval_s: 1\nshort_wait_s: 1\n`, {
      mode: 0o600,
    });
    agent = spawn(process.execPath, [PHAROS_BIN, 'agent', 'run', '--config', config()], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME },
      stdio: 'ignore',
    });
    await until('agent verify exits 0', 30_000, async () =>
      (await pharos(['agent', 'verify', '--config', config()], onHost())).code === 0 ? true : undefined,
    );
    const list = await pharos(['agent', 'list'], admin());
    ok(list);
    assert.match(
      list.stdout,
      /^1 {2}pg-host-1 {2}\(agent1, 127\.0\.2\.87\): heartbeat \d+ s ago, 0 server\(s\)/m,
    );
  });

  it('refuses bad tokens by name and writes nothing: used, expired, revoked, another deployment, unknown', async () => {
    const before = await sql("SELECT count(*)::text || '/' || coalesce(max(id)::text, '-') FROM pem.agent");
    const other = join(dir, 'other', 'agent.yml');
    const enrol = (tok: string, cfg = other, name = 'other-host') =>
      pharos(
        [
          'agent',
          'enrol',
          '--url',
          web.url,
          '--ca-file',
          backend.pki.caCert,
          '--config',
          cfg,
          '--display-name',
          name,
        ],
        onHost({ PHAROS_ENROL_TOKEN: tok }),
      );
    // used: the first host's token, offered again
    const used = await enrol(firstToken.token);
    assert.equal(used.code, 2, used.stderr);
    assert.match(
      used.stderr,
      new RegExp(
        `--token: ${firstToken.id} \\(pg-host-1\\) was already used at .* \\(it enrolled agent 1\\)`,
      ),
    );
    // expired: a token whose validity has passed (moved back in time, as an hour passing would)
    const expired = await token('expired');
    await sql(
      `UPDATE pem.enrolment_token SET created_at = now() - interval '2 hours', expires_at = now() - interval '1 hour' WHERE id = ${expired.id}`,
    );
    const r2 = await enrol(expired.token);
    assert.equal(r2.code, 2);
    assert.match(r2.stderr, new RegExp(`--token: ${expired.id} \\(expired\\) expired at`));
    // revoked
    const revoked = await token('revoked');
    ok(await pharos(['token', 'revoke', String(revoked.id)], admin()));
    const r3 = await enrol(revoked.token);
    assert.equal(r3.code, 2);
    assert.match(r3.stderr, new RegExp(`--token: ${revoked.id} \\(revoked\\) was revoked at .* by alice`));
    // another deployment's token: the same shape, another deployment's id
    const good = await token('second-host');
    const foreign = good.token.replace(/^pht_[0-9a-f]{32}_/, 'pht_0123456789abcdef0123456789abcdef_');
    const r4 = await enrol(foreign);
    assert.equal(r4.code, 2);
    assert.match(
      r4.stderr,
      /--token: it was issued by another Pharos deployment \(0123456789abcdef0123456789abcdef\), not this one \([0-9a-f]{32}\)/,
    );
    // unknown here, and not a token at all
    const r5 = await enrol(good.token.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')));
    assert.equal(r5.code, 2);
    assert.match(r5.stderr, /--token: this deployment never issued it/);
    const r6 = await enrol('not-a-token');
    assert.equal(r6.code, 2);
    assert.match(r6.stderr, /--token: this is not an enrolment token/);
    // a display name already enrolled: refused, and the token stays usable
    const taken = await enrol(good.token, other, 'pg-host-1');
    assert.equal(taken.code, 2);
    assert.match(taken.stderr, /--display-name: pg-host-1 is already enrolled as agent 1 \(user agent1\)/);
    for (const r of [used, r2, r3, r4, r5, r6, taken])
      assert.doesNotMatch(r.stderr, /at .*\.js:\d+/, 'no stack trace');
    assert.ok(!existsSync(other), 'nothing written on the host');
    assert.equal(
      await sql("SELECT count(*)::text || '/' || coalesce(max(id)::text, '-') FROM pem.agent"),
      before,
      'no agent registered',
    );
    const tokens = JSON.parse((await pharos(['token', 'list', '--json'], admin())).stdout) as {
      id: number;
      state: string;
    }[];
    assert.deepEqual(
      [firstToken.id, expired.id, revoked.id, good.id].map((id) => tokens.find((x) => x.id === id)?.state),
      ['used', 'expired', 'revoked', 'pending'],
    );
    // the token still enrols a second host (its agent started by enrol --start), which then goes away
    // through the web instance leaving nothing but the agent's log
    const second = join(dir, 'second', 'agent.yml');
    const started = await pharos(
      [
        'agent',
        'enrol',
        '--url',
        web.url,
        '--ca-file',
        backend.pki.caCert,
        '--config',
        second,
        '--display-name',
        'second-host',
        '--start',
      ],
      onHost({ PHAROS_ENROL_TOKEN: good.token }),
    );
    ok(started);
    const pid = Number(/agent started in the background \(pid (\d+),/.exec(started.stdout)?.[1]);
    assert.ok(pid > 0, started.stdout);
    try {
      await until('the started agent heartbeats', 30_000, async () =>
        (await pharos(['agent', 'verify', '--config', second], onHost())).code === 0 ? true : undefined,
      );
    } finally {
      process.kill(pid, 'SIGTERM');
      // gone, or a zombie (it is not our child: whoever reaps orphans does)
      await until('the started agent stops', 15_000, async () => {
        try {
          const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
          return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z') ? true : undefined;
        } catch {
          return true;
        }
      });
    }
    const gone = await pharos(['agent', 'unregister', '--config', second, '--remove-files'], admin());
    ok(gone);
    assert.match(gone.stdout, /unregistered agent 2 \('second-host', user agent2\)/);
    assert.match(gone.stdout, /dropped role agent2/);
    assert.deepEqual(
      readdirSync(join(dir, 'second')).filter((f) => !['agent.log', 'agent.out'].includes(f)),
      [],
      'only the agent’s log is left',
    );
    assert.equal(
      await sql("SELECT count(*)::text || '/' || coalesce(max(id)::text, '-') FROM pem.agent"),
      before,
    );
    assert.equal(await count("SELECT count(*) FROM pg_roles WHERE rolname = 'agent2'"), 0);
  });

  it('enrols with the host’s own certificate (per-agent: CN agentN; common user), and refuses one whose agent is taken', async () => {
    const certDir = join(dir, 'own-cert');
    mkdirSync(certDir, { recursive: true });
    const issue = (cn: string) => {
      const ossl = (...args: string[]) => execFileSync('openssl', args, { cwd: certDir, stdio: 'pipe' });
      ossl(
        'req',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        `${cn}.key`,
        '-out',
        `${cn}.csr`,
        '-subj',
        `/CN=${cn}`,
      );
      writeFileSync(join(certDir, `${cn}.ext`), 'extendedKeyUsage=clientAuth\nbasicConstraints=CA:FALSE\n');
      ossl(
        'x509',
        '-req',
        '-in',
        `${cn}.csr`,
        '-CA',
        backend.pki.caCert,
        '-CAkey',
        backend.pki.caKey,
        '-CAcreateserial',
        '-out',
        `${cn}.crt`,
        '-days',
        '2',
        '-extfile',
        `${cn}.ext`,
      );
      chmodSync(join(certDir, `${cn}.key`), 0o600);
      return { cert: join(certDir, `${cn}.crt`), key: join(certDir, `${cn}.key`) };
    };
    const own = issue('agent5');
    const cfg = join(dir, 'own-host', 'agent.yml');
    const enrol = (tok: string, c: { cert: string; key: string }, config = cfg) =>
      pharos(
        [
          'agent',
          'enrol',
          '--url',
          web.url,
          '--ca-file',
          backend.pki.caCert,
          '--config',
          config,
          '--display-name',
          'own-host',
          '--sslcert',
          c.cert,
          '--sslkey',
          c.key,
        ],
        onHost({ PHAROS_ENROL_TOKEN: tok }),
      );
    const taken = await enrol(
      (await token('own-host-taken')).token,
      issue('agent1'),
      join(dir, 'taken-host', 'agent.yml'),
    );
    assert.equal(taken.code, 2, taken.stderr);
    assert.match(taken.stderr, /--sslcert: its CN is agent1, and agent 1 is already enrolled \(pg-host-1\)/);
    const r = await enrol((await token('own-host')).token, own);
    ok(r);
    assert.match(r.stdout, /^agent 5 \(agent5, own-host\): enrolled/m);
    assert.match(r.stdout, /agent certificate \(supplied, expires .*\): .*own-cert\/agent5\.crt/);
    assert.match(r.stdout, /agent login as agent5: ok/);
    assert.equal(
      await sql('SELECT source FROM pem.agent_certificate WHERE agent_id = 5 AND revoked_at IS NULL'),
      'supplied',
    );
    const gone = await pharos(['agent', 'unregister', '--config', cfg, '--remove-files'], admin());
    ok(gone);
    assert.ok(
      existsSync(own.cert) && existsSync(own.key),
      'the operator’s own certificate and key are not enrol’s to remove',
    );
    assert.equal(await count('SELECT count(*) FROM pem.agent WHERE id = 5'), 0);
    // the common-user model: the user exists (made at install) and is a member of pem_agent
    await sql('CREATE ROLE pharos_agents LOGIN IN ROLE pem_agent; CREATE ROLE not_an_agent LOGIN');
    const common = issue('pharos_agents');
    const commonCfg = join(dir, 'common-host', 'agent.yml');
    const commonToken = await token('common-host');
    const asCommon = (user: string, c: { cert: string; key: string }) =>
      pharos(
        [
          'agent',
          'enrol',
          '--url',
          web.url,
          '--ca-file',
          backend.pki.caCert,
          '--config',
          commonCfg,
          '--display-name',
          'common-host',
          '--sslcert',
          c.cert,
          '--sslkey',
          c.key,
          '--agent-user',
          user,
        ],
        onHost({ PHAROS_ENROL_TOKEN: commonToken.token }),
      );
    const refused = await asCommon('not_an_agent', issue('not_an_agent'));
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, /--agent-user: not_an_agent is not a common agent user/);
    const r2 = await asCommon('pharos_agents', common);
    ok(r2);
    assert.match(r2.stdout, /^agent \d+ \(pharos_agents, common-host\): enrolled/m);
    assert.match(r2.stdout, /agent login as pharos_agents: ok/);
    ok(await pharos(['agent', 'unregister', '--config', commonCfg, '--remove-files'], admin()));
    assert.equal(
      await count("SELECT count(*) FROM pg_roles WHERE rolname = 'pharos_agents'"),
      1,
      'the operator’s role is kept',
    );
    await sql('DROP ROLE pharos_agents; DROP ROLE not_an_agent');
  });

  it('answers a retry of the request that used a token with that enrolment; any other use is refused', async () => {
    // issue 14: the web tier's deadline can give up (503) while pem.enrol_agent commits; the
    // host asks again with the same CSR (pharos agent enrol does, once; the next test)
    const t = { url: new URL(web.url), ca: readFileSync(backend.pki.caCert), localAddress: HOST };
    const before = await count('SELECT count(*) FROM pem.agent');
    const certificates = await count('SELECT count(*) FROM pem.agent_certificate');
    const retryToken = await token('retry-host');
    const csr = await createCsr({ commonName: ENROLMENT_CSR_CN });
    const request = {
      token: retryToken.token,
      displayName: 'retry-host',
      hostAddress: HOST,
      csr: csr.csrPem,
    };
    const first = await httpsJson(t, 'POST', '/api/enrol', request);
    assert.equal(first.status, 201, JSON.stringify(first.body));
    const again = await httpsJson(t, 'POST', '/api/enrol', request);
    assert.equal(again.status, 201, JSON.stringify(again.body));
    const fields = ['agentId', 'agentUser', 'certificate', 'certificateSource', 'deploymentId'];
    assert.deepEqual(
      fields.map((f) => again.body[f]),
      fields.map((f) => first.body[f]),
      'the same enrolment answered',
    );
    const id = Number(first.body.agentId);
    assert.equal(await count('SELECT count(*) FROM pem.agent'), before + 1, 'registered once');
    assert.equal(
      await count('SELECT count(*) FROM pem.agent_certificate'),
      certificates + 1,
      'one certificate issued',
    );
    // another request with the used token: a new CSR (a new key), another display name, another address
    const otherCsr = await createCsr({ commonName: ENROLMENT_CSR_CN });
    for (const [what, body] of [
      ['a new CSR', { ...request, csr: otherCsr.csrPem }],
      ['another display name', { ...request, displayName: 'retry-host-2' }],
      ['another host address', { ...request, hostAddress: '127.0.2.91' }],
    ] as const) {
      const r = await httpsJson(t, 'POST', '/api/enrol', body);
      assert.deepEqual([r.status, r.body.field], [400, 'token'], `${what}: ${JSON.stringify(r.body)}`);
      assert.match(
        String(r.body.error),
        new RegExp(
          `token: ${retryToken.id} \\(retry-host\\) was already used at .* \\(it enrolled agent ${id}\\)`,
        ),
        what,
      );
    }
    assert.equal(await count('SELECT count(*) FROM pem.agent'), before + 1, 'nothing more registered');
    // once the agent is unregistered, its token's request is refused too
    const alice = await httpsJson(t, 'POST', '/api/login', { user: 'alice', password: PASSWORDS.alice });
    assert.equal(alice.status, 200, JSON.stringify(alice.body));
    const session = {
      cookie: alice.setCookie.map((c) => c.split(';')[0]!).find((c) => c.includes('pharos_session'))!,
      'x-csrf-token': String(alice.body.csrfToken),
    };
    const gone = await httpsJson(t, 'DELETE', `/api/agents/${id}`, undefined, session);
    assert.equal(gone.status, 200, JSON.stringify(gone.body));
    const afterGone = await httpsJson(t, 'POST', '/api/enrol', request);
    assert.deepEqual(
      [afterGone.status, afterGone.body.field],
      [400, 'token'],
      JSON.stringify(afterGone.body),
    );
    assert.equal(await count('SELECT count(*) FROM pem.agent'), before);
  });

  it('pharos agent enrol asks once more after a 503 with the same CSR: enrolled once, its key matches', async () => {
    // a web instance in front of the real one that forwards the first enrolment and loses its answer,
    // as a loaded instance does when its query deadline gives up while pem.enrol_agent commits
    const webTarget = { url: new URL(web.url), ca: readFileSync(backend.pki.caCert), localAddress: HARNESS };
    const tls = backend.pki.issue('lossy-web', [HARNESS]);
    const seen: string[] = [];
    const lossy = createHttpsServer(
      { cert: readFileSync(tls.cert), key: readFileSync(tls.key) },
      (req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
          seen.push(`${req.method} ${req.url} ${String(body.csr)}`);
          httpsJson(webTarget, req.method!, req.url!, body).then(
            (r) => {
              const lost = seen.length === 1;
              const answer = lost
                ? { code: 'PHAROS_BACKEND_FAILING_OVER', error: 'the backend is failing over' }
                : r.body;
              res.writeHead(lost ? 503 : r.status, { 'content-type': 'application/json' });
              res.end(JSON.stringify(answer));
            },
            () => res.destroy(),
          );
        });
      },
    );
    await new Promise<void>((r) => lossy.listen(0, HARNESS, r));
    try {
      const port = (lossy.address() as AddressInfo).port;
      const before = await count('SELECT count(*) FROM pem.agent');
      const cfg = join(dir, 'lossy-host', 'agent.yml');
      const retryToken = await token('lossy-host');
      const r = await pharos(
        [
          'agent',
          'enrol',
          '--url',
          `https://${HARNESS}:${port}`,
          '--ca-file',
          backend.pki.caCert,
          '--config',
          cfg,
          '--display-name',
          'lossy-host',
        ],
        onHost({ PHAROS_ENROL_TOKEN: retryToken.token }),
      );
      ok(r);
      assert.match(
        r.stderr,
        /it answered 503 \(PHAROS_BACKEND_FAILING_OVER\); asking once more in 2 s with the same request/,
      );
      assert.ok(!`${r.stdout}${r.stderr}`.includes(retryToken.token), 'the token is not printed');
      assert.equal(seen.length, 2);
      assert.equal(seen[0], seen[1], 'the same CSR sent twice');
      const m = /^agent (\d+) \(agent\d+, lossy-host\): enrolled/m.exec(r.stdout);
      assert.ok(m, r.stdout);
      assert.match(
        r.stdout,
        new RegExp(`agent login as agent${m[1]}: ok`),
        'the certificate answered matches the key',
      );
      assert.equal(await count('SELECT count(*) FROM pem.agent'), before + 1, 'registered once');
      ok(await pharos(['agent', 'unregister', '--config', cfg, '--remove-files'], admin()));
      assert.equal(await count('SELECT count(*) FROM pem.agent'), before);
    } finally {
      await new Promise((r) => lossy.close(r));
    }
  });

  it('prepare says what the server needs; the DBA does it', async () => {
    const r = await pharos(
      ['server', 'prepare', '--host', MONITORED, '--user', 'pem_monitor', '--agent', 'pg-host-1'],
      admin(),
    );
    ok(r);
    assert.match(r.stdout, /CREATE ROLE pem_monitor LOGIN PASSWORD '<password>' IN ROLE pg_monitor;/);
    assert.match(
      r.stdout,
      new RegExp(`hostssl all pem_monitor ${HOST.replaceAll('.', '\\.')}/32 scram-sha-256`),
    );
    assert.match(r.stdout, /127\.0\.2\.88:5432:\*:pem_monitor:<password>/);
    assert.match(
      r.stdout,
      /sslmode=verify-full: the server's certificate must be signed by the CA in the agent's server_sslrootcert/,
    );
    const hba = /^ {5}(hostssl all pem_monitor \S+ scram-sha-256)$/m.exec(r.stdout)![1]!;
    const line = /^ {5}(127\.0\.2\.88:5432:\*:pem_monitor:)<password>$/m.exec(r.stdout)![1]!;
    // the DBA: the role, the HBA rule (and one for each role of the failure cases), the passfile line
    await monitored.psql(`CREATE ROLE pem_monitor LOGIN PASSWORD 'mon-pw' IN ROLE pg_monitor;
      CREATE ROLE wrongpw LOGIN PASSWORD 'right-pw' IN ROLE pg_monitor;
      CREATE ROLE nomon LOGIN PASSWORD 'nomon-pw';
      CREATE ROLE nohba LOGIN PASSWORD 'nohba-pw' IN ROLE pg_monitor;
      CREATE ROLE nopass LOGIN PASSWORD 'nopass-pw' IN ROLE pg_monitor`);
    const conf = join(monitored.dataDir, 'pg_hba.conf');
    const current = readFileSync(conf, 'utf8');
    writeFileSync(
      conf,
      current.replace(
        'hostnossl all all 0.0.0.0/0 reject',
        [
          hba,
          `hostssl all wrongpw ${HOST}/32 scram-sha-256`,
          `hostssl all nomon ${HOST}/32 scram-sha-256`,
          `hostssl all nopass ${HOST}/32 scram-sha-256`,
          'hostnossl all all 0.0.0.0/0 reject',
        ].join('\n'),
      ),
    );
    await monitored.psql('SELECT pg_reload_conf()');
    appendFileSync(
      join(hostDir(), 'agent.pgpass'),
      [
        `${line}mon-pw`,
        `${MONITORED}:5432:*:wrongpw:not-the-password`,
        `${MONITORED}:5432:*:nomon:nomon-pw`,
        `${MONITORED}:5432:*:nohba:nohba-pw`,
        `${WRONG_NAME}:5432:*:pem_monitor:mon-pw`,
        `${NOBODY}:5432:*:pem_monitor:mon-pw`,
        '',
      ].join('\n'),
    );
  });

  it('names each failing test connection in a sentence and registers nothing', async () => {
    const add = (host: string, user: string) =>
      pharos(
        [
          'server',
          'add',
          '--name',
          `try-${user}-${host}`,
          '--host',
          host,
          '--user',
          user,
          '--agent',
          'pg-host-1',
        ],
        admin(),
      );
    const cases: [string, string, string, RegExp][] = [
      [
        MONITORED,
        'wrongpw',
        'authentication',
        /Password authentication failed for wrongpw on 127\.0\.2\.88:5432: the password in .*agent\.pgpass/,
      ],
      [
        MONITORED,
        'nohba',
        'no-hba-rule',
        /127\.0\.2\.88:5432 has no pg_hba\.conf rule for the agent \(host 127\.0\.2\.87, user nohba, database postgres\)/,
      ],
      [WRONG_NAME, 'pem_monitor', 'tls', /The certificate of 127\.0\.2\.89:5432 does not name 127\.0\.2\.89/],
      [MONITORED, 'nomon', 'no-pg-monitor', /nomon is not a member of pg_monitor/],
      [
        NOBODY,
        'pem_monitor',
        'refused',
        /Connection refused at 127\.0\.2\.90:5432 from 127\.0\.2\.87: nothing listens there/,
      ],
      [
        MONITORED,
        'nopass',
        'no-password',
        /The agent has no password for nopass@127\.0\.2\.88:5432: add this line to .*agent\.pgpass/,
      ],
    ];
    for (const [host, user, cause, sentence] of cases) {
      const r = await add(host, user);
      assert.equal(r.code, 1, `${cause}: ${r.stdout}${r.stderr}`);
      assert.match(r.stdout, new RegExp(`^test connection failed \\(${cause}\\): `, 'm'));
      assert.match(r.stdout, sentence);
      assert.match(r.stdout, /server added: nothing added/);
    }
    assert.equal(await count('SELECT count(*) FROM pem.server'), 0, 'nothing registered');
    assert.equal(await count('SELECT count(*) FROM pem.server_binding'), 0);
  });

  let serverId = 0;
  it('adds the server once the test passes; its data arrives and its role is observed', async () => {
    const r = await pharos(
      [
        'server',
        'add',
        '--name',
        'pg-m',
        '--host',
        MONITORED,
        '--user',
        'pem_monitor',
        '--agent',
        'pg-host-1',
        '--tag',
        'prod',
      ],
      admin(),
    );
    ok(r);
    assert.match(
      r.stdout,
      /^test connection: ok: Connected to 127\.0\.2\.88:5432 as pem_monitor \(PostgreSQL \d+, primary, TLS\)/m,
    );
    assert.match(r.stdout, /^server (\d+) \(pg-m\): added, monitored by agent 1 \(pg-host-1\)/m);
    serverId = Number(/^server (\d+) \(pg-m\)/m.exec(r.stdout)![1]);
    assert.equal(
      await sql(
        `SELECT is_pem_backend || ' ' || kind || ' ' || sslmode || ' ' || created_by FROM pem.server WHERE id = ${serverId}`,
      ),
      'false standalone verify-full alice',
    );
    const role = await until('server_info of pg-m', 30_000, async () => {
      const v = await sql(
        `SELECT value->>'role' FROM pemdata.latest WHERE server_id = ${serverId} AND probe = 'server_info'`,
      );
      return v === '' ? undefined : v;
    });
    assert.equal(role, 'primary');
    const list = JSON.parse((await pharos(['server', 'list', '--json'], admin())).stdout) as {
      id: number;
      observed: { role: string; up: boolean };
      tags: string[];
    }[];
    assert.deepEqual(
      list.map((s) => [s.id, s.observed.role, s.tags]),
      [[serverId, 'primary', ['prod']]],
    );
    const show = await pharos(['server', 'show', 'pg-m'], admin());
    ok(show);
    assert.match(show.stdout, /^TLS: +sslmode=verify-full$/m);
    assert.match(show.stdout, /^agent: +1 \(pg-host-1\)$/m);
    ok(await pharos(['server', 'set', 'pg-m', '--tag', 'prod,eu'], admin()));
    assert.equal(
      await sql(`SELECT array_to_string(tags, ',') FROM pem.server WHERE id = ${serverId}`),
      'prod,eu',
    );
    const test = await pharos(['server', 'test', 'pg-m'], admin());
    ok(test);
  });

  it('refuses bad input naming the field and writes nothing: duplicate host:port, unknown agent, bad values', async () => {
    const before = await sql('SELECT count(*) FROM pem.server');
    const dup = await pharos(
      [
        'server',
        'add',
        '--name',
        'pg-m-again',
        '--host',
        MONITORED,
        '--user',
        'pem_monitor',
        '--agent',
        '1',
        '--no-test',
      ],
      admin(),
    );
    assert.equal(dup.code, 2);
    assert.match(
      dup.stderr,
      new RegExp(`--host: 127\\.0\\.2\\.88:5432 is already monitored as server ${serverId} \\(pg-m\\)`),
    );
    const name = await pharos(
      [
        'server',
        'add',
        '--name',
        'pg-m',
        '--host',
        '127.0.2.91',
        '--user',
        'pem_monitor',
        '--agent',
        '1',
        '--no-test',
      ],
      admin(),
    );
    assert.equal(name.code, 2);
    assert.match(name.stderr, /--name: server \d+ is already called pg-m/);
    const agentMissing = await pharos(
      ['server', 'add', '--name', 'x', '--host', '127.0.2.91', '--user', 'u', '--agent', '99'],
      admin(),
    );
    assert.equal(agentMissing.code, 2);
    assert.match(agentMissing.stderr, /--agent: there is no agent 99/);
    const agentName = await pharos(
      ['server', 'add', '--name', 'x', '--host', '127.0.2.91', '--user', 'u', '--agent', 'nosuch'],
      admin(),
    );
    assert.equal(agentName.code, 2);
    assert.match(agentName.stderr, /--agent: there is no agent 'nosuch' \(known: 1 pg-host-1\)/);
    const badHost = await pharos(
      ['server', 'add', '--name', 'x', '--host', 'a b', '--user', 'u', '--agent', '1', '--no-test'],
      admin(),
    );
    assert.equal(badHost.code, 2);
    assert.match(badHost.stderr, /--host: 'a b' is not a host name, an IP address or a socket directory/);
    const badMode = await pharos(
      [
        'server',
        'add',
        '--name',
        'x',
        '--host',
        'db1',
        '--user',
        'u',
        '--agent',
        '1',
        '--sslmode',
        'sometimes',
        '--no-test',
      ],
      admin(),
    );
    assert.equal(badMode.code, 2);
    assert.match(badMode.stderr, /sslmode/);
    for (const r of [dup, name, agentMissing, agentName, badHost, badMode])
      assert.doesNotMatch(r.stderr, /at .*\.js:\d+/);
    assert.equal(await sql('SELECT count(*) FROM pem.server'), before, 'nothing written');
  });

  it('API: bodies are checked whole (an unknown field is named), pem_user reads and never changes', async () => {
    const t = { url: new URL(web.url), ca: readFileSync(backend.pki.caCert), localAddress: HARNESS };
    const login = async (user: string, password: string) => {
      const r = await httpsJson(t, 'POST', '/api/login', { user, password });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      return {
        cookie: r.setCookie.map((c) => c.split(';')[0]!).find((c) => c.includes('pharos_session'))!,
        'x-csrf-token': String(r.body.csrfToken),
      };
    };
    const alice = await login('alice', PASSWORDS.alice);
    const bob = await login('bob', PASSWORDS.bob);
    const extra = await httpsJson(
      t,
      'POST',
      '/api/servers',
      { displayName: 'x', host: 'h', user: 'u', agentId: 1, colour: 'red' },
      alice,
    );
    assert.equal(extra.status, 400);
    assert.equal(extra.body.field, 'colour');
    const missing = await httpsJson(t, 'POST', '/api/servers/test', { host: 'h', agentId: 1 }, alice);
    assert.deepEqual([missing.status, missing.body.field], [400, 'user']);
    const badPort = await httpsJson(t, 'PATCH', `/api/servers/${serverId}`, { port: 70000 }, alice);
    assert.deepEqual([badPort.status, badPort.body.field], [400, 'port']);
    const list = await httpsJson(t, 'GET', '/api/servers', undefined, bob);
    assert.equal(list.status, 200);
    for (const [method, path, body] of [
      ['POST', '/api/servers', { displayName: 'x', host: 'h', user: 'u', agentId: 1 }],
      ['DELETE', `/api/servers/${serverId}`, undefined],
      ['POST', '/api/enrolment-tokens', { name: 'x' }],
      ['GET', '/api/enrolment-tokens', undefined],
      ['DELETE', '/api/agents/1', undefined],
    ] as const) {
      const r = await httpsJson(t, method, path, body, bob);
      assert.equal(r.status, 403, `${method} ${path} as pem_user: ${JSON.stringify(r.body)}`);
    }
    const enrolNeither = await httpsJson(t, 'POST', '/api/enrol', { token: 'x', displayName: 'h' });
    assert.deepEqual([enrolNeither.status, enrolNeither.body.field], [400, 'csr']);
    const tokenBad = await httpsJson(t, 'POST', '/api/enrolment-tokens', { name: 'x', validForS: 5 }, alice);
    assert.deepEqual([tokenBad.status, tokenBad.body.field], [400, 'validForS']);
    const stillOne = await httpsJson(t, 'DELETE', '/api/agents/1', undefined, alice);
    assert.equal(stillOne.status, 409);
    assert.match(
      String(stillOne.body.error),
      /agent 1 \(pg-host-1\) still monitors pg-m: remove those servers first/,
    );
  });

  it('removes the server leaving nothing behind but its history; a second removal names it', async () => {
    const alerts = await count(`SELECT count(*) FROM pem.alert WHERE server_id = ${serverId}`);
    assert.ok(alerts > 0, 'default alerts were bound');
    const r = await pharos(['server', 'remove', 'pg-m'], admin());
    ok(r);
    assert.match(
      r.stdout,
      new RegExp(`^server ${serverId} \\(pg-m\\): removed, with its binding, ${alerts} alert\\(s\\)`, 'm'),
    );
    for (const table of [
      'pem.server WHERE id',
      'pem.server_binding WHERE server_id',
      'pem.alert WHERE server_id',
      'pemdata.latest WHERE server_id',
      'pem.probe_log WHERE server_id',
      'pem.probe_override WHERE server_id',
    ]) {
      assert.equal(await count(`SELECT count(*) FROM ${table} = ${serverId}`), 0, table);
    }
    assert.ok(
      (await count(`SELECT count(*) FROM pemhistory.sample WHERE server_id = ${serverId}`)) > 0,
      'history kept until retention',
    );
    const again = await pharos(['server', 'remove', String(serverId)], admin());
    assert.equal(again.code, 2);
    assert.match(again.stderr, new RegExp(`no server ${serverId} \\(already removed\\?\\)`));
    // the agent stops monitoring it at its next bindings refresh (its short wait, 1 s): no new latest values
    await until('the agent to stop monitoring the removed server', 10_000, async () =>
      logHas(join(hostDir(), 'agent.log'), 'server binding removed or changed; stopping its monitor', {
        serverId,
      })
        ? true
        : undefined,
    );
    assert.equal(await count(`SELECT count(*) FROM pemdata.latest WHERE server_id = ${serverId}`), 0);
  });

  it('unregisters the host’s agent through the web instance and removes its files', async () => {
    agent!.kill('SIGTERM');
    await new Promise((r) => agent!.once('exit', r));
    const r = await pharos(['agent', 'unregister', '--config', config(), '--remove-files'], admin());
    ok(r);
    assert.match(r.stdout, /unregistered agent 1 \('pg-host-1', user agent1\)/);
    assert.match(r.stdout, /dropped role agent1/);
    assert.match(r.stdout, /removed \d+ file\(s\) enrol wrote/);
    assert.deepEqual(
      readdirSync(hostDir()).filter((f) => !['agent.log', 'agent.out'].includes(f)),
      [],
      'only the agent’s log is left',
    );
    assert.equal(await count('SELECT count(*) FROM pem.agent'), 0);
    assert.equal(await count('SELECT count(*) FROM pem.alert WHERE agent_id IS NOT NULL'), 0);
    assert.equal(await count('SELECT count(*) FROM pemdata.latest'), 0);
    assert.equal(await count('SELECT count(*) FROM pem.agent_task'), 0);
    assert.equal(await count("SELECT count(*) FROM pg_roles WHERE rolname ~ '^agent[0-9]+$'"), 0);
    assert.equal(
      await count('SELECT count(*) FROM pem.agent_certificate WHERE revoked_at IS NULL'),
      0,
      'certificates revoked (kept for a CRL)',
    );
  });
});
