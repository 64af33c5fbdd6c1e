/**
 * The ordering rules of a first selection (docs/ha-connection.md, "Host
 * order"), as pure functions over what each host has answered so far, so
 * they can be tested without servers (host-order.test.ts). `HostRace`
 * (ha/host-race.ts) dials every host at once and asks {@link orderedVerdict}
 * after each answer and once when the hedge delay has passed.
 *
 * Sources: PostgreSQL 15 documentation §34.1.1.3 "Specifying Multiple Hosts"
 * (hosts "are tried in the given order"; "If a connection is established
 * successfully, but authentication fails, the remaining hosts in the list are
 * not tried"), §34.1.2 `target_session_attrs` and `connect_timeout` ("applies
 * separately to each host name or IP address"); libpq `fe-connect.c`
 * `PQconnectPoll` (CONNECTION_CHECK_TARGET; prefer-standby's second pass,
 * SERVER_TYPE_PREFER_STANDBY_PASS2, walks the list again accepting any host).
 */
import type { TargetSessionAttrs } from '../conninfo/types.js';

/** What a target check learnt about a session (ha/session.ts `checkTarget`). */
export interface TargetFacts {
  /** pg_is_in_recovery(). */
  inRecovery?: boolean;
  /** transaction_read_only = on. */
  readOnly?: boolean;
}

/** What one host gave: a session (matching or not), or an error and whether it ends libpq's walk. */
export type HostAnswer<S extends TargetFacts = TargetFacts> = { ok: S } | { err: unknown; fatal: boolean };

/** Strict match (pass 1), or the prefer-standby second pass (any session). */
export function matches(tsa: TargetSessionAttrs, s: TargetFacts, secondPass: boolean): boolean {
  switch (tsa) {
    case 'any':
      return true;
    case 'read-write':
      return s.readOnly === false;
    case 'read-only':
      return s.readOnly === true;
    case 'primary':
      return s.inRecovery === false;
    case 'standby':
      return s.inRecovery === true;
    case 'prefer-standby':
      return secondPass || s.inRecovery === true;
  }
}

/**
 * What a server reported about itself at startup in ParameterStatus
 * messages (PostgreSQL 14+ reports both; older servers neither): the
 * `in_hot_standby` and `default_transaction_read_only` parameters, as
 * booleans; absent when not reported. Source: PostgreSQL 15 documentation
 * §55.2.7 "Asynchronous Operations" (the parameters ParameterStatus
 * reports) and §34.1.2 `target_session_attrs`.
 */
export interface StartupReport {
  inHotStandby?: boolean;
  defaultReadOnly?: boolean;
}

/**
 * The target facts libpq takes from the startup report instead of asking
 * the server (libpq `fe-connect.c` `PQconnectPoll`, CONNECTION_CHECK_TARGET):
 * for `read-write`/`read-only`, when both `default_transaction_read_only`
 * and `in_hot_standby` were reported, the session is read-only when either
 * is on (else libpq runs `SHOW transaction_read_only`); for `primary`,
 * `standby` and `prefer-standby`, when `in_hot_standby` was reported, it is
 * the recovery state (else `SELECT pg_catalog.pg_is_in_recovery()`).
 * Undefined: the report does not decide, ask the session (ha/session.ts
 * `checkTarget`). `any` needs no facts (undefined). Pure.
 */
export function factsFromStartup(tsa: TargetSessionAttrs, r: StartupReport): TargetFacts | undefined {
  const both = r.inHotStandby !== undefined && r.defaultReadOnly !== undefined;
  const facts: TargetFacts = {};
  if (r.inHotStandby !== undefined) facts.inRecovery = r.inHotStandby;
  if (both) facts.readOnly = r.defaultReadOnly === true || r.inHotStandby === true;
  switch (tsa) {
    case 'any':
      return undefined;
    case 'read-write':
    case 'read-only':
      return both ? facts : undefined;
    case 'primary':
    case 'standby':
    case 'prefer-standby':
      return r.inHotStandby !== undefined ? facts : undefined;
  }
}

/**
 * The decision of a first selection at one moment:
 * - `win`: the host (index) whose session is used;
 * - `fatal`: the walk ends on a client-side error at that host (libpq stops there);
 * - `none`: every host answered and none matches (NoHostError);
 * - `wait`: not decidable yet.
 */
export type Verdict = { win: number } | { fatal: number } | { none: true } | { wait: true };

/**
 * The first selection's rule: libpq's sequential walk, except that a host
 * still silent when `hedged` (the hedge delay has passed since every host
 * was dialled) is passed over for a later host that matches, as libpq would
 * after that host's connect_timeout. Precisely, walking `indices` in list order:
 *
 * - a host that has not answered: before the hedge, wait for it; after it,
 *   go on to the next host (it stays a candidate: if nothing later matches,
 *   the walk waits for it);
 * - a session that matches `tsa` strictly wins — for prefer-standby, a standby;
 * - a fatal error (authentication, TLS verification...) ends the walk with
 *   that error, but only when no earlier host was passed over while silent
 *   (libpq would have reached this host only after that one failed, and it
 *   may still answer and match);
 * - anything else (an error that is not fatal, a session that does not match)
 *   goes on to the next host.
 *
 * When the walk ends without a winner it waits while any host is silent
 * (hedged or not); then prefer-standby takes the first host in list order that
 * gave a session (libpq's second pass), and every other value has `none`.
 */
export function orderedVerdict(
  tsa: TargetSessionAttrs,
  indices: readonly number[],
  answers: ReadonlyMap<number, HostAnswer>,
  hedged: boolean,
): Verdict {
  let passedOver = false;
  for (const i of indices) {
    const a = answers.get(i);
    if (!a) {
      if (!hedged) return { wait: true };
      passedOver = true;
      continue;
    }
    if ('ok' in a) {
      if (matches(tsa, a.ok, false)) return { win: i };
    } else if (a.fatal) {
      return passedOver ? { wait: true } : { fatal: i };
    }
  }
  if (indices.some((i) => !answers.has(i))) return { wait: true };
  if (tsa === 'prefer-standby') {
    for (const i of indices) {
      const a = answers.get(i);
      if (a && 'ok' in a) return { win: i };
    }
  }
  return { none: true };
}

/**
 * Whether a later selection dials every host at once instead of trying the
 * host used last first (docs/ha-connection.md, "Later selections"):
 * when open sessions from an earlier selection are re-checked (`reusing`:
 * the host used last already failed), or after the last session was dropped
 * (`dropped`) for `read-write` and `primary`, which at most one host matches
 * (one primary), so no list preference is lost. Other values keep trying the
 * host used last first: it is their preference while it still answers.
 */
export function dialAllAtOnce(tsa: TargetSessionAttrs, reusing: boolean, dropped: boolean): boolean {
  return reusing || (dropped && (tsa === 'read-write' || tsa === 'primary'));
}
