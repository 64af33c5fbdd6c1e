/**
 * The fleet benchmark's section of the Markdown report (fleet/fleet-bench.ts
 * measured every figure; this only formats them).
 */
import type { FleetFigures } from '../fleet/fleet-bench.js';
import type { Summary } from '../stats.js';
import type { SourcedSection } from './types.js';
import { mib } from './units.js';

const gb = (b: number) => `${(b / 1e9).toFixed(2)} GB`;
const pct = (s: Summary, d = 1) =>
  s.runs === 0
    ? '—'
    : `p50 ${s.median.toFixed(d)}, p95 ${s.p95.toFixed(d)}, max ${s.max.toFixed(d)} ${s.unit}`;

/** The section's Markdown lines. */
export function fleetSection(s: SourcedSection<FleetFigures>): string[] {
  const title = '## Fleet: registered servers monitored by real agents';
  if (!s.measured) return [title, '', `Not measured: ${s.reason}`];
  const f = s.figures;
  const u = f.setup;
  return [
    title,
    '',
    `Measured by \`${s.source}\`. A pem backend (PostgreSQL, TLS, ${u.postgresSettings}) and one web instance; ${u.monitoredInstances} real PostgreSQL instances, each listening on up to 60 addresses, monitored as ${u.servers} registered servers (each its own address, added through POST /api/servers${u.testedAdds ? ', each tested from its agent' : ' with "test": false'}) by ${u.agents} real agents (\`pharos token create\`, \`pharos agent enrol\`, \`pharos agent run\`, default probe intervals). Setup: servers started in ${u.startS} s, agents enrolled and running in ${u.enrolS} s, servers added in ${u.registerS} s, every server with data ${u.toDataS} s later (${u.serversWithoutDataAtStart} without at the start of the window); ${u.retriedAfter503} commands or requests typed again after a 503 PHAROS_BACKEND_FAILING_OVER, ${u.retriedAfterTestTimeout} test connections that timed out or did not run (nothing written), after which ${u.addedUntested} servers were added with "test": false. Window: ${(f.windowS / 60).toFixed(1)} min; 1-minute load average ${f.loadAverage.start.toFixed(2)} at its start, ${f.loadAverage.end.toFixed(2)} at its end on 2 shared CPUs: these are not idle-machine figures.`,
    '',
    '| figure | value |',
    '|---|---|',
    `| backend PostgreSQL CPU | ${f.backendCpuCores.toFixed(3)} cores |`,
    `| agents' CPU | ${f.agentsCpu.totalCores.toFixed(3)} cores together (per agent ${pct(f.agentsCpu.perAgentCores, 3)}) |`,
    `| agents' RSS | max ${f.agentsRss.maxMiB} MiB; at the end ${pct(f.agentsRss.perAgentLastMiB)} |`,
    `| monitored instances' CPU (what probing costs them) | ${f.monitoredCpuCores.toFixed(3)} cores together |`,
    `| ingest lag: newest sample age per server at the backend (${f.newestSampleAge.readings} readings, every 15 s) | ${pct(f.newestSampleAge)}; ${f.newestSampleAge.serversWithoutDataAtEnd} servers without data at the end |`,
    `| stored rows/s | ${f.stored.rowsPerS} (by collection time; ${f.stored.insertedRowsPerS} by rows inserted) |`,
    `| stored values/s | ${f.stored.valuesPerS} (of which numeric ${f.stored.numericValuesPerS}) |`,
    `| history growth (sample partitions, indexes, rollups), per day | ${gb(f.storage.bytesPerDay)} |`,
    `| history at the end | ${mib(f.storage.historyBytesAtEnd)} (rollups ${mib(f.storage.rollupBytesAtEnd)}) for ${f.storage.historyRowsAtEnd} rows, ${f.storage.historyValuesAtEnd} values (${f.storage.historyNumericValuesAtEnd} numeric) |`,
    `| bytes per stored value / per numeric value / per row | ${f.storage.bytesPerValue} / ${f.storage.bytesPerNumericValue} / ${f.storage.bytesPerRow} |`,
    `| WAL | ${Math.round(f.walBytesPerS / 1024)} KiB/s (${gb(f.walBytesPerS * 86400)} per day) |`,
    `| overview GET /api/fleet through the web instance, every 2.5 s | p50 ${f.overview.p50Ms} ms, p95 ${f.overview.p95Ms} ms, max ${f.overview.maxMs} ms (${f.overview.requests} requests, ${f.overview.failed} failed, ${Math.round(f.overview.answerBytes / 1024)} KiB) |`,
    `| probe failures recorded in the window | ${f.probeFailuresInWindow} |`,
  ];
}
