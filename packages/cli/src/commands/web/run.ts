/**
 * `pharos web run --config FILE`: runs one web application instance in the
 * foreground (HTTPS only) until SIGTERM/SIGINT; SIGHUP reloads the
 * configuration and TLS files (../../service.ts). The log level is
 * `PHAROS_LOG_LEVEL` (default info).
 */

import { loadWebConfig } from '@pharos/web/config';
import { startWebServer } from '@pharos/web/server';
import type { Command } from 'commander';
import { runService } from '../../service.js';

/** Registers `web run` on the `web` command group. */
export function registerWebRun(web: Command): void {
  web
    .command('run')
    .description('run a web instance in the foreground')
    .requiredOption('--config <file>', 'web configuration file (written by pharos configure -t 2)')
    .action(async (flags: { config: string }) => {
      await runService({
        name: 'web',
        load: () => loadWebConfig(flags.config),
        start: async (config) => {
          const logLevel = process.env.PHAROS_LOG_LEVEL;
          const server = await startWebServer(config, logLevel ? { logLevel } : {});
          process.stderr.write(`pharos web: serving ${server.url}\n`);
          return server;
        },
        stop: (server) => server.close(),
        status: (server) => `serving ${server.url}`,
      });
    });
}
