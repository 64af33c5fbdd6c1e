/**
 * The checks of every backend's PostgreSQL server, concurrently: one
 * session per server (the check's credentials, `target_session_attrs=any`)
 * for `SHOW ssl` and `pg_hba_file_rules`, and the server certificate read
 * through the SSLRequest handshake (tls-probe.ts), judged against the CA
 * and every backend address (one certificate serves all backends, so a
 * multi-host string with verify-full works whichever host it reaches).
 */
import type { TopologyHost } from '../topology/types.js';
import { evaluateCertificate } from './certificate.js';
import type { CheckContext } from './context.js';
import type { HbaFileRuleRow } from './hba-rule.js';
import { evaluateHbaRows, evaluateSsl } from './postgresql-evaluate.js';
import { type CheckResult, reasonOf, result } from './result.js';
import { withSession } from './sql.js';
import { postgresCertificate } from './tls-probe.js';

/** The HBA rules in force (PostgreSQL 13-17 columns). Needs a superuser (or a grant on the view). */
export const HBA_RULES_SQL =
  'SELECT line_number, type, database, user_name, address, netmask, auth_method, options, error FROM pg_hba_file_rules';

async function settingsOf(ctx: CheckContext, b: TopologyHost): Promise<CheckResult[]> {
  try {
    return await withSession(ctx, [b.address], 'postgres', 'any', async (query) => {
      const ssl = await query<{ ssl: string }>('SHOW ssl');
      const rows = await query<HbaFileRuleRow>(HBA_RULES_SQL);
      return [evaluateSsl(b.name, ssl[0]?.ssl ?? '?'), evaluateHbaRows(ctx.topo, b.name, rows)];
    });
  } catch (err) {
    const why = `cannot run: ${reasonOf(err)} (as ${ctx.sql.origin})`;
    const action = `check that PostgreSQL runs on ${b.name} and admits the check's user from this machine`;
    return [
      result('postgresql', 'postgresql.ssl', b.name, 'failed', why, action),
      result('postgresql', 'postgresql.hba', b.name, 'failed', why, action),
    ];
  }
}

async function certificateOf(ctx: CheckContext, b: TopologyHost): Promise<CheckResult> {
  try {
    const presented = await postgresCertificate(b.address, ctx.topo.postgres.port, ctx.timeoutMs);
    if (!presented.tls) {
      return result(
        'postgresql',
        'postgresql.certificate',
        b.name,
        'failed',
        'the server refused SSL (ssl = off)',
        'turn SSL on (see postgresql.ssl)',
      );
    }
    const v = evaluateCertificate(presented.certificate, {
      ca: ctx.ca,
      names: ctx.topo.backends.map((x) => x.address),
      warningDays: ctx.expiryWarningDays,
      now: ctx.now(),
    });
    return result('postgresql', 'postgresql.certificate', b.name, v.status, v.measured, v.action);
  } catch (err) {
    return result(
      'postgresql',
      'postgresql.certificate',
      b.name,
      'failed',
      `cannot read: ${reasonOf(err)}`,
      `check that PostgreSQL runs on ${b.name}`,
    );
  }
}

/** `postgresql.ssl`, `postgresql.hba` and `postgresql.certificate` for every backend. */
export async function checkPostgresql(ctx: CheckContext): Promise<CheckResult[]> {
  const perBackend = await Promise.all(
    ctx.topo.backends.map(async (b) => {
      const [settings, cert] = await Promise.all([settingsOf(ctx, b), certificateOf(ctx, b)]);
      return [...settings, cert];
    }),
  );
  return perBackend.flat();
}
