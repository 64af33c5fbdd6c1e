/**
 * `pharos agent`: the monitoring agent — `run` (run.ts), `enrol` and `list`
 * (enrol.ts, list.ts; through a web instance, enrolment.ts), `register`,
 * `unregister`, `sign-csr` (register.ts, unregister.ts, sign-csr.ts; what
 * they do is in registration.ts, loaded only when one of them runs) and
 * `verify` (verify.ts).
 */
import type { Command } from 'commander';
import { registerAgentEnrol } from './enrol.js';
import { registerAgentList } from './list.js';
import { registerAgentRegister } from './register.js';
import { registerAgentRun } from './run.js';
import { registerAgentSignCsr } from './sign-csr.js';
import { registerAgentUnregister } from './unregister.js';
import { registerAgentVerifyCommand } from './verify.js';

/** Registers the `agent` commands. */
export function registerAgentCommands(program: Command): void {
  const agent = program.command('agent').description('the monitoring agent');
  registerAgentRun(agent);
  registerAgentEnrol(agent);
  registerAgentList(agent);
  registerAgentRegister(agent);
  registerAgentUnregister(agent);
  registerAgentSignCsr(agent);
  registerAgentVerifyCommand(agent);
}
