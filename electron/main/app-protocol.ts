/**
 * The renderer is served from app://hugetune/ rather than file://: a standard, secure origin of its own, so
 * the CSP's 'self' means the app and nothing else on disk, module scripts load under the default fuses
 * (grantFileProtocolExtraPrivileges off), and IPC can check the sender's origin exactly.
 */
import { net, protocol } from 'electron';
import { normalize, join, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { pageCsp } from '../page-csp';
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

export function serveAppScheme(root: string): void {
  const csp = pageCsp(root);
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
