import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createServer as createTlsServer, TLSSocket } from 'node:tls';
import { issueServerCertificate } from '@pharos/core/pki/issue';
import { testCa } from '../testing/check-fixtures.js';
import { commonNameOf } from './certificate.js';
import { postgresCertificate, SSL_REQUEST_CODE, tlsCertificate } from './tls-probe.js';

/** Where the stand-in servers listen (ephemeral ports): the check's own loopback /24, 127.0.9.X. */
const HOST = '127.0.9.250';

/** A stand-in for PostgreSQL's SSLRequest handling: answers 'S' and speaks TLS, or answers 'N'. */
function fakePostgres(answer: 'S' | 'N', tls: { key: string; cert: string }): Promise<Server> {
  const server = createServer((socket: Socket) => {
    socket.once('data', (b: Buffer) => {
      assert.equal(b.readInt32BE(0), 8);
      assert.equal(b.readInt32BE(4), SSL_REQUEST_CODE);
      socket.write(answer);
      if (answer === 'N') return socket.end();
      const secure = new TLSSocket(socket, { isServer: true, key: tls.key, cert: tls.cert });
      secure.on('error', () => {});
    });
    socket.on('error', () => {});
  });
  return new Promise((resolve) => server.listen(0, HOST, () => resolve(server)));
}

const portOf = (s: Server) => (s.address() as { port: number }).port;

describe('reading presented certificates', () => {
  let tls: { key: string; cert: string };
  const servers: Server[] = [];
  before(async () => {
    const ca = await testCa();
    const c = await issueServerCertificate(ca, {
      commonName: HOST,
      dnsNames: [],
      ipAddresses: [HOST],
      days: 30,
    });
    tls = { key: c.keyPem, cert: c.certPem };
  });
  after(() => {
    for (const s of servers) s.close();
  });

  it('reads the certificate after the SSLRequest handshake', async () => {
    const s = await fakePostgres('S', tls);
    servers.push(s);
    for (let i = 0; i < 3; i++) {
      const r = await postgresCertificate(HOST, portOf(s), 3000);
      assert.ok(r.tls);
      assert.equal(commonNameOf(r.certificate), HOST);
    }
  });

  it("reports a server that answers 'N' (ssl = off)", async () => {
    const s = await fakePostgres('N', tls);
    servers.push(s);
    assert.deepEqual(await postgresCertificate(HOST, portOf(s), 3000), { tls: false });
  });

  it('fails with the reason on a refused connection and on silence', async () => {
    const closed = await fakePostgres('N', tls);
    const port = portOf(closed);
    closed.close();
    await assert.rejects(postgresCertificate(HOST, port, 3000), /ECONNREFUSED/);
    const silent = createServer(() => {});
    servers.push(silent);
    await new Promise<void>((r) => silent.listen(0, HOST, () => r()));
    await assert.rejects(postgresCertificate(HOST, portOf(silent), 300), /no answer within 300 ms/);
  });

  it('reads the certificate of a plain TLS server', async () => {
    const s = createTlsServer({ key: tls.key, cert: tls.cert }, (sock) => sock.end());
    servers.push(s);
    await new Promise<void>((r) => s.listen(0, HOST, () => r()));
    const cert = await tlsCertificate(HOST, portOf(s), 3000);
    assert.equal(commonNameOf(cert), HOST);
  });
});
