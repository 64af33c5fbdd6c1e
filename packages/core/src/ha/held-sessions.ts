/**
 * The sessions an {@link HaConnection} (ha/connection.ts) keeps open on hosts
 * other than the one it uses, for its next selection to re-check instead of
 * dialling (docs/ha-connection.md, "Sessions kept for the next selection"):
 *
 * - always: the sessions of a selection that found no matching host (a
 *   failover in progress), for {@link WATCH_MS};
 * - with `holdOtherHosts`: every other host's session, all along. A host
 *   without one (it failed when last dialled: e.g. the old primary while it
 *   restarts as a standby) is dialled again in the background every
 *   {@link HOLD_REDIAL_MS}, and a held session that the server ends is
 *   replaced the same way, so that at the next failover every standby is
 *   asked on a session opened beforehand.
 *
 * Held sockets do not keep the process alive (unref); {@link release} ends
 * them all.
 */
import { attempt } from './host-race.js';
import { destroySession, type HostContext, type Session } from './session.js';

/** How long the sessions of a selection that found no match stay open (without holdOtherHosts), ms. */
export const WATCH_MS = 10_000;

/** With holdOtherHosts, how soon a host without a held session is dialled again, ms. */
export const HOLD_REDIAL_MS = 2_000;

/** Bound of one background dial when the string sets no connect_timeout, ms. */
const HOLD_DIAL_LIMIT_MS = 30_000;

/** The held sessions of one connection (module note). */
export class HeldSessions {
  private readonly held = new Map<number, Session>();
  private readonly watched = new WeakSet<Session>();
  private readonly dialling = new Map<number, AbortController>();
  private expiry: NodeJS.Timeout | undefined;
  private redialTimer: NodeJS.Timeout | undefined;
  private released = false;

  /**
   * @param ctx the connection's host context (the string, TLS, trace)
   * @param holdAll `holdOtherHosts`: hold every other host, all along
   * @param current the host index of the session in use, if any
   */
  constructor(
    private readonly ctx: HostContext,
    private readonly holdAll: boolean,
    private readonly current: () => number | undefined,
  ) {}

  /** Takes the live held sessions for a selection (by host index); the dead ones are destroyed. */
  take(): Map<number, Session> {
    const out = new Map<number, Session>();
    for (const [i, s] of this.held) {
      if (s.dead) destroySession(s);
      else out.set(i, s);
    }
    this.held.clear();
    clearTimeout(this.expiry);
    this.expiry = undefined;
    return out;
  }

  /** Holds `sessions` (replacing an older one of the same host); the session in use and any after {@link release} are destroyed instead. */
  hold(sessions: readonly Session[]): void {
    for (const s of sessions) {
      if (this.released || s.dead || s.index === this.current()) {
        destroySession(s);
        continue;
      }
      const before = this.held.get(s.index);
      if (before && before !== s) destroySession(before);
      s.socket?.unref();
      this.held.set(s.index, s);
      if (!this.watched.has(s)) {
        this.watched.add(s);
        // the server ended it (restart, idle timeout): forget it, dial again later
        s.client.once('end', () => {
          if (this.held.get(s.index) !== s) return;
          this.held.delete(s.index);
          destroySession(s);
          this.scheduleRefill();
        });
      }
    }
    if (!this.holdAll && this.expiry === undefined && this.held.size > 0) {
      this.expiry = setTimeout(() => {
        this.expiry = undefined;
        for (const s of this.held.values()) destroySession(s);
        this.held.clear();
      }, WATCH_MS);
      this.expiry.unref();
    }
  }

  /**
   * With holdOtherHosts: dials, in the background, every host other than the
   * one in use that has no live held session and no dial under way; a dial
   * that fails is tried again after {@link HOLD_REDIAL_MS}. Without it: nothing.
   */
  refill(): void {
    if (!this.holdAll || this.released) return;
    const cur = this.current();
    const n = this.ctx.ci.hosts.length;
    for (let i = 0; i < n; i++) {
      const h = this.held.get(i);
      if (i === cur) {
        if (h) {
          this.held.delete(i);
          destroySession(h);
        }
        continue;
      }
      if ((h && !h.dead) || this.dialling.has(i)) continue;
      this.dial(i);
    }
  }

  /** Ends every held session and background dial; later sessions handed in are destroyed. */
  release(): void {
    this.released = true;
    clearTimeout(this.expiry);
    clearTimeout(this.redialTimer);
    for (const ac of this.dialling.values()) ac.abort();
    this.dialling.clear();
    for (const s of this.held.values()) destroySession(s);
    this.held.clear();
  }

  /** Host indices with a held session (for tests and logs). */
  get hosts(): number[] {
    return [...this.held.keys()].sort((a, b) => a - b);
  }

  private dial(i: number): void {
    const ac = new AbortController();
    this.dialling.set(i, ac);
    attempt(this.ctx, i, Date.now() + HOLD_DIAL_LIMIT_MS, ac.signal).then((o) => {
      if (this.dialling.get(i) === ac) this.dialling.delete(i);
      if ('ok' in o) this.hold([o.ok]);
      else this.scheduleRefill();
    });
  }

  private scheduleRefill(): void {
    if (!this.holdAll || this.released || this.redialTimer !== undefined) return;
    this.redialTimer = setTimeout(() => {
      this.redialTimer = undefined;
      this.refill();
    }, HOLD_REDIAL_MS);
    this.redialTimer.unref();
  }
}
