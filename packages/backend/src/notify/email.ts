/**
 * Sends one email through SMTP with nodemailer (https://nodemailer.com/smtp/):
 * `security` starttls = plain connection upgraded with STARTTLS, which is
 * required (nodemailer `requireTLS`); tls = TLS from the first byte (`secure`,
 * port 465); none = no TLS (`ignoreTLS`). Authentication (PLAIN/LOGIN, as
 * the server offers) when a user name is set. The Message-ID is derived
 * from the duplicate-suppression key, which also goes into an
 * `X-Pharos-Idempotency-Key` header. Never throws for a delivery failure.
 * nodemailer is loaded on the first email only: it costs ~14 MiB of resident
 * memory, and most agents never send one.
 */

/** SMTP server settings (pem.smtp_settings). */
export interface SmtpSettings {
  host: string;
  port: number;
  security: 'starttls' | 'tls' | 'none';
  user_name?: string | null;
  password?: string | null;
  from_address: string;
  tls_verify?: boolean;
  tls_ca_pem?: string | null;
  timeout_ms?: number;
}

/** One message. */
export interface EmailMessage {
  to: string[];
  subject: string;
  text: string;
  idempotencyKey: string;
  headers?: Record<string, string>;
}

/** Outcome of one attempt. `statusCode` is the SMTP reply code when known. */
export interface EmailOutcome {
  ok: boolean;
  statusCode?: number;
  error?: string;
  durationMs: number;
}

/** nodemailer transport options for `smtp` (exported for tests). */
export function transportOptions(smtp: SmtpSettings): Record<string, unknown> {
  const timeout = smtp.timeout_ms ?? 15000;
  return {
    host: smtp.host,
    port: smtp.port,
    secure: smtp.security === 'tls',
    requireTLS: smtp.security === 'starttls',
    ignoreTLS: smtp.security === 'none',
    auth: smtp.user_name ? { user: smtp.user_name, pass: smtp.password ?? '' } : undefined,
    tls: {
      rejectUnauthorized: smtp.tls_verify !== false,
      ...(smtp.tls_ca_pem ? { ca: smtp.tls_ca_pem } : {}),
    },
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
    disableFileAccess: true,
    disableUrlAccess: true,
  };
}

/** Sends `msg` through `smtp`. */
export async function sendEmail(smtp: SmtpSettings, msg: EmailMessage): Promise<EmailOutcome> {
  const started = Date.now();
  const { default: nodemailer } = await import('nodemailer');
  const transport = nodemailer.createTransport(transportOptions(smtp));
  try {
    const info = await transport.sendMail({
      from: smtp.from_address,
      to: msg.to,
      subject: msg.subject,
      text: msg.text,
      messageId: `<${msg.idempotencyKey}@pharos>`,
      headers: { 'X-Pharos-Idempotency-Key': msg.idempotencyKey, ...(msg.headers ?? {}) },
    });
    const rejected = (info.rejected ?? []).map(String);
    if (rejected.length > 0 && (info.accepted ?? []).length === 0) {
      return {
        ok: false,
        error: `every recipient was rejected: ${rejected.join(', ')}`,
        durationMs: Date.now() - started,
      };
    }
    const code = Number(/^(\d{3})/.exec(String(info.response ?? ''))?.[1] ?? 250);
    return { ok: true, statusCode: code, durationMs: Date.now() - started };
  } catch (err) {
    const e = err as { message?: string; responseCode?: number; code?: string };
    const what = [e.code, e.message].filter(Boolean).join(' ');
    return {
      ok: false,
      ...(e.responseCode ? { statusCode: e.responseCode } : {}),
      error: `SMTP ${smtp.host}:${smtp.port}: ${what || String(err)}`.replace(
        smtp.password || '\u0000',
        '***',
      ),
      durationMs: Date.now() - started,
    };
  } finally {
    transport.close();
  }
}
