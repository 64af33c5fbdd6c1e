/**
 * Probes as data (issue 6): what a probe collects, where it runs, how its
 * values are typed and stored. SQL and HTTP probes are run by
 * monitor/server-monitor.ts on a monitored server (database-level SQL probes
 * once per database); OS and agent probes by monitor/host-monitor.ts.
 * docs/probes.md lists every probe.
 */
import type { JsonValue } from '../sample.js';

/** Column value types, as stored in the sample's JSON value. */
export type ColumnType = 'integer' | 'bigint' | 'double' | 'text' | 'boolean' | 'timestamptz' | 'lsn';

/**
 * Units a column may have. `bytes`, `s`, `ms` and `percent` are checked
 * against the column name suffixes `_bytes`, `_s`, `_ms`, `_pct` by the tests.
 */
export type ColumnUnit =
  | 'bytes'
  | 's'
  | 'ms'
  | 'percent'
  | 'count'
  | 'boolean'
  | 'text'
  | 'lsn'
  | 'timestamp'
  | 'version'
  | 'timeline'
  | 'xid'
  | 'blocks'
  | 'pages'
  | 'rows'
  | 'transactions'
  | 'tasks'
  | 'ratio'
  | 'bytes/s';

/** One column of a probe's rows. */
export interface ProbeColumn {
  name: string;
  type: ColumnType;
  unit: ColumnUnit;
  /**
   * A cumulative counter: stored raw; rates are computed on the read side
   * (`pem.counter_rate`, docs/probes.md "Counters and rates"), never negative,
   * NULL across a reset (the value went down, or `stats_reset`/`started_at`
   * of the row changed).
   */
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
  /** Per-probe run figures of this agent, for `probe_stats` (absent: the probe has no rows). */
  probeStats?(): ProbeRow[];
}

/** A stateful collector instance (e.g. CPU keeps the previous /proc/stat reading). */
export type Collector = () => Promise<ProbeRow[]>;

/** What an HTTP probe (Patroni's REST API) needs to know about its server. */
export interface HttpProbeContext {
  /**
   * Base URL of the Patroni REST API of the server's node, e.g.
   * `https://10.0.0.4:8008`: a monitored cluster's member's `api_url`, or
   * `http(s)://<binding host>:8008` for a PEM backend's node.
   */
  patroniUrl: string;
  /** PEM text of the CA(s) that verify an https `patroniUrl`. */
  ca?: string | Buffer | undefined;
  /** Local address to send from (the agent's source/host address), if any. */
  localAddress?: string;
  /** Deadline of the whole probe run, ms. */
  timeoutMs: number;
}

/**
 * SQL chosen by the version of an extension instead of the server major
 * (pg_stat_statements: the view's columns follow the installed extension
 * version, which may lag behind the server after pg_upgrade). `{{schema}}` in
 * a text is replaced by the extension's schema, quoted.
 */
export interface ExtensionSql {
  /** Extension name in `pg_extension`. */
  extension: string;
  /** SQL keyed by the minimum extension version (`1.8`, `1.10`...): the highest key <= the installed version. */
  byVersion: Record<string, string>;
}

/** How history stores a probe's samples (`pem.probe.history_mode`). */
export type HistoryMode = 'all' | 'changes';

/** A probe definition. Exactly one of `sql`, `extensionSql`, `http`, `collector` is set. */
export interface Probe {
  name: string;
  /**
   * `agent`: runs once per agent against its host; `server`: once per
   * monitored server (in its maintenance database); `database`: once per
   * connectable database of a monitored server.
   */
  level: 'agent' | 'server' | 'database';
  /** On which servers a server/database probe runs (by `pg_is_in_recovery()`); agent probes: `both`. */
  runsOn: 'primary' | 'standby' | 'both';
  /** Default interval, seconds (overridable per agent, server and database in the backend). */
  intervalS: number;
  /** Statement timeout of one run, milliseconds. */
  timeoutMs: number;
  /** SQL text keyed by the minimum PostgreSQL major it works on (13, 14...): the highest key <= the server's major is used; none = the probe does not exist on that major. */
  sql?: Record<number, string>;
  /**
   * Parameters sent with the SQL text (extended query protocol): custom
   * probes send their row limit ($1, probes/custom.ts), which also makes the
   * server refuse a text of more than one statement.
   */
  sqlParams?: readonly unknown[];
  /** Defined by an administrator in the backend (pem.probe.custom), not shipped with the agent. */
  custom?: boolean;
  /** SQL chosen by an extension's installed version; the probe is skipped where the extension is not installed. */
  extensionSql?: ExtensionSql;
  /** HTTP probe (Patroni REST API), server level. */
  http?: (ctx: HttpProbeContext) => Promise<ProbeRow[]>;
  /** Factory of an OS/agent collector (called once per agent run). */
  collector?: (ctx: CollectorContext) => Collector;
  /** Columns of every row. */
  columns: ProbeColumn[];
  /**
   * Column whose value names the row's object (`pemdata.latest.object`); rows
   * have object '' when unset. Database-level probes prefix it with the
   * database name and '/' (`appdb/public.orders`).
   */
  objectColumn?: string;
  /** Rows to record when the probe fails (e.g. `server_up` records up=0 and the error); default: none, the failure goes to the probe log. */
  onError?: (error: string) => ProbeRow[];
  /** `changes`: history keeps a sample only when the value differs from the previous one (docs/probes.md "Storage"). Default `all`. */
  history?: HistoryMode;
  /** Default history retention, days (`pem.probe.retention_days`). Default {@link DEFAULT_RETENTION_DAYS}. */
  retentionDays?: number;
  /** Enabled unless configured otherwise (default true). */
  enabledByDefault?: boolean;
  /**
   * `pem_backends`: enabled by default only on Patroni members: servers
   * registered as PEM backends and members of monitored Patroni clusters
   * (the Patroni probes; the value's name predates monitored clusters and is
   * stored in pem.probe.enabled_on). Default `all`.
   */
  defaultOn?: 'all' | 'pem_backends';
  description: string;
}

/** Default history retention of a probe, days (docs/reference/pem-facts.md §3 leaves it per probe; 90 is Pharos's default). */
export const DEFAULT_RETENTION_DAYS = 90;
