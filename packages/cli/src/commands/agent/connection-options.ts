/** The backend connection flags `agent register` and `agent unregister` share. */
import type { Command } from 'commander';

/** Adds --config, --host, --port and --superuser to `cmd`. */
export function connectionOptions(cmd: Command): Command {
  return cmd
    .option('--config <file>', 'agent configuration file', '/etc/pharos/agent.yml')
    .option('--host <hosts>', 'backend host or multi-host list (default: from the configuration)')
    .option('--port <ports>', 'backend port, or one per host')
    .requiredOption(
      '--superuser <name>',
      'superuser on the backend (password: PHAROS_SUPERPASSWORD or prompt)',
    );
}
