/**
 * The agent's resident memory while it monitors N servers: the real agent,
 * started as the lab starts it (`node <AGENT_NODE_OPTIONS> pharos.js agent run
 * --config FILE`, packages/cli/bin/pharos.js of this checkout), against a real
 * backend, its RSS read from /proc every second.
 */
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AGENT_NODE_OPTIONS } from '@pharos/agent/node-options';
import { rssBytes } from './process-cpu.js';

/** RSS figures of one run, MiB. */
export interface RssResult {
  servers: number;
  seconds: number;
  maxRssMiB: number;
  lastRssMiB: number;
  /** RSS after the first 10 s (start-up done), MiB. */
  startRssMiB: number;
}

/**
 * Runs the agent with configuration `config` (written to `dir/agent-<n>.yml`)
 * for `seconds`, then stops it with SIGTERM. Resolves with its RSS figures.
 */
export async function measureAgentRss(opts: {
  dir: string;
  servers: number;
  seconds: number;
  config: Record<string, unknown>;
  /** Node.js options of the agent process (default {@link AGENT_NODE_OPTIONS}). */
  nodeArgs?: string[];
}): Promise<RssResult> {
  const file = join(opts.dir, `agent-${opts.servers}.yml`);
  await writeFile(
    file,
    Object.entries(opts.config)
      .map(([k, v]) => `${k}: ${JSON.stringify(v)}`)
      .join('\n'),
  );
  // packages/bench/dist/agent -> packages/cli/bin/pharos.js (the CLI depends on
  // this package, so it is found by path, not imported).
  const pharosJs = fileURLToPath(new URL('../../../cli/bin/pharos.js', import.meta.url));
  const nodeArgs = opts.nodeArgs ?? [...AGENT_NODE_OPTIONS];
  const child = spawn(process.execPath, [...nodeArgs, pharosJs, 'agent', 'run', '--config', file], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const samples: number[] = [];
  const t0 = Date.now();
  let startRss = 0;
  while (Date.now() - t0 < opts.seconds * 1000) {
    await new Promise((r) => setTimeout(r, 1000));
    const rss = child.pid === undefined ? undefined : rssBytes(child.pid);
    if (rss === undefined) break;
    samples.push(rss);
    if (startRss === 0 && Date.now() - t0 >= 10_000) startRss = rss;
  }
  child.kill('SIGTERM');
  await exited;
  const mib = (b: number) => Math.round((b / 1048576) * 10) / 10;
  return {
    servers: opts.servers,
    seconds: opts.seconds,
    maxRssMiB: mib(Math.max(0, ...samples)),
    lastRssMiB: mib(samples.at(-1) ?? 0),
    startRssMiB: mib(startRss),
  };
}
