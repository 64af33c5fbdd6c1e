/**
 * The report as Markdown: machine, then one section per benchmark with a
 * table whose every figure shows its number of runs, median and spread.
 */

import type { FailoverFigures } from '../failover/failover-bench.js';
import type { IngestFigures } from '../ingest/ingest-bench.js';
import { formatSummary } from '../stats.js';
import { fleetSection } from './fleet-markdown.js';
import { fleetSimSection } from './fleet-sim-markdown.js';
import { historySection } from './history-report.js';
import { storageSection } from './storage-report.js';
import type { BenchReport, Section, SourcedSection } from './types.js';

const yesNo = (b: boolean | undefined) => (b === undefined ? '—' : b ? 'met' : '**not met**');

function machine(r: BenchReport): string[] {
  const m = r.machine;
  return [
    `# Pharos benchmark — ${r.startedAt.slice(0, 10)} on ${m.hostname}${m.machineId ? ` (${m.machineId})` : ''}`,
    '',
    `Command: \`${r.command}\`. Started ${r.startedAt}, took ${(r.durationS / 60).toFixed(1)} min. Every figure below was measured in this run; each shows median (min–max, number of runs).`,
    '',
    '| machine | |',
    '|---|---|',
    `| CPU | ${m.cpus} × ${m.cpuModel} |`,
    `| memory | ${m.memoryGiB} GiB |`,
    `| OS, kernel | ${m.os}, ${m.kernel} |`,
    `| Node.js | ${m.node} |`,
    `| PostgreSQL | ${m.postgres} (client: ${m.psql}) |`,
    `| Patroni, etcd | ${m.patroni}; ${m.etcd} |`,
    `| load average (1/5/15 min) | at start ${m.loadAverageAtStart.join(' / ')}, at end ${r.loadAverageAtEnd.join(' / ')} (${m.cpus} CPUs; other work on the machine counts too) |`,
  ];
}

function targets(r: BenchReport): string[] {
  if (!r.targets) return [];
  return [
    '## Targets (issues 19 and 14)',
    '',
    'Each target judged on this run: the figure, its anchor measured in the same run, and whether it was met. Gap targets are relative to the cluster’s own gap of the same fault run, so the excess over it is shown too.',
    '',
    '| figure | measured | anchor | target | met |',
    '|---|---|---|---|---|',
    ...r.targets.map(
      (t) =>
        `| ${t.figure} | ${t.measured} | ${t.anchor} | ${t.target} | ${t.met === undefined ? 'not measured' : yesNo(t.met)} |`,
    ),
    '',
  ];
}

function notMeasured(title: string, reason: string): string[] {
  return [`## ${title}`, '', `Not measured: ${reason}`];
}

function failover(s: Section<FailoverFigures>): string[] {
  if (!s.measured) return notMeasured('Failover', s.reason);
  const f = s.figures;
  const out = [
    '## Failover: write gaps and first connections, Pharos vs libpq',
    '',
    `A lab of 3 etcd + 3 Patroni/PostgreSQL + 6 agents (probe interval ${f.lab.probeIntervalS} s) + 3 web instances (up in ${f.lab.upS.toFixed(0)} s); Patroni ttl ${f.lab.ttlS} s, loop_wait ${f.lab.loopWaitS} s, retry_timeout ${f.lab.retryTimeoutS} s. Three writers commit a row on the same multi-host string, each in a process of its own (its acknowledgements timestamped there, CLOCK_REALTIME, so no writer's gap carries another's or the benchmark's event-loop stalls): two HaConnections, every 50 ms, one with \`holdOtherHosts\` (it keeps sessions on the standbys, re-checked at a failover instead of dialled: the "Pharos" figure) and one with the default options; and \`psql\` in a loop every 100 ms (one process and one libpq connection per row). Write gap = longest time without an acknowledged commit (ReadyForQuery after the COMMIT) from the fault to recovery. The cluster's own gap = the same for writers connected to each backend directly, every 50 ms, one process per backend (no host selection): the time no server accepted writes, which no client can beat; a client's gap minus it is what finding the new primary cost that client. Ship gap = longest time without a batch stored from any agent (pem.ship_batch.received_at: the shipping transaction's start); per run, how much earlier it began and later it ended than the cluster's own gap (its start depends on when an agent last happened to ship, every probe interval; its end is what the ship path took to reach the new primary). Samples checked = every sample id the agents' spools had acknowledged by the fault's last run (cumulative since the lab started), each found in exactly one stored batch.`,
    '',
    `String: \`${f.conninfo}\``,
    '',
    ...(f.error ? [`**Stopped early**: ${f.error}. The figures below are those measured before.`, ''] : []),
    '| fault | the cluster’s own gap | Pharos write gap | Pharos, default options | psql write gap | agents’ ship gap | samples checked | lost | duplicated | target (Pharos gap) |',
    '|---|---|---|---|---|---|---:|---:|---:|---|',
  ];
  for (const x of f.faults) {
    const checked = Math.max(0, ...x.runs.map((r) => r.samplesChecked));
    const target =
      x.targetGapS === undefined ? '—' : `<= ${x.targetGapS} s, 0 lost/duplicated: ${yesNo(x.targetMet)}`;
    out.push(
      `| ${x.fault} | ${formatSummary(x.backendGap)} | ${formatSummary(x.pharosGap)} | ${x.pharosDefaultGap ? formatSummary(x.pharosDefaultGap) : '—'} | ${formatSummary(x.psqlGap)} | ${formatSummary(x.shipGap)} | ${checked} | ${x.lost} | ${x.duplicated} | ${target} |`,
    );
  }
  const lostWrites = f.faults
    .flatMap((x) => x.runs)
    .filter((r) => r.pharosWritesLost + (r.pharosDefaultWritesLost ?? 0) + r.psqlWritesLost > 0);
  out.push(
    '',
    lostWrites.length === 0
      ? 'No acknowledged probe write (Pharos or psql) was missing from the new primary after any fault.'
      : `Acknowledged probe writes missing after a failover (asynchronous replication): ${lostWrites.map((r) => `Pharos ${r.pharosWritesLost}, Pharos default ${r.pharosDefaultWritesLost ?? 0}, psql ${r.psqlWritesLost}`).join('; ')}.`,
    '',
    '### Time to the first connection (SELECT 1 answered), same string for both',
    '',
    'Each run is a fresh HaConnection in the benchmark process (before any writer runs), or a fresh `psql` process (its start-up is part of its figure: see "primary first").',
    '',
    '| first listed host | Pharos | psql (libpq) | failures (Pharos/psql) |',
    '|---|---|---|---|',
  );
  for (const c of f.firstConnection) {
    out.push(
      `| ${c.scenario} | ${formatSummary(c.pharos, 3)} | ${formatSummary(c.psql, 3)} | ${c.pharosFailures}/${c.psqlFailures} |`,
    );
  }
  out.push('', '<details><summary>Every fault run</summary>', '');
  out.push(
    '| fault | run | load (1 min) | cluster’s own gap (s) | Pharos gap (s) | Pharos default (s) | psql gap (s) | ship gap (s) | ship gap start earlier / end later than own (s) | lost | dup | writes lost (Pharos/default/psql) | marks (s after start) |',
  );
  out.push('|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---|---|');
  for (const x of f.faults) {
    x.runs.forEach((r, i) => {
      const marks = Object.entries(r.marksS)
        .map(([k, v]) => `${k} ${v.toFixed(1)}`)
        .join(', ');
      out.push(
        `| ${x.fault} | ${i + 1} | ${r.loadAvg1?.toFixed(1) ?? '—'} | ${r.backendGapS.toFixed(2)} | ${r.pharosGapS.toFixed(2)} | ${r.pharosDefaultGapS?.toFixed(2) ?? '—'} | ${r.psqlGapS.toFixed(2)} | ${r.shipGapS.toFixed(2)} | ${r.shipStartEarlyS === undefined ? '—' : `${r.shipStartEarlyS.toFixed(2)} / ${r.shipEndLateS!.toFixed(2)}`} | ${r.lost} | ${r.duplicated} | ${r.pharosWritesLost}/${r.pharosDefaultWritesLost ?? '—'}/${r.psqlWritesLost} | ${marks}; ${r.notes.join('; ')} |`,
      );
    });
  }
  out.push('', '</details>');
  return out;
}

function ingest(s: Section<IngestFigures>): string[] {
  if (!s.measured) return notMeasured('Ingest', s.reason);
  const f = s.figures;
  const settings = Object.entries(f.settings)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  return [
    '## Ingest: the ship path vs a plain COPY',
    '',
    `${f.agents} simulated agents at once, each shipping ${f.batchesPerAgent} batches of ${f.batchSize} samples (${f.samplesPerRun} samples per run) to PostgreSQL ${f.postgresVersion} (${settings}). Ship path = the agent's shipBatch (one statement: pem.ingest_samples with the batch as array parameters, its own transaction); plain COPY = the same rows, batches and concurrency straight into pemhistory.sample.`,
    '',
    '| method | stored samples per second |',
    '|---|---|',
    `| ship path | ${formatSummary(f.shipPath, 0)} |`,
    `| plain COPY | ${formatSummary(f.plainCopy, 0)} |`,
    `| **ratio ship / COPY** | **${formatSummary(f.ratio, 2)}** |`,
    ...(f.cpuMsPer1000 && f.cpuRatio
      ? [
          '',
          'CPU per 1000 stored samples (ms; server = the PostgreSQL processes, client = the benchmark process that plays the agents): what each method costs, far less dependent on the other work on the machine than samples/s.',
          '',
          '| method | server CPU | client CPU |',
          '|---|---|---|',
          `| ship path | ${formatSummary(f.cpuMsPer1000.shipServer, 1)} | ${formatSummary(f.cpuMsPer1000.shipClient, 1)} |`,
          `| plain COPY | ${formatSummary(f.cpuMsPer1000.copyServer, 1)} | ${formatSummary(f.cpuMsPer1000.copyClient, 1)} |`,
          `| COPY's CPU / the ship path's (the ratio CPU-bound on an idle machine) | ${formatSummary(f.cpuRatio, 2)} | |`,
        ]
      : []),
  ];
}

function isLatency(v: unknown): v is { requests: number; p50Ms: number; p95Ms: number; maxMs: number } {
  return typeof v === 'object' && v !== null && 'p50Ms' in v && 'p95Ms' in v && 'requests' in v;
}

/** Leaf values of an object as [dotted path, value] pairs (arrays of scalars joined, arrays of objects by index). */
function leaves(v: unknown, prefix = ''): [string, string][] {
  if (typeof v === 'number') return [[prefix, Number.isInteger(v) ? String(v) : v.toFixed(2)]];
  if (typeof v === 'boolean' || typeof v === 'string') return [[prefix, String(v)]];
  if (Array.isArray(v)) {
    if (v.every((x) => typeof x !== 'object' || x === null)) return [[prefix, v.map(String).join(', ')]];
    return v.flatMap((x, i) => leaves(x, `${prefix}[${i}]`));
  }
  if (typeof v !== 'object' || v === null) return [];
  return Object.entries(v).flatMap(([k, x]) => leaves(x, prefix ? `${prefix}.${k}` : k));
}

/** An array of flat objects (same keys) as a Markdown table, or undefined when it is not one. */
function rowsTable(title: string, v: unknown): string[] | undefined {
  if (!Array.isArray(v) || v.length === 0) return undefined;
  if (!v.every((x) => typeof x === 'object' && x !== null && !Array.isArray(x))) return undefined;
  const cols = Object.keys(v[0] as object);
  const flat = (x: unknown) => typeof x !== 'object' || x === null;
  if (!v.every((x) => Object.values(x as object).every(flat))) return undefined;
  const cell = (x: unknown) => (typeof x === 'number' && !Number.isInteger(x) ? x.toFixed(2) : String(x));
  return [
    `**${title}**`,
    '',
    `| ${cols.join(' | ')} |`,
    `|${cols.map(() => '---').join('|')}|`,
    ...v.map((x) => `| ${cols.map((c) => cell((x as Record<string, unknown>)[c])).join(' | ')} |`),
    '',
  ];
}

function optional(title: string, s: SourcedSection<unknown>): string[] {
  if (!s.measured) return notMeasured(title, s.reason);
  const out = [`## ${title}`, '', `Measured by \`${s.source}\` in ${s.seconds.toFixed(0)} s.`, ''];
  const figs = s.figures as Record<string, unknown>;
  const lat = Object.entries(figs).filter(([, v]) => isLatency(v));
  if (lat.length > 0) {
    out.push('| endpoint | requests | median (p50) | p95 | max |', '|---|---:|---:|---:|---:|');
    for (const [k, v] of lat) {
      const x = v as { requests: number; p50Ms: number; p95Ms: number; maxMs: number };
      out.push(`| ${k} | ${x.requests} | ${x.p50Ms} ms | ${x.p95Ms} ms | ${x.maxMs} ms |`);
    }
    out.push('');
  }
  const rest: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(figs)) {
    if (isLatency(v)) continue;
    const t = rowsTable(k, v);
    if (t) out.push(...t);
    else rest[k] = v;
  }
  const pairs = leaves(rest);
  if (pairs.length > 0) {
    out.push('| figure | value |', '|---|---|');
    for (const [k, v] of pairs) out.push(`| ${k} | ${v} |`);
  }
  return out;
}

/** Renders `r` as Markdown. */
export function renderMarkdown(r: BenchReport): string {
  return `${[
    ...machine(r),
    '',
    ...targets(r),
    ...failover(r.failover),
    '',
    ...ingest(r.ingest),
    '',
    ...optional('Web API latency', r.web),
    '',
    ...(r.web5000 ? optional('Web API latency, 5,000 servers', r.web5000) : []),
    '',
    ...optional('Agent: RSS and CPU per probe cycle', r.agent),
    ...(r.alerts ? optional('Alert evaluation throughput', r.alerts) : []),
    '',
    ...(r.fleet ? fleetSection(r.fleet) : []),
    ...(r.storage ? ['', ...storageSection(r.storage)] : []),
    ...(r.history ? ['', ...historySection(r.history)] : []),
    ...(r.fleetSim ? ['', ...fleetSimSection(r.fleetSim)] : []),
  ].join('\n')}\n`;
}
