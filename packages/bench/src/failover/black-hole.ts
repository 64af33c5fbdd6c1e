/**
 * A black-holed host: a TCP listener that accepts connections and never
 * answers (the client's startup packet or SSLRequest gets no reply), as a
 * frozen server or a host behind a broken middlebox looks to a client.
 */
import { createServer, type Server, type Socket } from 'node:net';

/** A running black hole; `close()` destroys every accepted socket and stops listening. */
export interface BlackHole {
  address: string;
  port: number;
  close(): Promise<void>;
}

/** Listens on `address:port` (e.g. 127.0.15.241:5432). Rejects when the address is taken. */
export async function startBlackHole(address: string, port: number): Promise<BlackHole> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => {
    sockets.add(s);
    s.on('error', () => {});
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, address, () => resolve());
  });
  return {
    address,
    port,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
