/**
 * Effective interval and enablement of each probe for each object, from the
 * backend's configuration (`pem.agent_probe_config(agent_id)`, migration
 * 004: `pem.probe` defaults and `pem.probe_override` rows) and, where the
 * backend says nothing (not reachable yet, or an older schema), the probe
 * definitions' defaults. Precedence, per field: database > server > agent >
 * probe default > definition. The agent re-reads the rows every short wait,
 * so a change applies within one short wait.
 */
import type { Probe } from '../probes/types.js';

/** A row of `pem.agent_probe_config`. */
export interface ProbeConfigRow {
  probe: string;
  scope: 'default' | 'agent' | 'server' | 'database';
  server_id: number | null;
  database: string | null;
  interval_s: number | null;
  enabled: boolean | null;
}

/** Effective settings of one probe for one object. */
export interface ProbeSetting {
  enabled: boolean;
  intervalS: number;
}

/** What a monitor asks: the settings of `probe` on `serverId` (0 = the host), in `database` for database probes. */
export type SettingsLookup = (probe: Probe, serverId: number, database?: string) => ProbeSetting;

/** The settings store shared by the agent's monitors. */
export class ProbeSettings {
  private byProbe = new Map<string, ProbeConfigRow[]>();
  private known = false;

  /** True once rows from the backend were applied. */
  get fromBackend(): boolean {
    return this.known;
  }

  /** Replaces the configuration with freshly read rows. */
  update(rows: readonly ProbeConfigRow[]): void {
    const m = new Map<string, ProbeConfigRow[]>();
    for (const r of rows) {
      const list = m.get(r.probe) ?? [];
      list.push({ ...r, server_id: r.server_id === null ? null : Number(r.server_id) });
      m.set(r.probe, list);
    }
    this.byProbe = m;
    this.known = true;
  }

  /** The effective settings (see the module note for the precedence). */
  get(probe: Probe, serverId: number, database?: string): ProbeSetting {
    const rows = this.byProbe.get(probe.name) ?? [];
    const pick = <K extends 'interval_s' | 'enabled'>(k: K): ProbeConfigRow[K] | null => {
      const order: ((r: ProbeConfigRow) => boolean)[] = [
        (r) =>
          r.scope === 'database' &&
          r.server_id === serverId &&
          database !== undefined &&
          r.database === database,
        (r) => r.scope === 'server' && r.server_id === serverId,
        (r) => r.scope === 'agent',
        (r) => r.scope === 'default',
      ];
      for (const match of order) {
        const r = rows.find((x) => match(x) && x[k] !== null);
        if (r) return r[k];
      }
      return null;
    };
    const enabledDefault = (probe.enabledByDefault ?? true) && (probe.defaultOn ?? 'all') === 'all';
    const interval = pick('interval_s');
    const enabled = pick('enabled');
    return {
      enabled: enabled ?? enabledDefault,
      intervalS: interval !== null && interval > 0 ? Number(interval) : probe.intervalS,
    };
  }

  /** {@link get} as a function. */
  readonly lookup: SettingsLookup = (probe, serverId, database) => this.get(probe, serverId, database);
}

/** Settings from the definitions only (no backend): for tests and tools. */
export function definitionDefaults(overrides: Record<string, Partial<ProbeSetting>> = {}): SettingsLookup {
  return (probe) => ({
    enabled:
      overrides[probe.name]?.enabled ??
      ((probe.enabledByDefault ?? true) && (probe.defaultOn ?? 'all') === 'all'),
    intervalS: overrides[probe.name]?.intervalS ?? probe.intervalS,
  });
}
