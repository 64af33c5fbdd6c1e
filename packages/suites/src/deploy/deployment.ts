/**
 * A deployment under test (docs/deploy.md "The deployment tests"): a
 * topology of booted Debian 13 hosts on this machine's loopback, its plan,
 * the packages of this tree, the containers, and the steps both deployment
 * tests take the same way: bring everything up, run a playbook, the units
 * and their hardening, enrol a monitored host with enrol-agent.yml and the
 * assertions on it. deploy.int.test.ts (the default run: the smallest
 * topology) and deploy.slow.test.ts (nine hosts, the operations) use it.
 *
 * Timings are printed as `# <label>: what: N s (load A -> B)` lines on
 * stderr, A and B the 1-minute load average when the phase started and
 * ended (the machine is shared: a duration means little without it); at the
 * end a table of them all, also written to `<dir>/timings.json`.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { writeCertFile, writeKeyFile } from '@pharos/core/pki/files';
import { issueClientCertificate } from '@pharos/core/pki/issue';
import { buildPlan } from '@pharos/ops/plan/build';
import { writePlan } from '@pharos/ops/plan/write';
import { agentHosts, allHosts, type PlannedHost } from '@pharos/ops/topology/hosts';
import { loadTopology } from '@pharos/ops/topology/load';
import type { Topology } from '@pharos/ops/topology/types';
import { parse, parseDocument } from 'yaml';
import { type PlaybookRun, runPlaybook } from './ansible-run.js';
import { type ContainerHost, Containers, ensureSshKey } from './containers.js';
import { assertAgentListed, type CheckRun, checkAllOk } from './deploy-check.js';
import { type BuiltPackages, buildPackages, REPO_ROOT } from './packages.js';
import { ensureRootImage, type RootKind } from './root-image.js';

/** The version in the repository's package.json (the packages the tests build). */
export const VERSION = (
  JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }
).version;

/**
 * Validity of the monitored host's certificate the tests make: longer than
 * `pharos check`'s expiry warning (30 days, --expiry-warning-days), or its
 * agent.certificate line is a warning and "every line ok" never comes.
 */
export const MONITORED_CERT_DAYS = 365;

/** The hosts of each role of a deployment test's topology (a host may have several roles). */
export interface TopologyHosts {
  etcd: ContainerHost[];
  backends: ContainerHost[];
  webapps: ContainerHost[];
}

/**
 * The topology of a deployment test: SM, PostgreSQL 17 from Debian 13's
 * paths, secured etcd and Patroni (the default), per-agent certificates,
 * every network allowed to enrol agents; `comment` is its first line.
 */
export function debian13Topology(comment: string, hosts: TopologyHosts): string {
  const list = (hs: ContainerHost[]) =>
    hs.map((h) => `  - { name: ${h.name}, address: ${h.address} }`).join('\n');
  return `# ${comment}
architecture: SM
cluster: pem
postgres: { version: 17, bin_dir: /usr/lib/postgresql/17/bin, data_dir: /var/lib/postgresql/17/pharos, port: 5432 }
etcd:
${list(hosts.etcd)}
backends:
${list(hosts.backends)}
webapps:
${list(hosts.webapps)}
monitored_networks: [0.0.0.0/0]
agent_certificates: per-agent
`;
}

/** The units each role of a host runs after site.yml. */
export function unitsOf(h: PlannedHost): string[] {
  const units: string[] = [];
  if (h.roles.includes('etcd')) units.push('etcd');
  if (h.roles.includes('backend')) units.push('patroni', 'pharos-agent');
  if (h.roles.includes('webapp')) units.push('pharos-agent', 'pharos-web');
  return units;
}

/** One deployment under test in its own work directory. */
export class Deployment {
  readonly topoFile: string;
  readonly planDir: string;
  /** The directory of the playbook logs (one file per playbook: runs may overlap). */
  readonly logDir: string;
  readonly topo: Topology;
  readonly hosts: PlannedHost[];
  /** Phase -> its duration and the 1-minute load average at its start and end. */
  readonly timings: Record<string, { ms: number; loadStart: number; loadEnd: number }> = {};
  containers: Containers | undefined;
  packages!: BuiltPackages;
  sshKey!: string;
  private readonly t0 = Date.now();

  /**
   * @param dir the work directory (made 0700; the test's hosts, plan, packages, log)
   * @param topologyYaml the topology (every host on a loopback address)
   * @param monitored hosts outside the topology, booted too, for enrol-agent.yml
   * @param label prefix of the printed timing lines
   */
  constructor(
    readonly dir: string,
    topologyYaml: string,
    readonly monitored: ContainerHost[],
    readonly label: string,
  ) {
    this.topoFile = join(dir, 'topology.yml');
    this.planDir = join(dir, 'plan');
    this.logDir = join(dir, 'logs');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(this.topoFile, topologyYaml);
    this.topo = loadTopology(this.topoFile);
    this.hosts = allHosts(this.topo);
  }

  /** Prints a `# label: line` line on stderr. */
  say = (line: string): void => {
    process.stderr.write(`# ${this.label}: ${line}\n`);
  };

  /** Runs `fn`, records and prints its duration under `what`, with the load average at its start and end. */
  async timed<T>(what: string, fn: () => Promise<T>): Promise<T> {
    const t0 = Date.now();
    const loadStart = loadavg()[0]!;
    try {
      return await fn();
    } finally {
      const t = { ms: Date.now() - t0, loadStart, loadEnd: loadavg()[0]! };
      this.timings[what] = t;
      this.say(
        `${what}: ${(t.ms / 1000).toFixed(1)} s (load ${loadStart.toFixed(1)} -> ${t.loadEnd.toFixed(1)})`,
      );
    }
  }

  /**
   * Stops what an earlier run left, then side by side: the Debian root
   * of `root` kind (cached; root-image.ts, default bare), the packages (`formats`, plus what `alsoBuild` adds after
   * them) and `alongside` (work that needs no host); then the plan, the
   * SSH key and every host booted (the topology's and the monitored ones).
   */
  async prepare(opts: {
    formats: ('deb' | 'rpm')[];
    alsoBuild?: (outDir: string) => Promise<void>;
    root?: RootKind;
  }): Promise<void> {
    await Containers.cleanupLeftovers(this.dir, this.say);
    for (const h of [...this.hosts, ...this.monitored])
      rmSync(join(this.dir, h.name), { recursive: true, force: true });
    rmSync(this.planDir, { recursive: true, force: true });
    rmSync(this.logDir, { recursive: true, force: true });
    mkdirSync(this.logDir);
    const out = join(this.dir, 'packages');
    rmSync(out, { recursive: true, force: true });
    this.sshKey = await ensureSshKey(this.dir);
    await writePlan(await buildPlan(this.topo), this.planDir);
    const all = [...this.hosts, ...this.monitored];
    // The root's build is mostly downloads, the packages' mostly CPU; the hosts boot while the packages build.
    const kind = opts.root ?? 'bare';
    const root = await this.timed(`Debian 13 root, ${kind} (mmdebstrap, or the cache)`, () =>
      ensureRootImage(this.say, kind),
    );
    this.containers = new Containers(this.dir, root, this.sshKey, all, this.say);
    const [pkgs] = await Promise.all([
      this.timed(`packages ${VERSION} (${opts.formats.join(', ')})`, async () => {
        const built = await buildPackages(VERSION, out, opts.formats);
        await opts.alsoBuild?.(out);
        return built;
      }),
      this.timed(`boot ${all.length} containers`, () =>
        Promise.all(all.map((h) => this.containers!.start(h.name))),
      ),
    ]);
    this.packages = pkgs;
  }

  /**
   * Stops every host (unless PHAROS_DEPLOY_TEST_KEEP is set: powered off at
   * once, they are deleted), prints the total and the table of timings, and
   * writes them to `<dir>/timings.json`.
   */
  async down(): Promise<void> {
    const containers = this.containers;
    if (containers && !process.env.PHAROS_DEPLOY_TEST_KEEP)
      await this.timed('stop and remove the hosts', () => containers.down(true));
    const totalS = Math.round((Date.now() - this.t0) / 1000);
    this.say(`total ${totalS} s (load now ${loadavg()[0]!.toFixed(1)}); the phases:`);
    for (const [what, t] of Object.entries(this.timings))
      this.say(
        `  ${(t.ms / 1000).toFixed(1).padStart(7)} s  load ${t.loadStart.toFixed(1)} -> ${t.loadEnd.toFixed(1)}  ${what}`,
      );
    writeFileSync(
      join(this.dir, 'timings.json'),
      `${JSON.stringify({ at: new Date().toISOString(), totalS, phases: this.timings }, null, 2)}\n`,
    );
  }

  /** The booted hosts. @throws AssertionError before prepare(). */
  get hostsUp(): Containers {
    assert.ok(this.containers, 'the hosts are not booted');
    return this.containers;
  }

  /** Runs a playbook of the plan with the package (`pharos_deb`) and `extra` variables. */
  playbook(name: string, extra: Record<string, string> = {}, pkg = this.packages): Promise<PlaybookRun> {
    return runPlaybook({
      planDir: this.planDir,
      playbook: name,
      sshKey: this.sshKey,
      logFile: join(this.logDir, `${name.replace(/\.yml$/, '')}.log`),
      extraVars: { pharos_deb: pkg.deb!, ...extra },
    });
  }

  /** `pharos check` until all ok (deploy-check.ts). */
  checkAllOk(timeoutMs?: number): Promise<CheckRun> {
    return checkAllOk(this, timeoutMs);
  }

  /** Every unit of every host active ({@link unitsOf}). */
  async assertUnitsActive(): Promise<void> {
    for (const h of this.hosts) {
      const list = unitsOf(h);
      const out = await this.hostsUp.ssh(h.name, `systemctl is-active ${list.join(' ')}`);
      assert.deepEqual(
        out.stdout.trim().split('\n'),
        list.map(() => 'active'),
        `${h.name}: ${list.join(', ')}`,
      );
    }
  }

  /**
   * On a web host (it runs both Pharos units): `systemd-analyze security`
   * of each at most 3 (exposure; printed), and both run as `pharos`.
   */
  async assertHardening(webHost: string): Promise<void> {
    for (const unit of ['pharos-agent', 'pharos-web']) {
      const out = await this.hostsUp.ssh(webHost, `systemd-analyze security ${unit} --no-pager | tail -1`);
      this.say(`systemd-analyze security ${unit}: ${out.stdout.trim()}`);
      const score = Number(/exposure level for \S+: ([\d.]+)/.exec(out.stdout)?.[1]);
      assert.ok(score <= 3, `${unit} exposure ${score}`);
      const owner = await this.hostsUp.sshOk(
        webHost,
        `stat -c %U /proc/$(systemctl show --property=MainPID --value ${unit})`,
      );
      assert.equal(owner.trim(), 'pharos', `${unit} runs as pharos`);
    }
  }

  /**
   * Adds `host` to the `monitored` group of the plan's inventory.yml, as the
   * inventory's own comment tells an operator to (its other lines kept).
   */
  addMonitoredHost(host: ContainerHost, vars: Record<string, string>): void {
    const file = join(this.planDir, 'ansible/inventory.yml');
    const doc = parseDocument(readFileSync(file, 'utf8'));
    doc.setIn(['all', 'children', 'monitored', 'hosts', host.name], { ansible_host: host.address, ...vars });
    writeFileSync(file, doc.toString());
  }

  /**
   * The per-agent model's certificate for the next agent id after the plan's
   * (CN agentN), signed by the plan's CA, as an operator makes one for a new
   * monitored host (docs/monitoring-a-server.md, --sslcert/--sslkey).
   */
  async monitoredHostCertificate(): Promise<{ agentUser: string; cert: string; key: string }> {
    const agentUser = `agent${agentHosts(this.topo).length + 1}`;
    const dir = join(this.dir, 'monitored-cert');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const c = await issueClientCertificate(
      {
        certPem: readFileSync(join(this.planDir, 'ca/root.crt'), 'utf8'),
        keyPem: readFileSync(join(this.planDir, 'ca/root.key'), 'utf8'),
      },
      { commonName: agentUser, days: MONITORED_CERT_DAYS },
    );
    const files = { cert: join(dir, `${agentUser}.crt`), key: join(dir, `${agentUser}.key`) };
    await writeKeyFile(files.key, c.keyPem);
    await writeCertFile(files.cert, c.certPem);
    return { agentUser, ...files };
  }

  /**
   * Enrols `host` (one of the monitored hosts) with enrol-agent.yml and a
   * per-agent certificate: the agent active, its manifest names the first web
   * application and the certificate's user, no deployment password on the
   * host, key and passfile `pharos` 0600.
   */
  async enrolMonitoredHost(host: ContainerHost): Promise<void> {
    assert.equal(this.topo.agent_certificates, 'per-agent');
    const own = await this.monitoredHostCertificate();
    this.addMonitoredHost(host, { pharos_agent_sslcert: own.cert, pharos_agent_sslkey: own.key });
    const r = await this.timed('enrol-agent.yml', () => this.playbook('enrol-agent.yml'));
    assertRunOk(r, 'enrol-agent.yml');
    const on = (cmd: string) => this.hostsUp.sshOk(host.name, cmd);
    assert.equal((await on('systemctl is-active pharos-agent')).trim(), 'active');
    const manifest = JSON.parse(await on('cat /etc/pharos/agent.enrol.json')) as {
      agentId: number;
      agentUser: string;
      url: string;
    };
    assert.equal(manifest.url, `https://${this.topo.webapps[0]!.address}:${this.topo.pem.web_port}`);
    assert.equal(manifest.agentUser, own.agentUser);
    // no password on the host: the agent logs in with its certificate
    assert.match(
      await on('cat /etc/pharos/agent.yml'),
      new RegExp(`sslcert=/etc/pharos/certs/${own.agentUser}\\.crt`),
    );
    const secrets = readFileSync(join(this.planDir, 'ansible/group_vars/all/secrets.yml'), 'utf8');
    const passwords = Object.values(parse(secrets) as Record<string, string>);
    const onHost = await on('cat /etc/pharos/* 2>/dev/null; true');
    for (const p of passwords) assert.ok(!onHost.includes(p), 'no deployment password on the monitored host');
    assert.equal(
      (await on(`stat -c '%U %a' /etc/pharos/certs/${own.agentUser}.key /etc/pharos/agent.pgpass`)).trim(),
      'pharos 600\npharos 600',
    );
  }

  /**
   * collect-configs.yml, then `pharos check` all ok with an ok registration
   * and heartbeat of `host`'s agent (on failure: every agent line and the
   * pem.agent rows).
   */
  async assertCheckListsAgent(host: ContainerHost): Promise<CheckRun> {
    assertRunOk(await this.playbook('collect-configs.yml'), 'collect-configs.yml');
    const check = await this.timed('pharos check with the monitored host (all ok)', () => this.checkAllOk());
    await assertAgentListed(this, check.report, host.name);
    return check;
  }
}

/** Asserts that a playbook run exited 0 (naming the failed hosts, the log and its tail). */
export function assertRunOk(r: PlaybookRun, what: string): void {
  const bad = [...r.recap].filter(([, v]) => v.failed > 0 || v.unreachable > 0).map(([h]) => h);
  assert.equal(
    r.code,
    0,
    `${what} exited ${r.code} (failed on ${bad.join(', ') || '?'}; log ${r.logFile}):\n${r.tail}`,
  );
}

/** Asserts that no host of `r` reports a change (an idempotent run). */
export function assertNoChange(r: PlaybookRun, hosts: string[]): void {
  const changed = [...r.recap].filter(([, v]) => v.changed > 0).map(([h, v]) => `${h}: changed=${v.changed}`);
  assert.deepEqual(changed, [], `log ${r.logFile}`);
  assert.deepEqual([...r.recap.keys()].sort(), [...hosts].sort());
}
