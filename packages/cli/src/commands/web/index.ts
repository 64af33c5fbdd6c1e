/** `pharos web`: the web application — `run` (run.ts). */
import type { Command } from 'commander';
import { registerWebRun } from './run.js';

/** Registers the `web` commands. */
export function registerWebCommands(program: Command): void {
  registerWebRun(program.command('web').description('the web application'));
}
