/**
 * Why a monitoring connection failed, in one sentence a DBA can act on
 * (issue 14 "Test connection"): the error an `HaConnection` to one server
 * threw, classified by what the server or the network answered.
 *
 * | cause            | what was seen                                                                 |
 * |------------------|-------------------------------------------------------------------------------|
 * | `refused`        | ECONNREFUSED: nothing listens at host:port                                    |
 * | `unreachable`    | EHOSTUNREACH, ENETUNREACH, EADDRNOTAVAIL, ENOTFOUND/EAI_AGAIN (name)           |
 * | `timeout`        | no answer within connect_timeout (our timeout), a deadline                     |
 * | `no-hba-rule`    | SQLSTATE 28000 "no pg_hba.conf entry for host ..." or "pg_hba.conf rejects"    |
 * | `authentication` | SQLSTATE 28P01 (wrong password), 28000 otherwise (role cannot log in, unknown) |
 * | `no-password`    | the server wants a password and the agent has none for user@host:port          |
 * | `tls`            | certificate name (verify-full) or chain refused, no TLS on the server, no CA   |
 * |                  | file on the agent, or a cleartext/MD5 password asked over an unverified link   |
 * | `no-database`    | SQLSTATE 3D000: the maintenance database does not exist                        |
 * | `not-postgresql` | the peer answered outside the PostgreSQL protocol (connection closed during    |
 * |                  | startup, an answer to SSLRequest that is neither S nor N)                      |
 * | `no-pg-monitor`  | connected, but the role is not a member of pg_monitor (test-connection.ts)    |
 * | `other`          | anything else (the server's message is kept)                                   |
 *
 * Sources: PostgreSQL documentation Appendix A "Error Codes" (28000
 * invalid_authorization_specification, 28P01 invalid_password, 3D000
 * invalid_catalog_name), §55.2.1 "Start-up" (the SSLRequest answer is one
 * byte, S or N), §21.1 "The pg_hba.conf File" (its messages), libpq-pgpass.html.
 * Socket codes: Node's `net` errors (errno names).
 */
import type { ConnectionCause as ConnectionCauseOfTest } from '@pharos/backend/fleet/connection-test';
import { ConfigError, messageOf } from '@pharos/core/errors';
import { InsecureAuthError, NoPasswordError } from '@pharos/core/ha/errors';

/** What went wrong, one word each (table above); the task's contract is @pharos/backend/fleet/connection-test. */
export type ConnectionCause = Exclude<ConnectionCauseOfTest, 'agent-unavailable'>;

/** What the agent tried: the facts a sentence names. */
export interface ConnectionAttempt {
  host: string;
  port: number;
  user: string;
  dbname: string;
  sslmode: string;
  /** The agent's passfile (libpq default ~/.pgpass when it names none). */
  passfile: string;
  /** CA file used to verify the server, when one is configured. */
  sslrootcert?: string;
  /** The agent's source address toward the server, when it binds one. */
  sourceAddress?: string;
  /** connect_timeout, seconds. */
  connectTimeoutS: number;
}

/** The verdict: cause, the sentence, and the raw error it came from. */
export interface ConnectionDiagnosis {
  cause: ConnectionCause;
  /** One or two sentences: what failed and what to do. Never a password. */
  message: string;
  /** The underlying error's message. */
  detail: string;
  /** SQLSTATE, when the server sent one. */
  sqlstate?: string;
  /** For `no-password`: the passfile line to add (the password as `<password>`). */
  passfileLine?: string;
}

const UNREACHABLE = new Set(['EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'ENOTFOUND', 'EAI_AGAIN']);
const TLS_CHAIN =
  /CERT|SELF_SIGNED|UNABLE_TO_|ERR_TLS_CERT_ALTNAME_INVALID|ERR_SSL|EPROTO|ERR_TLS|UNABLE_TO_VERIFY_LEAF_SIGNATURE/;

/** The errors in `err`'s cause chain, outermost first. */
function chain(err: unknown): unknown[] {
  const out: unknown[] = [];
  let e: unknown = err;
  for (let i = 0; i < 8 && e !== undefined && e !== null; i++) {
    out.push(e);
    e = (e as { cause?: unknown }).cause;
  }
  return out;
}

function codeOf(e: unknown): string | undefined {
  const c = (e as { code?: unknown } | null)?.code;
  return typeof c === 'string' ? c : undefined;
}

function pgpassEscape(v: string): string {
  return v.replaceAll('\\', '\\\\').replaceAll(':', '\\:');
}

/** The passfile line that gives `a.user` a password at exactly a.host:a.port (libpq-pgpass.html). */
export function passfileLineFor(a: Pick<ConnectionAttempt, 'host' | 'port' | 'user'>): string {
  return `${pgpassEscape(a.host)}:${a.port}:*:${pgpassEscape(a.user)}:<password>`;
}

/**
 * Classifies `err`, thrown while connecting with `a` (see the module table).
 * Pure; never throws.
 */
export function diagnoseConnectionError(err: unknown, a: ConnectionAttempt): ConnectionDiagnosis {
  const target = `${a.host}:${a.port}`;
  const errors = chain(err);
  const innermost = errors.at(-1);
  const detail = messageOf(innermost ?? err);
  const verdict = (cause: ConnectionCause, message: string, extra: Partial<ConnectionDiagnosis> = {}) => ({
    cause,
    message,
    detail,
    ...extra,
  });
  const from = a.sourceAddress ? ` from ${a.sourceAddress}` : '';

  for (const e of errors) {
    if (e instanceof NoPasswordError) {
      const line = passfileLineFor(a);
      return verdict(
        'no-password',
        `The agent has no password for ${a.user}@${target}: add this line to ${a.passfile} on the agent's host (mode 0600), with the role's password: ${line}`,
        { passfileLine: line },
      );
    }
    if (e instanceof InsecureAuthError) {
      return verdict(
        'tls',
        `${target} asked for the password ${e.method === 'password' ? 'in cleartext' : 'as MD5'} over a connection that did not verify the server (sslmode=${a.sslmode}); the agent did not send it. Use sslmode=verify-full with the server's CA, or scram-sha-256 in its pg_hba.conf.`,
      );
    }
    if (e instanceof ConfigError) {
      return verdict(
        'tls',
        `The agent cannot verify ${target} (sslmode=${a.sslmode}): ${messageOf(e)}. Give the server's CA file (its sslrootcert, or server_sslrootcert in the agent's configuration).`,
      );
    }
  }
  for (const e of errors) {
    const code = codeOf(e);
    if (code === undefined) continue;
    const msg = messageOf(e);
    if (code === '28000' && /pg_hba\.conf/.test(msg)) {
      const rejects = /rejects connection/.test(msg);
      const source = /for host "([^"]+)"/.exec(msg)?.[1] ?? a.sourceAddress ?? "the agent's address";
      return verdict(
        'no-hba-rule',
        rejects
          ? `${target} has a pg_hba.conf rule that rejects the agent (host ${source}, user ${a.user}, database ${a.dbname}): put an accepting rule before it, e.g. hostssl ${a.dbname} ${a.user} ${source}/32 scram-sha-256, and reload.`
          : `${target} has no pg_hba.conf rule for the agent (host ${source}, user ${a.user}, database ${a.dbname}${/no encryption/.test(msg) ? ', without TLS' : ''}): add hostssl ${a.dbname} ${a.user} ${source}/32 scram-sha-256 to its pg_hba.conf and reload (SELECT pg_reload_conf()).`,
        { sqlstate: code },
      );
    }
    if (code === '28P01') {
      return verdict(
        'authentication',
        `Password authentication failed for ${a.user} on ${target}: the password in ${a.passfile} for ${target} is not the role's (or the role has none).`,
        { sqlstate: code },
      );
    }
    if (code === '28000') {
      return verdict('authentication', `${target} refused ${a.user}: ${msg}.`, { sqlstate: code });
    }
    if (code === '3D000') {
      return verdict(
        'no-database',
        `Database ${a.dbname} does not exist on ${target}: choose an existing maintenance database (usually postgres).`,
        { sqlstate: code },
      );
    }
    if (code === 'ECONNREFUSED') {
      return verdict(
        'refused',
        `Connection refused at ${target}${from}: nothing listens there. Check that PostgreSQL runs, that listen_addresses includes ${a.host} and that its port is ${a.port}.`,
      );
    }
    if (UNREACHABLE.has(code)) {
      return verdict(
        'unreachable',
        `${a.host} cannot be reached from the agent's host${from} (${code}): check the address or name, the routes and the firewall.`,
      );
    }
    if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
      return verdict(
        'tls',
        `The certificate of ${target} does not name ${a.host} (sslmode=${a.sslmode} checks the name): ${msg}. Register the server under a name its certificate carries, or reissue the certificate with ${a.host} in its subjectAltName.`,
      );
    }
    if (TLS_CHAIN.test(code)) {
      return verdict(
        'tls',
        `The certificate of ${target} is not trusted by the agent (${code}: ${msg})${a.sslrootcert ? `; CA file ${a.sslrootcert}` : ''}: give the CA that signed the server's certificate.`,
      );
    }
    if (/^[0-9A-Z]{5}$/.test(code)) {
      return verdict('other', `${target} refused the connection: ${msg} (SQLSTATE ${code}).`, {
        sqlstate: code,
      });
    }
  }
  const text = errors.map(messageOf).join(' | ');
  if (/does not support SSL/i.test(text)) {
    return verdict(
      'tls',
      `${target} does not accept TLS and sslmode=${a.sslmode} requires it: turn ssl on in its postgresql.conf (ssl_cert_file, ssl_key_file), or set the server's sslmode as the DBA decides.`,
    );
  }
  if (/timeout expired|deadline|timed out/i.test(text) || codeOf(innermost) === 'ETIMEDOUT') {
    return verdict(
      'timeout',
      `No answer from ${target} within ${a.connectTimeoutS} s${from}: a firewall may drop the packets, or the server is frozen or overloaded.`,
    );
  }
  if (
    /error establishing an SSL connection|Connection terminated unexpectedly|unexpected message|Unknown message code/i.test(
      text,
    )
  ) {
    return verdict(
      'not-postgresql',
      `${target} answered, but not as PostgreSQL does: is another service on port ${a.port}?`,
    );
  }
  return verdict('other', `The connection to ${target} failed: ${detail}`);
}
