/**
 * @pharos/backend — the `pem` database and the code that runs against it
 * from every host: the schema (sql/: migrations, functions, grants,
 * catalogues) and its runner (migrations/), install and registration
 * (configure/), the jobs trigger (jobs/), alert evaluation (alerts/) and
 * notification delivery (notify/). Nothing here listens on a port: agents
 * host the evaluation and notification workers (agent/src/workers), web
 * instances host the admin functions (web/src/api).
 *
 * Contract: depends on @pharos/core only. Consumers import modules by
 * subpath (`@pharos/backend/migrations/run`); test helpers are under
 * `@pharos/backend/testing/*`.
 */
export { MIGRATIONS_DIR, migrate } from './migrations/run.js';
