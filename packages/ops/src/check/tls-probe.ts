/**
 * Reads the certificate a server presents, without trusting it, so that
 * the certificate check can say exactly what is wrong with it (an expired
 * or foreign certificate would only make a verifying client fail with a
 * TLS error).
 *
 * PostgreSQL: the SSLRequest handshake (PostgreSQL docs §55.2.10 "SSL
 * Session Encryption"): the client sends 8 bytes, Int32 length 8 and Int32
 * code 80877103; the server answers one byte, 'S' (go ahead with TLS on the
 * same socket) or 'N' (no SSL: `ssl = off`). Plain TLS for the web
 * instances' HTTPS port.
 */
import type { X509Certificate } from 'node:crypto';
import { connect as netConnect, type Socket } from 'node:net';
import { type TLSSocket, connect as tlsConnect } from 'node:tls';
import { parseCertificate } from './certificate.js';

/** The SSLRequest code (1234 << 16 | 5679). */
export const SSL_REQUEST_CODE = 80877103;

/** What a server presented: its certificate, or that it refused TLS (PostgreSQL 'N'). */
export type PresentedCertificate = { tls: true; certificate: X509Certificate } | { tls: false };

function withTimeout<T>(
  what: string,
  timeoutMs: number,
  run: (done: (err: Error | null, v?: T) => void, track: (s: Socket) => void) => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const sockets: Socket[] = [];
    let settled = false;
    const finish = (err: Error | null, v?: T) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      // Outermost first: a TLS socket must go before the plain socket it wraps (the reverse crashes node 20).
      for (const s of [...sockets].reverse()) s.destroy();
      if (err) reject(err);
      else resolve(v as T);
    };
    const timer = setTimeout(() => finish(new Error(`${what}: no answer within ${timeoutMs} ms`)), timeoutMs);
    run(finish, (s) => {
      sockets.push(s);
      s.on('error', (e) => finish(new Error(`${what}: ${e.message}`)));
    });
  });
}

function certificateOf(socket: TLSSocket): X509Certificate {
  const peer = socket.getPeerCertificate(false);
  if (!peer?.raw) throw new Error('the server presented no certificate');
  return parseCertificate(peer.raw);
}

/**
 * Connects to the PostgreSQL server at `address:port`, sends SSLRequest and,
 * on 'S', completes a TLS handshake (no verification) and returns the
 * server's certificate; on 'N' returns `{ tls: false }`. The connection is
 * closed right after (the server logs an incomplete startup). Rejects on
 * connection errors, an unexpected answer, or after `timeoutMs`.
 */
export function postgresCertificate(
  address: string,
  port: number,
  timeoutMs: number,
): Promise<PresentedCertificate> {
  const what = `TLS handshake with PostgreSQL on ${address}:${port}`;
  return withTimeout<PresentedCertificate>(what, timeoutMs, (done, track) => {
    const socket = netConnect({ host: address, port });
    track(socket);
    socket.once('connect', () => {
      const req = Buffer.alloc(8);
      req.writeInt32BE(8, 0);
      req.writeInt32BE(SSL_REQUEST_CODE, 4);
      socket.write(req);
    });
    socket.once('data', (b: Buffer) => {
      const answer = String.fromCharCode(b[0] ?? 0);
      if (answer === 'N') return done(null, { tls: false });
      if (answer !== 'S')
        return done(new Error(`${what}: unexpected answer ${JSON.stringify(answer)} to SSLRequest`));
      socket.pause();
      const tls = tlsConnect({ socket, rejectUnauthorized: false });
      track(tls);
      tls.once('secureConnect', () => {
        try {
          done(null, { tls: true, certificate: certificateOf(tls) });
        } catch (err) {
          done(new Error(`${what}: ${(err as Error).message}`));
        }
      });
    });
  });
}

/**
 * Completes a TLS handshake (no verification) with `address:port` and
 * returns the certificate presented. Rejects on connection or handshake
 * errors, or after `timeoutMs`.
 */
export function tlsCertificate(address: string, port: number, timeoutMs: number): Promise<X509Certificate> {
  const what = `TLS handshake with ${address}:${port}`;
  return withTimeout<X509Certificate>(what, timeoutMs, (done, track) => {
    const tls = tlsConnect({ host: address, port, rejectUnauthorized: false });
    track(tls);
    tls.once('secureConnect', () => {
      try {
        done(null, certificateOf(tls));
      } catch (err) {
        done(new Error(`${what}: ${(err as Error).message}`));
      }
    });
  });
}
