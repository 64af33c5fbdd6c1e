/**
 * `pharos configure`: the counterpart of `configure-pem-server.sh`, taking its
 * flags as the reference writes them (configure-flags.ts, configure-options.ts),
 * non-interactive from flags and environment variables, prompting only on a
 * terminal. Prints one line per thing it did (or found already done) and ends
 * with `configure: done` or `configure: nothing to change, already configured`.
 *
 * Pharos's own additions: --agent-config FILE (the local agent's
 * configuration), --web-config FILE, --web-service-user NAME
 * (PHAROS_WEB_SERVICE_PASSWORD), --web-port, --web-cert/--web-key (with
 * -t 1/-t 2), --ca-cert-file/--ca-key-file/--ca-cert-days (the built-in CA).
 */

import { type ConfigureResult, configure } from '@pharos/backend/configure/configure';
import type { ConfigureOptions } from '@pharos/backend/configure/options';
import { checkAgentLogin } from '@pharos/backend/configure/verify';
import { parseConninfo } from '@pharos/core/conninfo/resolve';
import { messageOf, pharosError } from '@pharos/core/errors';
import type { Command } from 'commander';
import { expandConfigureFlags } from './flags.js';
import { toHaAccess } from './ha-access.js';
import { addConfigureFlags, type RawConfigureFlags, toOptions } from './options.js';
import { createSelfSignedWebCertificate, planWebCertificate } from './web-cert.js';
import { writeAgentConfig, writeLocalWebConfig } from './write.js';

function state(changed: boolean, yes: string, no: string): string {
  return changed ? yes : no;
}

/** The report lines of a configure run. */
export function reportLines(r: ConfigureResult, o: ConfigureOptions): string[] {
  const lines: string[] = [];
  if (r.databaseCreated) lines.push('created database pem');
  if (r.migrations) {
    lines.push(
      r.migrations.applied.length > 0
        ? `schema upgraded from version ${r.migrations.before} to ${r.migrations.after}`
        : `schema already at version ${r.migrations.after}`,
    );
  }
  if (o.useExistingSslutils && r.migrations) {
    lines.push(`built-in CA: ${state(r.caSignerChanged, 'enabled', 'already enabled')}`);
  }
  const a = r.agent;
  lines.push(
    `agent ${a.id} (${a.user}, ${o.agentRegisterParams.display_name ?? o.hostName}): ${state(a.changed, 'registered', 'already registered')}`,
  );
  if (a.revokedTemplate1)
    lines.push(`common agent user ${a.user}: member of pem_agent, CONNECT on template1 revoked`);
  const c = a.certificate;
  lines.push(
    `agent certificate (${c.source}, expires ${c.notAfter.toISOString().slice(0, 10)}): ${state(
      c.changed,
      c.source === 'built-in-ca' ? `issued, ${c.certFile}` : 'recorded',
      'already recorded',
    )}`,
  );
  if (r.server) {
    lines.push(
      `server ${r.server.id} (${r.server.displayName}): ${state(r.server.changed, 'registered', 'already registered')}`,
    );
  }
  if (r.webServiceRole) {
    lines.push(
      `web service role ${r.webServiceRole.name}: ${state(r.webServiceRole.changed, 'created or updated', 'unchanged')}`,
    );
  }
  return lines;
}

/** Registers `configure` on the program. */
export function registerConfigure(program: Command): void {
  addConfigureFlags(
    program
      .command('configure')
      .description(
        "configure the backend (-t 3), a web instance (-t 2) or both (-t 1), with configure-pem-server.sh's flags",
      ),
  ).action(async (flags: RawConfigureFlags) => {
    const ha = toHaAccess(flags);
    const o = await toOptions(flags, process.env);
    const wantsWeb = o.type !== 3;
    const webPassword = process.env.PHAROS_WEB_SERVICE_PASSWORD;
    if (wantsWeb && !webPassword) {
      throw pharosError('PHAROS_CONFIGURE_WEB_PASSWORD_MISSING');
    }
    const webCert = wantsWeb
      ? planWebCertificate({
          webConfig: flags.webConfig,
          webCert: flags.webCert,
          webKey: flags.webKey,
          skipWebCertificate: o.skipWebCertificate,
        })
      : undefined;
    const result = await configure(o, {
      agentConfigFile: flags.agentConfig,
      webServiceRole: wantsWeb ? { name: flags.webServiceUser, password: webPassword! } : undefined,
    });
    const lines = reportLines(result, o);
    let filesChanged = false;
    const agentFile = writeAgentConfig(flags.agentConfig, {
      agentId: result.agent.id,
      agentUser: result.agent.user,
      backend: result.agentBackend,
      sourceAddress: o.hostAddress,
      hostAddress: o.hostAddress,
      binding: result.server
        ? {
            host: result.server.binding.host,
            port: result.server.binding.port,
            user: o.asbUser,
            password: o.asbPassword,
          }
        : undefined,
      overrides: o.agentOverrides,
      patroniRestCaFile: ha.patroniRestCaFile,
    });
    filesChanged ||= agentFile.changed;
    lines.push(
      `agent configuration: ${agentFile.path} (${state(agentFile.changed, 'written', 'unchanged')})`,
    );
    if (webCert) {
      if (webCert.create) {
        await createSelfSignedWebCertificate(webCert, {
          hostName: o.hostName,
          hostAddress: o.hostAddress,
          subject: o.serverCertificateSubject,
        });
        lines.push(`web certificate: ${webCert.certFile} (self-signed, created)`);
        filesChanged = true;
      }
      const webFile = writeLocalWebConfig(flags.webConfig, o, {
        serviceUser: flags.webServiceUser,
        servicePassword: webPassword!,
        port: Number(flags.webPort),
        certFile: webCert.certFile,
        keyFile: webCert.keyFile,
        ha,
      });
      filesChanged ||= webFile.changed;
      lines.push(`web configuration: ${webFile.path} (${state(webFile.changed, 'written', 'unchanged')})`);
    }
    const loginProblem = await checkAgentLogin({
      agentId: result.agent.id,
      agentUser: result.agent.user,
      conninfo: { ...parseConninfo(result.agentBackend, {}), sourceAddress: o.hostAddress },
      deadlineMs: 15_000,
    }).catch((err: unknown) => messageOf(err));
    lines.push(
      loginProblem
        ? `warning: the agent cannot log in yet: ${loginProblem}`
        : `agent login as ${result.agent.user}: ok`,
    );
    lines.push(
      result.changed || filesChanged ? 'configure: done' : 'configure: nothing to change, already configured',
    );
    process.stdout.write(`${lines.join('\n')}\n`);
  });
}

/** Parses a configure command line written as in the reference (multi-letter short flags allowed). */
export function configureArgv(args: string[]): string[] {
  return expandConfigureFlags(args);
}
