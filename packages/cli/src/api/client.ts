/**
 * The CLI's client of a web instance's JSON API (docs/web-api.md), for the
 * fleet commands (`pharos server`, `token`, `agent enrol|unregister|list`):
 * they change the fleet through the same API as the browser, as a pem_admin
 * member logged in with PostgreSQL credentials, so the backend's HBA list
 * needs no rule for administrators' hosts (docs/monitoring-a-server.md).
 *
 * - TLS: the instance's certificate is verified against `--ca-file`
 *   (PHAROS_CA_FILE), else the system's trust store; never unverified.
 * - Login: `POST /api/login` as `--user` (PHAROS_USER, else the OS user)
 *   with PHAROS_PASSWORD, else a prompt on a terminal. The session (cookie
 *   and CSRF token) is kept in `$XDG_CACHE_HOME/pharos/` (~/.cache/pharos/),
 *   one file per URL and user, mode 0600, and reused until the instance
 *   refuses it (then one new login): scripts of many calls do not hit the
 *   login rate limit.
 * - API token: with PHAROS_API_TOKEN set (never a flag: a flag would show
 *   in `ps` and shell history), every call sends `Authorization: Bearer
 *   <token>` instead, with no login, no CSRF token and no session cache; a
 *   refused token is an error (no password fallback). The token acts with
 *   its role's rights; it cannot make API tokens (PHAROS_AUTH_SESSION_REQUIRED).
 * - Errors: the API's `{code, error, field}` answers become the Pharos
 *   error of that catalogue code (docs/errors.md: its kind and exit code; 400,
 *   404 and 409 exit 2 with the message naming the field); 401, 403, 429,
 *   503 and 504 are prefixed with the operation; an answer without a known code is
 *   PHAROS_CLIENT_ANSWER_UNEXPECTED; a network or TLS failure is
 *   PHAROS_CLIENT_UNREACHABLE naming the URL.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import {
  type ErrorCode,
  errorMessage,
  errorOfCode,
  isErrorCode,
  messageOf,
  PharosError,
  pharosError,
} from '@pharos/core/errors';
import { promptSecret } from '../prompt.js';

/** How to reach the API: the flags every fleet command takes. */
export interface ApiFlags {
  url?: string;
  caFile?: string;
  loginUser?: string;
}

/** An answer that is not 2xx, with its JSON body (e.g. a 422 with the failed test) and its catalogue code. */
export class ApiError extends PharosError {
  readonly status: number;
  readonly body: Record<string, unknown>;
  constructor(status: number, body: Record<string, unknown>, code: ErrorCode, message: string) {
    super(code, message);
    this.status = status;
    this.body = body;
  }
}

interface Session {
  cookie: string;
  csrfToken: string;
}

/** Default deadline of one API call, ms (a test connection takes up to ~8 s). */
export const API_TIMEOUT_MS = 30_000;

/** Resolved connection settings. */
export interface ApiTarget {
  url: URL;
  ca?: Buffer;
  user: string;
  /** Local address to send from (the lab's host identity). */
  localAddress?: string;
}

/** The target from flags and environment. @throws InputError for a missing or malformed URL, an unreadable CA file. */
export function apiTarget(f: ApiFlags, env: NodeJS.ProcessEnv = process.env): ApiTarget {
  const raw = f.url ?? env.PHAROS_URL;
  if (!raw) {
    throw pharosError('PHAROS_CLIENT_URL_MISSING');
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw pharosError('PHAROS_CLIENT_URL_INVALID', { url: raw });
  }
  if (url.protocol !== 'https:') throw pharosError('PHAROS_CLIENT_URL_NOT_HTTPS', { url: raw });
  const caFile = f.caFile ?? env.PHAROS_CA_FILE;
  let ca: Buffer | undefined;
  if (caFile) {
    try {
      ca = readFileSync(caFile);
    } catch (err) {
      throw pharosError('PHAROS_CLIENT_CA_FILE_UNREADABLE', {
        path: caFile,
        reason: (err as NodeJS.ErrnoException).code ?? messageOf(err),
      });
    }
  }
  const user = f.loginUser ?? env.PHAROS_USER ?? userInfo().username;
  const localAddress = env.PHAROS_HOST_ADDRESS || undefined;
  return { url, user, ...(ca ? { ca } : {}), ...(localAddress ? { localAddress } : {}) };
}

/** One HTTPS request; resolves to the status and the parsed JSON body (or {}). */
export function httpsJson(
  t: Pick<ApiTarget, 'url' | 'ca' | 'localAddress'>,
  method: string,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
  timeoutMs: number = API_TIMEOUT_MS,
): Promise<{ status: number; body: Record<string, unknown>; setCookie: string[] }> {
  const target = new URL(path, t.url);
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body), 'utf8');
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      target,
      {
        method,
        ...(t.ca ? { ca: t.ca } : {}),
        ...(t.localAddress ? { localAddress: t.localAddress } : {}),
        headers: {
          accept: 'application/json',
          ...(payload
            ? { 'content-type': 'application/json', 'content-length': String(payload.length) }
            : {}),
          ...headers,
        },
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: Record<string, unknown> = {};
          try {
            parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
          } catch {
            parsed = { error: text.slice(0, 200) };
          }
          resolve({ status: res.statusCode ?? 0, body: parsed, setCookie: res.headers['set-cookie'] ?? [] });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs / 1000} s`)));
    req.on('error', (err) =>
      reject(
        pharosError(
          'PHAROS_CLIENT_UNREACHABLE',
          { origin: t.url.origin, reason: messageOf(err) },
          { cause: err },
        ),
      ),
    );
    if (payload) req.write(payload);
    req.end();
  });
}

/** The Pharos error for a non-2xx answer (module note). */
export function apiErrorOf(status: number, body: Record<string, unknown>, what: string): PharosError {
  const message = typeof body.error === 'string' ? body.error : `HTTP ${status}`;
  const field = typeof body.field === 'string' ? body.field : undefined;
  const opts = field ? { field } : {};
  if (status === 422 && isErrorCode(body.code)) return new ApiError(status, body, body.code, message);
  if (isErrorCode(body.code) && status >= 400 && status < 500) {
    const prefixed = status === 401 || status === 403 || status === 429;
    return errorOfCode(body.code, prefixed ? `${what}: ${message}` : message, opts);
  }
  if (isErrorCode(body.code) && (status === 503 || status === 504))
    return errorOfCode(body.code, `${what}: ${message}`, opts);
  return new ApiError(
    status,
    body,
    'PHAROS_CLIENT_ANSWER_UNEXPECTED',
    errorMessage('PHAROS_CLIENT_ANSWER_UNEXPECTED', { what, message, status }),
  );
}

function sessionFile(t: ApiTarget, env: NodeJS.ProcessEnv): string {
  const base = env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache');
  const key = createHash('sha256').update(`${t.url.origin}\0${t.user}`).digest('hex').slice(0, 16);
  return join(base, 'pharos', `session-${key}.json`);
}

/** A logged-in client (see the module note). */
export class ApiClient {
  readonly target: ApiTarget;
  private session: Session | undefined;
  private readonly env: NodeJS.ProcessEnv;

  constructor(target: ApiTarget, env: NodeJS.ProcessEnv = process.env) {
    this.target = target;
    this.env = env;
  }

  private loadSession(): Session | undefined {
    try {
      const s = JSON.parse(readFileSync(sessionFile(this.target, this.env), 'utf8')) as Session;
      return typeof s.cookie === 'string' && typeof s.csrfToken === 'string' ? s : undefined;
    } catch {
      return undefined;
    }
  }

  private saveSession(s: Session): void {
    const file = sessionFile(this.target, this.env);
    try {
      mkdirSync(join(file, '..'), { recursive: true, mode: 0o700 });
      writeFileSync(file, JSON.stringify(s), { mode: 0o600 });
    } catch {
      // no cache: the next command logs in again
    }
  }

  private async login(): Promise<Session> {
    const password =
      this.env.PHAROS_PASSWORD ??
      (await promptSecret(`Password of ${this.target.user} (${this.target.url.origin}): `));
    if (!password) {
      throw pharosError('PHAROS_CLIENT_PASSWORD_MISSING', { user: this.target.user });
    }
    const r = await httpsJson(this.target, 'POST', '/api/login', { user: this.target.user, password });
    if (r.status !== 200) throw apiErrorOf(r.status, r.body, `login as ${this.target.user}`);
    const cookie = r.setCookie.map((c) => c.split(';')[0] ?? '').find((c) => c.includes('pharos_session'));
    if (!cookie || typeof r.body.csrfToken !== 'string') {
      throw pharosError('PHAROS_CLIENT_NO_SESSION', { user: this.target.user });
    }
    const s = { cookie, csrfToken: r.body.csrfToken };
    this.saveSession(s);
    return s;
  }

  /**
   * Calls the API as the logged-in user; resolves to the JSON answer of a
   * 2xx. `what` names the operation in errors. @throws the errors of the
   * module note; {@link ApiError} for other statuses (its body kept, e.g.
   * a 422 test result).
   */
  async call<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
    what = `${method} ${path}`,
  ): Promise<T> {
    const token = this.env.PHAROS_API_TOKEN;
    if (token) {
      const r = await httpsJson(this.target, method, path, body, { authorization: `Bearer ${token}` });
      if (r.status >= 200 && r.status < 300) return r.body as T;
      throw apiErrorOf(r.status, r.body, what);
    }
    this.session ??= this.loadSession() ?? (await this.login());
    for (let attempt = 0; ; attempt++) {
      const s = this.session!;
      const r = await httpsJson(this.target, method, path, body, {
        cookie: s.cookie,
        ...(method === 'GET' ? {} : { 'x-csrf-token': s.csrfToken }),
      });
      if (r.status === 401 && attempt === 0) {
        this.session = await this.login();
        continue;
      }
      if (r.status >= 200 && r.status < 300) return r.body as T;
      throw apiErrorOf(r.status, r.body, what);
    }
  }

  /** Forgets the cached session (after a logout, or a refused one). */
  forget(): void {
    rmSync(sessionFile(this.target, this.env), { force: true });
  }
}

/** The client for `f` (flags and environment). */
export function apiClient(f: ApiFlags): ApiClient {
  return new ApiClient(apiTarget(f));
}
