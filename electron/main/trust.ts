/** Which URLs belong to the app itself. Pure, so the rules are tested without Electron. */

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

/** Documentation links the app may open in the user's browser; everything else is refused. */
const EXTERNAL_HOSTS = new Set(['docs.kernel.org', 'www.kernel.org', 'github.com']);

export function isAllowedExternal(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === 'https:' && EXTERNAL_HOSTS.has(u.hostname) && u.username === '' && u.password === '';
  } catch {
    return false;
  }
}
