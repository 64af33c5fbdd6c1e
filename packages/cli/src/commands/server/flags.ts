/** Flags the `server` verbs share: how the agent reaches the server. */
import type { Command } from 'commander';

/** Adds --host, --user, --agent (required when `required`), --port, --db, --sslmode, --sslrootcert. */
export function connectionFlags(cmd: Command, required: boolean): Command {
  const add = (flags: string, text: string) =>
    required ? cmd.requiredOption(flags, text) : cmd.option(flags, text);
  add('--host <host>', 'address the agent dials: DNS name, IP, or a socket directory on the agent’s host');
  add('--user <role>', 'monitoring role on the server (a member of pg_monitor)');
  add('--agent <agent>', 'the agent that monitors it: id or display name');
  return cmd
    .option('--port <port>', 'port (default 5432)')
    .option('--db <name>', 'maintenance database (default postgres)')
    .option('--sslmode <mode>', 'verify-full (default), verify-ca, require, prefer, allow, disable')
    .option('--sslrootcert <file>', 'CA file on the agent’s host (default: the agent’s server_sslrootcert)');
}
