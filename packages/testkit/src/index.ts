/**
 * @pharos/testkit — what tests need to start real parts and wait on them:
 * PostgreSQL servers and standbys (postgres/), SMTP and webhook receivers
 * (receivers/), headless Chromium (browser/), an HTTPS client (http/), a
 * throw-away PKI made with openssl (pki/).
 *
 * Contract: depends on no other @pharos package, so every package's tests
 * can use it; product code never imports it. Test helpers that need a
 * product package live in that package under src/testing/.
 */
export * from './postgres/postgres-server.js';
