/**
 * How web mode hands a page its first screen inside the page itself. Opened from the printed URL (which carries
 * the access token), the page is served with the tab's session already made: its id in a meta tag in <head>
 * (the page's script sends its calls under it), the Overview rendered into #app, and the rest of
 * `app.firstScreen`'s answer in a JSON data block after it, for the app to take over from. A page served
 * without the token (a reload, a new tab) has none of these and asks for its first screen instead.
 *
 * That page runs no script before its screen is painted, so its theme comes with it: the OS's through the
 * stylesheet (electron/build/system-dark.ts), or the one the person picked, which the app also keeps in a
 * cookie for the server to read (THEME_COOKIE).
 */
import type { FirstScreen } from './api';

/** `<meta name=… content=session>`: the session the server made for this page. */
export const SESSION_META = 'hugetune-session';
/** `<script type="application/json" id=…>`: the first screen's data, less the HTML already in #app. */
export const SCREEN_DATA_ID = 'hugetune-first-screen';

export type ServedScreen = Omit<FirstScreen, 'html'>;

/**
 * JSON that can stand as the text of a <script> data block: with every "<" escaped, nothing in it can end the
 * element or open a comment, whatever strings the data holds (file names and labels come from the user).
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

/**
 * The theme a person picked in the app ("light" or "dark"; none while it follows the OS), as a cookie: the
 * server puts it on the page it serves with its first screen, which is painted before any script could read
 * the pick from storage. A preference and nothing more: cookies on 127.0.0.1 go to every port, which is why the
 * access token is never kept in one.
 */
export const THEME_COOKIE = 'hugetune-theme';

export type PickedTheme = 'light' | 'dark';

/** The picked theme in a Cookie header; null when there is none or it is not one of the two. */
export function pickedThemeIn(cookieHeader: string | undefined): PickedTheme | null {
  for (const part of (cookieHeader ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== THEME_COOKIE) continue;
    const value = part.slice(eq + 1).trim();
    return value === 'light' || value === 'dark' ? value : null;
  }
  return null;
}
