/**
 * The multi-host strings in every agent's and web instance's configuration
 * file (config-files.ts): `backend` of agent.yml; `backend` and
 * `login_backend` of web.yml. A file that cannot be read here is a warning
 * naming why (it lives on its host).
 */
import { agentHosts } from '../topology/hosts.js';
import type { TopologyHost } from '../topology/types.js';
import type { ConfigFileKind } from './config-files.js';
import type { CheckContext } from './context.js';
import { evaluateMultiHost } from './multi-host.js';
import { type CheckResult, result } from './result.js';

function fromFile(
  ctx: CheckContext,
  host: TopologyHost,
  kind: ConfigFileKind,
  fields: [string, string][],
): CheckResult[] {
  const cfg = ctx.configs.read(host, kind);
  if (!cfg.ok) {
    return fields.map(([label]) =>
      result(
        'conninfo',
        `conninfo.${label.replaceAll(' ', '.')}`,
        host.name,
        'warning',
        `not checked: ${cfg.reason}`,
        `give --config-dir DIR with ${host.name}/${kind}, or run the check on ${host.name}`,
      ),
    );
  }
  return fields.map(([label, field]) =>
    evaluateMultiHost(ctx.topo, host, label, `${cfg.path} ${field}`, cfg.doc[field]),
  );
}

/** `conninfo.agent.backend` per agent host, `conninfo.web.backend` and `conninfo.web.login_backend` per web host. */
export async function checkConninfo(ctx: CheckContext): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  for (const h of agentHosts(ctx.topo)) {
    out.push(...fromFile(ctx, h, 'agent.yml', [['agent backend', 'backend']]));
    if (h.role === 'webapp') {
      out.push(
        ...fromFile(ctx, h, 'web.yml', [
          ['web backend', 'backend'],
          ['web login_backend', 'login_backend'],
        ]),
      );
    }
  }
  return out;
}
