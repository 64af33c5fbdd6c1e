/**
 * Host selection of an {@link HaConnection} (docs/ha-connection.md, "Host
 * order"): which host of a multi-host connection string gets the session.
 *
 * - {@link attempt}: one host — TLS per sslmode with libpq's allow/prefer
 *   fallbacks, bounded by connect_timeout, then the target check (from the
 *   server's startup report when it decides, as libpq; else one query).
 * - {@link selectHost}: the first selection races every host and decides in
 *   list order (libpq's result, ha/host-order.ts), passing over a host still
 *   silent after {@link HEDGE_MS}; later ones try the host used last first
 *   and, after {@link HEDGE_MS} of silence or a mismatch, race the others.
 *   With `awaitUntil`, a selection that finds no matching host (a failover in
 *   progress) keeps watching until one matches instead of failing at once.
 * - {@link HostRace}: one race over a set of hosts, its state in fields.
 */
import { isUnixSocketHost, type TargetSessionAttrs } from '../conninfo/types.js';
import { messageOf } from '../errors/index.js';
import { DeadlineError, hasSqlState, isFatalStartupError, isNetworkError, NoHostError } from './errors.js';
import { dialAllAtOnce, factsFromStartup, type HostAnswer, matches, orderedVerdict } from './host-order.js';
import {
  checkTarget,
  destroySession,
  type HostContext,
  nameOf,
  openSession,
  type Session,
} from './session.js';
import { failureOf } from './trace.js';

export { matches } from './host-order.js';

/** What one host gave: a session (matching or not), or an error and whether it ends libpq's walk. */
export type Outcome = HostAnswer<Session>;

/**
 * How long a host may stay silent before a selection stops waiting for it
 * (the first selection passes over it for a later matching host; later
 * selections dial the other hosts too), ms: well above a healthy server's
 * connection, TLS and authentication on a loaded machine (0.02–0.1 s in the
 * benchmark), well below any useful connect_timeout (2 s at least).
 */
export const HEDGE_MS = 500;

/** While a selection waits (for a slow host, or for a promotion), how often a host that did not match is asked again on its open session, ms. */
export const RECHECK_MS = 100;

/**
 * While a selection waits for a promotion, how often a host that failed is
 * dialled again, ms, counted from the start of its previous dial (so a host
 * refusing connections is dialled once a second, and one whose dial ran into
 * connect_timeout, which already took longer than this, at once).
 */
export const REDIAL_MS = 1000;

/**
 * How long to wait before dialling a host again whose last dial started at
 * `lastDialAt` (ms since the epoch), so that dials start at most once per
 * `periodMs`: the rest of the period, or 0 when it has passed (a dial that
 * ran into connect_timeout took longer than the period). Pure.
 */
export function redialDelayMs(lastDialAt: number | undefined, now: number, periodMs: number): number {
  return lastDialAt === undefined ? periodMs : Math.max(0, lastDialAt + periodMs - now);
}

/** `host:port` of host `i` of the list, for messages. */
export function describeHost(ctx: HostContext, i: number): string {
  const e = ctx.ci.hosts[i]!;
  return `${nameOf(e)}:${e.port}`;
}

/** One host: TLS per sslmode (with allow/prefer fallbacks), then the target check. Never rejects. */
export async function attempt(
  ctx: HostContext,
  index: number,
  deadlineAt: number,
  signal?: AbortSignal,
): Promise<Outcome> {
  const entry = ctx.ci.hosts[index]!;
  const ct = ctx.ci.connectTimeoutSeconds;
  const perHostMs = ct !== undefined && ct > 0 ? Math.max(ct, 2) * 1000 : Number.POSITIVE_INFINITY;
  const limitAt = Math.min(deadlineAt, Date.now() + perHostMs);
  const unix = entry.hostaddr === undefined && isUnixSocketHost(entry.host);
  const mode = ctx.ci.sslmode;
  const plan: boolean[] =
    unix || !ctx.tls
      ? [false]
      : mode === 'allow'
        ? [false, true]
        : mode === 'prefer'
          ? [true, false]
          : [true];
  let lastErr: unknown;
  const startedAt = Date.now();
  let connectMs: number | undefined;
  for (let k = 0; k < plan.length; k++) {
    const useTls = plan[k]!;
    try {
      const s = await openSession(ctx, index, entry, useTls, limitAt, signal);
      connectMs = Date.now() - startedAt;
      // libpq decides from the startup report when it can (PostgreSQL 14+
      // reports both facts), saving a round trip; else it asks the session.
      const reported = factsFromStartup(ctx.ci.targetSessionAttrs, s.startupReport);
      if (reported !== undefined) {
        s.inRecovery = reported.inRecovery;
        s.readOnly = reported.readOnly;
      } else if (ctx.ci.targetSessionAttrs !== 'any') {
        await checkTarget(s, limitAt);
      }
      ctx.trace?.({
        kind: 'attempt',
        atMs: startedAt,
        host: describeHost(ctx, index),
        ms: Date.now() - startedAt,
        connectMs,
        target: reported !== undefined ? 'startup' : ctx.ci.targetSessionAttrs === 'any' ? 'none' : 'query',
        inRecovery: s.inRecovery,
        readOnly: s.readOnly,
      });
      return { ok: s };
    } catch (err) {
      lastErr = err;
      if (signal?.aborted || Date.now() >= limitAt) break;
      if (k + 1 < plan.length) {
        const retry = mode === 'prefer' ? !isNetworkError(err) : hasSqlState(err);
        if (retry) continue;
      }
      break;
    }
  }
  ctx.trace?.({
    kind: 'attempt',
    atMs: startedAt,
    host: describeHost(ctx, index),
    ms: Date.now() - startedAt,
    ...(connectMs !== undefined ? { connectMs } : {}),
    ...failureOf(lastErr),
  });
  return { err: lastErr, fatal: isFatalStartupError(lastErr) };
}

/**
 * A host whose session from an earlier selection is still open (the watch,
 * {@link SelectOptions.reuse}): asks that session again (one round trip, no
 * new TCP, TLS or authentication) and, when the re-check fails (the session
 * is gone), dials the host afresh with {@link attempt}. The re-check is
 * bounded like an attempt (connect_timeout, at least 2 s, and `deadlineAt`).
 * Never rejects.
 */
export async function reuseOrAttempt(
  ctx: HostContext,
  session: Session,
  deadlineAt: number,
  signal?: AbortSignal,
): Promise<Outcome> {
  if (!session.dead) {
    const ct = ctx.ci.connectTimeoutSeconds;
    const perHostMs = ct !== undefined && ct > 0 ? Math.max(ct, 2) * 1000 : Number.POSITIVE_INFINITY;
    const at = Date.now();
    try {
      await checkTarget(session, Math.min(deadlineAt, at + perHostMs));
      ctx.trace?.({
        kind: 'recheck',
        atMs: at,
        host: describeHost(ctx, session.index),
        ms: Date.now() - at,
        inRecovery: session.inRecovery,
        readOnly: session.readOnly,
      });
      return { ok: session };
    } catch (err) {
      // checkTarget destroyed the session
      ctx.trace?.({
        kind: 'recheck',
        atMs: at,
        host: describeHost(ctx, session.index),
        ms: Date.now() - at,
        ...failureOf(err),
      });
      if (signal?.aborted || Date.now() >= deadlineAt) return { err, fatal: false };
    }
  }
  return attempt(ctx, session.index, deadlineAt, signal);
}

/** What a selection may reuse and keep between calls (ha/connection.ts's watch). */
export interface SelectOptions {
  /**
   * Open sessions, by host index, of hosts that answered and did not match
   * at the last failed selection: re-checked on the same session instead of
   * dialled again ({@link reuseOrAttempt}). When any is given, every host is
   * raced at once (no fast path: the host used last already failed).
   */
  reuse?: ReadonlyMap<number, Session>;
  /**
   * When the selection fails because every host answered and none matched,
   * receives the sessions that answered without matching (instead of their
   * being destroyed), to be passed as `reuse` to the next selection.
   */
  keep?: (sessions: Session[]) => void;
  /**
   * With `keep`: also when the selection succeeds, the other hosts' sessions
   * (answered, not chosen; attempts still under way are left to finish) go
   * to `keep` instead of being destroyed (HaConnection's `holdOtherHosts`).
   */
  keepLosers?: boolean;
  /**
   * Race every host at once, the host used last included, instead of trying
   * the host used last first, for target_session_attrs read-write and
   * primary: set when its session was just dropped (a failover-class error:
   * it is the host least likely to match now).
   */
  raceAll?: boolean;
}

/**
 * Chooses a host (docs/ha-connection.md, "Host order"). `lastIndex`: the host
 * selected last time, undefined before the first selection. `awaitUntil` (ms
 * since the epoch): when every host has answered and none matches, keep
 * watching them until then (see {@link HostRaceOptions.awaitUntil}).
 * @throws NoHostError naming each host's outcome, DeadlineError when
 *   `deadlineAt` passes first
 */
export async function selectHost(
  ctx: HostContext,
  lastIndex: number | undefined,
  deadlineAt: number,
  awaitUntil?: number,
  more: SelectOptions = {},
): Promise<Session> {
  const n = ctx.ci.hosts.length;
  const all = [...Array(n).keys()];
  const last = lastIndex;
  const { reuse, keep, keepLosers } = more;
  if (last === undefined) {
    return new HostRace(ctx, {
      indices: all,
      ordered: true,
      deadlineAt,
      awaitUntil,
      reuse,
      keep,
      keepLosers,
    }).run();
  }
  if (
    dialAllAtOnce(ctx.ci.targetSessionAttrs, reuse !== undefined && reuse.size > 0, more.raceAll === true)
  ) {
    return new HostRace(ctx, {
      indices: all,
      ordered: false,
      deadlineAt,
      awaitUntil,
      reuse,
      keep,
      keepLosers,
    }).run();
  }
  const others = all.filter((i) => i !== last);
  // Fast path: the host used last. A frozen or black-holed primary accepts
  // the TCP connection and never answers, so if it has not answered within
  // HEDGE_MS the others are dialled too and the first to match wins.
  const lastAbort = new AbortController();
  const pending = attempt(ctx, last, deadlineAt, lastAbort.signal);
  let hedgeTimer: NodeJS.Timeout | undefined;
  const early = await Promise.race([
    pending,
    new Promise<undefined>((r) => {
      hedgeTimer = setTimeout(() => r(undefined), HEDGE_MS);
    }),
  ]);
  clearTimeout(hedgeTimer);
  if (early === undefined && others.length > 0) {
    return new HostRace(ctx, {
      indices: [last, ...others],
      ordered: false,
      deadlineAt,
      awaitUntil,
      lastIndex: last,
      inFlight: { index: last, outcome: pending, abort: lastAbort },
      keep,
      keepLosers,
    }).run();
  }
  const first = early ?? (await pending);
  let fallback: Session | undefined;
  if ('ok' in first) {
    const m = matches(ctx.ci.targetSessionAttrs, first.ok, false);
    if (m) return first.ok;
    if (ctx.ci.targetSessionAttrs === 'prefer-standby') fallback = first.ok;
    else if (awaitUntil === undefined && keep === undefined) destroySession(first.ok);
    // else: kept open, asked again while the race waits for a promotion, or kept for the next selection
  }
  if (Date.now() >= deadlineAt) {
    if ('ok' in first) destroySession(first.ok);
    throw new DeadlineError('PHAROS_CONNECT_SELECT_DEADLINE', {
      detail: `last tried ${describeHost(ctx, last)}`,
    });
  }
  return new HostRace(ctx, {
    indices: others,
    ordered: false,
    deadlineAt,
    awaitUntil,
    lastIndex: last,
    fallback,
    prior: first,
    keep,
    keepLosers,
  }).run();
}

/** Options of {@link HostRace}. */
export interface HostRaceOptions {
  /** Hosts (indices into the host list) to dial, concurrently. */
  indices: number[];
  /**
   * Decide like libpq's sequential walk (ha/host-order.ts `orderedVerdict`):
   * the first matching host in list order, waiting for earlier hosts to fail
   * or, once HEDGE_MS has passed, for those that answered; a fatal error on
   * an earlier host ends the walk. Otherwise the first host to match wins.
   */
  ordered: boolean;
  /** When the race gives up (DeadlineError), ms since the epoch. */
  deadlineAt: number;
  /**
   * When every host has answered and none matches (a failover in progress:
   * the old primary is gone and no standby is promoted yet), wait until this
   * time (ms since the epoch) instead of failing at once: sessions that did
   * not match are asked again every RECHECK_MS on the same session (a
   * promotion keeps them open), hosts that failed are dialled again
   * REDIAL_MS after their previous dial started ({@link redialDelayMs}), and
   * the first host to match wins (for prefer-standby, the
   * first to answer at all). Then NoHostError as without it. Undefined: fail
   * at once, as libpq does.
   */
  awaitUntil?: number;
  /** The host selected last time (the one `prior` and `fallback` are about). */
  lastIndex?: number;
  /** A session of the host used last that did not match (prefer-standby keeps it as a last resort). */
  fallback?: Session;
  /** The fast path's outcome on the host used last, counted as that host's outcome. */
  prior?: Outcome;
  /** An attempt on one of `indices` already under way (the hedged fast path), awaited instead of dialling again. */
  inFlight?: { index: number; outcome: Promise<Outcome>; abort: AbortController };
  /** Open sessions of some of `indices`, re-checked instead of dialled ({@link SelectOptions.reuse}). */
  reuse?: ReadonlyMap<number, Session>;
  /** Receives the sessions that did not match when the race fails with no match ({@link SelectOptions.keep}). */
  keep?: (sessions: Session[]) => void;
  /** Also the losers of a won race, and sessions that answer after it settled ({@link SelectOptions.keepLosers}). */
  keepLosers?: boolean;
}

/**
 * One race over a set of hosts: dials them concurrently and settles with the
 * winning session, or with an error naming every host's outcome. Unordered,
 * a session that answered but did not match is asked again every RECHECK_MS
 * on the same session while other hosts are still pending (a standby promoted
 * meanwhile then wins at once, instead of after the slowest host's
 * connect_timeout); with `awaitUntil`, also once every host has answered
 * (options). Losing sessions are destroyed; pending attempts aborted.
 * Run it once.
 */
export class HostRace {
  /** Each host's outcome so far, by index. */
  private readonly outcomes = new Map<number, Outcome>();
  /** The abort of each host's attempt (first dial or redial), by index. */
  private readonly aborts = new Map<number, AbortController>();
  /** Hosts to be dialled again while awaiting a match: the redial scheduled or under way. */
  private readonly redialing = new Set<number>();
  /** When each host's latest dial (or re-check of a reused session) started, ms since the epoch. */
  private readonly dialedAt = new Map<number, number>();
  /** Timers: re-checks of sessions that did not match, redials, the hedge, the end of the wait. */
  private readonly timers = new Set<NodeJS.Timeout>();
  /** Sessions with a re-check scheduled or under way. */
  private readonly checking = new Set<Session>();
  /** Settled: later outcomes are destroyed, timers cleared. */
  private done = false;
  /** HEDGE_MS has passed since the hosts were dialled (ordered races pass over silent hosts). */
  private hedged = false;
  /** Every host answered, none matched, and the race waits until `awaitUntil`. */
  private awaiting = false;
  /** Settled with its losers kept: sessions answering later are kept too. */
  private keptLate = false;
  private readonly startedAt = Date.now();
  private resolve: (s: Session) => void = () => {};
  private reject: (err: unknown) => void = () => {};

  constructor(
    private readonly ctx: HostContext,
    private readonly opts: HostRaceOptions,
  ) {}

  /** Starts the race; resolves with the winning session. @throws NoHostError, DeadlineError */
  run(): Promise<Session> {
    return new Promise<Session>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
      const { indices, prior, lastIndex, deadlineAt, inFlight, ordered } = this.opts;
      if (prior && lastIndex !== undefined) this.outcomes.set(lastIndex, prior);
      this.later(Math.max(0, deadlineAt - Date.now()), () => {
        const e = this.failure();
        this.finish(
          undefined,
          new DeadlineError('PHAROS_CONNECT_SELECT_DEADLINE', { detail: e.message }, { cause: e }),
        );
      });
      if (ordered) {
        this.later(HEDGE_MS, () => {
          this.hedged = true;
          this.decide();
        });
      }
      for (const i of indices) {
        const own = inFlight?.index === i ? inFlight : undefined;
        const ac = own?.abort ?? new AbortController();
        this.aborts.set(i, ac);
        const reused = this.opts.reuse?.get(i);
        this.dialedAt.set(i, this.startedAt);
        (
          own?.outcome ??
          (reused !== undefined
            ? reuseOrAttempt(this.ctx, reused, deadlineAt, ac.signal)
            : attempt(this.ctx, i, deadlineAt, ac.signal))
        ).then((o) => this.onOutcome(i, o));
      }
      this.decide();
    });
  }

  private get tsa(): TargetSessionAttrs {
    return this.ctx.ci.targetSessionAttrs;
  }

  /** Runs `fn` after `ms` unless the race has settled by then. */
  private later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (!this.done) fn();
    }, ms);
    this.timers.add(t);
  }

  private onOutcome(i: number, o: Outcome): void {
    if (this.done) {
      if ('ok' in o) this.discard(o.ok);
      return;
    }
    this.outcomes.set(i, o);
    this.decide();
    if (!this.done && !this.opts.ordered && 'ok' in o && this.tsa !== 'prefer-standby') this.recheck(o.ok);
  }

  /**
   * Settles the race. `unmatched`: it failed because every host answered and
   * none matched; the sessions that answered go to `keep` (when given)
   * instead of being destroyed.
   */
  private finish(winner: Session | undefined, err?: unknown, unmatched = false): void {
    this.done = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    const { fallback, keep, keepLosers } = this.opts;
    const keepAll = keep !== undefined && (unmatched || (keepLosers === true && winner !== undefined));
    for (const [i, ac] of this.aborts) {
      const pending = !this.outcomes.has(i) || this.redialing.has(i);
      // a kept race lets first attempts finish (their sessions are kept when they come)
      if (pending && !(keepAll && keepLosers === true && !this.redialing.has(i))) ac.abort();
    }
    const kept: Session[] = [];
    for (const o of this.outcomes.values()) {
      if (!('ok' in o) || o.ok === winner) continue;
      if (keepAll && !o.ok.dead) kept.push(o.ok);
      else destroySession(o.ok);
    }
    this.keptLate = keepAll && keepLosers === true;
    if (fallback && fallback !== winner && !kept.includes(fallback)) destroySession(fallback);
    if (kept.length > 0) keep!(kept);
    if (winner) this.resolve(winner);
    else this.reject(err);
  }

  /**
   * The error naming each host's outcome. `fatalAt`: the ordered walk ended
   * on a client-side error at that host (libpq stops there): only the hosts
   * up to it are named, and the error is not retryable whatever later hosts
   * (dialled concurrently) answered.
   */
  private failure(fatalAt?: number): NoHostError {
    const { indices } = this.opts;
    const parts: string[] = [];
    let anyRetryable = false;
    const named =
      fatalAt === undefined ? [...this.outcomes.keys()] : indices.slice(0, indices.indexOf(fatalAt) + 1);
    for (const [i, o] of [...this.outcomes.entries()]
      .filter(([i]) => named.includes(i))
      .sort((a, b) => a[0] - b[0])) {
      if ('ok' in o) {
        parts.push(`${describeHost(this.ctx, i)}: does not match target_session_attrs=${this.tsa}`);
        anyRetryable = true;
      } else {
        parts.push(`${describeHost(this.ctx, i)}: ${messageOf(o.err)}`);
        if (!o.fatal) anyRetryable = true;
      }
    }
    if (this.awaiting) {
      parts.push(`waited ${Date.now() - this.startedAt} ms for a host to match`);
    }
    const errors = [...this.outcomes.entries()]
      .filter(([i, o]) => named.includes(i) && 'err' in o)
      .map(([, o]) => (o as { err: unknown }).err);
    return new NoHostError(
      parts.join('; '),
      fatalAt === undefined && anyRetryable,
      errors.length === 1 ? { cause: errors[0] } : undefined,
    );
  }

  private decide() {
    if (this.done || this.awaiting) return;
    const { indices, ordered, fallback, lastIndex } = this.opts;
    if (ordered) {
      const v = orderedVerdict(this.tsa, indices, this.outcomes, this.hedged);
      if ('wait' in v) return;
      if ('win' in v) return this.finish((this.outcomes.get(v.win) as { ok: Session }).ok);
      if ('fatal' in v) return this.finish(undefined, this.failure(v.fatal));
    } else {
      for (const o of this.outcomes.values())
        if ('ok' in o && matches(this.tsa, o.ok, false)) return this.finish(o.ok);
      if (indices.some((i) => !this.outcomes.has(i))) return;
      // Everything answered and nothing matched strictly: prefer-standby's second pass.
      if (this.tsa === 'prefer-standby') {
        const order = fallback && lastIndex !== undefined ? [lastIndex, ...indices] : indices;
        for (const i of order) {
          const o = this.outcomes.get(i);
          if (o && 'ok' in o) return this.finish(o.ok);
        }
        if (fallback) return this.finish(fallback);
      }
    }
    if (this.opts.awaitUntil !== undefined && Date.now() < this.opts.awaitUntil) return this.startAwaiting();
    return this.finish(undefined, this.failure(), true);
  }

  /** Every host answered and none matched: watch them until `awaitUntil` (options). */
  private startAwaiting(): void {
    this.awaiting = true;
    this.later(Math.max(0, this.opts.awaitUntil! - Date.now()), () =>
      this.finish(undefined, this.failure(), true),
    );
    for (const [i, o] of this.outcomes) {
      if ('ok' in o && !o.ok.dead) this.recheck(o.ok);
      else this.redial(i, REDIAL_MS);
    }
  }

  /** A session that answered after the race settled: kept (keepLosers) or destroyed. */
  private discard(s: Session): void {
    if (this.keptLate && !s.dead) this.opts.keep!([s]);
    else destroySession(s);
  }

  /** Whether `s` wins now: a strict match, or (awaiting, prefer-standby) any session. */
  private wins(s: Session): boolean {
    return matches(this.tsa, s, this.awaiting);
  }

  /**
   * Dials host `i` again (awaiting a match) `ms` after the start of its last
   * dial ({@link redialDelayMs}; 0: at once); its last outcome stands until
   * the new one.
   */
  private redial(i: number, ms: number): void {
    if (this.redialing.has(i)) return;
    this.redialing.add(i);
    this.later(ms === 0 ? 0 : redialDelayMs(this.dialedAt.get(i), Date.now(), ms), () => {
      this.dialedAt.set(i, Date.now());
      const ac = new AbortController();
      this.aborts.set(i, ac);
      attempt(this.ctx, i, this.opts.deadlineAt, ac.signal).then((o) => {
        this.redialing.delete(i);
        if (this.done) {
          if ('ok' in o) destroySession(o.ok);
          return;
        }
        const before = this.outcomes.get(i);
        if (before && 'ok' in before && before.ok !== ('ok' in o ? o.ok : undefined))
          destroySession(before.ok);
        this.outcomes.set(i, o);
        if ('ok' in o) {
          if (this.wins(o.ok)) return this.finish(o.ok);
          this.recheck(o.ok);
        } else {
          this.redial(i, REDIAL_MS);
        }
      });
    });
  }

  /** Whether `s` is still its host's current outcome (not replaced by a redial). */
  private isOutcome(s: Session): boolean {
    const o = this.outcomes.get(s.index);
    return o !== undefined && 'ok' in o && o.ok === s;
  }

  private recheck(session: Session): void {
    if (this.checking.has(session)) return;
    this.checking.add(session);
    this.later(RECHECK_MS, async () => {
      if (session.dead) {
        this.checking.delete(session);
        if (this.awaiting && this.isOutcome(session)) this.redial(session.index, 0);
        return;
      }
      const at = Date.now();
      try {
        await checkTarget(session, Math.min(this.opts.deadlineAt, Date.now() + 2000));
        this.ctx.trace?.({
          kind: 'recheck',
          atMs: at,
          host: describeHost(this.ctx, session.index),
          ms: Date.now() - at,
          inRecovery: session.inRecovery,
          readOnly: session.readOnly,
        });
      } catch (err) {
        this.ctx.trace?.({
          kind: 'recheck',
          atMs: at,
          host: describeHost(this.ctx, session.index),
          ms: Date.now() - at,
          ...failureOf(err),
        });
        this.checking.delete(session);
        // checkTarget destroyed the session. Not awaiting: its first answer stays the outcome.
        if (this.awaiting && !this.done && this.isOutcome(session)) {
          this.outcomes.set(session.index, { err, fatal: false });
          this.redial(session.index, 0);
        }
        return;
      }
      this.checking.delete(session);
      if (this.done) return;
      if (this.wins(session)) this.finish(session);
      else this.recheck(session);
    });
  }
}
