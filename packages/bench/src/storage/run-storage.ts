/**
 * Runs the storage benchmark alone and prints its figures as JSON:
 * `node packages/bench/dist/storage/run-storage.js [--servers N] [--hours H] [--address A]`
 * (through /work/bin/int-run: it starts PostgreSQL). `npm run bench` runs it as the `storage` section.
 */
import { parseArgs } from 'node:util';
import { runStorageBench } from './storage-bench.js';

const { values } = parseArgs({
  options: {
    servers: { type: 'string', default: '3' },
    hours: { type: 'string', default: '12' },
    address: { type: 'string', default: '127.0.15.70' },
    runs: { type: 'string', default: '20' },
  },
});
const figures = await runStorageBench({
  address: values.address,
  servers: Number(values.servers),
  hours: Number(values.hours),
  chartRuns: Number(values.runs),
  log: (l) => process.stderr.write(`[storage ${new Date().toISOString().slice(11, 19)}] ${l}\n`),
});
process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
