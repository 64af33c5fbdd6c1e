/**
 * Host selection of an {@link HaConnection} (docs/ha-connection.md, "Host
 * order"): which host of a multi-host connection string gets the session.
 *
 * - {@link attempt}: one host — TLS per sslmode with libpq's allow/prefer
 *   fallbacks, bounded by connect_timeout, then the target check.
 * - {@link selectHost}: the first selection races every host in list order
 *   (libpq's result, without its sequential timeouts); later ones try the host
 *   used last first and, after {@link HEDGE_MS} of silence or a mismatch, race
 *   the others.
 * - {@link HostRace}: one race over a set of hosts, its state in fields.
 */
import { isUnixSocketHost, type TargetSessionAttrs } from '../conninfo/types.js';
import { messageOf } from '../errors/index.js';
import { DeadlineError, hasSqlState, isFatalStartupError, isNetworkError, NoHostError } from './errors.js';
import {
  checkTarget,
  destroySession,
  type HostContext,
  nameOf,
  openSession,
  type Session,
} from './session.js';

/** What one host gave: a session (matching or not), or an error and whether it ends libpq's walk. */
export type Outcome = { ok: Session } | { err: unknown; fatal: boolean };

/**
 * How long the host used last may stay silent before the other hosts are
 * dialled too, ms: well above a healthy server's connection and TLS set-up
 * on a loaded machine, well below any useful connect_timeout.
 */
export const HEDGE_MS = 500;

/** While a selection waits for a slow host, how often a host that did not match is asked again, ms. */
export const RECHECK_MS = 250;

/** `host:port` of host `i` of the list, for messages. */
export function describeHost(ctx: HostContext, i: number): string {
  const e = ctx.ci.hosts[i]!;
  return `${nameOf(e)}:${e.port}`;
}

/** Strict match (pass 1), or the prefer-standby second pass. */
export function matches(tsa: TargetSessionAttrs, s: Session, secondPass: boolean): boolean {
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
  for (let k = 0; k < plan.length; k++) {
    const useTls = plan[k]!;
    try {
      const s = await openSession(ctx, index, entry, useTls, limitAt, signal);
      if (ctx.ci.targetSessionAttrs !== 'any') {
        await checkTarget(s, limitAt);
      }
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
  return { err: lastErr, fatal: isFatalStartupError(lastErr) };
}

/**
 * Chooses a host (docs/ha-connection.md, "Host order"). `lastIndex`: the host
 * selected last time, undefined before the first selection.
 * @throws NoHostError naming each host's outcome, DeadlineError when
 *   `deadlineAt` passes first
 */
export async function selectHost(
  ctx: HostContext,
  lastIndex: number | undefined,
  deadlineAt: number,
): Promise<Session> {
  const n = ctx.ci.hosts.length;
  const all = [...Array(n).keys()];
  const last = lastIndex;
  if (last === undefined) return new HostRace(ctx, { indices: all, ordered: true, deadlineAt }).run();
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
      lastIndex: last,
      inFlight: { index: last, outcome: pending, abort: lastAbort },
    }).run();
  }
  const first = early ?? (await pending);
  let fallback: Session | undefined;
  if ('ok' in first) {
    const m = matches(ctx.ci.targetSessionAttrs, first.ok, false);
    if (m) return first.ok;
    if (ctx.ci.targetSessionAttrs === 'prefer-standby') fallback = first.ok;
    else destroySession(first.ok);
  }
  if (Date.now() >= deadlineAt) {
    if (fallback) destroySession(fallback);
    throw new DeadlineError('PHAROS_CONNECT_SELECT_DEADLINE', {
      detail: `last tried ${describeHost(ctx, last)}`,
    });
  }
  return new HostRace(ctx, {
    indices: others,
    ordered: false,
    deadlineAt,
    lastIndex: last,
    fallback,
    prior: first,
  }).run();
}

/** Options of {@link HostRace}. */
export interface HostRaceOptions {
  /** Hosts (indices into the host list) to dial, concurrently. */
  indices: number[];
  /**
   * Decide like libpq's sequential walk: the first matching host in list
   * order, waiting for earlier hosts to fail; a fatal error on an earlier host
   * ends the walk. Otherwise the first host to match wins.
   */
  ordered: boolean;
  /** When the race gives up (DeadlineError), ms since the epoch. */
  deadlineAt: number;
  /** The host selected last time (the one `prior` and `fallback` are about). */
  lastIndex?: number;
  /** A session of the host used last that did not match (prefer-standby keeps it as a last resort). */
  fallback?: Session;
  /** The fast path's outcome on the host used last, counted as that host's outcome. */
  prior?: Outcome;
  /** An attempt on one of `indices` already under way (the hedged fast path), awaited instead of dialling again. */
  inFlight?: { index: number; outcome: Promise<Outcome>; abort: AbortController };
}

/**
 * One race over a set of hosts: dials them concurrently and settles with the
 * winning session, or with an error naming every host's outcome. Unordered,
 * a session that answered but did not match is asked again every RECHECK_MS
 * on the same session while other hosts are still pending (a standby promoted
 * meanwhile then wins at once, instead of after the slowest host's
 * connect_timeout). Losing sessions are destroyed; pending attempts aborted.
 * Run it once.
 */
export class HostRace {
  /** Each host's outcome so far, by index. */
  private readonly outcomes = new Map<number, Outcome>();
  /** The abort of each host's attempt, by index. */
  private readonly aborts = new Map<number, AbortController>();
  /** Timers of the pending re-checks of sessions that did not match. */
  private readonly rechecks = new Set<NodeJS.Timeout>();
  /** Settled: later outcomes are destroyed, timers cleared. */
  private done = false;
  private deadlineTimer: NodeJS.Timeout | undefined;
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
      const { indices, prior, lastIndex, deadlineAt, inFlight } = this.opts;
      if (prior && lastIndex !== undefined) this.outcomes.set(lastIndex, prior);
      this.deadlineTimer = setTimeout(
        () => {
          if (this.done) return;
          const e = this.failure();
          this.finish(
            undefined,
            new DeadlineError('PHAROS_CONNECT_SELECT_DEADLINE', { detail: e.message }, { cause: e }),
          );
        },
        Math.max(0, deadlineAt - Date.now()),
      );
      for (const i of indices) {
        const own = inFlight?.index === i ? inFlight : undefined;
        const ac = own?.abort ?? new AbortController();
        this.aborts.set(i, ac);
        (own?.outcome ?? attempt(this.ctx, i, deadlineAt, ac.signal)).then((o) => this.onOutcome(i, o));
      }
      if (indices.length === 0) this.decide();
    });
  }

  private get tsa(): TargetSessionAttrs {
    return this.ctx.ci.targetSessionAttrs;
  }

  private onOutcome(i: number, o: Outcome): void {
    if (this.done) {
      if ('ok' in o) destroySession(o.ok);
      return;
    }
    this.outcomes.set(i, o);
    this.decide();
    if (!this.done && !this.opts.ordered && 'ok' in o && this.tsa !== 'prefer-standby') this.recheck(o.ok);
  }

  private finish(winner: Session | undefined, err?: unknown): void {
    this.done = true;
    clearTimeout(this.deadlineTimer);
    for (const t of this.rechecks) clearTimeout(t);
    for (const [i, ac] of this.aborts) if (!this.outcomes.has(i)) ac.abort();
    for (const o of this.outcomes.values()) if ('ok' in o && o.ok !== winner) destroySession(o.ok);
    const { fallback } = this.opts;
    if (fallback && fallback !== winner) destroySession(fallback);
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
    if (this.done) return;
    const { indices, ordered, fallback, lastIndex } = this.opts;
    if (ordered) {
      for (const i of indices) {
        const o = this.outcomes.get(i);
        if (!o) return; // wait for the earlier host
        if ('ok' in o) {
          if (matches(this.tsa, o.ok, false)) return this.finish(o.ok);
        } else if (o.fatal) {
          return this.finish(undefined, this.failure(i));
        }
      }
    } else {
      for (const o of this.outcomes.values())
        if ('ok' in o && matches(this.tsa, o.ok, false)) return this.finish(o.ok);
      if (indices.some((i) => !this.outcomes.has(i))) return;
    }
    // Everything answered and nothing matched strictly: prefer-standby's second pass.
    if (this.tsa === 'prefer-standby') {
      const order = fallback && lastIndex !== undefined ? [lastIndex, ...indices] : indices;
      for (const i of order) {
        const o = this.outcomes.get(i);
        if (o && 'ok' in o) return this.finish(o.ok);
      }
      if (fallback) return this.finish(fallback);
    }
    return this.finish(undefined, this.failure());
  }

  private recheck(session: Session): void {
    const t = setTimeout(async () => {
      this.rechecks.delete(t);
      if (this.done || session.dead) return;
      try {
        await checkTarget(session, Math.min(this.opts.deadlineAt, Date.now() + 2000));
      } catch {
        return; // checkTarget destroyed the session; its first answer stays the outcome
      }
      if (this.done) return;
      if (matches(this.tsa, session, false)) this.finish(session);
      else this.recheck(session);
    }, RECHECK_MS);
    this.rechecks.add(t);
  }
}
