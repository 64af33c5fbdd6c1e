// @ts-check
// Automatic refresh: a hook that loads data now and every `intervalS`
// seconds while the page is visible, keeps the last good answer when a
// refresh fails (a failing-over backend answers 503; the page keeps showing
// what it had and says so), stops on a 404 (what was asked for does not
// exist: the page says so) and announces a lost session (401) to the app.
import { ApiError } from './api.js';
import { useCallback, useEffect, useRef, useState } from './html.js';

/** Event the app listens to: the session ended (some request answered 401). */
export const UNAUTHORIZED_EVENT = 'pharos:unauthorized';

/**
 * True when `err` says the thing asked for does not exist (404): polling
 * stops, and the page says so instead of retrying forever.
 * @param {unknown} err
 */
export function isGone(err) {
  return err instanceof ApiError && err.status === 404;
}

/**
 * What {@link usePoll} returns: `data` is the last successful answer (kept
 * across failures), `error` the last failure (cleared by a success),
 * `updatedAt` when `data` arrived, `reload()` loads now (after a change the
 * user made).
 * @template T
 * @typedef {{ data: T | undefined, error: unknown, updatedAt: Date | undefined, reload: () => void }} Poll
 */

/**
 * Runs `load()` now, whenever `key` changes, and every `intervalS` seconds
 * (0 = only on demand).
 * @template T
 * @param {() => Promise<T>} load
 * @param {string} key what is loaded: a new key starts from no data
 * @param {number} intervalS
 * @returns {Poll<T>}
 */
export function usePoll(load, key, intervalS) {
  /** @type {[{ data: T | undefined, error: unknown, updatedAt: Date | undefined, key: string }, Function]} */
  const [state, setState] = useState({ data: undefined, error: undefined, updatedAt: undefined, key });
  const loadRef = useRef(load);
  loadRef.current = load;
  const tick = useRef(0);
  /** @type {{ current: (() => Promise<void>) | undefined }} */
  const runRef = useRef(undefined);

  useEffect(() => {
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    let timer;
    let stopped = false;
    const run = async () => {
      clearTimeout(timer);
      const mine = ++tick.current;
      try {
        const data = await loadRef.current();
        if (stopped || mine !== tick.current) return;
        setState({ data, error: undefined, updatedAt: new Date(), key });
      } catch (err) {
        if (stopped || mine !== tick.current) return;
        if (err instanceof ApiError && err.status === 401) {
          window.dispatchEvent(new CustomEvent(UNAUTHORIZED_EVENT));
          return;
        }
        setState((/** @type {typeof state} */ s) => ({ ...s, error: err }));
        // What was asked for does not exist (a server removed, a mistyped id): asking again will not help.
        if (isGone(err)) return;
      }
      if (!stopped && intervalS > 0 && !document.hidden) timer = setTimeout(run, intervalS * 1000);
    };
    const onVisible = () => {
      if (!document.hidden) run();
    };
    runRef.current = run;
    // A new key (another server, another range) starts from no data.
    setState((/** @type {typeof state} */ s) =>
      s.key === key ? s : { data: undefined, error: undefined, updatedAt: undefined, key },
    );
    run();
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      stopped = true;
      clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [key, intervalS]);

  const data = state.key === key ? state.data : undefined;
  const reload = useCallback(() => {
    runRef.current?.();
  }, []);
  return { data, error: state.error, updatedAt: state.updatedAt, reload };
}
