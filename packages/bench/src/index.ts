/**
 * @pharos/bench — every benchmark (`npm run bench`, run.ts): failover write
 * gaps and first connections, ingest vs plain COPY, web API latency, the
 * agent's probe cost and memory, alert evaluation throughput. Writes
 * bench/results/. Depends on anything; nothing depends on it.
 */
export type { BenchReport } from './report/types.js';
