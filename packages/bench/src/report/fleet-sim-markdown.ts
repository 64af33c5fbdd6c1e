/**
 * The simulated fleet's section of the Markdown report
 * (fleet-sim/fleet-sim-bench.ts measured every figure; this only formats
 * them): one column per step, then the top step's CPU by backend session
 * kind and its pg_stat_statements.
 */
import type { FleetSimFigures, FleetSimStep } from '../fleet-sim/fleet-sim-bench.js';
import type { Summary } from '../stats.js';
import type { SourcedSection } from './types.js';

const pct = (s: Summary, d = 1) =>
  s.runs === 0 ? '—' : `${s.median.toFixed(d)} / ${s.p95.toFixed(d)} / ${s.max.toFixed(d)}`;
const yes = (b: boolean) => (b ? 'met' : '**not met**');

/** The section's Markdown lines. */
export function fleetSimSection(s: SourcedSection<FleetSimFigures>): string[] {
  const title = '## Simulated fleet: simulated agents on the real ship path, stepping up to 5,000 servers';
  if (!s.measured) return [title, '', `Not measured: ${s.reason}`];
  const f = s.figures;
  const u = f.setup;
  const steps = f.steps;
  const row = (label: string, cell: (x: FleetSimStep) => string) =>
    `| ${label} | ${steps.map(cell).join(' | ')} |`;
  const top = steps[steps.length - 1];
  return [
    title,
    '',
    `Measured by \`${s.source}\`. A pem backend (PostgreSQL, TLS, ${u.postgresSettings}) and one web instance; ${u.agents} agents enrolled with \`pharos token create\` + \`pharos agent enrol\` (certificates from the built-in CA, HBA cert auth), run by ${u.processes} simulator processes with the agent's own spool, shipper (one \`SELECT pem.ingest_samples(...)\` per batch of up to 1000), heartbeat, jobs call and bindings read; servers added with pem.server_add (the function behind POST /api/servers; default alert templates bound by its trigger), server k bound to agent k mod ${u.agents}. Each server replays a recorded server of its kind (standalone, Patroni leader, Patroni replica; ${u.recording.samples} samples of ${u.recording.sources} sources recorded from a lab's agents at the default probe intervals), each agent's host a recorded host; times shifted to now, counters continued across loops. Agent 1 runs the agent's alert worker (pem.agent_alert_settings). Setup: backend and web ${u.startS} s, agents enrolled and running ${u.enrolS} s.`,
    '',
    `Largest fleet that met every target: **${f.largestMeetingTargets > 0 ? `${f.largestMeetingTargets} servers` : 'none of the steps'}**. CPU figures are on 2 shared CPUs: the simulator, the web instance and other work on the machine run beside the backend; read them with the load average.`,
    '',
    `| figure (per step) | ${steps.map((x) => `${x.servers} servers`).join(' | ')} |`,
    `|---|${steps.map(() => '---').join('|')}|`,
    row('window', (x) => `${(x.windowS / 60).toFixed(1)} min`),
    row('load average (1 min) start → end', (x) => `${x.loadAverage.start[0]} → ${x.loadAverage.end[0]}`),
    row('backend PostgreSQL CPU, cores', (x) => x.cpu.backend.toFixed(2)),
    row('simulator CPU, cores (apart)', (x) => x.cpu.simulator.toFixed(2)),
    row('web instance + harness CPU, cores', (x) => x.cpu.webAndHarness.toFixed(2)),
    row('whole machine busy, cores of 2 (other work included)', (x) => (x.cpu.machineBusy ?? 0).toFixed(2)),
    row('whole machine waiting for I/O (iowait), cores', (x) => (x.cpu.machineIowait ?? 0).toFixed(2)),
    row(
      'backend sessions active on average, by wait (sampled every 0.25 s; CPU = waiting on nothing)',
      (x) =>
        x.waits
          ? x.waits.byWait
              .slice(0, 5)
              .map((w) => `${w.wait} ${w.sessions.toFixed(2)}`)
              .join('; ') || 'none'
          : '—',
    ),
    row('newest sample age at the backend p50 / p95 / max, s', (x) => pct(x.newestSampleAge)),
    row("ship lag: oldest unacknowledged sample in an agent's spool p50 / p95 / max, s", (x) =>
      pct(x.shipLag),
    ),
    row('samples appended / shipped per s', (x) => `${x.sim.appendedPerS} / ${x.sim.shippedPerS}`),
    row('rows inserted into the history per s', (x) => `${x.storage.insertedRowsPerS}`),
    row(
      'ship errors, failed heartbeats, late simulator ticks',
      (x) => `${x.sim.shipErrors}, ${x.sim.heartbeatsFailed}, ${x.sim.skippedTicks}`,
    ),
    row('alerts enabled; evaluated per s', (x) => `${x.alerts.enabled}; ${x.alerts.evaluatedPerS}`),
    row('alerts due p50 / p95 / max', (x) => pct(x.alerts.due, 0)),
    row('oldest due alert late p50 / p95 / max, s', (x) => pct(x.alerts.oldestLateS)),
    row(
      'most late alert, in its intervals',
      (x) =>
        `${x.alerts.maxLateIntervals}${x.alerts.workerError ? ` (worker: ${x.alerts.workerError})` : ''}`,
    ),
    row(
      'overview GET /api/fleet p50 / p95 / max, ms',
      (x) =>
        `${x.overview.failed >= x.overview.requests ? 'no request answered' : `${x.overview.p50Ms} / ${x.overview.p95Ms} / ${x.overview.maxMs}`} (${x.overview.requests} req., ${x.overview.failed} failed${
          x.overview.failed > 0 && x.overview.failedByStatus
            ? `: ${Object.entries(x.overview.failedByStatus)
                .map(([k, n]) => `${n} × ${k === '0' ? 'no answer' : `HTTP ${k}`}`)
                .join(', ')}`
            : ''
        })`,
    ),
    row(
      'history growth per day (pemhistory, indexes, rollups)',
      (x) => `${(x.storage.bytesPerDay / 1e9).toFixed(1)} GB`,
    ),
    row('WAL', (x) => `${(x.walBytesPerS / 1048576).toFixed(2)} MiB/s`),
    row(
      'ingest lag < 10 s (ship lag p95 < 10 s; newest sample age p95 < 20 s: its 10-s cadence + 10 s)',
      (x) => yes(x.met.ingestLag),
    ),
    row('alert evaluation keeps up', (x) => yes(x.met.alerts)),
    row('overview p95 <= 100 ms', (x) => yes(x.met.overview)),
    ...steps.flatMap((x) =>
      x.waits && x.waits.top.length > 0
        ? [
            '',
            `Step ${x.servers} servers: what the backend's sessions were doing (average active sessions over ${x.waits.samples} samples of pg_stat_activity; CPU = active and waiting on nothing):`,
            '',
            '| session | wait | statement | sessions |',
            '|---|---|---|---:|',
            ...x.waits.top.map(
              (w) =>
                `| ${w.who} | ${w.wait} | \`${w.query.replace(/\|/g, '\\|').replace(/`/g, "'")}\` | ${w.sessions.toFixed(2)} |`,
            ),
          ]
        : [],
    ),
    ...(top
      ? [
          '',
          `Top step (${top.servers} servers): backend CPU by session kind (processes alive at both ends of the window; the rest is sessions that ended and PostgreSQL's own processes):`,
          '',
          '| session | processes | cores |',
          '|---|---:|---:|',
          ...top.cpu.backendByWho.map((w) => `| ${w.who} | ${w.processes} | ${w.cores.toFixed(3)} |`),
          '',
          `Top step: pg_stat_statements over the window, by execution time:`,
          '',
          '| statement | calls | total ms | mean ms | rows |',
          '|---|---:|---:|---:|---:|',
          ...top.topStatements.map(
            (q) =>
              `| \`${q.query.replace(/\|/g, '\\|').replace(/`/g, "'")}\` | ${q.calls} | ${q.totalMs} | ${q.meanMs} | ${q.rows} |`,
          ),
        ]
      : []),
  ];
}
