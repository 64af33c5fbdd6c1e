/**
 * The Node.js options the agent process runs with (the lab's launcher passes
 * them; a service unit should too: `node --max-semi-space-size=1
 * .../pharos.js agent run --config /etc/pharos/agent.yml`).
 *
 * `--max-semi-space-size=1`: V8's young generation capped at 1 MiB per
 * semi-space (default 16 MiB on 64-bit). The agent allocates little per
 * probe cycle; the cap costs a few more scavenges and keeps about 8-10 MiB
 * of resident memory (measured by `node packages/bench/dist/agent/probe-cost.js
 * --rss-only`, see docs/probes.md). Source: `node --v8-options`.
 */
export const AGENT_NODE_OPTIONS: readonly string[] = ['--max-semi-space-size=1'];
