/**
 * Sends one webhook request (node:http / node:https): POST or PUT of a JSON
 * body with the given headers, bounded by a timeout that covers connect,
 * TLS, the request and the whole response. Never throws for a delivery
 * failure: the outcome says what happened, in words that name the host but
 * never the path or query (which may hold a token).
 *
 * Where it may connect is the target policy's decision (target-policy.ts,
 * security review H1): a literal address is judged before anything is sent;
 * a host name is resolved by this module's own lookup, every address it
 * resolves to is judged, and the connection goes to the address that was
 * judged (no second resolution a DNS-rebinding answer could change). A
 * fresh connection is made for every request (no pooled socket). Redirects
 * are not followed (a 3xx is a failed attempt). A URL with credentials
 * (`user:pass@`) and headers that change where or how the request goes
 * (`Host`, `Content-Length`, `Transfer-Encoding`, `Connection`...; see
 * {@link REFUSED_HEADER_NAMES}) are refused. Of a response only the status
 * is kept ("HTTP 404 Not Found from https://host"): no body, no reason
 * phrase of the receiver's choosing.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, STATUS_CODES } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { WebhookTargetPolicy } from './target-policy.js';

/**
 * Header names a webhook may not set (lower case): the ones that decide
 * where a request goes or how it is framed (RFC 9110 §7.2 Host, RFC 9112
 * §6 message body length, §9.6 Connection and the hop-by-hop fields), which
 * Pharos sets itself.
 */
export const REFUSED_HEADER_NAMES: ReadonlySet<string> = new Set([
  'host',
  'content-length',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'upgrade',
  'te',
  'trailer',
  'expect',
  'proxy-authorization',
  'proxy-connection',
]);

/** What to send. */
export interface WebhookRequest {
  url: string;
  method: 'POST' | 'PUT';
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  /** Verify the server's TLS certificate (default true). */
  tlsVerify?: boolean;
  /** Extra CA certificates (PEM) for https. */
  ca?: string;
  /** Where the request may connect (default: the policy's defaults, no exceptions). */
  policy?: WebhookTargetPolicy;
}

/** Outcome of one attempt. `statusCode` when a response arrived. */
export interface WebhookOutcome {
  ok: boolean;
  statusCode?: number;
  error?: string;
  durationMs: number;
  /** The request was refused before it was sent (policy, credentials, headers): retrying cannot help. */
  permanent?: boolean;
}

/** `scheme://host[:port]` of a URL, without credentials, path or query: safe to log. */
export function safeOrigin(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}`;
  } catch {
    return '(invalid URL)';
  }
}

/** The refused header names among `headers` (as written), in order. */
export function refusedHeaders(headers: Record<string, unknown>): string[] {
  return Object.keys(headers).filter((k) => REFUSED_HEADER_NAMES.has(k.toLowerCase()));
}

const DEFAULT_POLICY = new WebhookTargetPolicy();

/** An error the lookup raises for a refused address. */
class RefusedTargetError extends Error {
  readonly code = 'PHAROS_WEBHOOK_TARGET_REFUSED';
}

/**
 * A `lookup` for node:net that resolves `hostname` (all addresses), asks
 * `policy` about each at `port`, and answers only when none is refused, so
 * the socket connects to an address that was judged.
 */
function judgedLookup(policy: WebhookTargetPolicy, port: number): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, '', 0);
      if (addresses.length === 0) return callback(new Error(`${hostname} has no address`), '', 0);
      Promise.all(addresses.map((a) => policy.refusal(a.address, port))).then(
        (reasons) => {
          const i = reasons.findIndex((r) => r !== undefined);
          if (i >= 0)
            return callback(
              new RefusedTargetError(`${hostname} resolves to ${addresses[i]!.address}, ${reasons[i]}`),
              '',
              0,
            );
          if (options.all) return callback(null, addresses);
          return callback(null, addresses[0]!.address, addresses[0]!.family);
        },
        (e: unknown) => callback(e instanceof Error ? e : new Error(String(e)), '', 0),
      );
    });
  };
}

/** The words of a refusal, with what the operator can do about it. */
function refusedWords(where: string, reason: string): string {
  return `refused to send to ${where}: ${reason} (webhook_allow in the delivering agent's agent.yml admits an address; docs/alerts.md)`;
}

/** Sends `req`; resolves with the outcome (2xx = ok). */
export async function sendWebhook(req: WebhookRequest): Promise<WebhookOutcome> {
  const started = Date.now();
  const where = safeOrigin(req.url);
  const refuse = (error: string): WebhookOutcome => ({
    ok: false,
    error,
    durationMs: Date.now() - started,
    permanent: true,
  });
  let url: URL;
  try {
    url = new URL(req.url);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http(s)');
  } catch {
    return refuse('webhook URL is not a valid http(s) URL');
  }
  if (url.username !== '' || url.password !== '')
    return refuse(`webhook URL for ${where} carries credentials (user:password@); use a header instead`);
  const bad = refusedHeaders(req.headers);
  if (bad.length > 0) return refuse(`webhook header(s) ${bad.join(', ')} may not be set`);
  const policy = req.policy ?? DEFAULT_POLICY;
  const port = Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  if (isIP(host)) {
    let reason: string | undefined;
    try {
      reason = await policy.refusal(host, port);
    } catch (err) {
      return { ok: false, error: `${where}: ${(err as Error).message}`, durationMs: Date.now() - started };
    }
    if (reason) return refuse(refusedWords(where, reason));
  }
  return new Promise((resolve) => {
    let settled = false;
    const finish = (o: Omit<WebhookOutcome, 'durationMs'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...o, durationMs: Date.now() - started });
    };
    const body = Buffer.from(req.body, 'utf8');
    const headers = { ...req.headers, 'Content-Length': String(body.length) };
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const r = send(
      url,
      {
        method: req.method,
        headers,
        agent: false,
        lookup: judgedLookup(policy, port),
        ...(url.protocol === 'https:' ? { rejectUnauthorized: req.tlsVerify !== false, ca: req.ca } : {}),
      },
      (res) => {
        res.resume(); // the body is read and dropped: only the status is kept
        res.on('end', () => {
          const code = res.statusCode ?? 0;
          if (code >= 200 && code < 300) return finish({ ok: true, statusCode: code });
          const what = code >= 300 && code < 400 ? ' (redirects are not followed)' : '';
          const phrase = STATUS_CODES[code] ? ` ${STATUS_CODES[code]}` : '';
          finish({ ok: false, statusCode: code, error: `HTTP ${code}${phrase} from ${where}${what}` });
        });
        res.on('error', (err) =>
          finish({ ok: false, statusCode: res.statusCode, error: `${where}: ${err.message}` }),
        );
      },
    );
    const timer = setTimeout(() => {
      r.destroy();
      finish({ ok: false, error: `no answer from ${where} within ${req.timeoutMs} ms` });
    }, req.timeoutMs);
    r.on('error', (err: NodeJS.ErrnoException) => {
      if (err instanceof RefusedTargetError)
        return finish({ ok: false, error: refusedWords(where, err.message), permanent: true });
      const code = err.code ? `${err.code} ` : '';
      finish({ ok: false, error: `cannot reach ${where}: ${code}${err.message.replace(req.url, where)}` });
    });
    r.end(body);
  });
}
