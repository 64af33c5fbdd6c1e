/**
 * A client of the web instances' JSON API for the lab and its tests: log in
 * once, then use the same session cookie on any instance (sessions live in
 * the backend). CSRF token from the login answer, sent as x-csrf-token.
 */
import { type JsonResponse, requestJson } from './http.js';

/** A logged-in session: its cookie header value and CSRF token. */
export interface WebSession {
  cookie: string;
  csrfToken?: string;
}

/** POST /api/login on `baseUrl` (https://addr:8443). Throws with the status and answer on refusal. */
export async function webLogin(
  baseUrl: string,
  user: string,
  password: string,
  ca: string,
): Promise<WebSession> {
  const r = await requestJson<{ csrfToken?: string }>(new URL('/api/login', baseUrl).href, {
    method: 'POST',
    body: { user, password },
    ca,
    timeoutMs: 15_000,
  });
  if (r.status !== 200)
    throw new Error(`login on ${baseUrl} answered ${r.status}: ${JSON.stringify(r.body)}`);
  const setCookie = r.headers['set-cookie'];
  const cookies = (Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : []).map(
    (c) => c.split(';')[0]!,
  );
  if (cookies.length === 0) throw new Error(`login on ${baseUrl} set no cookie`);
  return { cookie: cookies.join('; '), csrfToken: r.body?.csrfToken };
}

/** GET `path` on `baseUrl` with the session. */
export function webGet<T = unknown>(
  baseUrl: string,
  path: string,
  session: WebSession | undefined,
  ca: string,
): Promise<JsonResponse<T>> {
  return requestJson<T>(new URL(path, baseUrl).href, {
    headers: session ? { cookie: session.cookie } : {},
    ca,
    timeoutMs: 15_000,
  });
}
