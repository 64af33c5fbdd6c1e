/**
 * @pharos/testkit — what tests need to start real parts and wait on them:
 * condition waits with deadlines that dump the logs of the processes the test
 * started (wait/), a fake clock for time-driven code (clock/), PostgreSQL
 * servers and standbys (postgres/), the OS user servers run as (os/), SMTP and
 * webhook receivers (receivers/), headless Chromium (browser/), an HTTPS
 * client (http/), a throw-away PKI made with openssl (pki/), a strict check
 * of the Prometheus text exposition format (prometheus/).
 *
 * Contract: depends on no other @pharos package, so every package's tests
 * can use it; product code never imports it. Test helpers that need a
 * product package live in that package under src/testing/.
 */

export * from './clock/fake-clock.js';
export * from './os/server-user.js';
export * from './postgres/postgres-server.js';
export * from './wait/log-set.js';
export * from './wait/wait-for.js';
