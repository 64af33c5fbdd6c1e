/**
 * The fleet benchmark's agents, enrolled and started as a DBA does it
 * (docs/monitoring-a-server.md): `pharos token create` on the
 * administrator's terminal, `pharos agent enrol` with that token on each
 * agent's host (the built-in CA signs the agent's CSR), the monitoring
 * password added to the agent's passfile (one line per server, scoped to its
 * host:port, as `pharos server prepare` gives it), then `pharos agent run`
 * with AGENT_NODE_OPTIONS, at the configuration enrol wrote (default probe
 * intervals). Each `pharos` command is its own process of this checkout's
 * CLI (packages/cli/bin/pharos.js, found by path: the CLI depends on this
 * package's dependencies, not the other way round).
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { appendFileSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { AGENT_NODE_OPTIONS } from '@pharos/agent/node-options';
import { PASSWORDS } from '@pharos/web/testing/backend-fixture';
import { agentAddress, serverAddress } from './addresses.js';
import { MONITOR_PASSWORD, MONITOR_USER } from './monitored.js';

const execFileP = promisify(execFile);

/** packages/bench/dist/fleet -> packages/cli/bin/pharos.js */
export const PHAROS_JS = fileURLToPath(new URL('../../../cli/bin/pharos.js', import.meta.url));

/** Commands retried after answering PHAROS_BACKEND_FAILING_OVER (the web's 503 "retry after 2 s"), counted for the report. */
export const retried = { count: 0 };

/**
 * Runs `pharos <args>` with `env` (PATH and HOME added); resolves to stdout.
 * With `retry`, a command refused with PHAROS_BACKEND_FAILING_OVER (the
 * web instance did not get the backend's answer in time) is typed again 2 s
 * later, as its message asks, at most 4 times. Not for `agent enrol`: its
 * one statement may have committed (token used) when the web instance gave
 * up waiting, and a second try is then refused.
 * @throws naming the command and its output.
 */
export async function pharos(args: string[], env: Record<string, string>, retry = false): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    try {
      const { stdout } = await execFileP(process.execPath, [PHAROS_JS, ...args], {
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root', ...env },
        timeout: 180_000,
      });
      return stdout;
    } catch (err) {
      const e = err as { stdout?: string; stderr?: string; message: string };
      const said = [e.stdout, e.stderr].filter(Boolean).join('\n').trim() || e.message;
      if (retry && attempt < 5 && said.includes('PHAROS_BACKEND_FAILING_OVER')) {
        retried.count++;
        await new Promise((r) => setTimeout(r, 2000));
        continue;
      }
      throw new Error(`pharos ${args.slice(0, 2).join(' ')} failed: ${said}`);
    }
  }
}

/** An enrolled agent: its id, host name and address, configuration, and its process once started. */
export interface FleetAgent {
  id: number;
  name: string;
  address: string;
  config: string;
  process?: ChildProcess;
}

/** What enrolment needs: the web instance, the CA, the administrator's environment, a work directory. */
export interface EnrolContext {
  webUrl: string;
  caFile: string;
  /** PHAROS_URL, PHAROS_CA_FILE, PHAROS_USER, PHAROS_PASSWORD... of `pharos token create`. */
  adminEnv: Record<string, string>;
  dir: string;
  /** Host name and address of agent k (default fleet-agent-<k+1> on agentAddress(k)). */
  host?: (k: number) => { name: string; address: string };
}

/**
 * Enrols `count` agents (hosts fleet-agent-1..N on agentAddress(0..N-1), or `ctx.host`'s),
 * one at a time (each has the built-in CA sign its CSR; on a loaded machine
 * concurrent enrolments outlasted the web instance's 15 s query deadline).
 * Resolves to the agents, not started.
 * @throws naming the command that failed.
 */
export async function enrolAgents(ctx: EnrolContext, count: number): Promise<FleetAgent[]> {
  const out: FleetAgent[] = [];
  for (let i = 0; i < count; i++) {
    const batch = [i];
    out.push(...(await Promise.all(batch.map((k) => enrolWithRetry(ctx, k)))));
  }
  return out;
}

/**
 * Enrols agent k; a try the backend cancelled as too slow (PHAROS_BACKEND_TIMEOUT:
 * the statement changed nothing, the CLI says to try again) is tried again with a
 * new token, at most {@link ENROL_TRIES} times in all (a loaded shared machine).
 */
async function enrolWithRetry(ctx: EnrolContext, k: number): Promise<FleetAgent> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await enrolOne(ctx, k);
    } catch (err) {
      if (attempt >= ENROL_TRIES || !String((err as Error).message).includes('PHAROS_BACKEND_TIMEOUT'))
        throw err;
    }
  }
}

/** Tries of {@link enrolWithRetry}. */
const ENROL_TRIES = 3;

/** Enrols agent k once: a token from `pharos token create`, then `pharos agent enrol` (module note). */
async function enrolOne(ctx: EnrolContext, k: number): Promise<FleetAgent> {
  const { name, address } = ctx.host?.(k) ?? {
    name: `fleet-agent-${k + 1}`,
    address: agentAddress(k),
  };
  const token = (
    JSON.parse(
      await pharos(['token', 'create', '--name', name, '--valid-for', '1h', '--json'], ctx.adminEnv, true),
    ) as { token: string }
  ).token;
  const hostDir = join(ctx.dir, name);
  mkdirSync(hostDir, { recursive: true });
  const config = join(hostDir, 'agent.yml');
  const printed = await pharos(
    [
      'agent',
      'enrol',
      '--url',
      ctx.webUrl,
      '--ca-file',
      ctx.caFile,
      '--config',
      config,
      '--display-name',
      name,
      '--host-address',
      address,
      '--server-sslrootcert',
      ctx.caFile,
    ],
    {
      PHAROS_ENROL_TOKEN: token,
      PHAROS_HOST_NAME: name,
      PHAROS_HOST_ADDRESS: address,
      XDG_CACHE_HOME: join(hostDir, '.cache'),
    },
  );
  const id = /^agent (\d+) \(/m.exec(printed)?.[1];
  if (!id) throw new Error(`pharos agent enrol printed no agent id:\n${printed}`);
  return { id: Number(id), name, address, config };
}

/** Adds the passfile line of each server in `servers` (indexes) to the agent's agent.pgpass (the DBA's step 3). */
export function addPassfileLines(agent: FleetAgent, servers: readonly number[]): void {
  appendFileSync(
    join(agent.config, '..', 'agent.pgpass'),
    servers.map((k) => `${serverAddress(k)}:5432:*:${MONITOR_USER}:${MONITOR_PASSWORD}\n`).join(''),
  );
}

/** Starts `pharos agent run` for `agent` (log in its host directory). */
export function startAgent(agent: FleetAgent): ChildProcess {
  const log = openSync(join(agent.config, '..', 'agent.out'), 'a');
  const child = spawn(
    process.execPath,
    [...AGENT_NODE_OPTIONS, PHAROS_JS, 'agent', 'run', '--config', agent.config],
    {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root' },
      stdio: ['ignore', log, log],
    },
  );
  agent.process = child;
  return child;
}

/** Stops the agents started here (SIGTERM, then waits for each to exit, at most 20 s each). */
export async function stopAgents(agents: readonly FleetAgent[]): Promise<void> {
  await Promise.all(
    agents.map(async (a) => {
      const p = a.process;
      if (!p || p.exitCode !== null || p.signalCode !== null) return;
      const exited = new Promise<void>((r) => p.once('exit', () => r()));
      p.kill('SIGTERM');
      const timer = setTimeout(() => p.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    }),
  );
}

/**
 * The administrator's environment of `pharos token create` (EnrolContext.adminEnv): user
 * alice of the test backend (web/testing/backend-fixture.ts) at `webUrl`, verified with
 * `caFile`, from the harness address `harness`, with its CLI cache under `dir`.
 */
export function administratorEnv(
  webUrl: string,
  caFile: string,
  harness: string,
  dir: string,
): Record<string, string> {
  return {
    PHAROS_URL: webUrl,
    PHAROS_CA_FILE: caFile,
    PHAROS_USER: 'alice',
    PHAROS_PASSWORD: PASSWORDS.alice,
    PHAROS_HOST_ADDRESS: harness,
    XDG_CACHE_HOME: join(dir, 'admin-cache'),
  };
}

/**
 * Waits until every agent of `agents` has heartbeat in the last 30 s (pem.agent.last_heartbeat),
 * asking the backend through `sql` (psql text in, text out) every 500 ms.
 * @throws naming how many had, when not all have after `deadlineMs` (default 60 s).
 */
export async function waitForHeartbeats(
  sql: (text: string) => Promise<string>,
  agents: readonly { id: number }[],
  deadlineMs = 60_000,
): Promise<void> {
  for (const deadline = Date.now() + deadlineMs; ; ) {
    const alive = Number(
      await sql(
        `SELECT count(*) FROM pem.agent WHERE id IN (${agents.map((a) => a.id).join(',')}) AND last_heartbeat > now() - interval '30 s'`,
      ),
    );
    if (alive === agents.length) return;
    if (Date.now() > deadline)
      throw new Error(`only ${alive} of ${agents.length} agents heartbeat within ${deadlineMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 500));
  }
}
