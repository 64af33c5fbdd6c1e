/**
 * The DBA's part of the lab's fleet (docs/monitoring-a-server.md, word for
 * word): on an administrator's terminal `pharos token create`, on each new
 * host `pharos agent enrol` with its token (the per-agent model's
 * certificate, or the common user's, as the topology's model says; a CSR for
 * the built-in CA), the agent started, then `pharos server add` for the
 * standalone server and `pharos cluster add` for the Patroni cluster (its
 * REST URLs https with `--rest-cafile` in a secured lab, fleet/start.ts),
 * each tested from the agent that will monitor it. The lab plays the DBA's
 * hands where the page tells them to edit a server or a file: the
 * monitoring role and HBA rules (given when the servers were made, see
 * start.ts), and the passfile line on each agent's host. Every command
 * runs as its own `pharos` process, with the host identity of where it is
 * typed; each is printed with its duration.
 */
import { execFile } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { AGENT_NODE_OPTIONS } from '@pharos/agent/node-options';
import { isSecured } from '../../render/infrastructure.js';
import { agentUser } from '../../topology/hosts.js';
import { setProbeInterval } from '../configure-steps.js';
import type { UpContext } from '../context.js';
import { PHAROS_BIN } from '../context.js';
import { issueLabCertificate } from '../pki.js';
import { spawnDetached } from '../processes.js';
import type { DbaCommand } from './dba-command.js';
import type { FleetHost, LabFleet } from './plan.js';

const execFileP = promisify(execFile);

export type { DbaCommand } from './dba-command.js';

/** Runs `pharos <args>` with `env`; resolves to stdout. @throws naming the command and its output. */
async function pharos(
  ctx: Pick<UpContext, 'print'>,
  log: DbaCommand[],
  where: string,
  args: string[],
  env: Record<string, string>,
  shown: string[] = args,
): Promise<string> {
  const t0 = Date.now();
  try {
    const { stdout } = await execFileP(process.execPath, [PHAROS_BIN, ...args], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
      timeout: 120_000,
    });
    const ms = Date.now() - t0;
    log.push({ where, argv: ['pharos', ...shown], ms });
    ctx.print(`      ${where}$ pharos ${shown.join(' ')}   (${(ms / 1000).toFixed(1)} s)`);
    return stdout;
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(
      `${where}$ pharos ${shown.join(' ')} failed: ${[e.stdout, e.stderr].filter(Boolean).join('\n').trim() || e.message}`,
    );
  }
}

/** Where a fleet host's agent files go (enrol's --config). */
export function fleetAgentConfig(ctx: Pick<UpContext, 'layout'>, h: FleetHost): string {
  return join(ctx.layout.pharosDir(h.name), 'agent.yml');
}

/**
 * Enrols an agent on every fleet host, starts it, and adds the servers
 * (module note). Resolves to the commands typed.
 * @throws naming the command that failed and what it printed.
 */
export async function enrolFleet(ctx: UpContext, fleet: LabFleet): Promise<DbaCommand[]> {
  const log: DbaCommand[] = [];
  const web = ctx.state.webUrls[0]!.replace(/\/$/, '');
  const admin = {
    PHAROS_URL: web,
    PHAROS_CA_FILE: ctx.pki.caFile,
    PHAROS_USER: ctx.topo.pem.superuser,
    PHAROS_PASSWORD: ctx.secrets.pemsuper,
    XDG_CACHE_HOME: join(ctx.layout.dir, '.cache'),
  };
  // 1. one token per host, from the administrator's terminal (one login, then the cached session)
  const tokenOf = async (h: FleetHost) =>
    (
      JSON.parse(
        await pharos(
          ctx,
          log,
          'admin',
          ['token', 'create', '--name', h.name, '--valid-for', '1h', '--json'],
          admin,
        ),
      ) as { token: string }
    ).token;
  const first = await tokenOf(fleet.hosts[0]!);
  const tokens = [first, ...(await Promise.all(fleet.hosts.slice(1).map(tokenOf)))];
  // 2. on each host: enrol (its own certificate in the per-agent and common-user models), the passfile line, start
  await Promise.all(
    fleet.hosts.map(async (h, i) => {
      const config = fleetAgentConfig(ctx, h);
      const model = ctx.topo.agent_certificates;
      const certArgs: string[] = [];
      if (model !== 'built-in-ca') {
        const user = model === 'common-user' ? agentUser(ctx.topo, h.agentId) : `agent${h.agentId}`;
        const own = await issueLabCertificate(
          ctx.layout,
          join(ctx.layout.hostDir(h.name), 'own-cert'),
          user,
          'client',
        );
        certArgs.push('--sslcert', own.certFile, '--sslkey', own.keyFile);
        if (model === 'common-user') certArgs.push('--agent-user', user);
      }
      const args = [
        'agent',
        'enrol',
        '--url',
        web,
        '--ca-file',
        ctx.pki.caFile,
        '--config',
        config,
        '--display-name',
        h.name,
        '--host-address',
        h.address,
        '--server-sslrootcert',
        ctx.pki.caFile,
        ...certArgs,
      ];
      await pharos(ctx, log, h.name, args, {
        PHAROS_ENROL_TOKEN: tokens[i]!,
        PHAROS_HOST_NAME: h.name,
        PHAROS_HOST_ADDRESS: h.address,
      });
      // the DBA's hands (docs step 3): the monitoring password for the server on this host, scoped to its host:port
      const passfile = join(ctx.layout.pharosDir(h.name), 'agent.pgpass');
      appendFileSync(
        passfile,
        `${h.address}:${ctx.topo.postgres.port}:*:pem_monitor:${ctx.secrets.pem_monitor}\n`,
      );
      setProbeInterval(config, ctx.probeIntervalS);
      const agentCmd = [
        process.execPath,
        ...AGENT_NODE_OPTIONS,
        PHAROS_BIN,
        'agent',
        'run',
        '--config',
        config,
      ];
      const logFile = ctx.layout.outFile(h.name, 'agent');
      const a = await spawnDetached(agentCmd, {
        env: { ...process.env },
        cwd: ctx.layout.pharosDir(h.name),
        logFile,
      });
      ctx.track({ host: h.name, kind: 'agent', ...a, command: agentCmd, logFile });
    }),
  );
  // 3. add the standalone server and the cluster, each tested from its agent(s) first
  const s = fleet.standalone;
  const port = String(ctx.topo.postgres.port);
  const follower = fleet.cluster.members[0]!;
  const secured = isSecured(ctx.topo);
  await Promise.all([
    pharos(
      ctx,
      log,
      'admin',
      [
        'server',
        'add',
        '--name',
        s.serverName,
        '--host',
        s.host.address,
        '--port',
        port,
        '--user',
        'pem_monitor',
        '--agent',
        s.host.name,
        '--tag',
        'lab',
      ],
      admin,
    ),
    pharos(
      ctx,
      log,
      'admin',
      [
        'cluster',
        'add',
        ...fleet.cluster.members.flatMap((m) => [
          '--rest-url',
          `${secured ? 'https' : 'http'}://${m.address}:${ctx.topo.patroni.rest_port}`,
        ]),
        // the CA of its REST API's certificates, on the following agent's host (the lab's CA there)
        ...(secured ? ['--rest-cafile', ctx.pki.caFile] : []),
        '--agent',
        follower.name,
        '--user',
        'pem_monitor',
        '--tag',
        'lab',
      ],
      admin,
    ),
  ]);
  return log;
}
