/**
 * Who may read the dashboard. With a token, every request (pages, assets, the event stream) must
 * carry it, as the password of HTTP Basic authentication (what a browser prompts for and then sends
 * with every request, `EventSource` included) or as `Authorization: Bearer <token>` (scripts). It is
 * compared in constant time, never put in a URL and never logged. Without a token, `allowedHosts`
 * pins the `Host` header, so a page on another site cannot reach a loopback dashboard through a
 * rebound DNS name.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/** The secret the request presents, if any: a Bearer token or the Basic password. @internal */
export function presentedToken(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  if (typeof header !== 'string') return undefined;
  const [scheme = '', value = ''] = header.trim().split(/\s+/, 2);
  if (scheme.toLowerCase() === 'bearer') return value;
  if (scheme.toLowerCase() === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon < 0 ? undefined : decoded.slice(colon + 1);
  }
  return undefined;
}

/**
 * Whether `given` is the token, in time that does not depend on where they differ (both sides are
 * hashed first, so their lengths do not show either). @internal
 */
export function tokenMatches(given: string | undefined, token: string): boolean {
  const a = digest(given ?? '');
  const b = digest(token);
  return timingSafeEqual(a, b) && given !== undefined;
}

/** The host name of a `Host` header, lower-cased, without the port (`[::1]:4680` → `[::1]`). @internal */
export function hostName(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const host = header.trim().toLowerCase();
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1);
  const colon = host.lastIndexOf(':');
  return colon < 0 ? host : host.slice(0, colon);
}

/**
 * Whether `host` is a loopback address or name (127.0.0.0/8, `::1`, `localhost`): the hosts a
 * dashboard may listen on without a token.
 *
 * @example isLoopbackHost('127.0.0.1') // true; isLoopbackHost('0.0.0.0') // false
 */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}
