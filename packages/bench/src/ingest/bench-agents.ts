/**
 * The ingest benchmarks' agents: roles `agent1..agentN` (password
 * `bench<i>`, member of pem_agent) and their pem.agent rows with ids 1..N,
 * on a freshly migrated pem database. Errors: the server's, unchanged.
 */
import type { Queryable } from '@pharos/core/query';

/** Creates agents 1..`count` through `admin` (a superuser connection to pem). */
export async function createBenchAgents(admin: Queryable, count: number): Promise<void> {
  for (let i = 1; i <= count; i++) {
    await admin.query(`CREATE ROLE agent${i} LOGIN PASSWORD 'bench${i}' IN ROLE pem_agent`);
    await admin.query('INSERT INTO pem.agent (id, user_name, display_name) VALUES ($1, $2, $3)', [
      i,
      `agent${i}`,
      `bench agent ${i}`,
    ]);
  }
}
