/**
 * How web mode hands a page its first screen inside the page itself. Opened from the printed URL (which carries
 * the access token), the page is served with the tab's session already made: its id in a meta tag in <head>
 * (so the start script, which runs there, sends its calls under it), the Overview rendered into #app, and the
 * rest of `app.firstScreen`'s answer in a JSON data block after it, for the app to take over from. A page
 * served without the token (a reload, a new tab) has none of these and asks for its first screen instead.
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
