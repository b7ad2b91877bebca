/**
 * The dashboard as a `node:http` request handler: GET pages, GET assets, GET the event stream,
 * nothing else (no endpoint writes). Mount it in any server that hands over Node's request and
 * response (`http.createServer`, Express, Fastify via `reply.hijack()`), under `basePath`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { FlagsError, InvalidOptionError } from '@kaviar/flags-core';
import { toError } from '@kaviar/flags-core/internal';
import type { CheckStatus } from '@kaviar/flags-monitor';
import type { FlagsDb } from '@kaviar/flags-pg';
import { hostName, presentedToken, tokenMatches } from './access';
import { ASSETS } from './assets.generated';
import type { SafeHtml } from './html';
import { type LiveEvent, LiveFeed } from './live-feed';
import { checkpointsPage } from './pages/checkpoints-page';
import { errorPage } from './pages/error-page';
import { flagPage, notFoundPage } from './pages/flag-page';
import { flagsPage } from './pages/flags-page';
import type { PageContext } from './pages/layout';
import { type ReadSettings, readCheckpoints, readFlagDetail, readOverview } from './read-model';
import { SECURITY_HEADERS } from './security-headers';

/** Options of {@link createDashboard}. */
export interface DashboardOptions {
  /** The flags database (from `openDb`); the dashboard reads it and leaves it open. */
  readonly db: FlagsDb;
  /**
   * The path the dashboard is mounted under, e.g. `/ops/flags` (links are built with it). Default `''`
   * (the server's root). Requests outside it get a 404.
   */
  readonly basePath?: string;
  /**
   * When set, every request must present it: as the password of HTTP Basic authentication (browsers
   * prompt for it; any user name) or as `Authorization: Bearer <token>`. At least 16 characters.
   */
  readonly token?: string;
  /**
   * Accepted `Host` header names (without port), e.g. `['127.0.0.1', 'localhost']`; others get a 403.
   * Protects a dashboard without a token from DNS rebinding. Default: any host.
   */
  readonly allowedHosts?: readonly string[];
  /** An instance whose heartbeat is older is not live (ms). Default 60 000, as the monitor. */
  readonly liveWindowMs?: number;
  /** The instances' heartbeat interval, for "presumed gone" (ms). Default 15 000, as the monitor. */
  readonly heartbeatIntervalMs?: number;
  /** Confidence of the exposure intervals. Default 0.999, as the monitor. */
  readonly confidence?: number;
  /**
   * While a page is open: how often the store's version, the newest checkpoint and the instances are
   * polled (ms). Flag changes arrive sooner through LISTEN where the database allows it. Default 1000.
   */
  readonly pollIntervalMs?: number;
  /** Called with errors the dashboard handled (a read that failed); never with the token. */
  readonly onError?: (error: Error) => void;
}

/** A mounted dashboard. */
export interface Dashboard {
  /** The request handler: `(req, res) => void`. Bound, so it can be passed around as is. */
  readonly handle: (req: IncomingMessage, res: ServerResponse) => void;
  /** Ends open event streams and stops listening to the store. Leaves the database open. Idempotent. */
  close(): Promise<void>;
}

const BASE_PATH = /^(\/[A-Za-z0-9._~-]+)*$/;
const STATUSES: readonly string[] = ['PASS', 'WARN', 'FAIL', 'UNKNOWN'];

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new InvalidOptionError(name, value, 'must be a number > 0');
  }
  return value;
}

/**
 * Creates the dashboard over an open database.
 *
 * @example
 * const dashboard = createDashboard({ db, basePath: '/ops/flags', token: process.env.KAVIAR_FLAGS_DASHBOARD_TOKEN });
 * app.use('/ops/flags', dashboard.handle); // Express
 */
export function createDashboard(options: DashboardOptions): Dashboard {
  const base = options.basePath ?? '';
  if (typeof base !== 'string' || !BASE_PATH.test(base)) {
    throw new InvalidOptionError(
      'basePath',
      base,
      "must be '' or a path like /ops/flags (no trailing slash)",
    );
  }
  const token = options.token;
  if (token !== undefined && (typeof token !== 'string' || token.length < 16)) {
    throw new InvalidOptionError('token', '(hidden)', 'must be a string of at least 16 characters');
  }
  const settings: ReadSettings = {
    liveWindowMs: positive('liveWindowMs', options.liveWindowMs, 60_000),
    heartbeatIntervalMs: positive('heartbeatIntervalMs', options.heartbeatIntervalMs, 15_000),
    confidence: positive('confidence', options.confidence, 0.999),
  };
  if (settings.confidence >= 1)
    throw new InvalidOptionError('confidence', settings.confidence, 'must be < 1');
  const onError = (error: Error) => {
    try {
      options.onError?.(error);
    } catch {
      // A throwing logger must not break a response.
    }
  };
  const allowedHosts = options.allowedHosts?.map((h) => h.toLowerCase());
  const db = options.db;
  const feed = new LiveFeed(db, {
    pollIntervalMs: positive('pollIntervalMs', options.pollIntervalMs, 1000),
    liveWindowMs: settings.liveWindowMs,
    statusEveryMs: 5000,
    onError,
  });
  const streams = new Set<ServerResponse>();
  let closed = false;

  const send = (
    res: ServerResponse,
    req: IncomingMessage,
    status: number,
    type: string,
    body: string,
    extra = {},
  ) => {
    res.writeHead(status, {
      ...SECURITY_HEADERS,
      'Content-Type': type,
      'Content-Length': Buffer.byteLength(body),
      'Cache-Control': 'no-store',
      ...extra,
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
  const page = (res: ServerResponse, req: IncomingMessage, status: number, markup: SafeHtml) =>
    send(res, req, status, 'text/html; charset=utf-8', markup.text);
  const context = (): PageContext => ({ base, schema: db.schema, renderedAt: new Date() });

  const events = (req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      'X-Accel-Buffering': 'no',
    });
    if (req.method === 'HEAD' || closed) return void res.end();
    res.write('retry: 2000\n\n');
    streams.add(res);
    const write = (event: LiveEvent) => {
      if (res.writableEnded || res.destroyed) return;
      res.write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
    };
    const unsubscribe = feed.subscribe(write);
    const done = () => {
      unsubscribe();
      streams.delete(res);
    };
    req.on('close', done);
    res.on('close', done);
  };

  const route = async (req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams) => {
    if (path === '/' || path === '') {
      return page(res, req, 200, flagsPage(context(), await readOverview(db, settings)));
    }
    if (path === '/checkpoints') {
      const status = query.getAll('status').filter((s) => STATUSES.includes(s)) as CheckStatus[];
      const phase = query.get('phase') || undefined;
      const view = await readCheckpoints(db, { status, ...(phase ? { phase } : {}) });
      return page(res, req, 200, checkpointsPage(context(), view, { status, phase }));
    }
    if (path === '/events') return events(req, res);
    const flag = /^\/flags\/([^/]+)$/.exec(path);
    if (flag) {
      let key: string;
      try {
        key = decodeURIComponent(flag[1] ?? '');
      } catch {
        return page(res, req, 404, notFoundPage(context(), 'That is not a flag key.'));
      }
      const detail = /^[a-z0-9][a-z0-9_.-]{0,127}$/.test(key)
        ? await readFlagDetail(db, key, settings)
        : undefined;
      if (!detail)
        return page(res, req, 404, notFoundPage(context(), `There is no flag ${JSON.stringify(key)}.`));
      return page(res, req, 200, flagPage(context(), detail));
    }
    const asset = /^\/assets\/([a-z0-9.-]+)$/.exec(path);
    const file = asset ? ASSETS[asset[1] ?? ''] : undefined;
    if (file) {
      const etag = `"${file.hash}"`;
      const versioned = query.get('v') === file.hash;
      const headers = {
        ETag: etag,
        'Cache-Control': versioned ? 'public, max-age=31536000, immutable' : 'no-cache',
      };
      if (req.headers['if-none-match'] === etag) {
        res.writeHead(304, { ...SECURITY_HEADERS, ...headers });
        return void res.end();
      }
      return send(res, req, 200, file.type, file.body, headers);
    }
    return page(res, req, 404, notFoundPage(context(), 'Nothing here.'));
  };

  /** Answers requests that may not go further (wrong host, no token, a write); `true` when it did. */
  const refused = (req: IncomingMessage, res: ServerResponse): boolean => {
    if (allowedHosts && !allowedHosts.includes(hostName(req.headers.host) ?? '')) {
      send(res, req, 403, 'text/plain; charset=utf-8', 'Forbidden: unexpected Host header\n');
    } else if (token !== undefined && !tokenMatches(presentedToken(req), token)) {
      send(res, req, 401, 'text/plain; charset=utf-8', 'Authentication required\n', {
        'WWW-Authenticate': 'Basic realm="kaviar flags", charset="UTF-8"',
      });
    } else if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, req, 405, 'text/plain; charset=utf-8', 'Read-only: GET and HEAD only\n', {
        Allow: 'GET, HEAD',
      });
    } else return false;
    return true;
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const fail = (caught: unknown) => {
      const error = toError(caught);
      onError(error);
      if (res.headersSent) {
        res.destroy();
        return;
      }
      // Never the message: driver errors can carry host names or connection strings.
      const code = error instanceof FlagsError ? error.code : 'INTERNAL';
      page(res, req, 503, errorPage(context(), code));
    };
    try {
      if (refused(req, res)) return;
      // Express strips its mount path from `url` and keeps the full one in `originalUrl`.
      const full = (req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url ?? '/';
      const url = new URL(full, 'http://dashboard.invalid');
      if (url.pathname !== base && !url.pathname.startsWith(`${base}/`)) {
        page(res, req, 404, notFoundPage(context(), 'Nothing here.'));
        return;
      }
      route(req, res, url.pathname.slice(base.length), url.searchParams).catch(fail);
    } catch (caught) {
      fail(caught);
    }
  };

  return {
    handle,
    async close() {
      closed = true;
      for (const res of streams) res.end();
      streams.clear();
      await feed.close();
    },
  };
}
