/** Which URLs belong to the app itself. Pure, so the rules are tested without Electron. */

/** True when `url` is the app's own page (the built renderer's index.html, loaded from disk). */
export function isAppUrl(url: string, appIndexUrl: string): boolean {
  try {
    const u = new URL(url);
    const app = new URL(appIndexUrl);
    return u.protocol === 'file:' && app.protocol === 'file:' && u.pathname === app.pathname;
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
