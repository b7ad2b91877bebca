/**
 * A TCP proxy in front of the test Postgres that a test can cut, stall and restore, to simulate a database
 * outage for one client without touching the shared server:
 * - `cut()` drops every open connection and refuses new ones (ECONNREFUSED); `restore()` accepts again on the
 *   same port.
 * - `stall()` stops forwarding in both directions without closing anything (a black-holed network, a
 *   half-open connection after a failover): open connections hang, new ones are accepted and hang too. A side
 *   that closes during the stall is not passed on either: its peer stays open and dead for good (a half-open
 *   connection). `unstall()` forwards again on the connections still whole, including what was held back (as
 *   TCP retransmission would).
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

/** A proxy to `target`; `url` is `target` rewritten to the proxy's port. */
export interface TcpProxy {
  readonly url: string;
  /** Drops all connections and stops accepting new ones. */
  cut(): Promise<void>;
  /** Accepts connections again. */
  restore(): Promise<void>;
  /** Stops forwarding without closing: every connection, open or new, hangs. */
  stall(): void;
  /** Forwards again. */
  unstall(): void;
  close(): Promise<void>;
  /** Bytes forwarded so far: to the server and back to the clients. */
  bytes(): { toServer: number; toClient: number };
  /** Client connections open now. */
  connections(): number;
}

/** Starts a proxy to the Postgres at `databaseUrl` on a free local port. */
export async function startTcpProxy(databaseUrl: string): Promise<TcpProxy> {
  const target = new URL(databaseUrl);
  const sockets = new Set<Socket>();
  const clients = new Set<Socket>();
  const counted = { toServer: 0, toClient: 0 };
  let server: Server | undefined;
  let port = 0;
  let stalled = false;
  // Per connection: forwards, or holds back while stalled (flushed by unstall), or swallows once half-open.
  const flushers = new Set<() => void>();
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const s = createServer((client) => {
        const upstream = connect(Number(target.port || 5432), target.hostname);
        sockets.add(client).add(upstream);
        clients.add(client);
        let halfOpen = false;
        const held: [Socket, Buffer][] = [];
        const flush = () => {
          if (halfOpen) return;
          for (const [to, chunk] of held.splice(0)) to.write(chunk);
        };
        flushers.add(flush);
        const forward = (from: Socket, to: Socket, count: (n: number) => void) => {
          from.on('data', (chunk: Buffer) => {
            count(chunk.length);
            if (halfOpen) return; // the black hole
            if (stalled) held.push([to, chunk]);
            else to.write(chunk);
          });
        };
        const drop = (side: Socket) => {
          if (halfOpen) return; // the dead peer lives on until close()
          if (stalled && server !== undefined) {
            // The black hole swallows the close too: the peer never hears of it, half-open for good.
            halfOpen = true;
            held.length = 0;
            side.destroy();
            sockets.delete(side);
            return;
          }
          flushers.delete(flush);
          client.destroy();
          upstream.destroy();
          sockets.delete(client);
          sockets.delete(upstream);
          clients.delete(client);
        };
        client.on('error', () => drop(client)).on('close', () => drop(client));
        upstream.on('error', () => drop(upstream)).on('close', () => drop(upstream));
        forward(client, upstream, (n) => {
          counted.toServer += n;
        });
        forward(upstream, client, (n) => {
          counted.toClient += n;
        });
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
    server = undefined; // also tells drop() that this is a shutdown, not a peer closing in a stall
    for (const socket of sockets) socket.destroy();
    sockets.clear();
    clients.clear();
    flushers.clear();
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  };
  await listen();
  const url = new URL(databaseUrl);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  return {
    url: url.toString(),
    cut: stop,
    restore: listen,
    stall() {
      stalled = true;
    },
    unstall() {
      stalled = false;
      for (const flush of flushers) flush();
    },
    close: async () => {
      stalled = false;
      await stop();
    },
    bytes: () => ({ ...counted }),
    connections: () => clients.size,
  };
}
