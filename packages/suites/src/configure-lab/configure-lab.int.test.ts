/**
 * The reference document's configure command lines, all three certificate
 * models, against a whole lab (etcd, Patroni, PostgreSQL, agents, web) on
 * 127.0.8.X (the reference's 172.16.161.X):
 *
 * - per-agent certificates: what `lab up` itself ran (one line per backend
 *   and web host, agent ids 1..6; the lab's fleet then enrolled agents
 *   7..9 on its hosts through the web API);
 * - a common agent user: the reference's primary, standby and web lines, on
 *   extra hosts `cu-*` (the same addresses, other host names), after the
 *   reference's preparation (CREATE USER common_agent_user; GRANT CONNECT ON
 *   DATABASE template1);
 * - the built-in CA: the reference's sslutils lines (primary with
 *   --use-existing-sslutils, standbys and web hosts without certificate
 *   flags), on extra hosts `ca-*`, with the CA files in every backend's data
 *   directory;
 * - `agent register` / `agent verify` for a monitored host.
 *
 * It asserts the rows, roles, grants and certificates, that HA mode changed
 * neither SSL, HBA rules nor restarted anything, then runs every command line
 * again and asserts nothing changed.
 */
import assert from 'node:assert/strict';
import { createHash, X509Certificate } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  copyFileSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AGENT_ROLE_COMMENT } from '@pharos/backend/configure/register';
import { backendSnapshot, type CliRun, runPharos } from '@pharos/cli/testing/configure';
import { writeCertFile, writeKeyFile } from '@pharos/core/pki/files';
import { issueClientCertificate } from '@pharos/core/pki/issue';
import { postgresUser, sqlOnBackend } from '@pharos/ops/lab/backend-sql';
import { labConfigureArgs } from '@pharos/ops/lab/configure-steps';
import type { UpContext } from '@pharos/ops/lab/context';
import { labLayout } from '@pharos/ops/lab/layout';
import { getCluster } from '@pharos/ops/lab/patroni-api';
import { findPostgresBinDir } from '@pharos/ops/lab/preflight';
import { patroniLabPaths } from '@pharos/ops/render/patroni';
import { startTestLab, type TestLab } from '@pharos/ops/testing/test-lab';
import { agentHosts } from '@pharos/ops/topology/hosts';
import { loadWebConfig } from '@pharos/web/config';

const PREFIX = '127.0.8';
const B = [`${PREFIX}.200`, `${PREFIX}.201`, `${PREFIX}.202`];
const W = [`${PREFIX}.211`, `${PREFIX}.212`, `${PREFIX}.213`];

/** A reference line, addresses mapped; `pos` = this backend's own position (127.0.0.1). */
const backendHosts = (pos: number) => B.map((a, i) => (i === pos ? '127.0.0.1' : a)).join(',');

/** One host of an extra model: name, address, the reference's words, and Pharos's file options. */
interface Line {
  host: string;
  address: string;
  args: string[];
}

describe('configure against the lab: the three certificate models (127.0.8.X)', { timeout: 420_000 }, () => {
  let lab: TestLab;
  let t: string;
  let common: { cert: string; key: string };
  const lines: { model: string; line: Line }[] = [];

  const env = (host: string, address: string): Record<string, string> => ({
    PHAROS_SUPERPASSWORD: lab.secrets.pemsuper,
    PHAROS_HOST_NAME: host,
    PHAROS_HOST_ADDRESS: address,
    PHAROS_ASB_USER: 'pem_monitor',
    PHAROS_ASB_PASSWORD: lab.secrets.pem_monitor,
    PHAROS_WEB_SERVICE_PASSWORD: lab.secrets.pem_web_service,
    PGSSLMODE: 'verify-full',
    PGSSLROOTCERT: join(lab.dir, 'pki', 'ca.crt'),
  });
  const sql = async (query: string, db: 'postgres' | 'pem' = 'pem', address = B[0]!) =>
    sqlOnBackend({ topo: lab.topo, secrets: lab.secrets }, address, db, query);
  const scalar = async (query: string, db: 'postgres' | 'pem') =>
    String(Object.values((await sql(query, db))[0]!)[0]);
  const snapshot = () => backendSnapshot(scalar);
  /** What HA mode must never change on any node: SSL, HBA rules, the postmaster (no restart). */
  const clusterFacts = async () =>
    Promise.all(
      B.map(async (a) =>
        JSON.stringify(
          await sql(
            `SELECT current_setting('ssl') AS ssl, current_setting('ssl_ca_file') AS ca, pg_postmaster_start_time()::text AS started,
                    (SELECT md5(string_agg(line_number || type || database::text || user_name::text || coalesce(address, '') || coalesce(auth_method, ''), '|' ORDER BY line_number)) FROM pg_hba_file_rules) AS hba`,
            'postgres',
            a,
          ),
        ),
      ),
    );
  const configure = (l: Line) => runPharos(['configure', ...l.args], env(l.host, l.address));
  const ok = (r: CliRun, what: string) => assert.equal(r.code, 0, `${what}: ${r.stderr}${r.stdout}`);

  /** The reference's lines for one model on hosts `<prefix>-backend-N` and `<prefix>-web-N`. */
  function modelLines(
    prefix: string,
    agentWords: { backend: string[]; standby: string[]; web: string[] },
  ): Line[] {
    const out: Line[] = [];
    B.forEach((address, i) => {
      const host = `${prefix}-backend-${i + 1}`;
      out.push({
        host,
        address,
        args: [
          '-t',
          '3',
          '-ho',
          backendHosts(i),
          '-p',
          '5432',
          '-su',
          'pemsuper',
          '--asb-host-name',
          '127.0.0.1',
          '--replication-solution',
          'patroni',
          '--replication-role',
          i === 0 ? 'primary' : 'standby',
          '--db-unitfile',
          'patroni',
          '--db-install-path',
          '/usr/pgsql-17/',
          ...(i === 0 ? agentWords.backend : agentWords.standby),
          '--agent-config',
          join(t, host, 'agent.yml'),
        ],
      });
    });
    W.forEach((address, i) => {
      const host = `${prefix}-web-${i + 1}`;
      out.push({
        host,
        address,
        args: [
          '-t',
          '2',
          '-ho',
          B.join(','),
          '-p',
          '5432',
          '-su',
          'pemsuper',
          '--db-install-path',
          '/usr/pgsql-17/',
          ...agentWords.web,
          '--agent-config',
          join(t, host, 'agent.yml'),
          '--web-config',
          join(t, host, 'web.yml'),
        ],
      });
    });
    return out;
  }

  /** Runs `ls` with at most 3 at a time (registration is serialised by the backend; the machine has few CPUs). */
  async function runAll(ls: Line[]): Promise<CliRun[]> {
    const out: CliRun[] = new Array(ls.length);
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < ls.length; i = next++) out[i] = await configure(ls[i]!);
    };
    await Promise.all([worker(), worker(), worker()]);
    return out;
  }

  /** Runs the primary's line, then the others a few at a time. */
  async function runModel(model: string, ls: Line[]): Promise<CliRun[]> {
    const first = await configure(ls[0]!);
    const rest = await runAll(ls.slice(1));
    return [first, ...rest].map((r, i) => {
      ok(r, `${model} ${ls[i]!.host}`);
      return r;
    });
  }

  before(async () => {
    lab = await startTestLab({ name: 'configure', prefix: PREFIX });
    t = join(lab.dir, 'configure-test');
    mkdirSync(t, { recursive: true });
  });

  after(async () => {
    await lab?.down();
    if (lab && process.env.PHAROS_KEEP_LAB !== '1')
      rmSync(dirname(lab.topologyFile), { recursive: true, force: true });
  });

  it('lab up ran the per-agent lines: agents 1..6 (then the fleet’s 7..9), roles, grants, certificates', async () => {
    const cluster = await getCluster(B[0]!, lab.access.patroni);
    assert.equal(
      cluster.members.find((m) => m.role === 'leader')?.host,
      B[0],
      'pem-backend-1 is the primary the reference lines assume',
    );
    const agents = await sql(
      'SELECT id, user_name, display_name, host(host_address) AS a FROM pem.agent ORDER BY id',
    );
    const fleet = lab.state.fleet!;
    const allHosts = [...agentHosts(lab.topo), ...fleet.hosts];
    assert.deepEqual(
      agents.map((r) => [r.id, r.user_name, r.display_name, r.a]),
      allHosts.map((h) => [h.agentId, `agent${h.agentId}`, h.name, h.address]),
    );
    const roles = await sql(
      `SELECT r.rolname, r.rolcanlogin, r.rolsuper, a.rolpassword IS NULL AS nopw, shobj_description(r.oid, 'pg_authid') AS comment,
              pg_has_role(r.rolname, 'pem_agent', 'MEMBER') AS agent
         FROM pg_roles r JOIN pg_authid a ON a.oid = r.oid WHERE r.rolname ~ '^agent[0-9]+$' ORDER BY r.rolname`,
    );
    assert.deepEqual(
      roles.map((r) => r.rolname),
      allHosts.map((h) => `agent${h.agentId}`).sort(),
    );
    for (const r of roles)
      assert.deepEqual(
        [r.rolcanlogin, r.rolsuper, r.nopw, r.comment, r.agent],
        [true, false, true, AGENT_ROLE_COMMENT, true],
        String(r.rolname),
      );
    const groups = await sql(
      `SELECT rolname, rolcanlogin FROM pg_roles WHERE rolname IN ('pem_admin', 'pem_user', 'pem_agent', 'pem_web') ORDER BY 1`,
    );
    assert.deepEqual(
      groups.map((g) => [g.rolname, g.rolcanlogin]),
      [
        ['pem_admin', false],
        ['pem_agent', false],
        ['pem_user', false],
        ['pem_web', false],
      ],
    );
    const grants = await sql(
      `SELECT has_function_privilege('pem_agent', 'pem.ingest_batch(integer, uuid)', 'EXECUTE') AS ingest,
              has_function_privilege('pem_agent', 'pem.agent_registration(integer)', 'EXECUTE') AS reg,
              has_table_privilege('pem_agent', 'pem.agent', 'SELECT') AS agent_reads_agents,
              has_table_privilege('pem_admin', 'pem.ca_signer', 'SELECT') AS admin_reads_signer,
              has_table_privilege('pem_user', 'pem.agent_certificate', 'SELECT') AS user_reads_certs,
              pg_has_role('pem_admin', 'pem_user', 'MEMBER') AS admin_is_user,
              pg_has_role('pem_web_service', 'pem_web', 'MEMBER') AND pg_has_role('pem_web_service', 'pem_user', 'MEMBER') AS web_service`,
    );
    assert.deepEqual(grants[0], {
      ingest: true,
      reg: true,
      agent_reads_agents: false,
      admin_reads_signer: false,
      user_reads_certs: true,
      admin_is_user: true,
      web_service: true,
    });
    const certs = await sql(
      'SELECT agent_id, common_name, fingerprint_sha256, source, issuer FROM pem.agent_certificate WHERE revoked_at IS NULL AND agent_id <= 6 ORDER BY agent_id',
    );
    assert.equal(certs.length, 6);
    for (const c of certs) {
      const host = agentHosts(lab.topo).find((h) => h.agentId === c.agent_id)!;
      const pem = readFileSync(join(lab.dir, host.name, 'pharos', `agent${host.agentId}.crt`));
      assert.equal(
        c.fingerprint_sha256,
        createHash('sha256').update(new X509Certificate(pem).raw).digest('hex'),
      );
      assert.deepEqual([c.common_name, c.source], [`agent${host.agentId}`, 'supplied']);
      assert.match(String(c.issuer), /Pharos lab CA/);
    }
    const bindings = await sql(
      'SELECT s.display_name, s.is_pem_backend, b.agent_id, b.host, b.user_name FROM pem.server s JOIN pem.server_binding b ON b.server_id = s.id ORDER BY s.id',
    );
    assert.deepEqual(
      bindings.filter((b) => b.is_pem_backend).map((b) => [b.display_name, b.agent_id, b.host, b.user_name]),
      [
        ['pem-backend-1', 1, '127.0.0.1', 'pem_monitor'],
        ['pem-backend-2', 2, '127.0.0.1', 'pem_monitor'],
        ['pem-backend-3', 3, '127.0.0.1', 'pem_monitor'],
      ],
    );
    // the fleet's servers (server add, cluster add), each bound to the agent on its host; they
    // are registered concurrently, so their ids come in any order: compared by name
    const byName = (a: unknown[], b: unknown[]) => String(a[0]).localeCompare(String(b[0]));
    assert.deepEqual(
      bindings
        .filter((b) => !b.is_pem_backend)
        .map((b) => [b.display_name, b.agent_id, b.user_name])
        .sort(byName),
      fleet.serverNames.map((n, i) => [n, fleet.hosts[i]!.agentId, 'pem_monitor']).sort(byName),
    );
  });

  it('common agent user: the grant and revoke done for the operator, one certificate for all', async () => {
    const facts = await clusterFacts();
    await sql(
      'CREATE USER common_agent_user; GRANT CONNECT ON DATABASE template1 TO common_agent_user',
      'postgres',
    );
    const ca = { certPem: lab.ca, keyPem: readFileSync(join(lab.dir, 'pki', 'ca.key'), 'utf8') };
    const issued = await issueClientCertificate(ca, { commonName: 'common_agent_user', days: 30 });
    common = { cert: join(t, 'common', 'agent.crt'), key: join(t, 'common', 'agent.key') };
    mkdirSync(join(t, 'common'), { recursive: true });
    await writeKeyFile(common.key, issued.keyPem);
    await writeCertFile(common.cert, issued.certPem);
    const words = [
      '--use-agent-user',
      'common_agent_user',
      '--use-agent-sslcert',
      common.cert,
      '--use-agent-sslkey',
      common.key,
    ];
    const ls = modelLines('cu', { backend: ['--skip-db-certificate', ...words], standby: words, web: words });
    for (const line of ls) lines.push({ model: 'common', line });
    const runs = await runModel('common', ls);
    for (const r of runs) assert.match(r.stdout, /agent login as common_agent_user: ok/);
    assert.match(
      runs.map((r) => r.stdout).join(''),
      /common agent user common_agent_user: member of pem_agent, CONNECT on template1 revoked/,
    );
    const agents = await sql(
      "SELECT display_name, user_name FROM pem.agent WHERE display_name LIKE 'cu-%' ORDER BY display_name",
    );
    assert.deepEqual(
      agents.map((a) => [a.display_name, a.user_name]),
      ls.map((l) => [l.host, 'common_agent_user']).sort(),
    );
    const role = await sql(
      `SELECT pg_has_role('common_agent_user', 'pem_agent', 'MEMBER') AS member,
              (SELECT count(*)::int FROM pg_database d, aclexplode(d.datacl) a
                WHERE d.datname = 'template1' AND a.grantee = 'common_agent_user'::regrole) AS template1_grants`,
      'postgres',
    );
    assert.deepEqual(role[0], { member: true, template1_grants: 0 });
    const fp = await sql(
      "SELECT DISTINCT c.fingerprint_sha256 FROM pem.agent_certificate c JOIN pem.agent a ON a.id = c.agent_id WHERE a.display_name LIKE 'cu-%'",
    );
    assert.equal(fp.length, 1);
    assert.equal(
      fp[0]!.fingerprint_sha256,
      createHash('sha256').update(new X509Certificate(issued.certPem).raw).digest('hex'),
    );
    const web = loadWebConfig(join(t, 'cu-web-1', 'web.yml'));
    assert.equal(web.listen_address, W[0]);
    assert.deepEqual(await clusterFacts(), facts, 'HA mode changed SSL, HBA rules or restarted a node');
  });

  it('built-in CA: certificates issued on the primary from CSRs, keys never leaving their host', async () => {
    const facts = await clusterFacts();
    const pg = postgresUser();
    const site = labLayout(lab.dir).site(findPostgresBinDir(lab.topo.postgres.bin_dir).binDir);
    for (const b of lab.topo.backends) {
      const dataDir = patroniLabPaths(lab.topo, b.name, site).dataDir;
      for (const [src, name] of [
        ['ca.crt', 'ca_certificate.crt'],
        ['ca.key', 'ca_key.key'],
      ]) {
        const to = join(dataDir, name!);
        copyFileSync(join(lab.dir, 'pki', src!), to);
        chmodSync(to, 0o600);
        if (pg) chownSync(to, pg.uid, pg.gid);
      }
    }
    const ls = modelLines('ca', {
      backend: ['--skip-db-certificate', '--use-existing-sslutils'],
      standby: [],
      web: [],
    });
    for (const line of ls) lines.push({ model: 'built-in-ca', line });
    const runs = await runModel('built-in-ca', ls);
    assert.match(runs[0]!.stdout, /built-in CA: enabled/);
    const agents = await sql(
      "SELECT a.id, a.display_name, a.user_name, c.common_name, c.source, c.csr_pem IS NOT NULL AS csr, c.cert_pem FROM pem.agent a JOIN pem.agent_certificate c ON c.agent_id = a.id WHERE a.display_name LIKE 'ca-%' ORDER BY a.display_name",
    );
    assert.equal(agents.length, 6);
    const caCert = new X509Certificate(lab.ca);
    for (const a of agents) {
      assert.equal(a.user_name, `agent${a.id}`);
      assert.deepEqual([a.common_name, a.source, a.csr], [a.user_name, 'built-in-ca', true]);
      const dir = join(t, String(a.display_name));
      const file = readFileSync(join(dir, `${a.user_name}.crt`), 'utf8');
      assert.equal(file, a.cert_pem);
      const cert = new X509Certificate(file);
      assert.ok(cert.verify(caCert.publicKey), 'signed by the lab CA');
      assert.equal(cert.checkIssued(caCert), true);
      assert.equal(statSync(join(dir, `${a.user_name}.key`)).mode & 0o777, 0o600);
      assert.match(
        readFileSync(join(dir, 'agent.yml'), 'utf8'),
        new RegExp(`sslkey=${dir}/${a.user_name}\\.key`),
      );
    }
    for (const r of runs) assert.match(r.stdout, /agent login as agent\d+: ok/);
    const signer = await sql('SELECT program, ca_cert_file, ca_key_file, cert_days FROM pem.ca_signer');
    assert.deepEqual((signer[0]!.program as string[]).slice(-2), ['agent', 'sign-csr']);
    assert.deepEqual(
      [signer[0]!.ca_cert_file, signer[0]!.ca_key_file, signer[0]!.cert_days],
      ['ca_certificate.crt', 'ca_key.key', 365],
    );
    assert.deepEqual(await clusterFacts(), facts, 'HA mode changed SSL, HBA rules or restarted a node');
  });

  it('agent register and verify: a monitored host, and a running lab agent', async () => {
    const config = join(t, 'monitored-1', 'agent.yml');
    const args = [
      'agent',
      'register',
      '--config',
      config,
      '--host',
      B.join(','),
      '--superuser',
      'pemsuper',
      '--display-name',
      'monitored-1',
    ];
    const r = await runPharos(args, env('monitored-1', W[1]!));
    ok(r, 'agent register');
    assert.match(r.stdout, /agent \d+ \(agent\d+, monitored-1\): registered/);
    assert.match(r.stdout, /agent login as agent\d+: ok/);
    const notRunning = await runPharos(['agent', 'verify', '--config', config], {});
    assert.equal(notRunning.code, 3, notRunning.stderr);
    const running = await runPharos(
      ['agent', 'verify', '--config', join(lab.dir, 'pem-web-1', 'pharos', 'agent.yml')],
      {},
    );
    assert.equal(running.code, 0, running.stderr);
    assert.match(running.stdout, /agent 4 \(agent4\) is registered and working/);
  });

  it('running every command line again changes nothing', async () => {
    const before = await snapshot();
    const facts = await clusterFacts();
    /** Every file configure wrote for the hosts (configurations, passfiles, certificates, keys). */
    const fileHashes = () =>
      lines.map(({ line }) => {
        const dir = join(t, line.host);
        const h = createHash('sha256');
        for (const f of readdirSync(dir).sort())
          if (statSync(join(dir, f)).isFile()) h.update(f).update(readFileSync(join(dir, f)));
        return h.digest('hex');
      });
    const filesBefore = fileHashes();
    const binDir = findPostgresBinDir(lab.topo.postgres.bin_dir).binDir;
    const ctx = {
      topo: lab.topo,
      layout: labLayout(lab.dir),
      binDir,
      pki: {
        webCert: (h: string) => ({
          certFile: join(lab.dir, h, 'pharos', 'web.crt'),
          keyFile: join(lab.dir, h, 'pharos', 'web.key'),
        }),
      },
    } as unknown as UpContext;
    const perAgent = agentHosts(lab.topo).map((h) => ({
      host: h.name,
      address: h.address,
      args: labConfigureArgs(ctx, h),
    }));
    const all = [...perAgent, ...lines.map((l) => l.line)];
    const runs = await runAll(all);
    runs.forEach((r, i) => {
      ok(r, `again ${all[i]!.host}`);
      assert.match(
        r.stdout,
        /configure: nothing to change, already configured\n$/,
        `${all[i]!.host}: ${r.stdout}`,
      );
    });
    const reg = await runPharos(
      [
        'agent',
        'register',
        '--config',
        join(t, 'monitored-1', 'agent.yml'),
        '--host',
        B.join(','),
        '--superuser',
        'pemsuper',
        '--display-name',
        'monitored-1',
      ],
      env('monitored-1', W[1]!),
    );
    assert.match(reg.stdout, /agent register: nothing to change, already registered/);
    assert.equal(await snapshot(), before);
    assert.deepEqual(fileHashes(), filesBefore);
    assert.deepEqual(await clusterFacts(), facts);
    // Finally unregister the monitored host (its role goes, its certificate is revoked).
    const u = await runPharos(
      ['agent', 'unregister', '--config', join(t, 'monitored-1', 'agent.yml'), '--superuser', 'pemsuper'],
      env('monitored-1', W[1]!),
    );
    ok(u, 'unregister');
    assert.match(u.stdout, /dropped role agent\d+/);
    rmSync(join(t, 'monitored-1'), { recursive: true, force: true });
  });
});
