import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { FlagClient } from '@kaviar/flags-core';
import type { Client } from '@openfeature/server-sdk';

/** The flag this service gates. */
export const FAVORITES_FLAG = 'passenger_favorites_matching';

/** How fresh the flag data must be for `/health` to say `ok` (ms). Older but served data is `degraded`. */
export const MAX_HEALTHY_AGE_MS = 60_000;

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/**
 * The flag client's status for `/health`: 200 `ok` when the data is fresh, 200 `degraded` while it
 * serves the last good snapshot (stale, or older than `MAX_HEALTHY_AGE_MS`), 503 before anything loaded.
 */
export function healthOf(flags: Pick<FlagClient, 'status'>): {
  httpStatus: number;
  body: Record<string, unknown>;
} {
  const s = flags.status();
  const loaded = s.version > 0 || s.origin !== 'defaults';
  const status =
    !loaded || s.state === 'starting'
      ? 'starting'
      : s.stale || s.ageMs > MAX_HEALTHY_AGE_MS
        ? 'degraded'
        : 'ok';
  return {
    httpStatus: status === 'starting' ? 503 : 200,
    body: {
      status,
      flags: {
        state: s.state,
        origin: s.origin,
        version: s.version,
        stale: s.stale,
        ageMs: s.ageMs,
        ...(s.lastError && { lastError: s.lastError.message }),
      },
    },
  };
}

/** Options of {@link createApp}. */
export interface AppOptions {
  /**
   * Decide through OpenFeature instead of `isEnabled`: `getBooleanDetails` with the passenger id as
   * `targetingKey`, on a client whose provider is `KaviarFlagsProvider`. `?explain` then shows the
   * OpenFeature details (reason, variant, `flagMetadata`). Default: `isEnabled`.
   */
  readonly openFeature?: Pick<Client, 'getBooleanDetails'>;
}

/**
 * A small HTTP service: `GET /passengers/:id/matches` decides per request, with `isEnabled` (or through
 * OpenFeature, see {@link AppOptions}), whether the passenger gets favourite-driver matching;
 * `GET /health` reports the flag client.
 */
export function createApp(
  flags: Pick<FlagClient, 'isEnabled' | 'evaluate' | 'status'>,
  options: AppOptions = {},
): Server {
  const openFeature = options.openFeature;
  return createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method === 'GET' && url.pathname === '/health') {
      const { httpStatus, body } = healthOf(flags);
      return send(res, httpStatus, body);
    }
    const match = /^\/passengers\/([^/]+)\/matches$/.exec(url.pathname);
    if (req.method === 'GET' && match?.[1]) {
      const passenger = { id: decodeURIComponent(match[1]) };
      if (openFeature !== undefined) {
        // The OpenFeature door: async, never rejects (errors come back as the default with an error code).
        void openFeature
          .getBooleanDetails(FAVORITES_FLAG, false, { targetingKey: passenger.id })
          .then((details) => {
            const strategy = details.value ? 'favorites-first' : 'nearest-first';
            const body: Record<string, unknown> = { passengerId: passenger.id, strategy };
            if (url.searchParams.has('explain')) body.evaluation = details;
            send(res, 200, body);
          });
        return;
      }
      // The hot path: synchronous, never throws, reads the in-memory snapshot.
      const favorites = flags.isEnabled(FAVORITES_FLAG, passenger);
      const strategy = favorites ? 'favorites-first' : 'nearest-first';
      const body: Record<string, unknown> = { passengerId: passenger.id, strategy };
      if (url.searchParams.has('explain')) body.evaluation = flags.evaluate(FAVORITES_FLAG, passenger);
      return send(res, 200, body);
    }
    send(res, 404, { error: 'not found' });
  });
}
