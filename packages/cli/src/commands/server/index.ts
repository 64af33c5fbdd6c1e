/**
 * `pharos server`: the monitored servers (issue 14, docs/monitoring-a-server.md)
 * through a web instance's API — `list`, `show`, `add`, `set`, `remove`,
 * `prepare`, `test`, one file each; what they do is in servers.ts, loaded
 * only when one runs.
 */
import type { Command } from 'commander';
import { registerServerAdd } from './add.js';
import { registerServerList } from './list.js';
import { registerServerPrepare } from './prepare.js';
import { registerServerRemove } from './remove.js';
import { registerServerSet } from './set.js';
import { registerServerShow } from './show.js';
import { registerServerTest } from './test.js';

/** Registers the `server` commands. */
export function registerServerCommands(program: Command): void {
  const server = program.command('server').description('monitored PostgreSQL servers (through the web API)');
  registerServerList(server);
  registerServerShow(server);
  registerServerAdd(server);
  registerServerSet(server);
  registerServerRemove(server);
  registerServerPrepare(server);
  registerServerTest(server);
}
