/**
 * The newest PostgreSQL major the probe matrix tests
 * (packages/suites/src/probe-matrix: 13-18, primary and standby). A server
 * on a newer major is monitored with this major's SQL and flagged
 * "untested major" on its page (and by its agent in the probe log). The
 * matrix test checks that this, the agent's value
 * (packages/agent/src/probes/sql-for-major.ts) and its majors agree.
 */
export const NEWEST_TESTED_MAJOR = 18;
