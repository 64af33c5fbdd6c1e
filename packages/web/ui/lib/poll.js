// Automatic refresh: a hook that loads data now and every `intervalS`
// seconds while the page is visible, keeps the last good answer when a
// refresh fails (a failing-over backend answers 503; the page keeps showing
// what it had and says so), and announces a lost session (401) to the app.
import { ApiError } from './api.js';
import { useCallback, useEffect, useRef, useState } from './html.js';

/** Event the app listens to: the session ended (some request answered 401). */
export const UNAUTHORIZED_EVENT = 'pharos:unauthorized';

/** Human text of a refresh failure. */
export function failureText(err) {
  if (err instanceof ApiError && err.status === 503) return 'The backend is failing over';
  return err?.message ?? String(err);
}

/**
 * Runs `load()` now, whenever `key` changes, and every `intervalS` seconds
 * (0 = only on demand). Returns {data, error, updatedAt, reload}; `data` is
 * the last successful answer (kept across failures); `reload()` loads now
 * (after a change the user made).
 */
export function usePoll(load, key, intervalS) {
  const [state, setState] = useState({ data: undefined, error: undefined, updatedAt: undefined, key });
  const loadRef = useRef(load);
  loadRef.current = load;
  const tick = useRef(0);
  const runRef = useRef(undefined);

  useEffect(() => {
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
        setState((s) => ({ ...s, error: err }));
      }
      if (!stopped && intervalS > 0 && !document.hidden) timer = setTimeout(run, intervalS * 1000);
    };
    const onVisible = () => {
      if (!document.hidden) run();
    };
    runRef.current = run;
    // A new key (another server, another range) starts from no data.
    setState((s) => (s.key === key ? s : { data: undefined, error: undefined, updatedAt: undefined, key }));
    run();
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      stopped = true;
      clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [key, intervalS]);

  const data = state.key === key ? state.data : undefined;
  const reload = useCallback(() => runRef.current?.(), []);
  return { data, error: state.error, updatedAt: state.updatedAt, reload };
}
