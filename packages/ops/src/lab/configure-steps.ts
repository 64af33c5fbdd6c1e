/**
 * Step 7 of `lab up`: runs `pharos configure` on every backend and web host
 * with the command lines the reference gives (rendered by
 * render/configure-command.ts, as `pharos plan` writes them), each as its own
 * process with the host's identity (PHAROS_HOST_NAME, PHAROS_HOST_ADDRESS),
 * then starts each host's agent and web instance.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { AGENT_NODE_OPTIONS } from '@pharos/agent/node-options';
import { pharosError } from '@pharos/core/errors';
import { parseDocument } from 'yaml';
import { configureCommandLine } from '../render/configure.js';
import { etcdClientUrls } from '../render/etcd.js';
import { isSecured } from '../render/infrastructure.js';
import { agentHosts } from '../topology/hosts.js';
import type { UpContext } from './context.js';
import { PHAROS_BIN } from './context.js';
import { spawnDetached } from './processes.js';

const run = promisify(execFile);

/**
 * The configure command line (arguments after `pharos configure`) for `host`:
 * exactly what `pharos plan` writes (render/configure.ts), with the lab's
 * certificate directory, plus where configure writes the agent's (and web
 * instance's) configuration in the lab's layout.
 */
export function labConfigureArgs(
  ctx: UpContext,
  host: { name: string; role: 'backend' | 'webapp' },
): string[] {
  const pharosDir = ctx.layout.pharosDir(host.name);
  const { argv } = configureCommandLine(ctx.topo, host.name, {
    site: ctx.layout.site(ctx.binDir),
    certDir: pharosDir,
    command: [],
  });
  const own = ['--agent-config', `${pharosDir}/agent.yml`];
  if (host.role === 'backend') return [...argv, ...own];
  // The web certificate is where the command line names it: <certDir>/web.crt and web.key (lab/pki.ts).
  return [
    ...argv,
    ...own,
    '--web-config',
    `${pharosDir}/web.yml`,
    '--web-port',
    String(ctx.topo.pem.web_port),
  ];
}

/**
 * Sets `probe_interval_s` in an agent configuration written by configure
 * (the lab samples faster than the agent's default, so tests see data sooner).
 */
export function setProbeInterval(agentYml: string, seconds: number): void {
  const doc = parseDocument(readFileSync(agentYml, 'utf8'));
  doc.set('probe_interval_s', seconds);
  writeFileSync(agentYml, doc.toString(), { mode: 0o600 });
}

/**
 * Sets `webhook_allow` in an agent configuration written by configure (the
 * lab's webhook receivers are on loopback, which the target policy refuses);
 * an empty list leaves the file alone.
 */
export function setWebhookAllow(agentYml: string, entries: readonly string[]): void {
  if (entries.length === 0) return;
  const doc = parseDocument(readFileSync(agentYml, 'utf8'));
  doc.set('webhook_allow', [...entries]);
  writeFileSync(agentYml, doc.toString(), { mode: 0o600 });
}

/**
 * Sets `etcd_endpoints` in a web instance's configuration written by
 * configure, so the overview shows the etcd members' health. Only for the
 * reference's open setup, whose configure command line (the reference's)
 * does not say where etcd is; a secured topology's configure step gets
 * `--etcd-endpoints` and the web's etcd client certificate (render/configure.ts).
 * `urls`: the members' client URLs (http://address:2379 there).
 */
export function setWebEtcdEndpoints(webYml: string, urls: readonly string[]): void {
  const doc = parseDocument(readFileSync(webYml, 'utf8'));
  doc.set('etcd_endpoints', [...urls]);
  writeFileSync(webYml, doc.toString(), { mode: 0o600 });
}

/** The client URLs of the topology's etcd members, as the lab starts them (https when secured). */
export function labEtcdEndpoints(ctx: Pick<UpContext, 'topo'>): string[] {
  return etcdClientUrls(ctx.topo);
}

/** Runs configure on each host in order (primary, standbys, web hosts), then starts the agents and web instances. */
export async function runConfigureSteps(ctx: UpContext): Promise<void> {
  for (const host of agentHosts(ctx.topo)) {
    mkdirSync(ctx.layout.pharosDir(host.name), { recursive: true, mode: 0o750 });
    const args = labConfigureArgs(ctx, host);
    const env = {
      ...process.env,
      PHAROS_SUPERPASSWORD: ctx.secrets.pemsuper,
      PHAROS_HOST_NAME: host.name,
      PHAROS_HOST_ADDRESS: host.address,
      PHAROS_ASB_USER: 'pem_monitor',
      PHAROS_ASB_PASSWORD: ctx.secrets.pem_monitor,
      PHAROS_WEB_SERVICE_PASSWORD: ctx.secrets.pem_web_service,
      PGSSLMODE: 'verify-full',
      PGSSLROOTCERT: ctx.pki.caFile,
    };
    try {
      const { stdout } = await run(process.execPath, [PHAROS_BIN, 'configure', ...args], {
        env,
        timeout: 120_000,
      });
      for (const line of stdout.trim().split('\n')) ctx.print(`      ${host.name}: ${line}`);
    } catch (err) {
      const e = err as { stderr?: string; stdout?: string; message: string };
      throw pharosError('PHAROS_LAB_CONFIGURE_FAILED', {
        host: host.name,
        output: (e.stderr || e.stdout || e.message).trim(),
      });
    }
  }
  for (const host of agentHosts(ctx.topo)) {
    const dir = ctx.layout.pharosDir(host.name);
    setProbeInterval(`${dir}/agent.yml`, ctx.probeIntervalS);
    setWebhookAllow(`${dir}/agent.yml`, ctx.webhookAllow);
    const agentCmd = [
      process.execPath,
      ...AGENT_NODE_OPTIONS,
      PHAROS_BIN,
      'agent',
      'run',
      '--config',
      `${dir}/agent.yml`,
    ];
    const env = { ...process.env };
    const a = await spawnDetached(agentCmd, {
      env,
      cwd: dir,
      logFile: ctx.layout.outFile(host.name, 'agent'),
    });
    ctx.track({
      host: host.name,
      kind: 'agent',
      ...a,
      command: agentCmd,
      logFile: ctx.layout.outFile(host.name, 'agent'),
    });
    if (host.role === 'webapp') {
      if (!isSecured(ctx.topo)) setWebEtcdEndpoints(`${dir}/web.yml`, labEtcdEndpoints(ctx));
      const webCmd = [process.execPath, PHAROS_BIN, 'web', 'run', '--config', `${dir}/web.yml`];
      const w = await spawnDetached(webCmd, {
        env: process.env,
        cwd: dir,
        logFile: ctx.layout.outFile(host.name, 'web'),
      });
      ctx.track({
        host: host.name,
        kind: 'web',
        ...w,
        command: webCmd,
        logFile: ctx.layout.outFile(host.name, 'web'),
      });
    }
  }
}
