// @ts-check
// A server's state in one word and a tone, the same on the overview and on
// the server's own page: inactive, no data, agent down, stale, down, up.
// No DOM here: unit-tested under Node.

/** Server data older than this many heartbeat intervals (at least 60 s) counts as stale. */
export const STALE_INTERVALS = 3;

/**
 * What the state is decided from.
 * @typedef {{
 *   active: boolean,
 *   up: { ageS: number, value: { up?: number | null, error?: string | null } } | undefined,
 *   agentAlive: boolean | undefined,
 *   heartbeatIntervalS: number,
 * }} StateInputs
 */

/**
 * [word, tone, why]: `why` is the error of a down server, or what makes the
 * state (the age of the data, the silent agent).
 * @param {StateInputs} s
 * @returns {[string, import('../components/badges.js').Tone, string]}
 */
export function serverState(s) {
  if (!s.active) return ['inactive', 'off', 'the server is not monitored (inactive)'];
  if (s.up === undefined) return ['no data', 'warn', 'no reachability sample (server_up) yet'];
  const staleS = Math.max(60, STALE_INTERVALS * s.heartbeatIntervalS);
  if (s.agentAlive === false) return ['agent down', 'warn', 'its agent has stopped sending heartbeats'];
  if (s.up.ageS > staleS)
    return ['stale', 'warn', `the newest reachability sample is ${Math.round(s.up.ageS)} s old`];
  const up = s.up.value.up;
  if (up === undefined || up === null) return ['unknown', 'warn', ''];
  return up !== 0 ? ['up', 'ok', ''] : ['down', 'bad', s.up.value.error ?? ''];
}
