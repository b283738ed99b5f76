/**
 * The renderer is served from app://hugetune/ rather than file://: a standard, secure origin of its own, so
 * the CSP's 'self' means the app and nothing else on disk, module scripts load under the default fuses
 * (grantFileProtocolExtraPrivileges off), and IPC can check the sender's origin exactly.
 */
import { net, protocol } from 'electron';
import { readFileSync } from 'node:fs';
import { normalize, join, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { APP_HOST, APP_SCHEME } from './trust';

/** Must run before the app is ready. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  ]);
}

/** The file under `root` an app:// URL names, or null for anything outside it or another host. */
export function appFilePath(root: string, url: string): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (u.protocol !== `${APP_SCHEME}:` || u.host !== APP_HOST) return null;
  let rel: string;
  try {
    rel = decodeURIComponent(u.pathname === '/' ? '/index.html' : u.pathname);
  } catch {
    return null;
  }
  const full = normalize(join(root, rel));
  return full.startsWith(normalize(root + sep)) && !rel.includes('\0') ? full : null;
}

/**
 * The Content-Security-Policy the page declares in its `<meta http-equiv>` tag. The tag in
 * renderer/index.html is the one place the policy is written; the protocol handler repeats it as a response
 * header, which also covers what a meta tag cannot (responses that are not the page, and the time before the
 * tag is parsed).
 */
export function metaCsp(html: string): string | null {
  for (const tag of html.match(/<meta\b[^>]*>/gi) ?? []) {
    if (!/http-equiv\s*=\s*["']?content-security-policy["']?/i.test(tag)) continue;
    const m = /\bcontent\s*=\s*"([^"]*)"/i.exec(tag);
    if (m?.[1]?.trim()) return m[1].trim().replace(/\s+/g, ' ');
  }
  return null;
}

/** When the page's policy cannot be read, nothing loads rather than everything. */
export const FALLBACK_CSP = "default-src 'none'";

export function serveAppScheme(root: string): void {
  let csp: string;
  try {
    csp = metaCsp(readFileSync(join(root, 'index.html'), 'utf8')) ?? FALLBACK_CSP;
  } catch {
    csp = FALLBACK_CSP;
  }
  const headers = (from?: Headers): Headers => {
    const h = new Headers(from);
    h.set('content-security-policy', csp);
    h.set('x-content-type-options', 'nosniff');
    return h;
  };
  protocol.handle(APP_SCHEME, async (request) => {
    const file = appFilePath(root, request.url);
    if (!file) return new Response('Not Found', { status: 404, headers: headers() });
    const res = await net.fetch(pathToFileURL(file).href);
    return new Response(res.body, { status: res.status, statusText: res.statusText, headers: headers(res.headers) });
  });
}
