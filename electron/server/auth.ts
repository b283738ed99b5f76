/**
 * Web-mode access rules. The server binds to loopback only, and still every API request must carry the token
 * printed at start (other local users and any web page the user visits can reach loopback). Cross-origin
 * requests and foreign Host headers (DNS rebinding) are refused before the token is even looked at.
 *
 * The token travels only in an `Authorization: Bearer` header, never in a cookie: cookies are not separated
 * by port, so Chromium would hand a cookie set here to any other server on 127.0.0.1, including one another
 * local user runs. The printed URL carries it in its query, so the request that opens the page can bring the
 * page's first screen back (./server: sendPageWithScreen) and nothing else; the page removes it from the
 * address bar and keeps it in sessionStorage, which is per origin (per port) and per tab.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

export function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function bearerToken(req: IncomingMessage): string | null {
  const m = /^Bearer\s+(\S+)$/.exec(req.headers.authorization ?? '');
  return m ? m[1]! : null;
}

/** The Host header must name this server on loopback: anything else is a rebinding attempt. */
export function hostAllowed(req: IncomingMessage, port: number): boolean {
  const host = req.headers.host;
  return host === `127.0.0.1:${port}` || host === `localhost:${port}`;
}

/** Browsers send Origin on cross-origin requests and on POSTs; when present it must be ours. */
export function originAllowed(req: IncomingMessage, port: number): boolean {
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== `http://127.0.0.1:${port}` && origin !== `http://localhost:${port}`)
    return false;
  const site = req.headers['sec-fetch-site'];
  return site === undefined || site === 'same-origin' || site === 'none';
}
