/**
 * Maintenance windows (issue 18; PEM: blackouts; docs/maintenance.md): list,
 * start and stop them through the backend's SQL (sql/functions/maintenance/,
 * views maintenance_overview, server_maintenance, agent_maintenance). While a
 * window covers an alert's object, evaluation records the alert's changes
 * but notifies nobody (sql/functions/alerts/16_evaluate_alert_locked.sql).
 *
 * Errors of pem.maintenance_start / maintenance_stop become catalogue errors:
 * SQLSTATE 22023 PHAROS_MAINTENANCE_INVALID (400), P0002
 * PHAROS_MAINTENANCE_NOT_FOUND (404; PHAROS_SERVER_NOT_FOUND for serverId,
 * PHAROS_AGENT_NOT_FOUND for agentId), 55000 PHAROS_MAINTENANCE_STATE (409),
 * with the SQL message (naming the field and value) and the field (the
 * error's COLUMN). Anything else is rethrown as it is.
 */
import { type ErrorCode, errorOfCode } from '@pharos/core/errors';
import type { Queryable } from '@pharos/core/query';

/** What a window covers. */
export type MaintenanceScope = 'server' | 'agent' | 'group' | 'fleet';
/** When: one-off [startsAt, endsAt) or weekly occurrences. */
export type MaintenanceSchedule = 'once' | 'weekly';
/** active: covering now; scheduled: a next occurrence; stopped; over. */
export type MaintenanceStatus = 'active' | 'scheduled' | 'stopped' | 'over';

/** What starts a window (the API's body; pem.maintenance_start checks every field). */
export interface MaintenanceSpec {
  scope: MaintenanceScope;
  serverId?: number;
  agentId?: number;
  group?: string;
  schedule?: MaintenanceSchedule;
  /** ISO 8601 with offset; default now. */
  startsAt?: string;
  /** once: the end; weekly: the recurrence's end. */
  endsAt?: string;
  /** once: instead of endsAt; weekly: each occurrence's length. Seconds. */
  durationS?: number;
  /** weekly: ISO weekdays, 1 = Monday .. 7 = Sunday. */
  weekdays?: number[];
  /** weekly: local 'HH:MM' in timeZone. */
  startTime?: string;
  /** weekly: IANA time zone name. */
  timeZone?: string;
  reason: string;
}

/** One window as pem.maintenance_overview shows it. Times are ISO 8601 (UTC). */
export interface MaintenanceWindow {
  id: number;
  scope: MaintenanceScope;
  serverId: number | null;
  serverName: string | null;
  agentId: number | null;
  agentName: string | null;
  group: string | null;
  /** What it covers, in words: 'server db1', 'agent 3 (host-3) and its servers', 'servers tagged x', 'the whole fleet'. */
  target: string;
  schedule: MaintenanceSchedule;
  startsAt: string;
  endsAt: string | null;
  weekdays: number[] | null;
  startTime: string | null;
  durationS: number | null;
  timeZone: string | null;
  reason: string;
  createdBy: string;
  createdAt: string;
  stoppedAt: string | null;
  stoppedBy: string | null;
  status: MaintenanceStatus;
  /** The current occurrence (status active) or the next one (scheduled); null otherwise. */
  occurrence: { startsAt: string; endsAt: string } | null;
}

/** Maintenance covering one server or agent now (pem.server_maintenance, pem.agent_maintenance). */
export interface MaintenanceNow {
  windowId: number;
  scope: MaintenanceScope;
  reason: string;
  setBy: string;
  setAt: string;
  /** End of the current occurrence (ISO 8601). */
  until: string | null;
}

type Row = {
  id: number;
  scope: MaintenanceScope;
  server_id: number | null;
  server_name: string | null;
  agent_id: number | null;
  agent_name: string | null;
  group_tag: string | null;
  schedule: MaintenanceSchedule;
  starts_at: Date;
  ends_at: Date | null;
  weekdays: number[] | null;
  start_time: string | null;
  duration_s: number | null;
  time_zone: string | null;
  reason: string;
  created_by: string;
  created_at: Date;
  stopped_at: Date | null;
  stopped_by: string | null;
  occurrence_starts_at: Date | null;
  occurrence_ends_at: Date | null;
  status: MaintenanceStatus;
};

const iso = (d: Date) => new Date(d).toISOString();
const isoOrNull = (d: Date | null) => (d === null ? null : iso(d));

function targetText(r: Row): string {
  switch (r.scope) {
    case 'server':
      return `server ${r.server_id} (${r.server_name ?? '?'})`;
    case 'agent':
      return `agent ${r.agent_id} (${r.agent_name ?? '?'}) and its servers`;
    case 'group':
      return `servers tagged ${r.group_tag}`;
    default:
      return 'the whole fleet';
  }
}

function windowOf(r: Row): MaintenanceWindow {
  return {
    id: r.id,
    scope: r.scope,
    serverId: r.server_id,
    serverName: r.server_name,
    agentId: r.agent_id,
    agentName: r.agent_name,
    group: r.group_tag,
    target: targetText(r),
    schedule: r.schedule,
    startsAt: iso(r.starts_at),
    endsAt: isoOrNull(r.ends_at),
    weekdays: r.weekdays === null ? null : r.weekdays.map(Number),
    startTime: r.start_time,
    durationS: r.duration_s,
    timeZone: r.time_zone,
    reason: r.reason,
    createdBy: r.created_by,
    createdAt: iso(r.created_at),
    stoppedAt: isoOrNull(r.stopped_at),
    stoppedBy: r.stopped_by,
    status: r.status,
    occurrence:
      r.occurrence_starts_at && r.occurrence_ends_at
        ? { startsAt: iso(r.occurrence_starts_at), endsAt: iso(r.occurrence_ends_at) }
        : null,
  };
}

/**
 * The windows, newest first: by default the open ones (active or scheduled);
 * `all`: stopped and over ones too (the record).
 */
export async function listMaintenance(
  db: Queryable,
  opts: { all?: boolean } = {},
): Promise<MaintenanceWindow[]> {
  const r = await db.query<Row>(
    `SELECT * FROM pem.maintenance_overview
      WHERE $1 OR status IN ('active', 'scheduled') ORDER BY id DESC`,
    [opts.all === true],
  );
  return r.rows.map(windowOf);
}

/** One window; PHAROS_MAINTENANCE_NOT_FOUND when there is none with this id. */
export async function getMaintenance(db: Queryable, id: number): Promise<MaintenanceWindow> {
  const r = await db.query<Row>('SELECT * FROM pem.maintenance_overview WHERE id = $1', [id]);
  if (!r.rows[0])
    throw errorOfCode('PHAROS_MAINTENANCE_NOT_FOUND', `no maintenance window ${id}`, { field: 'id' });
  return windowOf(r.rows[0]);
}

/** The code of a maintenance function's SQL error, or undefined (not one of theirs). */
export function maintenanceCode(state: string, column: string | undefined): ErrorCode | undefined {
  if (state === 'P0002' && column === 'serverId') return 'PHAROS_SERVER_NOT_FOUND';
  if (state === 'P0002' && column === 'agentId') return 'PHAROS_AGENT_NOT_FOUND';
  return (
    {
      '22023': 'PHAROS_MAINTENANCE_INVALID',
      P0002: 'PHAROS_MAINTENANCE_NOT_FOUND',
      '55000': 'PHAROS_MAINTENANCE_STATE',
    } as const
  )[state as '22023' | 'P0002' | '55000'];
}

async function withMaintenanceErrors<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const e = err as { code?: unknown; column?: unknown; message?: unknown } | null;
    if (!e || typeof e.code !== 'string' || typeof e.message !== 'string') throw err;
    const column = typeof e.column === 'string' && e.column ? e.column : undefined;
    const code = maintenanceCode(e.code, column);
    if (code === undefined) throw err;
    throw errorOfCode(code, e.message, { cause: err, ...(column ? { field: column } : {}) });
  }
}

/** Starts a window on behalf of `actor` (pem.maintenance_start) and returns it. */
export async function startMaintenance(
  db: Queryable,
  actor: string,
  spec: MaintenanceSpec,
): Promise<MaintenanceWindow> {
  const id = await withMaintenanceErrors(async () => {
    const r = await db.query<{ id: number }>('SELECT pem.maintenance_start($1, $2::jsonb) AS id', [
      actor,
      JSON.stringify(spec),
    ]);
    return r.rows[0]!.id;
  });
  return getMaintenance(db, id);
}

/** Stops window `id` now on behalf of `actor` (pem.maintenance_stop) and returns it. */
export async function stopMaintenance(
  db: Queryable,
  actor: string,
  id: number,
): Promise<{ window: MaintenanceWindow; wasActive: boolean }> {
  const r = await withMaintenanceErrors(() =>
    db.query<{ r: { wasActive: boolean } }>('SELECT pem.maintenance_stop($1, $2) AS r', [actor, id]),
  );
  return { window: await getMaintenance(db, id), wasActive: r.rows[0]!.r.wasActive };
}

type NowRow = {
  id: number;
  window_id: number;
  scope: MaintenanceScope;
  reason: string;
  created_by: string;
  created_at: Date;
  until: Date | null;
};

const nowOf = (r: NowRow): MaintenanceNow => ({
  windowId: r.window_id,
  scope: r.scope,
  reason: r.reason,
  setBy: r.created_by,
  setAt: iso(r.created_at),
  until: isoOrNull(r.until),
});

/** The servers and agents in maintenance now, by id. */
export async function maintenanceNow(
  db: Queryable,
): Promise<{ servers: Map<number, MaintenanceNow>; agents: Map<number, MaintenanceNow> }> {
  const s = await db.query<NowRow>('SELECT server_id AS id, * FROM pem.server_maintenance');
  const a = await db.query<NowRow>('SELECT agent_id AS id, * FROM pem.agent_maintenance');
  return {
    servers: new Map(s.rows.map((r) => [r.id, nowOf(r)])),
    agents: new Map(a.rows.map((r) => [r.id, nowOf(r)])),
  };
}
