import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse } from 'yaml';
import {
  REFERENCE_PRIMARY_PATRONI,
  REFERENCE_SECRETS,
  SECURED_SECRETS,
} from '../render/reference.fixture.js';
import { SECURED_PRIMARY_PATRONI } from '../render/secured.fixture.js';
import { planToJson } from './json.js';
import { runPlan } from './run.js';
import { DEVIATIONS, SECURED_DEVIATIONS } from './runbook.js';
import type { Plan } from './types.js';

const SEED = new URL('../../../../examples/seed-sm.topology.yml', import.meta.url).pathname;

/** The seed topology with the reference's open etcd and Patroni REST API (written to `dir`). */
function referenceOpenSeed(dir: string): string {
  const path = join(dir, 'seed-open.topology.yml');
  writeFileSync(path, `${readFileSync(SEED, 'utf8')}\ninfrastructure_security: reference-open\n`);
  return path;
}

/** The `sh` blocks of a runbook. */
function shellBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
}

/** shellcheck's findings on `script` (POSIX sh), or '' when it has none. */
function shellcheck(script: string, shell = 'sh'): string {
  const r = spawnSync('shellcheck', ['--shell', shell, '-'], { input: script, encoding: 'utf8' });
  if (r.error) throw r.error;
  return r.status === 0 ? '' : `${r.stdout}${r.stderr}`;
}

function openssl(...args: string[]): { status: number | null; out: string } {
  const r = spawnSync('openssl', args, { encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('pharos plan on the reference topology (infrastructure_security: reference-open)', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'pharos-plan-'));
  const out = join(tmp, 'plan');
  const p = (...parts: string[]) => join(out, ...parts);
  let plan: Plan;
  let written: string[];

  before(async () => {
    ({ plan, written } = await runPlan({
      topologyFile: referenceOpenSeed(tmp),
      outDir: out,
      secrets: REFERENCE_SECRETS,
    }));
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  test('the files of each host', () => {
    const byHost = (h: string) =>
      plan.files
        .filter((f) => f.path.startsWith(`${h}/`))
        .map((f) => f.path.slice(h.length + 1))
        .sort();
    assert.deepEqual(byHost('etcd-node-2'), ['etcd.conf', 'firewall.sh']);
    assert.deepEqual(byHost('pem-backend-1'), [
      'agent1.crt',
      'agent1.key',
      'configure.sh',
      'dynamic-config.yml',
      'firewall.sh',
      'patroni-users.sql',
      'patroni.yml',
      'root.crt',
      'server.crt',
      'server.key',
    ]);
    assert.deepEqual(byHost('pem-backend-3'), [
      'agent3.crt',
      'agent3.key',
      'configure.sh',
      'dynamic-config.yml',
      'firewall.sh',
      'patroni.yml',
      'root.crt',
      'server.crt',
      'server.key',
    ]);
    assert.deepEqual(byHost('pem-web-2'), [
      'agent5.crt',
      'agent5.key',
      'configure.sh',
      'firewall.sh',
      'root.crt',
      'web.crt',
      'web.key',
    ]);
    assert.deepEqual(byHost('ca'), ['root.crt', 'root.key']);
    assert.ok(existsSync(p('RUNBOOK.md')));
    assert.equal(written.length, plan.files.length);
  });

  test('the CA key only in ca/, every key mode 0600, scripts 0755', () => {
    const caKey = readFileSync(p('ca', 'root.key'), 'utf8');
    for (const f of plan.files) {
      const mode = statSync(p(...f.path.split('/'))).mode & 0o777;
      assert.equal(mode, f.mode, f.path);
      if (f.path.endsWith('.key')) assert.equal(mode, 0o600, f.path);
      if (f.path.endsWith('.sh')) assert.equal(mode, 0o755, f.path);
      if (f.path !== 'ca/root.key') assert.ok(!f.content.includes(caKey.trim()), f.path);
    }
    assert.equal(statSync(p('pem-backend-1', 'patroni.yml')).mode & 0o777, 0o600);
  });

  test('every certificate verifies against the CA', () => {
    for (const f of plan.files.filter((f) => f.path.endsWith('.crt'))) {
      const r = openssl('verify', '-CAfile', p('ca', 'root.crt'), p(...f.path.split('/')));
      assert.equal(r.status, 0, `${f.path}: ${r.out}`);
    }
  });

  test('one client certificate per agent, CN agentN in host order', () => {
    const agents = [
      ['pem-backend-1', 1],
      ['pem-backend-2', 2],
      ['pem-backend-3', 3],
      ['pem-web-1', 4],
      ['pem-web-2', 5],
      ['pem-web-3', 6],
    ] as const;
    for (const [host, n] of agents) {
      const subject = openssl('x509', '-in', p(host, `agent${n}.crt`), '-noout', '-subject').out;
      assert.match(subject, new RegExp(`CN\\s*=\\s*agent${n}\\n`), host);
      assert.equal(
        openssl('verify', '-purpose', 'sslclient', '-CAfile', p('ca', 'root.crt'), p(host, `agent${n}.crt`))
          .status,
        0,
      );
    }
    assert.deepEqual(
      plan.hosts.filter((h) => h.agentId !== undefined).map((h) => [h.name, h.agentId, h.agentUser]),
      agents.map(([h, n]) => [h, n, `agent${n}`]),
    );
  });

  test('the server certificate SAN covers every backend address, 127.0.0.1 and localhost', () => {
    const san = openssl(
      'x509',
      '-in',
      p('pem-backend-2', 'server.crt'),
      '-noout',
      '-ext',
      'subjectAltName',
    ).out;
    for (const ip of ['172.16.161.200', '172.16.161.201', '172.16.161.202', '127.0.0.1']) {
      assert.ok(san.includes(`IP Address:${ip}`), san);
    }
    assert.ok(san.includes('DNS:localhost'), san);
    assert.equal(
      readFileSync(p('pem-backend-1', 'server.crt'), 'utf8'),
      readFileSync(p('pem-backend-3', 'server.crt'), 'utf8'),
    );
  });

  test("patroni.yml on disk is the golden one (with Pharos's basebackup addition)", () => {
    const parsed = parse(readFileSync(p('pem-backend-1', 'patroni.yml'), 'utf8'));
    assert.deepEqual(parsed.postgresql.basebackup, [{ checkpoint: 'fast' }]);
    delete parsed.postgresql.basebackup;
    assert.deepEqual(parsed, REFERENCE_PRIMARY_PATRONI);
  });

  test('each web application gets an HTTPS certificate for its address, signed by the CA', () => {
    const san = openssl('x509', '-in', p('pem-web-2', 'web.crt'), '-noout', '-ext', 'subjectAltName').out;
    assert.ok(san.includes('IP Address:172.16.161.212'), san);
    assert.ok(san.includes('DNS:pem-web-2'), san);
    assert.equal(statSync(p('pem-web-2', 'web.key')).mode & 0o777, 0o600);
  });

  test('every host file with a destination is in its host_vars for the playbook', () => {
    const vars = parse(readFileSync(p('ansible', 'host_vars', 'pem-backend-2.yml'), 'utf8')) as {
      pharos_files: { src: string; dest: string; owner: string; mode: string; phase: string }[];
    };
    const dests = vars.pharos_files.map((f) => `${f.phase} ${f.dest} ${f.owner} ${f.mode}`);
    assert.ok(dests.includes('patroni /etc/patroni/patroni.yml postgres 0600'), dests.join('\n'));
    assert.ok(dests.includes('ssl /var/lib/pgsql/17/data/server.key postgres 0600'), dests.join('\n'));
    assert.ok(dests.includes('pharos /etc/pharos/certs/agent2.key pharos 0600'), dests.join('\n'));
    assert.ok(dests.includes('pharos /etc/pharos/configure.sh root 0700'), dests.join('\n'));
    for (const f of vars.pharos_files) assert.ok(existsSync(p(...f.src.split('/'))), f.src);
    assert.equal(statSync(p('ansible', 'group_vars', 'all', 'secrets.yml')).mode & 0o777, 0o600);
    const inventory = parse(readFileSync(p('ansible', 'inventory.yml'), 'utf8'));
    assert.deepEqual(Object.keys(inventory.all.children), [
      'etcd',
      'backends',
      'first_backend',
      'webapps',
      'monitored',
    ]);
    assert.equal(inventory.all.children.backends.hosts['pem-backend-2'].ansible_host, '172.16.161.201');
    assert.ok(existsSync(p('ansible', 'site.yml')));
  });

  test('configure.sh passes extra arguments on (the playbook sets the current replication role)', () => {
    const script = readFileSync(p('pem-backend-2', 'configure.sh'), 'utf8');
    assert.match(script, / \\\n {2}"\$@"\n$/);
    assert.doesNotMatch(script, /PHAROS_HOST_ADDRESS/, 'separate hosts need no host address');
  });

  test('the runbook states every deviation and names every host', () => {
    const runbook = readFileSync(p('RUNBOOK.md'), 'utf8');
    for (const d of DEVIATIONS) assert.ok(runbook.includes(d), d);
    for (const h of plan.hosts) assert.ok(runbook.includes(h.name), h.name);
    assert.match(runbook, /RHEL 9/);
    // monitored hosts: enrolled with a token through a web application, servers added from their agent
    assert.match(runbook, /^## 9\. Monitored hosts$/m);
    assert.match(runbook, /pharos agent enrol --url '?https:\/\/\S+:8443'? --ca-file root\.crt/);
    assert.match(runbook, /pharos server add --name NAME --host SERVER --user pem_monitor --agent HOST/);
  });

  test('JSON form: every file, secret contents left out', () => {
    const json = planToJson(plan);
    assert.equal(json.files.length, plan.files.length);
    const key = json.files.find((f) => f.path === 'pem-backend-1/server.key');
    assert.deepEqual(key && { mode: key.mode, secret: key.secret, content: key.content }, {
      mode: '0600',
      secret: true,
      content: undefined,
    });
    assert.ok(json.files.find((f) => f.path === 'etcd-node-1/etcd.conf')?.content?.includes('ETCD_NAME'));
    assert.ok(!JSON.stringify(json).includes('PRIVATE KEY'));
    assert.ok(!JSON.stringify(json).includes(REFERENCE_SECRETS.superuser));
  });

  test('a plan is never written over a non-empty directory', async () => {
    await assert.rejects(runPlan({ topologyFile: SEED, outDir: out }), {
      name: 'InputError',
      message: /exists and is not empty/,
    });
  });

  test("the runbook's commands and every script pass shellcheck; no security deviation is claimed", () => {
    const runbook = readFileSync(p('RUNBOOK.md'), 'utf8');
    const blocks = shellBlocks(runbook);
    assert.ok(blocks.length > 20, `${blocks.length} sh blocks`);
    for (const b of blocks) assert.equal(shellcheck(b), '', b);
    for (const f of plan.files.filter((f) => f.path.endsWith('.sh')))
      assert.equal(shellcheck(f.content), '', f.path);
    for (const d of SECURED_DEVIATIONS) assert.ok(!runbook.includes(d), d);
  });
});

describe('pharos plan, secured (the default): etcd and Patroni REST with TLS and authentication', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'pharos-plan-secured-'));
  const out = join(tmp, 'plan');
  const p = (...parts: string[]) => join(out, ...parts);
  let plan: Plan;
  before(async () => {
    ({ plan } = await runPlan({ topologyFile: SEED, outDir: out, secrets: SECURED_SECRETS }));
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));
  const byHost = (h: string) =>
    plan.files
      .filter((f) => f.path.startsWith(`${h}/`))
      .map((f) => f.path.slice(h.length + 1))
      .sort();

  test('the files of each host: etcd, Patroni and web etcd certificates, etcd-auth.sh on the first member', () => {
    assert.deepEqual(byHost('etcd-node-1'), [
      'etcd-auth.sh',
      'etcd.conf',
      'etcd.crt',
      'etcd.key',
      'firewall.sh',
      'root.crt',
    ]);
    assert.deepEqual(byHost('etcd-node-2'), ['etcd.conf', 'etcd.crt', 'etcd.key', 'firewall.sh', 'root.crt']);
    assert.deepEqual(byHost('pem-backend-2'), [
      'agent2.crt',
      'agent2.key',
      'configure.sh',
      'dynamic-config.yml',
      'firewall.sh',
      'patroni.crt',
      'patroni.key',
      'patroni.yml',
      'root.crt',
      'server.crt',
      'server.key',
    ]);
    assert.deepEqual(byHost('pem-web-1'), [
      'agent4.crt',
      'agent4.key',
      'configure.sh',
      'etcd-client.crt',
      'etcd-client.key',
      'firewall.sh',
      'root.crt',
      'web.crt',
      'web.key',
    ]);
    assert.deepEqual(byHost('ca'), ['etcd-client.crt', 'etcd-client.key', 'root.crt', 'root.key']);
  });

  test('modes: keys 0600, etcd-auth.sh 0700 and secret (it holds the etcd passwords)', () => {
    for (const f of plan.files) {
      const mode = statSync(p(...f.path.split('/'))).mode & 0o777;
      assert.equal(mode, f.mode, f.path);
      if (f.path.endsWith('.key')) assert.equal(mode, 0o600, f.path);
    }
    const auth = plan.files.find((f) => f.path === 'etcd-node-1/etcd-auth.sh')!;
    assert.equal(auth.mode, 0o700);
    assert.equal(auth.secret, true);
    assert.ok(auth.content.includes(SECURED_SECRETS.etcdRoot));
    const json = JSON.stringify(planToJson(plan));
    for (const secret of [SECURED_SECRETS.etcdRoot, SECURED_SECRETS.etcdPatroni, SECURED_SECRETS.restApi]) {
      assert.ok(!json.includes(secret), 'no infrastructure password in the JSON form');
    }
  });

  test('the playbook places the secured files (install destinations) and knows the secured setup', () => {
    const dests = (path: string) =>
      (plan.files.find((f) => f.path === path)?.install ?? []).map(
        (i) => `${i.dest} ${i.owner} 0${i.mode.toString(8)} ${i.phase}`,
      );
    assert.deepEqual(dests('etcd-node-1/etcd.key'), ['/etc/etcd/pki/etcd.key etcd 0600 etcd']);
    assert.deepEqual(dests('etcd-node-1/etcd-auth.sh'), ['/usr/local/sbin/pharos-etcd-auth root 0700 etcd']);
    assert.deepEqual(dests('etcd-node-2/root.crt'), ['/etc/etcd/pki/root.crt etcd 0644 etcd']);
    assert.ok(dests('pem-backend-2/root.crt').includes('/etc/patroni/pki/root.crt postgres 0644 patroni'));
    assert.deepEqual(dests('pem-backend-2/patroni.key'), [
      '/etc/patroni/pki/patroni.key postgres 0600 patroni',
    ]);
    assert.deepEqual(dests('pem-web-3/etcd-client.key'), [
      '/etc/pharos/certs/etcd-client.key pharos 0600 pharos',
    ]);
    const vars = parse(readFileSync(p('ansible', 'group_vars', 'all', 'plan.yml'), 'utf8'));
    assert.equal(vars.pharos_infrastructure_secured, true);
    assert.deepEqual(vars.pharos_etcdctl_env, {
      ETCDCTL_CACERT: '/etc/etcd/pki/root.crt',
      ETCDCTL_CERT: '/etc/etcd/pki/etcd.crt',
      ETCDCTL_KEY: '/etc/etcd/pki/etcd.key',
    });
    const secrets = parse(readFileSync(p('ansible', 'group_vars', 'all', 'secrets.yml'), 'utf8'));
    assert.equal(secrets.pharos_etcd_root_password, SECURED_SECRETS.etcdRoot);
    const inventory = parse(readFileSync(p('ansible', 'inventory.yml'), 'utf8'));
    assert.equal(
      inventory.all.children.etcd.hosts['etcd-node-1'].pharos_etcd_client_url,
      'https://172.16.161.111:2379',
    );
  });

  test('patroni.yml on disk is the secured golden one', () => {
    assert.deepEqual(parse(readFileSync(p('pem-backend-1', 'patroni.yml'), 'utf8')), SECURED_PRIMARY_PATRONI);
  });

  test('certificates: members CN etcd-member for both ends; Patroni and etcd clients without CN', () => {
    const x509 = (file: string, ...what: string[]) => openssl('x509', '-in', file, '-noout', ...what).out;
    const member = p('etcd-node-2', 'etcd.crt');
    assert.match(x509(member, '-subject'), /CN\s*=\s*etcd-member/);
    const memberExt = x509(member, '-ext', 'subjectAltName,extendedKeyUsage');
    for (const n of [
      'IP Address:172.16.161.112',
      'IP Address:127.0.0.1',
      'DNS:etcd-node-2',
      'DNS:localhost',
    ]) {
      assert.ok(memberExt.includes(n), memberExt);
    }
    assert.match(memberExt, /TLS Web Server Authentication, TLS Web Client Authentication/);
    const patroni = p('pem-backend-3', 'patroni.crt');
    assert.doesNotMatch(x509(patroni, '-subject'), /CN/);
    assert.match(x509(patroni, '-ext', 'subjectAltName'), /IP Address:172\.16\.161\.202/);
    for (const purpose of ['sslserver', 'sslclient']) {
      assert.equal(openssl('verify', '-purpose', purpose, '-CAfile', p('ca', 'root.crt'), patroni).status, 0);
    }
    for (const client of [p('pem-web-2', 'etcd-client.crt'), p('ca', 'etcd-client.crt')]) {
      assert.doesNotMatch(x509(client, '-subject'), /CN/);
      assert.equal(
        openssl('verify', '-purpose', 'sslclient', '-CAfile', p('ca', 'root.crt'), client).status,
        0,
      );
    }
  });

  test('the runbook: every deviation, secured ones included; its commands and every script pass shellcheck', () => {
    const runbook = readFileSync(p('RUNBOOK.md'), 'utf8');
    for (const d of [...DEVIATIONS, ...SECURED_DEVIATIONS]) assert.ok(runbook.includes(d), d);
    assert.match(runbook, /sh etcd-auth\.sh/);
    const blocks = shellBlocks(runbook);
    assert.ok(blocks.length > 20, `${blocks.length} sh blocks`);
    for (const b of blocks) assert.equal(shellcheck(b), '', b);
    for (const f of plan.files.filter((f) => f.path.endsWith('.sh')))
      assert.equal(shellcheck(f.content), '', f.path);
  });
});

describe('pharos plan on invalid input', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'pharos-plan-bad-'));
  after(() => rmSync(tmp, { recursive: true, force: true }));

  test('nothing is written on a validation error', async () => {
    const bad = join(tmp, 'bad.yml');
    writeFileSync(bad, readFileSync(SEED, 'utf8').replace('version: 17', 'version: 12'));
    const out = join(tmp, 'out');
    await assert.rejects(
      runPlan({ topologyFile: bad, outDir: out }),
      (err: Error & { exitCode?: number }) => {
        assert.equal(err.name, 'InputError');
        assert.equal(err.exitCode, 2);
        assert.match(err.message, /postgres\.version: 12 is not a supported PostgreSQL major \(13-17\)/);
        return true;
      },
    );
    assert.ok(!existsSync(out));
  });

  test('an existing empty directory is used', async () => {
    const out = join(tmp, 'empty');
    mkdirSync(out);
    const { written } = await runPlan({ topologyFile: SEED, outDir: out });
    assert.ok(written.length > 0);
    assert.ok(existsSync(join(out, 'ca', 'root.key')));
  });
});
