/**
 * Test support: a real SMTP server (the `smtp-server` package) on a given
 * address, with STARTTLS (a certificate from a throw-away CA, whose
 * certificate is returned for the client to trust) and mandatory
 * authentication (user/password given). Records every message.
 */

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { makeTestPki } from '../pki/test-pki.js';
import { waitFor } from '../wait/wait-for.js';

/** One message as received. */
export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
  /** Whether the session was upgraded to TLS before the message. */
  secure: boolean;
  user: string | undefined;
}

/** A running SMTP server. */
export interface SmtpReceiver {
  host: string;
  port: number;
  caPem: string;
  received: ReceivedMail[];
  /** Authentication attempts refused. */
  authFailures: number;
  waitFor(n: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** Starts the server on `address`, port chosen by the system; accepts `user`/`password` only. */
export async function startSmtpReceiver(
  address: string,
  user: string,
  password: string,
): Promise<SmtpReceiver> {
  const dir = mkdtempSync(join(tmpdir(), 'pharos-smtp-'));
  const pki = makeTestPki(dir);
  const files = pki.issue('smtp', [address]);
  const leaf = {
    keyPem: readFileSync(files.key, 'utf8'),
    certPem: readFileSync(files.cert, 'utf8'),
    caPem: readFileSync(pki.caCert, 'utf8'),
  };
  rmSync(dir, { recursive: true, force: true });
  const received: ReceivedMail[] = [];
  let authFailures = 0;
  const server = new SMTPServer({
    key: leaf.keyPem,
    cert: leaf.certPem,
    secure: false,
    authMethods: ['PLAIN', 'LOGIN'],
    allowInsecureAuth: false,
    logger: false,
    onAuth(auth, _session, cb) {
      if (auth.username === user && auth.password === password) return cb(null, { user });
      authFailures++;
      return cb(new Error('invalid credentials'));
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
          secure: session.secure,
          user: session.user as string | undefined,
        });
        cb();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, address, () => resolve());
  });
  const port = (server as unknown as { server: { address(): AddressInfo } }).server.address().port;
  return {
    host: address,
    port,
    caPem: leaf.caPem,
    received,
    get authFailures() {
      return authFailures;
    },
    async waitFor(n, timeoutMs = 20_000) {
      await waitFor(`${n} mails`, () => received.length >= n, {
        deadlineMs: timeoutMs,
        intervalMs: 50,
        state: () => `got ${received.length}`,
      });
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
