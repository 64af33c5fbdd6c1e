/**
 * `pharos api-token`: API tokens for scripts, Grafana and Prometheus (issue
 * 18, docs/web-api.md "API tokens") through a web instance's API —
 * `create`, `list`, `revoke`, one file each; what they do is in
 * api-tokens.ts, loaded only when one runs. (`pharos token` is the
 * one-time enrolment tokens of new agents.)
 */
import type { Command } from 'commander';
import { registerApiTokenCreate } from './create.js';
import { registerApiTokenList } from './list.js';
import { registerApiTokenRevoke } from './revoke.js';

/** Registers the `api-token` commands. */
export function registerApiTokenCommands(program: Command): void {
  const group = program
    .command('api-token')
    .description('API tokens for scripts and Prometheus: Authorization: Bearer (web API)');
  registerApiTokenCreate(group);
  registerApiTokenList(group);
  registerApiTokenRevoke(group);
}
