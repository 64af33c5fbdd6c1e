/**
 * `pharos web run --config FILE`: runs one web application instance in the
 * foreground (HTTPS only) until SIGTERM/SIGINT.
 */

import { loadWebConfig } from '@pharos/web/config';
import { startWebServer } from '@pharos/web/server';
import type { Command } from 'commander';

/** Registers `web run` on the `web` command group. */
export function registerWebRun(web: Command): void {
  web
    .command('run')
    .description('run a web instance in the foreground')
    .requiredOption('--config <file>', 'web configuration file (written by pharos configure -t 2)')
    .action(async (flags: { config: string }) => {
      const server = await startWebServer(loadWebConfig(flags.config));
      process.stderr.write(`pharos web: serving ${server.url}\n`);
      await new Promise<void>((resolve) => {
        const stop = () => {
          void server.close().then(resolve, resolve);
        };
        process.once('SIGTERM', stop);
        process.once('SIGINT', stop);
      });
    });
}
