/**
 * `pharos agent`: the monitoring agent — `run` (run.ts), `register`,
 * `unregister`, `sign-csr` (register.ts, unregister.ts, sign-csr.ts; what
 * they do is in registration.ts, loaded only when one of them runs) and
 * `verify` (verify.ts).
 */
import type { Command } from 'commander';
import { registerAgentRegister } from './register.js';
import { registerAgentRun } from './run.js';
import { registerAgentSignCsr } from './sign-csr.js';
import { registerAgentUnregister } from './unregister.js';
import { registerAgentVerifyCommand } from './verify.js';

/** Registers the `agent` commands. */
export function registerAgentCommands(program: Command): void {
  const agent = program.command('agent').description('the monitoring agent');
  registerAgentRun(agent);
  registerAgentRegister(agent);
  registerAgentUnregister(agent);
  registerAgentSignCsr(agent);
  registerAgentVerifyCommand(agent);
}
