/**
 * What the `pharos cluster` verbs do, through the web API (api/client.ts;
 * routes in packages/web/src/api/fleet-clusters.ts). Loaded only when a
 * verb runs.
 *
 * A cluster is named by id or name, an agent by id or display name. `add`
 * has the following agent read the cluster's GET /cluster, then each
 * member's connection tested from the agent that will monitor it; when the
 * cluster cannot be read or a test fails, it prints the sentence (naming
 * the member), adds nothing and exits 1. Bad input exits 2 naming the flag;
 * a cluster removed twice exits 2 ("no cluster N"). `--json` prints the
 * API's answer.
 */
import type { ClusterReading } from '@pharos/backend/fleet/cluster-reading';
import type { MonitoredCluster, RemovedCluster } from '@pharos/backend/fleet/clusters';
import type { TestConnectionResult } from '@pharos/backend/fleet/connection-test';
import { pharosError } from '@pharos/core/errors';
import { type ApiClient, ApiError, type ApiFlags, apiClient } from '../../api/client.js';
import { flagErrors } from '../../flag-errors.js';
import { columns, print, printJson, printList } from '../../output.js';
import { agentId, tagsOf, testLines } from '../server/servers.js';

/** Flags of the `cluster` verbs (each takes the ones it registers). */
export interface ClusterFlags extends ApiFlags {
  json?: boolean;
  restUrl?: string[];
  restCafile?: string;
  agent?: string;
  user?: string;
  name?: string;
  db?: string;
  sslmode?: string;
  sslrootcert?: string;
  tag?: string | string[];
  notes?: string;
  memberGrace?: string;
  test?: boolean;
  purgeHistory?: boolean;
}

/** The API field of each flag, to name the flag in messages. */
const FLAG_OF: Record<string, string> = {
  name: '--name',
  restEndpoints: '--rest-url',
  restCafile: '--rest-cafile',
  agentId: '--agent',
  user: '--user',
  maintenanceDb: '--db',
  sslmode: '--sslmode',
  sslrootcert: '--sslrootcert',
  tags: '--tag',
  notes: '--notes',
  memberGraceS: '--member-grace',
};

async function clusterOf(api: ApiClient, name: string): Promise<MonitoredCluster> {
  const all = await api.call<MonitoredCluster[]>('GET', '/api/clusters', undefined, 'list clusters');
  const c = /^\d+$/.test(name) ? all.find((x) => x.id === Number(name)) : all.find((x) => x.name === name);
  if (!c)
    throw pharosError(
      'PHAROS_CLUSTER_NOT_FOUND',
      { id: `'${name}' (pharos cluster list shows them)` },
      { field: 'cluster' },
    );
  return c;
}

function readingLines(r: ClusterReading): string[] {
  const leader = r.members.find((m) => m.role === 'leader' || m.role === 'standby_leader')?.name;
  return [
    `cluster read from ${r.endpoint}: scope ${r.scope ?? '?'}, ${r.members.length} member(s)${leader ? `, leader ${leader}` : ', no leader'}`,
    ...columns(
      r.members.map((m) => [
        `  ${m.name}`,
        m.role ?? '?',
        m.state ?? '?',
        `${m.host ?? '?'}:${m.port ?? '?'}`,
        m.lag === null ? '' : `lag ${m.lag} B`,
      ]),
    ),
  ];
}

type MemberTest = { member: string; agentId: number; test: TestConnectionResult };

function memberTestLines(tests: MemberTest[]): string[] {
  return tests.flatMap((t) =>
    testLines(t.test).map((l, i) =>
      i === 0 ? `member ${t.member} (from agent ${t.agentId}): ${l}` : `  ${l}`,
    ),
  );
}

function lookText(c: MonitoredCluster): string {
  const o = c.observed;
  if (o.error) return `not read: ${o.error}`;
  if (o.ageS === null) return 'not looked at yet';
  return `looked at ${o.ageS.toFixed(0)} s ago (${o.from})`;
}

/** `cluster list`. */
export async function list(f: ClusterFlags): Promise<void> {
  const clusters = await apiClient(f).call<MonitoredCluster[]>(
    'GET',
    '/api/clusters',
    undefined,
    'list clusters',
  );
  printList(clusters, f.json, 'no clusters', (all) =>
    columns([
      ['ID', 'NAME', 'LEADER', 'MEMBERS', 'FOLLOWED BY', 'LAST LOOK'],
      ...all.map((c) => [
        String(c.id),
        c.name,
        c.observed.leader ?? '-',
        c.members.map((m) => `${m.member} ${m.role ?? '?'}`).join(', ') || '-',
        c.agentId === null ? '-' : `${c.agentId} ${c.agentName ?? ''}`,
        lookText(c),
      ]),
    ]),
  );
}

/** `cluster show`. */
export async function show(name: string, f: ClusterFlags): Promise<void> {
  const c = await clusterOf(apiClient(f), name);
  if (f.json) return printJson(c);
  const lines: [string, string][] = [
    ['cluster', `${c.id} (${c.name}), Patroni scope ${c.scope ?? '?'}`],
    ['REST endpoints', `${c.restEndpoints.join(', ')}${c.restCafile ? ` (CA ${c.restCafile})` : ''}`],
    [
      'followed by',
      c.agentId === null ? 'no agent (its agent was unregistered)' : `agent ${c.agentId} (${c.agentName})`,
    ],
    [
      'leader',
      `${c.observed.leader ?? 'none'}${c.observed.timeline === null ? '' : `, timeline ${c.observed.timeline}`}`,
    ],
    ['last look', lookText(c)],
    [
      'members as',
      `${c.memberDefaults.user}, sslmode=${c.memberDefaults.sslmode}, database ${c.memberDefaults.maintenanceDb}${c.memberDefaults.sslrootcert ? `, CA ${c.memberDefaults.sslrootcert}` : ''}`,
    ],
    ['tags', c.tags.join(', ') || '-'],
    ['added', `${c.createdAt}${c.createdBy ? ` by ${c.createdBy}` : ''}`],
  ];
  if (c.notes) lines.push(['notes', c.notes]);
  for (const p of c.observed.problems) lines.push(['problem', p]);
  for (const [k, v] of lines) print(`${`${k}:`.padEnd(16)}${v}`);
  print('members:');
  for (const l of columns(
    c.members.map((m) => [
      `  ${m.member}`,
      m.role ?? '?',
      m.state ?? '?',
      `${m.host}:${m.port}`,
      `server ${m.serverId} (${m.displayName})`,
      m.agentId === null ? 'no agent' : `agent ${m.agentId} (${m.agentName})`,
      m.missingSince ? `missing since ${m.missingSince}` : '',
    ]),
  ))
    print(l);
}

function graceOf(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) > 86400)
    throw pharosError(
      'PHAROS_CLUSTER_INVALID',
      { detail: `--member-grace: '${v}' is not 0-86400 seconds` },
      { field: 'memberGraceS' },
    );
  return Number(v);
}

/** `cluster add`. */
export async function add(f: ClusterFlags): Promise<void> {
  const api = apiClient(f);
  await flagErrors(FLAG_OF, async () => {
    const grace = graceOf(f.memberGrace);
    const body = {
      ...(f.name !== undefined ? { name: f.name } : {}),
      restEndpoints: f.restUrl ?? [],
      ...(f.restCafile !== undefined ? { restCafile: f.restCafile } : {}),
      agentId: await agentId(api, f.agent ?? ''),
      user: f.user,
      ...(f.db !== undefined ? { maintenanceDb: f.db } : {}),
      ...(f.sslmode !== undefined ? { sslmode: f.sslmode } : {}),
      ...(f.sslrootcert !== undefined ? { sslrootcert: f.sslrootcert } : {}),
      ...(tagsOf(f.tag) ? { tags: tagsOf(f.tag) } : {}),
      ...(f.notes !== undefined ? { notes: f.notes } : {}),
      ...(grace !== undefined ? { memberGraceS: grace } : {}),
      test: f.test !== false,
    };
    try {
      const r = await api.call<{ cluster: MonitoredCluster; reading: ClusterReading; tests: MemberTest[] }>(
        'POST',
        '/api/clusters',
        body,
        'add cluster',
      );
      if (f.json) return printJson(r);
      for (const l of [...readingLines(r.reading), ...memberTestLines(r.tests)]) print(l);
      const c = r.cluster;
      print(
        `cluster ${c.id} (${c.name}): added, followed by agent ${c.agentId} (${c.agentName}) every probe interval; ${c.members.length} member server(s): ${c.members.map((m) => `${m.displayName} (server ${m.serverId}, agent ${m.agentId})`).join(', ')}`,
      );
    } catch (err) {
      if (!(err instanceof ApiError) || err.status !== 422) throw err;
      const b = err.body as { error: string; reading?: ClusterReading; tests?: MemberTest[] };
      if (f.json) printJson({ added: false, ...b });
      else {
        if (b.reading) for (const l of readingLines(b.reading)) print(l);
        if (b.tests) for (const l of memberTestLines(b.tests)) print(l);
        print(`cluster not added: ${b.error}`);
      }
      process.exitCode = err.exitCode;
    }
  });
}

/** `cluster remove`. */
export async function remove(name: string, f: ClusterFlags): Promise<void> {
  const api = apiClient(f);
  const id = /^\d+$/.test(name) ? Number(name) : (await clusterOf(api, name)).id;
  const q = f.purgeHistory ? '?purgeHistory=true' : '';
  const r = await api.call<RemovedCluster>(
    'DELETE',
    `/api/clusters/${id}${q}`,
    undefined,
    `remove cluster ${name}`,
  );
  if (f.json) return printJson(r);
  print(`cluster ${r.id} (${r.cluster}): removed, with ${r.servers.length} member server(s)`);
  for (const s of r.servers)
    print(
      `  server ${s.id} (${s.server}): removed, with its binding, ${s.alerts} alert(s), ${s.latest} latest value(s)`,
    );
  print(
    f.purgeHistory
      ? `history purged: ${r.servers.reduce((n, s) => n + s.historySamples, 0)} sample(s)`
      : 'history kept until retention (--purge-history deletes it now)',
  );
}
