/**
 * Probes as data (issue 6): what a probe collects, where it runs, how its
 * values are typed. SQL probes are run by schedule/server-monitor.ts on a
 * monitored server; OS and agent probes by schedule/host-monitor.ts.
 */
import type { JsonValue } from '../sample.js';

/** Column value types, as stored in the sample's JSON value. */
export type ColumnType = 'integer' | 'bigint' | 'double' | 'text' | 'boolean' | 'timestamptz' | 'lsn';

/** One column of a probe's rows. */
export interface ProbeColumn {
  name: string;
  type: ColumnType;
  /** Unit of the value: `bytes`, `s`, `ms`, `percent`, `count`, `boolean`, `text`, `lsn`, `timestamp`... */
  unit: string;
  /** A cumulative counter (rates are computed downstream; it may reset on restart or stats reset). */
  counter?: boolean;
}

/** A row as a probe produces it: column name -> value. */
export type ProbeRow = Record<string, JsonValue>;

/** What an OS or agent collector may read. */
export interface CollectorContext {
  /** Root of procfs, `/proc` (tests point it elsewhere). */
  procRoot: string;
  /** The agent's own figures, for `agent_status`. */
  agentStatus(): Promise<ProbeRow>;
}

/** A stateful collector instance (e.g. CPU keeps the previous /proc/stat reading). */
export type Collector = () => Promise<ProbeRow[]>;

/** A probe definition. Exactly one of `sql` and `collector` is set. */
export interface Probe {
  name: string;
  /** `agent`: runs once per agent against its host; `server`: once per monitored server. */
  level: 'agent' | 'server';
  /** On which servers a server probe runs (by `pg_is_in_recovery()`); agent probes: `both`. */
  runsOn: 'primary' | 'standby' | 'both';
  /** Default interval, seconds (the agent's `probe_interval_s` applies in this first cut). */
  intervalS: number;
  /** Statement timeout of one run, milliseconds. */
  timeoutMs: number;
  /** SQL text keyed by the minimum PostgreSQL major it works on (13, 14...): the highest key <= the server's major is used. */
  sql?: Record<number, string>;
  /** Factory of an OS/agent collector (called once per agent run). */
  collector?: (ctx: CollectorContext) => Collector;
  /** Columns of every row. */
  columns: ProbeColumn[];
  /** Column whose value names the row's object (`pemdata.latest.object`); rows have object '' when unset. */
  objectColumn?: string;
  /** Rows to record when the probe fails (e.g. `server_up` records up=0 and the error); default: none, the failure is only logged. */
  onError?: (error: string) => ProbeRow[];
  description: string;
}
