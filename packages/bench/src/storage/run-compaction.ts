/**
 * Runs the compaction measurement alone and prints its figures as JSON:
 * `node packages/bench/dist/storage/run-compaction.js [--servers N] [--hours H] [--address A]`
 * (through /work/bin/int-run: it starts PostgreSQL).
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { runCompactionBench } from './compaction-bench.js';

const { values } = parseArgs({
  options: {
    servers: { type: 'string', default: '1' },
    hours: { type: 'string', default: '6' },
    address: { type: 'string', default: '127.0.15.71' },
    runs: { type: 'string', default: '20' },
  },
});
const figures = await runCompactionBench({
  address: values.address,
  servers: Number(values.servers),
  hours: Number(values.hours),
  chartRuns: Number(values.runs),
  loadAvg: () => loadavg(),
  log: (l) => process.stderr.write(`[compaction ${new Date().toISOString().slice(11, 19)}] ${l}\n`),
});
process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
