/**
 * Logging: pino, JSON lines to stderr (or a file descriptor), with secrets
 * redacted by key name wherever they appear in a logged object.
 */
import { type Logger, pino } from 'pino';

export type { Logger } from 'pino';

/** Keys whose values never reach a log line. */
export const REDACTED_KEYS = ['password', 'superpassword', 'sslpassword', 'secret', 'token', 'cookie', 'key'];

/**
 * Creates a logger named `name` (the component: `agent`, `web`, `lab`...)
 * at `level` (default `info`; the library reads no environment: the CLI
 * passes `PHAROS_LOG_LEVEL`). Writes to `destination` (a path, appended) or
 * stderr.
 */
export function createLogger(name: string, options?: { level?: string; destination?: string }): Logger {
  const level = options?.level ?? 'info';
  const redact = { paths: REDACTED_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`]), censor: '[redacted]' };
  const dest = options?.destination
    ? pino.destination({ dest: options.destination, append: true, sync: false, mkdir: true })
    : pino.destination(2);
  return pino({ name, level, redact, base: { pid: process.pid } }, dest);
}
