/**
 * A TCP proxy in front of the test Postgres that a test can cut and restore, to simulate a database outage
 * for one client without touching the shared server: `cut()` drops every open connection and refuses new
 * ones (ECONNREFUSED); `restore()` accepts again on the same port.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

/** A proxy to `target`; `url` is `target` rewritten to the proxy's port. */
export interface TcpProxy {
  readonly url: string;
  /** Drops all connections and stops accepting new ones. */
  cut(): Promise<void>;
  /** Accepts connections again. */
  restore(): Promise<void>;
  close(): Promise<void>;
  /** Bytes forwarded so far: to the server and back to the clients. */
  bytes(): { toServer: number; toClient: number };
}

/** Starts a proxy to the Postgres at `databaseUrl` on a free local port. */
export async function startTcpProxy(databaseUrl: string): Promise<TcpProxy> {
  const target = new URL(databaseUrl);
  const sockets = new Set<Socket>();
  const counted = { toServer: 0, toClient: 0 };
  let server: Server | undefined;
  let port = 0;
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const s = createServer((client) => {
        const upstream = connect(Number(target.port || 5432), target.hostname);
        sockets.add(client).add(upstream);
        const drop = () => {
          client.destroy();
          upstream.destroy();
          sockets.delete(client);
          sockets.delete(upstream);
        };
        client.on('error', drop).on('close', drop);
        upstream.on('error', drop).on('close', drop);
        client.on('data', (chunk: Buffer) => {
          counted.toServer += chunk.length;
        });
        upstream.on('data', (chunk: Buffer) => {
          counted.toClient += chunk.length;
        });
        client.pipe(upstream).pipe(client);
      });
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => {
        port = (s.address() as { port: number }).port;
        server = s;
        resolve();
      });
    });
  const stop = async () => {
    const s = server;
    server = undefined;
    for (const socket of sockets) socket.destroy();
    sockets.clear();
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  };
  await listen();
  const url = new URL(databaseUrl);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  return { url: url.toString(), cut: stop, restore: listen, close: stop, bytes: () => ({ ...counted }) };
}
