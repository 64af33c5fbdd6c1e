/**
 * What the `pharos server` verbs do, through the web API (api/client.ts;
 * routes in packages/web/src/api/fleet-servers.ts). Loaded only when a
 * verb runs.
 *
 * A server is named by id or display name, an agent by id or display name.
 * `add`, `set` (of the connection) and `test` have the agent that monitors
 * the server test the connection first; a failed test prints its sentence
 * (and the passfile line to add, when that is the cause), adds or changes
 * nothing, and exits 1 (PHAROS_SERVER_TEST_FAILED). Bad input exits 2
 * naming the flag's field (the API's `field`), with the API's catalogue
 * code; a server removed twice exits 2 (PHAROS_SERVER_NOT_FOUND, "no server N").
 * `--json` prints the API's answer.
 */
import type { FleetAgent } from '@pharos/backend/fleet/agents';
import type { TestConnectionResult } from '@pharos/backend/fleet/connection-test';
import { type Preparation, preparationText } from '@pharos/backend/fleet/prepare';
import type { MonitoredServer, RemovedServer } from '@pharos/backend/fleet/servers';
import { pharosError } from '@pharos/core/errors';
import { type ApiClient, ApiError, type ApiFlags, apiClient } from '../../api/client.js';
import { flagErrors } from '../../flag-errors.js';
import { columns, print, printJson, printList } from '../../output.js';

/** Flags of the `server` verbs (each takes the ones it registers). */
export interface ServerFlags extends ApiFlags {
  json?: boolean;
  tag?: string | string[];
  host?: string;
  port?: string;
  db?: string;
  user?: string;
  sslmode?: string;
  sslrootcert?: string;
  agent?: string;
  name?: string;
  notes?: string;
  test?: boolean;
  purgeHistory?: boolean;
}

/** The API field of each flag, to name the flag in messages. */
const FLAG_OF: Record<string, string> = {
  displayName: '--name',
  host: '--host',
  port: '--port',
  maintenanceDb: '--db',
  user: '--user',
  sslmode: '--sslmode',
  sslrootcert: '--sslrootcert',
  agentId: '--agent',
  tags: '--tag',
  notes: '--notes',
};

function portOf(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 65535)
    throw pharosError('PHAROS_CLI_TCP_PORT_INVALID', { flag: '--port', value: v }, { field: 'port' });
  return Number(v);
}

export async function agentId(api: ApiClient, name: string): Promise<number> {
  if (/^\d+$/.test(name)) return Number(name);
  const agents = await api.call<FleetAgent[]>('GET', '/api/agents', undefined, 'list agents');
  const a = agents.find((x) => x.displayName === name || x.user === name);
  if (!a) {
    throw pharosError(
      'PHAROS_AGENT_NOT_FOUND',
      {
        detail: `--agent: there is no agent '${name}' (known: ${agents.map((x) => `${x.id} ${x.displayName}`).join(', ') || 'none'})`,
      },
      { field: 'agentId' },
    );
  }
  return a.id;
}

async function serverOf(api: ApiClient, name: string): Promise<MonitoredServer> {
  const all = await api.call<MonitoredServer[]>('GET', '/api/servers', undefined, 'list servers');
  const s = /^\d+$/.test(name)
    ? all.find((x) => x.id === Number(name))
    : all.find((x) => x.displayName === name);
  if (!s)
    throw pharosError(
      'PHAROS_SERVER_NOT_FOUND',
      { id: `'${name}' (pharos server list shows them)` },
      { field: 'server' },
    );
  return s;
}

export function tagsOf(tag: string | string[] | undefined): string[] | undefined {
  if (tag === undefined) return undefined;
  return (Array.isArray(tag) ? tag : [tag]).flatMap((t) => t.split(',')).filter((t) => t !== '');
}

/** The connection fields given by flags (only those given). */
async function connectionBody(api: ApiClient, f: ServerFlags): Promise<Record<string, unknown>> {
  const body: Record<string, unknown> = {};
  if (f.host !== undefined) body.host = f.host;
  const port = portOf(f.port);
  if (port !== undefined) body.port = port;
  if (f.db !== undefined) body.maintenanceDb = f.db;
  if (f.user !== undefined) body.user = f.user;
  if (f.sslmode !== undefined) body.sslmode = f.sslmode;
  if (f.sslrootcert !== undefined) body.sslrootcert = f.sslrootcert === '' ? null : f.sslrootcert;
  if (f.agent !== undefined) body.agentId = await agentId(api, f.agent);
  return body;
}

export function testLines(t: TestConnectionResult): string[] {
  const lines = [
    t.ok ? `test connection: ok: ${t.message}` : `test connection failed (${t.cause}): ${t.message}`,
  ];
  if (t.passfileLine) lines.push(`  passfile line: ${t.passfileLine}`);
  for (const w of t.warnings) lines.push(`  warning: ${w}`);
  return lines;
}

/** A 422 (the test failed, nothing written): print the test and exit 1. */
function failedTest(err: unknown, f: ServerFlags, what: string): boolean {
  if (!(err instanceof ApiError) || err.status !== 422) return false;
  const test = err.body.test as TestConnectionResult;
  if (f.json) printJson({ [what]: false, test });
  else
    for (const l of [...testLines(test), `server ${what}: nothing ${what === 'added' ? 'added' : 'changed'}`])
      print(l);
  process.exitCode = err.exitCode;
  return true;
}

function observedText(s: MonitoredServer): string {
  const o = s.observed;
  const patroni = o.patroniRole
    ? ` (Patroni ${o.patroniRole}${o.missingSince ? `, missing since ${o.missingSince}` : ''})`
    : '';
  if (o.lastSampleAgeS === null) return `no data yet${patroni}`;
  const state = `${o.up === false ? `down: ${o.error ?? ''}` : (o.role ?? 'up')}${patroni}`;
  return `${state}, newest sample ${o.lastSampleAgeS.toFixed(0)} s old`;
}

/** `server list`. */
export async function list(f: ServerFlags): Promise<void> {
  const api = apiClient(f);
  const tags = tagsOf(f.tag);
  const q = tags && tags.length > 0 ? `?tag=${encodeURIComponent(tags.join(','))}` : '';
  const servers = await api.call<MonitoredServer[]>('GET', `/api/servers${q}`, undefined, 'list servers');
  printList(servers, f.json, 'no servers', (all) =>
    columns([
      ['ID', 'NAME', 'ADDRESS', 'AGENT', 'STATE', 'TAGS'],
      ...all.map((s) => [
        String(s.id),
        s.displayName + (s.isPemBackend ? ' (PEM backend)' : ''),
        `${s.host}:${s.port}`,
        s.agentId === null ? '-' : `${s.agentId} ${s.agentName ?? ''}`,
        observedText(s),
        s.tags.join(','),
      ]),
    ]),
  );
}

/** `server show`. */
export async function show(name: string, f: ServerFlags): Promise<void> {
  const s = await serverOf(apiClient(f), name);
  if (f.json) return printJson(s);
  const lines: [string, string][] = [
    ['server', `${s.id} (${s.displayName})`],
    [
      'kind',
      `${s.kind}${s.isPemBackend ? ', PEM backend node' : ''}${s.clusterId ? `, member ${s.patroniMember} of cluster ${s.clusterName} (${s.clusterId})` : ''}`,
    ],
    ['address', `${s.host}:${s.port}, database ${s.maintenanceDb}`],
    ['monitoring user', s.user],
    ['TLS', `sslmode=${s.sslmode}${s.sslrootcert ? `, CA ${s.sslrootcert}` : ''}`],
    ['agent', s.agentId === null ? 'none' : `${s.agentId} (${s.agentName})`],
    ['tags', s.tags.join(', ') || '-'],
    ['observed', observedText(s)],
    ['added', `${s.createdAt}${s.createdBy ? ` by ${s.createdBy}` : ''}`],
  ];
  if (s.notes) lines.push(['notes', s.notes]);
  for (const [k, v] of lines) print(`${`${k}:`.padEnd(17)}${v}`);
}

/** `server add`. */
export async function add(f: ServerFlags): Promise<void> {
  const api = apiClient(f);
  await flagErrors(FLAG_OF, async () => {
    const body = {
      displayName: f.name,
      ...(await connectionBody(api, f)),
      ...(tagsOf(f.tag) ? { tags: tagsOf(f.tag) } : {}),
      ...(f.notes !== undefined ? { notes: f.notes } : {}),
      test: f.test !== false,
    };
    try {
      const r = await api.call<{ server: MonitoredServer; test: TestConnectionResult | null }>(
        'POST',
        '/api/servers',
        body,
        'add server',
      );
      if (f.json) return printJson(r);
      if (r.test) for (const l of testLines(r.test)) print(l);
      print(
        `server ${r.server.id} (${r.server.displayName}): added, monitored by agent ${r.server.agentId} (${r.server.agentName}) within its next short wait`,
      );
    } catch (err) {
      if (!failedTest(err, f, 'added')) throw err;
    }
  });
}

/** `server set`. */
export async function set(name: string, f: ServerFlags): Promise<void> {
  const api = apiClient(f);
  await flagErrors(FLAG_OF, async () => {
    const s = await serverOf(api, name);
    const body: Record<string, unknown> = { ...(await connectionBody(api, f)) };
    if (f.name !== undefined) body.displayName = f.name;
    if (tagsOf(f.tag)) body.tags = tagsOf(f.tag);
    if (f.notes !== undefined) body.notes = f.notes;
    if (Object.keys(body).length === 0) throw pharosError('PHAROS_CLI_NOTHING_TO_CHANGE');
    body.test = f.test !== false;
    try {
      const r = await api.call<{ server: MonitoredServer; test: TestConnectionResult | null }>(
        'PATCH',
        `/api/servers/${s.id}`,
        body,
        `change server ${s.id}`,
      );
      if (f.json) return printJson(r);
      if (r.test) for (const l of testLines(r.test)) print(l);
      print(
        `server ${r.server.id} (${r.server.displayName}): changed (${Object.keys(body)
          .filter((k) => k !== 'test')
          .join(', ')})`,
      );
    } catch (err) {
      if (!failedTest(err, f, 'changed')) throw err;
    }
  });
}

/** `server remove`. */
export async function remove(name: string, f: ServerFlags): Promise<void> {
  const api = apiClient(f);
  const id = /^\d+$/.test(name) ? Number(name) : (await serverOf(api, name)).id;
  const q = f.purgeHistory ? '?purgeHistory=true' : '';
  const r = await api.call<RemovedServer>(
    'DELETE',
    `/api/servers/${id}${q}`,
    undefined,
    `remove server ${name}`,
  );
  if (f.json) return printJson(r);
  print(
    `server ${r.id} (${r.server}): removed, with its binding, ${r.alerts} alert(s), ${r.latest} latest value(s) and ${r.probeLog} probe log entr${r.probeLog === 1 ? 'y' : 'ies'}`,
  );
  print(
    f.purgeHistory
      ? `history purged: ${r.historySamples} sample(s), ${r.historyRollups} rollup row(s)`
      : 'history kept until retention (--purge-history deletes it now)',
  );
}

/** `server prepare`. */
export async function prepare(f: ServerFlags): Promise<void> {
  const api = apiClient(f);
  await flagErrors(FLAG_OF, async () => {
    const p = await api.call<Preparation>(
      'POST',
      '/api/servers/prepare',
      await connectionBody(api, f),
      'prepare',
    );
    if (f.json) return printJson(p);
    for (const l of preparationText(p)) print(l);
  });
}

/** `server test`. Exit code 1 when the test fails. */
export async function test(name: string | undefined, f: ServerFlags): Promise<void> {
  const api = apiClient(f);
  await flagErrors(FLAG_OF, async () => {
    let t: TestConnectionResult;
    if (name !== undefined) {
      const s = await serverOf(api, name);
      t = await api.call<TestConnectionResult>(
        'POST',
        `/api/servers/${s.id}/test`,
        undefined,
        `test server ${name}`,
      );
    } else {
      const body = await connectionBody(api, f);
      for (const [k, flag] of [
        ['host', '--host'],
        ['user', '--user'],
        ['agentId', '--agent'],
      ] as const) {
        if (body[k] === undefined)
          throw pharosError('PHAROS_SERVER_TEST_TARGET_MISSING', { flag }, { field: k });
      }
      t = await api.call<TestConnectionResult>('POST', '/api/servers/test', body, 'test connection');
    }
    if (f.json) printJson(t);
    else for (const l of testLines(t)) print(l);
    if (!t.ok) process.exitCode = 1;
  });
}
