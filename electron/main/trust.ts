/** Which URLs belong to the app itself. Pure, so the rules are tested without Electron. */
import { DOC } from '../../shared/advise/findings';

export const APP_SCHEME = 'app';
export const APP_HOST = 'hugetune';
export const APP_INDEX_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;

/** True when `url` is a page of the app itself (served from app://hugetune/). */
export function isAppUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST && u.username === '' && u.password === '';
  } catch {
    return false;
  }
}

/**
 * The exact pages the app may open in the user's browser: the kernel documentation it cites. A whole host is
 * too much (any path on github.com is anyone's content), so whole URLs are listed; only an in-page fragment
 * may vary. Everything else is refused.
 */
export const EXTERNAL_URLS: ReadonlySet<string> = new Set([
  ...Object.values(DOC).filter((u) => u.startsWith('https://')),
  'https://docs.kernel.org/admin-guide/cgroup-v2.html',
]);

export function isAllowedExternal(url: string): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (u.protocol !== 'https:' || u.username !== '' || u.password !== '' || u.search !== '') return false;
  // `host` carries any port, so https://docs.kernel.org:8443/... is not the listed page.
  return EXTERNAL_URLS.has(`${u.protocol}//${u.host}${u.pathname}`);
}
