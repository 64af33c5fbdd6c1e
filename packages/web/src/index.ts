/**
 * @pharos/web — the web application: HTTPS on 8443, login against the
 * backend's roles, sessions in the backend (any instance serves any
 * session), the JSON API (api/) and the browser UI (../ui, served by
 * src/ui). `startWebServer` (server.ts) is the instance.
 *
 * Contract: depends on @pharos/core and @pharos/backend; reads and writes
 * only the `pem` database, never a monitored server.
 */
export { loadWebConfig } from './config.js';
export { startWebServer } from './server.js';
