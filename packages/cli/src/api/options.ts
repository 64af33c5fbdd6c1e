/** The flags of every command that talks to the web API (api/client.ts). */
import type { Command } from 'commander';

/** Adds --url, --ca-file, --login-user and --json to `cmd`. */
export function apiOptions(cmd: Command): Command {
  return cmd
    .option('--url <url>', 'web instance, e.g. https://pem-web-1:8443 (default PHAROS_URL)')
    .option(
      '--ca-file <file>',
      'CA that signed its certificate (default PHAROS_CA_FILE, else the system store)',
    )
    .option(
      '--login-user <name>',
      'pem_admin member to log in as (default PHAROS_USER, else the OS user); password: PHAROS_PASSWORD or a prompt',
    )
    .option('--json', 'print JSON (for scripts)');
}
