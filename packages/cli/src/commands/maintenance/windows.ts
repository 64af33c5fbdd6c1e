/**
 * What the `pharos maintenance` verbs do, through the web API (api/client.ts;
 * routes in packages/web/src/api/maintenance.ts; docs/maintenance.md).
 * Loaded only when a verb runs.
 *
 * `start` names what it covers with exactly one of --server (id or name),
 * --agent (id or name), --group (a server tag) or --fleet, and when: --for
 * (from now, or from --from), --from/--until, or --every with --for and --tz
 * (weekly; --from/--until bound the recurrence). Bad input exits 2 naming
 * the flag (the API's field restated by flag-errors.ts), with the catalogue
 * code. `--json` prints the API's answer.
 */
import type { MaintenanceWindow } from '@pharos/backend/maintenance/windows';
import { pharosError } from '@pharos/core/errors';
import { type ApiClient, type ApiFlags, apiClient } from '../../api/client.js';
import { flagErrors } from '../../flag-errors.js';
import { columns, print, printJson, printList } from '../../output.js';
import { agentId } from '../server/servers.js';
import { parseDuration, parseEvery, parseInstant, weekdaysText } from './schedule-flags.js';

/** Flags of the `maintenance` verbs. */
export interface MaintenanceFlags extends ApiFlags {
  json?: boolean;
  server?: string;
  agent?: string;
  group?: string;
  fleet?: boolean;
  for?: string;
  from?: string;
  until?: string;
  every?: string;
  tz?: string;
  reason?: string;
  all?: boolean;
}

/** The API field of each flag, to name the flag in messages. */
const FLAG_OF: Record<string, string> = {
  scope: '--server/--agent/--group/--fleet',
  serverId: '--server',
  agentId: '--agent',
  group: '--group',
  startsAt: '--from',
  endsAt: '--until',
  durationS: '--for',
  weekdays: '--every',
  startTime: '--every',
  timeZone: '--tz',
  reason: '--reason',
  schedule: '--every',
};

async function serverId(api: ApiClient, name: string): Promise<number> {
  if (/^\d+$/.test(name)) return Number(name);
  const all = await api.call<{ id: number; displayName: string }[]>(
    'GET',
    '/api/servers',
    undefined,
    'list servers',
  );
  const s = all.find((x) => x.displayName === name);
  if (!s)
    throw pharosError(
      'PHAROS_SERVER_NOT_FOUND',
      { id: `'${name}' (pharos server list shows them)` },
      { field: 'serverId' },
    );
  return s.id;
}

/**
 * The body of POST /api/maintenance from the flags, without the target's id
 * lookups (pure: unit-tested). Throws InputErrors naming the flag.
 */
export function startBody(f: MaintenanceFlags): Record<string, unknown> {
  const given = (['server', 'agent', 'group', 'fleet'] as const).filter(
    (k) => f[k] !== undefined && f[k] !== false,
  );
  if (given.length !== 1)
    throw pharosError(
      'PHAROS_MAINTENANCE_TARGET',
      { got: given.length === 0 ? 'none' : given.map((g) => `--${g}`).join(' and ') },
      { field: 'scope' },
    );
  const scope = given[0]!;
  if (f.reason === undefined || f.reason.trim() === '')
    throw pharosError(
      'PHAROS_CLI_FLAG_REQUIRED',
      { flag: '--reason', what: 'why (shown to everyone who sees the window)' },
      { field: 'reason' },
    );
  const body: Record<string, unknown> = { scope, reason: f.reason };
  if (scope === 'group') body.group = f.group;
  if (f.every !== undefined) {
    body.schedule = 'weekly';
    Object.assign(body, parseEvery(f.every));
    if (f.for === undefined)
      throw pharosError(
        'PHAROS_CLI_FLAG_REQUIRED',
        { flag: '--for', what: 'the length of each occurrence of --every' },
        { field: 'durationS' },
      );
    body.durationS = parseDuration(f.for);
    if (f.tz === undefined)
      throw pharosError(
        'PHAROS_CLI_FLAG_REQUIRED',
        { flag: '--tz', what: 'the time zone of --every (an IANA name, e.g. Europe/Paris)' },
        { field: 'timeZone' },
      );
    body.timeZone = f.tz;
  } else {
    if (f.tz !== undefined)
      throw pharosError(
        'PHAROS_MAINTENANCE_INVALID',
        { detail: '--tz: only with --every (a weekly window)' },
        { field: 'timeZone' },
      );
    if (f.for !== undefined && f.until !== undefined)
      throw pharosError(
        'PHAROS_MAINTENANCE_INVALID',
        { detail: '--for and --until: give one of them (the length, or the end)' },
        { field: 'durationS' },
      );
    if (f.for === undefined && f.until === undefined)
      throw pharosError(
        'PHAROS_CLI_FLAG_REQUIRED',
        { flag: '--for or --until', what: 'how long (e.g. --for 2h)' },
        { field: 'durationS' },
      );
    if (f.for !== undefined) body.durationS = parseDuration(f.for);
  }
  if (f.from !== undefined) body.startsAt = parseInstant(f.from, '--from');
  if (f.until !== undefined) body.endsAt = parseInstant(f.until, '--until');
  return body;
}

/** A window's schedule in words. */
export function scheduleText(w: MaintenanceWindow): string {
  if (w.schedule === 'weekly') {
    const h = (w.durationS ?? 0) / 3600;
    return `${weekdaysText(w.weekdays ?? [])} ${w.startTime} ${w.timeZone} for ${h >= 1 ? `${+h.toFixed(2)} h` : `${(w.durationS ?? 0) / 60} min`}${w.endsAt ? ` until ${w.endsAt}` : ''}`;
  }
  return `${w.startsAt} .. ${w.endsAt}`;
}

function statusText(w: MaintenanceWindow): string {
  if (w.status === 'active') return `active until ${w.occurrence!.endsAt}`;
  if (w.status === 'scheduled') return `next ${w.occurrence!.startsAt} .. ${w.occurrence!.endsAt}`;
  if (w.status === 'stopped') return `stopped ${w.stoppedAt} by ${w.stoppedBy}`;
  return 'over';
}

/** `maintenance start`. */
export async function start(f: MaintenanceFlags): Promise<void> {
  const body = startBody(f); // its errors name their flags already
  const api = apiClient(f);
  await flagErrors(FLAG_OF, async () => {
    if (f.server !== undefined) body.serverId = await serverId(api, f.server);
    if (f.agent !== undefined) body.agentId = await agentId(api, f.agent);
    const w = await api.call<MaintenanceWindow>('POST', '/api/maintenance', body, 'start maintenance');
    if (f.json) return printJson(w);
    print(
      `maintenance window ${w.id} on ${w.target}: ${statusText(w)} (${scheduleText(w)}); alerts are recorded but notify nobody while it covers them`,
    );
  });
}

/** `maintenance stop`. */
export async function stop(id: string, f: MaintenanceFlags): Promise<void> {
  if (!/^\d{1,9}$/.test(id) || Number(id) < 1)
    throw pharosError('PHAROS_CLI_NOT_POSITIVE_INTEGER', { flag: '<id>', value: id }, { field: 'id' });
  const r = await apiClient(f).call<{ window: MaintenanceWindow; wasActive: boolean }>(
    'POST',
    `/api/maintenance/${id}/stop`,
    {},
    `stop maintenance window ${id}`,
  );
  if (f.json) return printJson(r);
  print(
    `maintenance window ${id} on ${r.window.target}: stopped${r.wasActive ? '; alerts still raised notify at their next evaluation' : ' (it was not active)'}`,
  );
}

/** `maintenance list`. */
export async function list(f: MaintenanceFlags): Promise<void> {
  const ws = await apiClient(f).call<MaintenanceWindow[]>(
    'GET',
    `/api/maintenance${f.all ? '?all=true' : ''}`,
    undefined,
    'list maintenance windows',
  );
  printList(
    ws,
    f.json,
    f.all ? 'no maintenance windows' : 'no active or scheduled maintenance windows',
    (all) =>
      columns([
        ['ID', 'TARGET', 'STATUS', 'SCHEDULE', 'SET BY', 'REASON'],
        ...all.map((w) => [
          String(w.id),
          w.target,
          statusText(w),
          scheduleText(w),
          `${w.createdBy} ${w.createdAt}`,
          w.reason,
        ]),
      ]),
  );
}
