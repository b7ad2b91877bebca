import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InvalidOptionError } from '@kaviar/flags-core';
import { isLoopbackHost } from './access';
import { createDashboard, type DashboardOptions } from './create-dashboard';

/** Options of {@link serveDashboard}: the dashboard's, plus where to listen. */
export interface ServeDashboardOptions extends Omit<DashboardOptions, 'basePath' | 'allowedHosts'> {
  /** TCP port. Default 4680; `0` picks a free one (see `port` on the result). */
  readonly port?: number;
  /**
   * Address to bind. Default `127.0.0.1`. Any address that is not loopback (127.0.0.0/8, `::1`,
   * `localhost`) requires `token`.
   */
  readonly host?: string;
}

/** A running dashboard server. */
export interface DashboardServer {
  /** `http://127.0.0.1:4680/`: where it listens (never with the token). */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** Ends event streams, stops listening, closes connections. Leaves the database open. Idempotent. */
  close(): Promise<void>;
}

/**
 * Serves the dashboard on its own `node:http` server (what `kaviar-flags dashboard` runs). Without a
 * token it only answers requests whose `Host` is the loopback name or address it listens on.
 * Throws `InvalidOptionError` for a non-loopback host without a token.
 *
 * @example
 * const server = await serveDashboard({ db, port: 4680 });
 * console.log(`open ${server.url}`);
 */
export async function serveDashboard(options: ServeDashboardOptions): Promise<DashboardServer> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 4680;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new InvalidOptionError('port', port, 'must be a whole number from 0 to 65535');
  }
  if (!isLoopbackHost(host) && options.token === undefined) {
    throw new InvalidOptionError(
      'token',
      '(none)',
      `is required to listen on ${host}, which other machines can reach`,
    );
  }
  const bare = host.replace(/^\[|\]$/g, '');
  const named = bare.includes(':') ? `[${bare}]` : bare;
  const dashboard = createDashboard({
    ...options,
    ...(options.token === undefined
      ? { allowedHosts: [...new Set([named, '127.0.0.1', 'localhost', '[::1]'])] }
      : {}),
  });
  const server = createServer(dashboard.handle);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, bare, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    await dashboard.close();
    throw error;
  }
  const actual = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${named}:${actual}/`,
    host: bare,
    port: actual,
    close() {
      closing ??= (async () => {
        await dashboard.close();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
      })();
      return closing;
    },
  };
}
