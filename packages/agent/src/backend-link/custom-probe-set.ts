/**
 * The custom probes this agent runs (issue 18; probes/custom.ts), as the
 * backend says (`pem.agent_custom_probes`): read with the probe settings on
 * every short wait and when the backend says the probes changed (NOTIFY),
 * and asked by each server monitor on every tick. When they cannot be read
 * the ones in use stay.
 */
import type { Queryable } from '@pharos/core/query';
import { type CustomProbeRow, customProbeFromRow } from '../probes/custom.js';
import type { Probe } from '../probes/types.js';

/** The call, as sent. */
export const CUSTOM_PROBES_SQL =
  'SELECT name, level, runs_on, interval_s, timeout_ms, sql, columns, object_column, description, server_ids FROM pem.agent_custom_probes($1)';

/** The custom probes of each server. */
export class CustomProbeSet {
  private byServer = new Map<number, { server: Probe[]; database: Probe[] }>();
  private static readonly NONE = { server: [], database: [] } as const;
  /** Names of the probes in use (for the log). */
  names: string[] = [];

  /** Reads the agent's custom probes from the backend and puts them in use. Throws the backend's error. */
  async read(db: Queryable, agentId: number): Promise<void> {
    this.update((await db.query<CustomProbeRow>(CUSTOM_PROBES_SQL, [agentId])).rows);
  }

  /** Puts `rows` in use. */
  update(rows: readonly CustomProbeRow[]): void {
    const m = new Map<number, { server: Probe[]; database: Probe[] }>();
    for (const r of rows) {
      const probe = customProbeFromRow(r);
      for (const id of r.server_ids ?? []) {
        const entry = m.get(Number(id)) ?? { server: [], database: [] };
        (probe.level === 'database' ? entry.database : entry.server).push(probe);
        m.set(Number(id), entry);
      }
    }
    this.byServer = m;
    this.names = rows.map((r) => r.name);
  }

  /** The custom probes of server `serverId`. */
  readonly forServer = (serverId: number): { server: readonly Probe[]; database: readonly Probe[] } =>
    this.byServer.get(serverId) ?? CustomProbeSet.NONE;
}
