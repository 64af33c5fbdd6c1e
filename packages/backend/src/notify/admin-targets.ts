/**
 * Notification targets for the web application: webhooks, email groups and
 * the SMTP server (005_alerts.sql). Secrets are write-only: webhook header
 * values and the SMTP password are never read back (pem.webhook_public,
 * pem.smtp_settings_public). Input is validated before it is written;
 * problems are InputErrors naming the field.
 */
import { InputError } from '@pharos/core/errors';
import { type QueryRunner, sqlStateOf } from '../alerts/db.js';
import { type Json, unknownPlaceholders } from './render.js';
import { REFUSED_HEADER_NAMES } from './webhook.js';

/** A webhook as saved (id absent = new). */
export interface WebhookInput {
  id?: number;
  name: string;
  url: string;
  method?: 'POST' | 'PUT';
  /** Header name -> value; undefined on an update = keep the stored headers. */
  headers?: Record<string, string>;
  /** JSON payload template with %Placeholder%s; null = the default payload. */
  payloadTemplate?: Json | null;
  enabled?: boolean;
  onLow?: boolean;
  onMedium?: boolean;
  onHigh?: boolean;
  onCleared?: boolean;
  timeoutMs?: number;
  maxRetries?: number;
  tlsVerify?: boolean;
}

/** Webhooks without header values. */
export async function listWebhooks(db: QueryRunner): Promise<Record<string, unknown>[]> {
  return (await db.query('SELECT * FROM pem.webhook_public ORDER BY name')).rows;
}

/** Throws InputError (with the `field` at fault) unless `w` is a usable webhook. */
export function checkWebhook(w: WebhookInput): void {
  if (!w.name?.trim()) throw new InputError('a webhook needs a name', { field: 'name' });
  let u: URL;
  try {
    u = new URL(w.url);
  } catch {
    throw new InputError(`webhook ${w.name}: url is not a URL`, { field: 'url' });
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw new InputError(`webhook ${w.name}: url must be http or https`, { field: 'url' });
  if (u.username !== '' || u.password !== '')
    throw new InputError(
      `webhook ${w.name}: url may not carry credentials (user:password@); send them in a header such as Authorization`,
      { field: 'url' },
    );
  if (w.method !== undefined && w.method !== 'POST' && w.method !== 'PUT')
    throw new InputError(`webhook ${w.name}: method must be POST or PUT`, { field: 'method' });
  for (const [k, v] of Object.entries(w.headers ?? {})) {
    if (!/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(k) || typeof v !== 'string' || /[\r\n\0]/.test(v))
      throw new InputError(`webhook ${w.name}: header ${JSON.stringify(k)} is not a valid header`, {
        field: 'headers',
      });
    if (REFUSED_HEADER_NAMES.has(k.toLowerCase()))
      throw new InputError(
        `webhook ${w.name}: header ${k} may not be set (Pharos sets it; it decides where and how the request goes)`,
        { field: 'headers' },
      );
  }
  if (w.payloadTemplate !== undefined && w.payloadTemplate !== null) {
    const unknown = unknownPlaceholders(w.payloadTemplate);
    if (unknown.length > 0)
      throw new InputError(`webhook ${w.name}: unknown placeholder(s) %${unknown.join('%, %')}%`, {
        field: 'payloadTemplate',
      });
  }
  if (w.timeoutMs !== undefined && !(w.timeoutMs >= 100 && w.timeoutMs <= 120_000))
    throw new InputError(`webhook ${w.name}: timeout must be 100..120000 ms`, { field: 'timeoutMs' });
  if (
    w.maxRetries !== undefined &&
    !(Number.isInteger(w.maxRetries) && w.maxRetries >= 0 && w.maxRetries <= 100)
  )
    throw new InputError(`webhook ${w.name}: retries must be 0..100`, { field: 'maxRetries' });
}

/** Runs `fn`; a unique violation (23505) becomes an InputError on field `name` ("there is already a <what> named ..."). */
async function uniqueName<T>(what: string, name: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (sqlStateOf(err) === '23505')
      throw new InputError(`there is already a ${what} named ${JSON.stringify(name)}`, {
        field: 'name',
        cause: err,
      });
    throw err;
  }
}

/**
 * Creates or updates a webhook; resolves to its id. Throws InputError (see
 * {@link checkWebhook}; also for a name another webhook has).
 */
export async function saveWebhook(db: QueryRunner, w: WebhookInput): Promise<number> {
  checkWebhook(w);
  return uniqueName('webhook', w.name, () => writeWebhook(db, w));
}

async function writeWebhook(db: QueryRunner, w: WebhookInput): Promise<number> {
  const v = [
    w.name,
    w.url,
    w.method ?? 'POST',
    w.headers === undefined ? null : JSON.stringify(w.headers),
    w.payloadTemplate === undefined || w.payloadTemplate === null ? null : JSON.stringify(w.payloadTemplate),
    w.enabled ?? true,
    w.onLow ?? true,
    w.onMedium ?? true,
    w.onHigh ?? true,
    w.onCleared ?? true,
    w.timeoutMs ?? 10_000,
    w.maxRetries ?? 3,
    w.tlsVerify ?? true,
  ];
  if (w.id === undefined) {
    const r = await db.query<{ id: number }>(
      `INSERT INTO pem.webhook (name, url, method, headers, payload_template, enabled, on_low, on_medium, on_high, on_cleared,
                                timeout_ms, max_retries, tls_verify)
       VALUES ($1, $2, $3, coalesce($4::jsonb, '{}'), $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id`,
      v,
    );
    return r.rows[0]!.id;
  }
  const r = await db.query(
    `UPDATE pem.webhook SET name = $1, url = $2, method = $3, headers = coalesce($4::jsonb, headers), payload_template = $5,
            enabled = $6, on_low = $7, on_medium = $8, on_high = $9, on_cleared = $10, timeout_ms = $11, max_retries = $12,
            tls_verify = $13, updated_at = now() WHERE id = $14`,
    [...v, w.id],
  );
  if (r.rowCount === 0) throw new InputError(`there is no webhook ${w.id}`);
  return w.id;
}

/** Deletes webhook `id` (its delivery history stays, without a target). */
export async function deleteWebhook(db: QueryRunner, id: number): Promise<boolean> {
  return (await db.query('DELETE FROM pem.webhook WHERE id = $1', [id])).rowCount > 0;
}

/**
 * Queues a test notification to webhook `id` (delivered by the backend
 * agents); resolves to its delivery id. Throws InputError (field `enabled`)
 * for a disabled webhook: a test shows what the webhook would do, and a
 * disabled one sends nothing. Resolves undefined when there is no webhook `id`.
 */
export async function testWebhook(
  db: QueryRunner,
  id: number,
  requestedBy: string,
): Promise<number | undefined> {
  const w = (
    await db.query<{ name: string; enabled: boolean }>(
      'SELECT name, enabled FROM pem.webhook_public WHERE id = $1',
      [id],
    )
  ).rows[0];
  if (!w) return undefined;
  if (!w.enabled)
    throw new InputError(`webhook ${w.name} is disabled: enable it to send a test notification`, {
      field: 'enabled',
    });
  return Number(
    (
      await db.query<{ id: string }>('SELECT pem.enqueue_test_notification($1, NULL, $2) AS id', [
        id,
        requestedBy,
      ])
    ).rows[0]!.id,
  );
}

/** An email group as saved. */
export interface EmailGroupInput {
  id?: number;
  name: string;
  recipients: string[];
  enabled?: boolean;
  onLow?: boolean;
  onMedium?: boolean;
  onHigh?: boolean;
  onCleared?: boolean;
  subjectTemplate?: string | null;
  bodyTemplate?: string | null;
}

/** Email groups. */
export async function listEmailGroups(db: QueryRunner): Promise<Record<string, unknown>[]> {
  return (await db.query('SELECT * FROM pem.email_group ORDER BY name')).rows;
}

/** Creates or updates an email group; resolves to its id. Throws InputError for no or malformed recipients. */
export async function saveEmailGroup(db: QueryRunner, g: EmailGroupInput): Promise<number> {
  if (!g.name?.trim()) throw new InputError('an email group needs a name', { field: 'name' });
  if (!Array.isArray(g.recipients) || g.recipients.length === 0)
    throw new InputError(`email group ${g.name}: no recipients`, { field: 'recipients' });
  const bad = g.recipients.filter((r) => !/^[^\s@<>,]+@[^\s@<>,]+$/.test(r));
  if (bad.length > 0)
    throw new InputError(`email group ${g.name}: not an address: ${bad.join(', ')}`, { field: 'recipients' });
  return uniqueName('email group', g.name, () => writeEmailGroup(db, g));
}

async function writeEmailGroup(db: QueryRunner, g: EmailGroupInput): Promise<number> {
  const v = [
    g.name,
    g.recipients,
    g.enabled ?? true,
    g.onLow ?? true,
    g.onMedium ?? true,
    g.onHigh ?? true,
    g.onCleared ?? true,
    g.subjectTemplate ?? null,
    g.bodyTemplate ?? null,
  ];
  if (g.id === undefined) {
    return (
      await db.query<{ id: number }>(
        `INSERT INTO pem.email_group (name, recipients, enabled, on_low, on_medium, on_high, on_cleared, subject_template, body_template)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
        v,
      )
    ).rows[0]!.id;
  }
  const r = await db.query(
    `UPDATE pem.email_group SET name = $1, recipients = $2, enabled = $3, on_low = $4, on_medium = $5, on_high = $6, on_cleared = $7,
            subject_template = $8, body_template = $9, updated_at = now() WHERE id = $10`,
    [...v, g.id],
  );
  if (r.rowCount === 0) throw new InputError(`there is no email group ${g.id}`);
  return g.id;
}

/** SMTP settings as saved. `password`: undefined = keep the stored one, null = none. */
export interface SmtpInput {
  enabled?: boolean;
  host: string;
  port: number;
  security: 'starttls' | 'tls' | 'none';
  userName?: string | null;
  password?: string | null;
  fromAddress: string;
  tlsVerify?: boolean;
  tlsCaPem?: string | null;
  timeoutMs?: number;
}

/** The SMTP settings without the password (`password_set` tells whether one is stored), or undefined. */
export async function getSmtpSettings(db: QueryRunner): Promise<Record<string, unknown> | undefined> {
  return (await db.query('SELECT * FROM pem.smtp_settings_public')).rows[0];
}

/** Saves the SMTP settings (one row). Throws InputError for a bad port, security or sender. */
export async function saveSmtpSettings(db: QueryRunner, s: SmtpInput): Promise<void> {
  if (!s.host?.trim()) throw new InputError('SMTP: host is required');
  if (!(Number.isInteger(s.port) && s.port >= 1 && s.port <= 65535))
    throw new InputError('SMTP: port must be 1..65535');
  if (!['starttls', 'tls', 'none'].includes(s.security))
    throw new InputError('SMTP: security must be starttls, tls or none');
  if (!/^[^\s@]+@[^\s@]+$/.test(s.fromAddress ?? '') && !/<[^\s@]+@[^\s@]+>$/.test(s.fromAddress ?? ''))
    throw new InputError('SMTP: the sender address is not an address');
  // the password column is write-only (pem_web may not read it, so no ON CONFLICT ... excluded): update, else insert
  const keep = s.password === undefined;
  const v = [
    s.enabled ?? true,
    s.host,
    s.port,
    s.security,
    s.userName ?? null,
    s.fromAddress,
    s.tlsVerify ?? true,
    s.tlsCaPem ?? null,
    s.timeoutMs ?? 15_000,
  ];
  const u = await db.query(
    `UPDATE pem.smtp_settings SET enabled = $1, host = $2, port = $3, security = $4, user_name = $5, from_address = $6,
            tls_verify = $7, tls_ca_pem = $8, timeout_ms = $9, updated_at = now()${keep ? '' : ', password = $10'}`,
    keep ? v : [...v, s.password],
  );
  if (u.rowCount === 0) {
    await db.query(
      `INSERT INTO pem.smtp_settings (enabled, host, port, security, user_name, from_address, tls_verify, tls_ca_pem, timeout_ms, password)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [...v, s.password ?? null],
    );
  }
}
