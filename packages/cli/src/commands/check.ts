/**
 * `pharos check --topology FILE [--json] [--lab-dir DIR]`: verifies a live
 * deployment against its topology, one line per check (docs/check.md;
 * packages/ops/src/check). Exit code 0 when no check failed (warnings
 * allowed; with --strict warnings fail too), 1 otherwise, 2 for invalid
 * options or files.
 */

import { formatReport } from '@pharos/ops/check/format';
import { exitCodeOf } from '@pharos/ops/check/result';
import { runChecks } from '@pharos/ops/check/run';
import { type Command, InvalidArgumentError } from 'commander';

import { print } from '../output.js';

function number(name: string) {
  return (v: string) => {
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0)
      throw new InvalidArgumentError(`${name}: '${v}' is not a positive number`);
    return n;
  };
}

/** Registers `check` on the program. */
export function registerCheck(program: Command): void {
  program
    .command('check')
    .description('verify a running deployment against its topology (etcd, Patroni, PostgreSQL, agents, web)')
    .option('--topology <file>', 'topology file (default with --lab-dir: the lab’s)')
    .option(
      '--lab-dir <dir>',
      'check a lab: topology, CA, passwords and configuration files from its directory',
    )
    .option(
      '--config-dir <dir>',
      'hosts’ Pharos files collected as DIR/<host>/agent.yml, web.yml and certificates',
    )
    .option('--ca <file>', 'the deployment’s CA certificate (default PGSSLROOTCERT)')
    .option(
      '--etcd-cert <file>',
      'an etcd client certificate (secured etcd; default with --lab-dir: the lab’s)',
    )
    .option('--etcd-key <file>', 'its private key')
    .option(
      '--user <name>',
      'database user for the checks’ SQL (default PGUSER, else the topology’s pem.superuser)',
    )
    .option('--json', 'print the report as JSON')
    .option('--strict', 'warnings fail the run too')
    .option('--timeout <seconds>', 'timeout of every request and connection', number('--timeout'), 5)
    .option(
      '--expiry-warning-days <days>',
      'warn when a certificate expires within this many days',
      number('--expiry-warning-days'),
      30,
    )
    .option(
      '--heartbeat-max-age <seconds>',
      'an agent heartbeat older than this fails',
      number('--heartbeat-max-age'),
      60,
    )
    .action(
      async (f: {
        topology?: string;
        labDir?: string;
        configDir?: string;
        ca?: string;
        etcdCert?: string;
        etcdKey?: string;
        user?: string;
        json?: boolean;
        strict?: boolean;
        timeout: number;
        expiryWarningDays: number;
        heartbeatMaxAge: number;
      }) => {
        const report = await runChecks({
          topologyFile: f.topology,
          labDir: f.labDir,
          configDir: f.configDir,
          caFile: f.ca,
          etcdCertFile: f.etcdCert,
          etcdKeyFile: f.etcdKey,
          user: f.user,
          strict: Boolean(f.strict),
          timeoutMs: f.timeout * 1000,
          expiryWarningDays: f.expiryWarningDays,
          heartbeatMaxAgeS: f.heartbeatMaxAge,
        });
        print(f.json ? JSON.stringify(report, null, 2) : formatReport(report));
        process.exitCode = exitCodeOf(report.summary);
      },
    );
}
