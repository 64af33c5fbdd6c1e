/**
 * `pharos token`: one-time enrolment tokens (issue 14, docs/monitoring-a-server.md)
 * through a web instance's API — `create`, `list`, `revoke`, one file each;
 * what they do is in tokens.ts, loaded only when one runs.
 */
import type { Command } from 'commander';
import { registerTokenCreate } from './create.js';
import { registerTokenList } from './list.js';
import { registerTokenRevoke } from './revoke.js';

/** Registers the `token` commands. */
export function registerTokenCommands(program: Command): void {
  const token = program
    .command('token')
    .description('one-time enrolment tokens for new hosts’ agents (web API)');
  registerTokenCreate(token);
  registerTokenList(token);
  registerTokenRevoke(token);
}
