// @ts-check
// Why a chart or a list has no data for a server, in words that do not read
// like a fault when nothing is wrong (review C7): a primary without
// standbys has no replication lag; a probe that runs every 5 minutes has
// nothing in the agent's first minutes; a probe that does not exist on the
// server's major, runs on the other role, needs an extension or is disabled
// says so. Only what is left is "see the probe log". No DOM here:
// unit-tested under Node.
import { PROBE_META } from '../contract/probe-columns.js';
import { duration } from './format.js';

/**
 * What the words are decided from: the server's role and version
 * (server_info), its probes' settings and how long its agent has run
 * (GET /api/servers/:id: status, settings).
 * @typedef {{
 *   role: string | null,
 *   versionNum: number | null,
 *   settings: readonly { probe: string, intervalS: number, enabled: boolean }[],
 *   agentUptimeS: number | null,
 *   subject?: string,
 * }} NoDataContext `subject`: what the data is of ("this server", the default; "this host")
 */

/**
 * How long after one probe interval from the agent's start the first values of a probe may
 * still be on their way, seconds: the monitor's first tick (within one `probe_interval_s`,
 * 10 s by default) and the shipping of the batch (within `short_wait_s`, 10 s by default).
 * Past that, a probe that has nothing is empty by design or failing, and the words say which
 * (a 10 s probe of an agent that has run 40 s is not "not collected yet": review C7).
 */
export const FIRST_VALUES_SLACK_S = 20;

/**
 * What lets a probe produce nothing when all is well, and how to enable an extension.
 * @type {Record<string, (ctx: NoDataContext) => string | undefined>}
 */
const EMPTY_BY_DESIGN = {
  replication_lag: (ctx) =>
    ctx.role === 'standby'
      ? 'No WAL receiver runs on this standby, and no standby streams from it.'
      : 'No standby streams from this server and it is no standby itself: there is no replication lag to show.',
  replication_slots: () => 'This server has no replication slot.',
  vacuum_progress: () => 'No VACUUM is running.',
};

/**
 * How to make an extension's data appear (PostgreSQL docs, "pg_stat_statements": it must be in
 * shared_preload_libraries, which needs a restart, and created in the maintenance database).
 * @type {Record<string, string>}
 */
export const ENABLE_EXTENSION = {
  pg_stat_statements:
    "add pg_stat_statements to shared_preload_libraries (postgresql.conf; needs a restart), then run CREATE EXTENSION pg_stat_statements in the server's maintenance database",
};

/**
 * The sentence a chart or list of `probe` shows when the probe has no data for the server.
 * @param {string} probe
 * @param {NoDataContext} ctx
 * @returns {{ text: string, probeLog: boolean }} `probeLog`: the probe log may say more (link to it)
 */
export function whyNoData(probe, ctx) {
  const meta =
    /** @type {Record<string, { runsOn: string, minMajor: number | null, extension: string | null }>} */ (
      PROBE_META
    )[probe];
  const setting = ctx.settings.find((s) => s.probe === probe);
  const major = ctx.versionNum ? Math.floor(ctx.versionNum / 10000) : undefined;
  const subject = ctx.subject ?? 'this server';
  if (setting && !setting.enabled)
    return { text: `The ${probe} probe is disabled for ${subject}.`, probeLog: false };
  if (meta?.minMajor && major !== undefined && major < meta.minMajor)
    return {
      text: `Not available on PostgreSQL ${major}: the ${probe} probe needs PostgreSQL ${meta.minMajor} or later.`,
      probeLog: false,
    };
  if (meta?.runsOn === 'standby' && ctx.role === 'primary')
    return { text: `Collected on standbys only; this server is a primary.`, probeLog: false };
  if (meta?.runsOn === 'primary' && ctx.role === 'standby')
    return { text: `Collected on primaries only; this server is a standby.`, probeLog: false };
  const interval = setting?.intervalS;
  if (
    interval !== undefined &&
    ctx.agentUptimeS !== null &&
    ctx.agentUptimeS < interval + FIRST_VALUES_SLACK_S
  )
    return {
      text: `Not collected yet: the ${probe} probe runs every ${duration(interval, { exact: true })}; its first values arrive within ${duration(interval, { exact: true })} of the agent's start (${duration(ctx.agentUptimeS)} ago).`,
      probeLog: false,
    };
  const byDesign = EMPTY_BY_DESIGN[probe]?.(ctx);
  if (byDesign) return { text: byDesign, probeLog: false };
  if (meta?.extension)
    return {
      text: `No data from the ${meta.extension} extension: it is not installed in the maintenance database, or the monitoring role may not read it. To enable it, ${ENABLE_EXTENSION[meta.extension] ?? `create the ${meta.extension} extension`}.`,
      probeLog: true,
    };
  return { text: `No data from the ${probe} probe for ${subject}.`, probeLog: true };
}
