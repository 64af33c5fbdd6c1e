/**
 * The fleet's latest values as Prometheus metrics (issue 18; docs/web-api.md
 * "Prometheus"), formatted by prom-client (the Node client of the
 * Prometheus project's exposition format: it escapes label values and HELP
 * text and writes TYPE lines; a fresh Registry per scrape holds only what
 * the backend has now, so a server that left the fleet leaves the output).
 *
 * Naming follows Prometheus's conventions ("Metric and label naming",
 * prometheus.io/docs/practices/naming): `pharos_<probe>_<column>_<unit>`
 * in base units, the column's own unit suffix replaced:
 *
 * | probe unit | metric suffix | value |
 * |---|---|---|
 * | bytes | `_bytes` | as is |
 * | s | `_seconds` | as is |
 * | ms | `_seconds` | / 1000 |
 * | percent | `_ratio` | / 100 |
 * | timestamp | `_timestamp_seconds` | Unix time |
 * | boolean | (none) | 1 or 0 |
 * | count, rows, blocks, transactions, xid, pages, tasks, ... | (none) | as is |
 * | text | not exported | |
 *
 * A counter column (the probe's `counter_columns`, e.g. pg_stat_database's
 * xact_commit) is a Prometheus counter named with `_total`; a negative
 * value (never a real counter) is left out. Labels: `server` (its display
 * name) for server values, `agent` for the agent's own host (OS probes);
 * `database` for database-level probes (the object's `<database>/` prefix)
 * and for server-level rows of one database (a `database` column equal to
 * the object); `object` for the rest of a non-empty object.
 *
 * Per server also `pharos_server_monitored` (1 active, 0 not) and
 * `pharos_server_sample_age_seconds` (since its newest sample: the
 * staleness of everything above; absent when it has none); per agent
 * `pharos_agent_heartbeat_age_seconds`.
 */
import { setImmediate as yieldToOthers } from 'node:timers/promises';
import { Counter, Gauge, Registry } from 'prom-client';

/** One column of a probe (pem.probe.columns). */
export interface MetricColumn {
  name: string;
  unit: string;
}

/** What the exposition needs of one probe (pem.probe). */
export interface MetricProbe {
  name: string;
  level: 'agent' | 'server' | 'database';
  description: string;
  columns: MetricColumn[];
  counterColumns: string[];
}

/** One latest value: of a server (`kind` server) or of an agent's own host (`kind` agent). */
export interface LatestRow {
  kind: 'server' | 'agent';
  /** The server's or agent's display name. */
  name: string;
  probe: string;
  object: string;
  value: Record<string, unknown>;
}

/** Per server: whether it is active and the age of its newest sample (null: none yet). */
export interface ServerState {
  name: string;
  active: boolean;
  sampleAgeS: number | null;
}

/** Per agent: seconds since its last heartbeat (null: never). */
export interface AgentState {
  name: string;
  heartbeatAgeS: number | null;
}

/** Everything one scrape shows. */
export interface FleetSnapshot {
  probes: MetricProbe[];
  rows: LatestRow[];
  servers: ServerState[];
  agents: AgentState[];
}

/** How a column becomes a metric: its name suffix, the value factor; undefined = not exported. */
interface Conversion {
  suffix: string;
  strip: RegExp;
  convert: (v: unknown) => number | undefined;
}

const numeric = (v: unknown): number | undefined => {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
};
const scaled = (factor: number) => (v: unknown) => {
  const n = numeric(v);
  return n === undefined ? undefined : n * factor;
};
const unixTime = (v: unknown): number | undefined => {
  if (typeof v !== 'string') return undefined;
  const ms = Date.parse(v);
  return Number.isFinite(ms) ? ms / 1000 : undefined;
};

const CONVERSIONS: Record<string, Conversion | undefined> = {
  bytes: { suffix: '_bytes', strip: /_bytes$/, convert: numeric },
  s: { suffix: '_seconds', strip: /_(s|seconds)$/, convert: numeric },
  ms: { suffix: '_seconds', strip: /_ms$/, convert: scaled(0.001) },
  percent: { suffix: '_ratio', strip: /_(pct|percent)$/, convert: scaled(0.01) },
  timestamp: { suffix: '_timestamp_seconds', strip: /$^/, convert: unixTime },
  text: undefined,
};
const PLAIN: Conversion = { suffix: '', strip: /$^/, convert: numeric };

/** A metric name part made of [a-z0-9_] (Prometheus names: [a-zA-Z_:][a-zA-Z0-9_:]*). */
export function nameSafe(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9_]/g, '_');
}

/**
 * The metric name of `column` of `probe` (module doc), or undefined for a
 * column that is not exported (text).
 */
export function metricName(probe: string, column: MetricColumn, counter: boolean): string | undefined {
  const conv = column.unit in CONVERSIONS ? CONVERSIONS[column.unit] : PLAIN;
  if (!conv) return undefined;
  const base = nameSafe(column.name).replace(conv.strip, '');
  // hit_ratio_pct is hit_ratio in ratio, not hit_ratio_ratio
  const unit = conv.suffix !== '' && base.endsWith(conv.suffix) ? '' : conv.suffix;
  const name = `pharos_${nameSafe(probe)}_${base}${unit}`;
  return counter ? `${name.replace(/_total$/, '')}_total` : name;
}

/** The labels of one row (module doc). */
function labelsOf(row: LatestRow, probe: MetricProbe): Record<string, string> {
  const labels: Record<string, string> = row.kind === 'server' ? { server: row.name } : { agent: row.name };
  if (row.object === '') return labels;
  if (probe.level === 'database') {
    const slash = row.object.indexOf('/');
    if (slash >= 0) {
      labels.database = row.object.slice(0, slash);
      const rest = row.object.slice(slash + 1);
      if (rest !== '') labels.object = rest;
      return labels;
    }
  }
  if (typeof row.value.database === 'string' && row.value.database === row.object)
    labels.database = row.object;
  else labels.object = row.object;
  return labels;
}

const LABELS = ['server', 'agent', 'database', 'object'];

/**
 * Rows set between two yields to the event loop. prom-client formats one
 * metric family at a time and awaits between them; setting 80 000 samples
 * (600 servers) at once would hold the instance's other requests for a few
 * hundred milliseconds.
 */
export const ROWS_PER_SLICE = 2000;

/** One probe column as registered: the metric and how its values are read. */
interface Registered {
  metric: Gauge | Counter;
  counter: boolean;
  convert: (v: unknown) => number | undefined;
  column: string;
}

/**
 * Formats `snapshot` in the Prometheus text exposition format (version
 * 0.0.4). Resolves to the text; `contentType` is its Content-Type.
 */
export async function formatFleetMetrics(snapshot: FleetSnapshot): Promise<string> {
  const registry = new Registry();
  const byProbe = new Map<string, { probe: MetricProbe; metrics: Registered[] }>();
  // fixed metrics first: a probe column that would take one of their names is left out
  const monitored = new Gauge({
    name: 'pharos_server_monitored',
    help: 'the server is active in the fleet (1) or switched off (0)',
    labelNames: ['server'],
    registers: [registry],
  });
  const sampleAge = new Gauge({
    name: 'pharos_server_sample_age_seconds',
    help: "seconds since the server's newest sample (how stale its pharos_* values are)",
    labelNames: ['server'],
    registers: [registry],
  });
  const heartbeat = new Gauge({
    name: 'pharos_agent_heartbeat_age_seconds',
    help: "seconds since the agent's last heartbeat",
    labelNames: ['agent'],
    registers: [registry],
  });
  const names = new Set([
    'pharos_server_monitored',
    'pharos_server_sample_age_seconds',
    'pharos_agent_heartbeat_age_seconds',
  ]);
  for (const probe of snapshot.probes) {
    const metrics: Registered[] = [];
    for (const column of probe.columns) {
      const counter = probe.counterColumns.includes(column.name);
      const name = metricName(probe.name, column, counter);
      // a second column with the same metric name (e.g. x_ms and x_s) keeps the first
      if (!name || names.has(name)) continue;
      names.add(name);
      const help = `${probe.description || probe.name}: ${column.name} (${column.unit})`;
      const metric = counter
        ? new Counter({ name, help, labelNames: LABELS, registers: [registry] })
        : new Gauge({ name, help, labelNames: LABELS, registers: [registry] });
      const conv = column.unit in CONVERSIONS ? CONVERSIONS[column.unit]! : PLAIN;
      metrics.push({ metric, counter, convert: conv.convert, column: column.name });
    }
    byProbe.set(probe.name, { probe, metrics });
  }
  let done = 0;
  for (const row of snapshot.rows) {
    // let other requests of the instance run between slices of a large fleet's rows
    if (++done % ROWS_PER_SLICE === 0) await yieldToOthers();
    const entry = byProbe.get(row.probe);
    if (!entry) continue;
    const labels = labelsOf(row, entry.probe);
    for (const m of entry.metrics) {
      const v = m.convert(row.value[m.column]);
      if (v === undefined) continue;
      if (m.counter) {
        if (v >= 0) (m.metric as Counter).inc(labels, v);
      } else (m.metric as Gauge).set(labels, v);
    }
  }
  for (const s of snapshot.servers) {
    monitored.set({ server: s.name }, s.active ? 1 : 0);
    if (s.sampleAgeS !== null) sampleAge.set({ server: s.name }, s.sampleAgeS);
  }
  for (const a of snapshot.agents)
    if (a.heartbeatAgeS !== null) heartbeat.set({ agent: a.name }, a.heartbeatAgeS);
  return registry.metrics();
}

/** Content-Type of the text exposition format (prom-client's Registry.PROMETHEUS_CONTENT_TYPE). */
export const METRICS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;
