/**
 * Notification targets for the web application: webhooks, email groups and
 * the SMTP server (005_alerts.sql). Secrets are write-only: webhook header
 * values and the SMTP password are never read back (pem.webhook_public,
 * pem.smtp_settings_public). Input is validated before it is written;
 * problems are InputErrors naming the field.
 */
import { pharosError, sqlStateOf } from '@pharos/core/errors';
import type { Queryable } from '@pharos/core/query';
import type { EmailGroupInput, SmtpInput, WebhookInput } from './admin-shapes.js';
import { type Json, unknownPlaceholders } from './render.js';
import { REFUSED_HEADER_NAMES } from './webhook.js';

export type { EmailGroupInput, SmtpInput, WebhookInput } from './admin-shapes.js';

/**
 * Webhooks without header values (pem.webhook_public): `url_origin` is the
 * URL's scheme://host[:port]; with `withUrl` (administrators, who edit them)
 * the whole `url` too. Path, query and header values are write-only for
 * everyone else: they often are the credential (security review M5).
 */
export async function listWebhooks(
  db: Queryable,
  opts: { withUrl?: boolean } = {},
): Promise<Record<string, unknown>[]> {
  const sql = opts.withUrl
    ? 'SELECT p.*, w.url FROM pem.webhook_public p JOIN pem.webhook w ON w.id = p.id ORDER BY p.name'
    : 'SELECT * FROM pem.webhook_public ORDER BY name';
  return (await db.query(sql)).rows;
}

/** Throws InputError (with the `field` at fault) unless `w` is a usable webhook. */
export function checkWebhook(w: WebhookInput): void {
  if (!w.name?.trim()) throw pharosError('PHAROS_WEBHOOK_NAME_MISSING', {}, { field: 'name' });
  let u: URL;
  try {
    u = new URL(w.url ?? '');
  } catch {
    throw pharosError('PHAROS_WEBHOOK_URL_INVALID', { name: w.name }, { field: 'url' });
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw pharosError('PHAROS_WEBHOOK_URL_SCHEME', { name: w.name }, { field: 'url' });
  if (u.username !== '' || u.password !== '')
    throw pharosError('PHAROS_WEBHOOK_URL_CREDENTIALS', { name: w.name }, { field: 'url' });
  if (w.method !== undefined && w.method !== 'POST' && w.method !== 'PUT')
    throw pharosError('PHAROS_WEBHOOK_METHOD_INVALID', { name: w.name }, { field: 'method' });
  for (const [k, v] of Object.entries(w.headers ?? {})) {
    if (!/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(k) || typeof v !== 'string' || /[\r\n\0]/.test(v))
      throw pharosError(
        'PHAROS_WEBHOOK_HEADER_INVALID',
        { name: w.name, header: JSON.stringify(k) },
        { field: 'headers' },
      );
    if (REFUSED_HEADER_NAMES.has(k.toLowerCase()))
      throw pharosError('PHAROS_WEBHOOK_HEADER_REFUSED', { name: w.name, header: k }, { field: 'headers' });
  }
  if (w.payloadTemplate !== undefined && w.payloadTemplate !== null) {
    const unknown = unknownPlaceholders(w.payloadTemplate as Json);
    if (unknown.length > 0)
      throw pharosError(
        'PHAROS_WEBHOOK_PLACEHOLDER_UNKNOWN',
        { name: w.name, placeholders: unknown.join('%, %') },
        {
          field: 'payloadTemplate',
        },
      );
  }
  if (w.timeoutMs !== undefined && !(w.timeoutMs >= 100 && w.timeoutMs <= 120_000))
    throw pharosError('PHAROS_WEBHOOK_TIMEOUT_INVALID', { name: w.name }, { field: 'timeoutMs' });
  if (
    w.maxRetries !== undefined &&
    !(Number.isInteger(w.maxRetries) && w.maxRetries >= 0 && w.maxRetries <= 100)
  )
    throw pharosError('PHAROS_WEBHOOK_RETRIES_INVALID', { name: w.name }, { field: 'maxRetries' });
}

/** Runs `fn`; a unique violation (23505) becomes the InputError `code` on field `name` ("there is already a ... named ..."). */
async function uniqueName<T>(
  code: 'PHAROS_WEBHOOK_NAME_TAKEN' | 'PHAROS_EMAIL_GROUP_NAME_TAKEN',
  name: string,
  fn: () => Promise<T>,
): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (sqlStateOf(err) === '23505')
      throw pharosError(code, { name: JSON.stringify(name) }, { field: 'name', cause: err });
    throw err;
  }
}

/**
 * Creates or updates a webhook; resolves to its id. Throws InputError (see
 * {@link checkWebhook}; also for a name another webhook has).
 */
export async function saveWebhook(db: Queryable, w: WebhookInput): Promise<number> {
  checkWebhook(w);
  return uniqueName('PHAROS_WEBHOOK_NAME_TAKEN', w.name ?? '', () => writeWebhook(db, w));
}

async function writeWebhook(db: Queryable, w: WebhookInput): Promise<number> {
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
  if (r.rowCount === 0) throw pharosError('PHAROS_WEBHOOK_NOT_FOUND', { id: w.id });
  return w.id;
}

/** Deletes webhook `id` (its delivery history stays, without a target). */
export async function deleteWebhook(db: Queryable, id: number): Promise<boolean> {
  return (await db.query('DELETE FROM pem.webhook WHERE id = $1', [id])).rowCount > 0;
}

/**
 * Queues a test notification to webhook `id` (delivered by the backend
 * agents); resolves to its delivery id. Throws PHAROS_WEBHOOK_NOT_FOUND
 * (404) when there is no webhook `id`, and PHAROS_WEBHOOK_DISABLED (field
 * `enabled`) for a disabled webhook: a test shows what the webhook would do,
 * and a disabled one sends nothing.
 */
export async function testWebhook(db: Queryable, id: number, requestedBy: string): Promise<number> {
  const w = (
    await db.query<{ name: string; enabled: boolean }>(
      'SELECT name, enabled FROM pem.webhook_public WHERE id = $1',
      [id],
    )
  ).rows[0];
  if (!w) throw pharosError('PHAROS_WEBHOOK_NOT_FOUND', { id });
  if (!w.enabled) throw pharosError('PHAROS_WEBHOOK_DISABLED', { name: w.name }, { field: 'enabled' });
  return Number(
    (
      await db.query<{ id: string }>('SELECT pem.enqueue_test_notification($1, NULL, $2) AS id', [
        id,
        requestedBy,
      ])
    ).rows[0]!.id,
  );
}

/**
 * Queues a test email to email group `id` (pem.enqueue_test_notification): the
 * backend agents send it like any alert email, through the SMTP settings.
 * Resolves to the outbox id (follow it in pem.notification_delivery).
 * Throws PHAROS_EMAIL_GROUP_NOT_FOUND (404) for no such group and
 * PHAROS_SMTP_NOT_CONFIGURED (409) when no SMTP settings are saved and
 * enabled with a server and a sender (the email could not be sent).
 */
export async function testEmailGroup(db: Queryable, id: number, requestedBy: string): Promise<number> {
  const g = (await db.query<{ name: string }>('SELECT name FROM pem.email_group WHERE id = $1', [id]))
    .rows[0];
  if (!g) throw pharosError('PHAROS_EMAIL_GROUP_NOT_FOUND', { id });
  const smtp = await getSmtpSettings(db);
  if (!(smtp?.enabled === true && smtp.host && smtp.from_address))
    throw pharosError('PHAROS_SMTP_NOT_CONFIGURED', { name: g.name });
  return Number(
    (
      await db.query<{ id: string }>('SELECT pem.enqueue_test_notification(NULL, $1, $2) AS id', [
        id,
        requestedBy,
      ])
    ).rows[0]!.id,
  );
}

/** Email groups. */
export async function listEmailGroups(db: Queryable): Promise<Record<string, unknown>[]> {
  return (await db.query('SELECT * FROM pem.email_group ORDER BY name')).rows;
}

/** Creates or updates an email group; resolves to its id. Throws InputError for no or malformed recipients. */
export async function saveEmailGroup(db: Queryable, g: EmailGroupInput): Promise<number> {
  if (!g.name?.trim()) throw pharosError('PHAROS_EMAIL_GROUP_NAME_MISSING', {}, { field: 'name' });
  if (!Array.isArray(g.recipients) || g.recipients.length === 0)
    throw pharosError('PHAROS_EMAIL_GROUP_NO_RECIPIENTS', { name: g.name }, { field: 'recipients' });
  const bad = g.recipients.filter((r) => !/^[^\s@<>,]+@[^\s@<>,]+$/.test(r));
  if (bad.length > 0)
    throw pharosError(
      'PHAROS_EMAIL_GROUP_ADDRESS_INVALID',
      { name: g.name, addresses: bad.join(', ') },
      { field: 'recipients' },
    );
  return uniqueName('PHAROS_EMAIL_GROUP_NAME_TAKEN', g.name, () => writeEmailGroup(db, g));
}

async function writeEmailGroup(db: Queryable, g: EmailGroupInput): Promise<number> {
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
  if (r.rowCount === 0) throw pharosError('PHAROS_EMAIL_GROUP_NOT_FOUND', { id: g.id });
  return g.id;
}

/** The SMTP settings without the password (`password_set` tells whether one is stored), or undefined. */
export async function getSmtpSettings(db: Queryable): Promise<Record<string, unknown> | undefined> {
  return (await db.query('SELECT * FROM pem.smtp_settings_public')).rows[0];
}

/** Saves the SMTP settings (one row). Throws InputError for a bad port, security, sender or timeout (100..120000 ms). */
export async function saveSmtpSettings(db: Queryable, s: SmtpInput): Promise<void> {
  if (!s.host?.trim()) throw pharosError('PHAROS_SMTP_HOST_MISSING', {}, { field: 'host' });
  if (!(s.port !== undefined && Number.isInteger(s.port) && s.port >= 1 && s.port <= 65535))
    throw pharosError('PHAROS_SMTP_PORT_INVALID', {}, { field: 'port' });
  if (!['starttls', 'tls', 'none'].includes(s.security ?? ''))
    throw pharosError('PHAROS_SMTP_SECURITY_INVALID', {}, { field: 'security' });
  if (!/^[^\s@]+@[^\s@]+$/.test(s.fromAddress ?? '') && !/<[^\s@]+@[^\s@]+>$/.test(s.fromAddress ?? ''))
    throw pharosError('PHAROS_SMTP_SENDER_INVALID', {}, { field: 'fromAddress' });
  // pem.smtp_settings' CHECK, named before the database refuses it without a field (or as no integer at all)
  if (s.timeoutMs !== undefined && !(s.timeoutMs >= 100 && s.timeoutMs <= 120_000))
    throw pharosError('PHAROS_SMTP_TIMEOUT_INVALID', {}, { field: 'timeoutMs' });
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
