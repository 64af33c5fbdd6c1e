/**
 * @pharos/agent — the monitoring flow on every host: probes (probes/:
 * SQL, OS, Patroni, the agent's own) -> monitors that run them on schedule
 * (monitor/, schedule/) -> samples -> the durable spool (spool/) -> ship to
 * the primary with COPY, exactly once (ship/); the control link to the
 * backend (backend-link/: catalogue, settings, heartbeat, jobs trigger) and
 * the backend workers an agent may host (workers/: alert evaluation,
 * notifications). `runAgent` (run.ts) wires them.
 *
 * Contract: depends on @pharos/core and @pharos/backend (the workers it
 * hosts). `pharos agent run` imports `@pharos/agent/run` and
 * `@pharos/agent/config` only.
 */
export { type AgentConfig, loadAgentConfig } from './config.js';
export { runAgent } from './run.js';
