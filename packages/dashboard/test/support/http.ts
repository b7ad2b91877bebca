/**
 * Plain `node:http` requests for the dashboard suites: one connection per request (no keep-alive pool
 * left behind for the leak guard), the body read to the end.
 */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';

export interface Reply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export function request(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      { method: options.method ?? 'GET', headers: options.headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** An open event stream: the text received so far, and a way to wait for more. */
export interface EventStream {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  text(): string;
  /**
   * Resolves once the text received after the first `from` characters matches `pattern` (rejects after
   * `timeoutMs`, a safety net).
   */
  waitFor(pattern: RegExp, options?: { timeoutMs?: number; from?: number }): Promise<string>;
  close(): void;
}

export function openEvents(url: string, headers: Record<string, string> = {}): Promise<EventStream> {
  return new Promise((resolve, reject) => {
    let received = '';
    const waiters = new Set<() => void>();
    const req = httpRequest(
      url,
      { headers: { Accept: 'text/event-stream', ...headers }, agent: false },
      (res) => {
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          received += chunk;
          for (const w of waiters) w();
        });
        res.on('error', () => undefined);
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          text: () => received,
          waitFor(pattern, { timeoutMs = 15_000, from = 0 } = {}) {
            return new Promise((done, fail) => {
              const check = () => {
                if (pattern.test(received.slice(from))) {
                  waiters.delete(check);
                  clearTimeout(timer);
                  done(received);
                }
              };
              const timer = setTimeout(() => {
                waiters.delete(check);
                fail(new Error(`no ${pattern} in the event stream; got:\n${received}`));
              }, timeoutMs);
              waiters.add(check);
              check();
            });
          },
          close: () => req.destroy(),
        });
      },
    );
    req.on('error', (e) => (received === '' ? reject(e) : undefined));
    req.end();
  });
}
