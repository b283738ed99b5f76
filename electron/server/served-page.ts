/**
 * The page with its first screen in it (../../shared/served-screen): what web mode sends for the printed URL,
 * whose `?token=` lets the server read the machine for the request that opens the page. The data is then on
 * screen with the page's first paint, as a static page's would be, instead of after a call that can only leave
 * once the browser has started the page's renderer and run its start script.
 *
 * The page goes in two parts: everything before #app at once, so the browser asks for the stylesheet and
 * scripts and starts the page's renderer while the server makes the screen; then #app with the screen in it.
 *
 * It goes without the start script the built page has inline at the top of <head>. That script's work is to
 * ask for the first screen early, which this page does not need, and a script there holds the parser (and,
 * having run, lets the browser paint the page before its body) for some 20 ms in all, as long as the rest of
 * the way to the screen. The page's module script starts the page with the same code once the screen is up
 * (../../renderer/src/boot.ts). The theme, which that script set before the first paint, comes with the page:
 * the picked one as <html data-theme>, else the OS's through the stylesheet.
 */
import { SCREEN_DATA_ID, SESSION_META, jsonForScript, type PickedTheme } from '../../shared/served-screen';
import type { FirstScreen } from '../../shared/api';
import { isClientId } from './limits';

const APP_ELEMENT = '<div id="app"></div>';

export interface ServedPage {
  /** Up to #app: without the inline start script, with the session's id in <head> and the picked theme. */
  head: string;
  /**
   * #app with the screen's HTML in it and the rest of the screen in a data block, and the rest of the page; with
   * no screen (it could not be made), the plain rest of the page, whose start script then asks for it.
   */
  rest(screen: FirstScreen | null): string;
}

/** The start script as the build puts it inline (electron/build/inline-start.ts): a bare tag, on a line of its own. */
const START_SCRIPT = /[ \t]*<script>[\s\S]*?<\/script>\r?\n?/;
const HTML_TAG = /<html\b/i;

/**
 * `page` (the built index.html) for the session `session`, in the theme `theme` a person picked (null: the
 * OS's); null for a page not shaped as the build makes it.
 */
export function servedPage(page: string, session: string, theme: PickedTheme | null = null): ServedPage | null {
  // The page sends it back as its tab id, and it stands in an attribute: only the tab-id format will do.
  if (!isClientId(session)) throw new Error(`not a session id: ${session}`);
  const headEnd = page.indexOf('</head>');
  const app = page.indexOf(APP_ELEMENT);
  if (headEnd < 0 || app < headEnd || !HTML_TAG.test(page)) return null;
  // It stands in an attribute: only the two names will do.
  if (theme !== null && theme !== 'light' && theme !== 'dark') throw new Error(`not a theme: ${String(theme)}`);
  let head = page.slice(0, app);
  const start = START_SCRIPT.exec(head);
  if (start && start.index < headEnd) head = head.slice(0, start.index) + head.slice(start.index + start[0].length);
  head = head
    .replace('</head>', `  <meta name="${SESSION_META}" content="${session}" />\n  </head>`)
    .replace(HTML_TAG, (tag) => (theme ? `${tag} data-theme="${theme}"` : tag));
  const after = page.slice(app + APP_ELEMENT.length);
  return {
    head,
    rest: (screen) => {
      if (!screen) return `${APP_ELEMENT}${after}`;
      const { html, ...data } = screen;
      const block = `<script type="application/json" id="${SCREEN_DATA_ID}">${jsonForScript(data)}</script>`;
      return `<div id="app">${html}</div>${block}${after}`;
    },
  };
}
