/**
 * The page with its first screen in it (../../shared/served-screen): what web mode sends for the printed URL,
 * whose `?token=` lets the server read the machine for the request that opens the page. The data is then on
 * screen with the page's first paint, as a static page's would be, instead of after a call that can only leave
 * once the browser has started the page's renderer and run its start script.
 *
 * The page goes in two parts: everything before #app at once, so the browser asks for the stylesheet and
 * scripts and starts the page's renderer while the server makes the screen; then #app with the screen in it.
 */
import { SCREEN_DATA_ID, SESSION_META, jsonForScript } from '../../shared/served-screen';
import type { FirstScreen } from '../../shared/api';
import { isClientId } from './limits';

const APP_ELEMENT = '<div id="app"></div>';

export interface ServedPage {
  /** Up to #app, with the session's id in <head> before the start script, which reads it. */
  head: string;
  /**
   * #app with the screen's HTML in it and the rest of the screen in a data block, and the rest of the page; with
   * no screen (it could not be made), the plain rest of the page, whose start script then asks for it.
   */
  rest(screen: FirstScreen | null): string;
}

/** `page` (the built index.html) for the session `session`; null for a page not shaped as the build makes it. */
export function servedPage(page: string, session: string): ServedPage | null {
  // The page sends it back as its tab id, and it stands in an attribute: only the tab-id format will do.
  if (!isClientId(session)) throw new Error(`not a session id: ${session}`);
  const headEnd = page.indexOf('</head>');
  const app = page.indexOf(APP_ELEMENT);
  if (headEnd < 0 || app < headEnd) return null;
  const script = page.indexOf('<script');
  const metaAt = script >= 0 && script < headEnd ? script : headEnd;
  const after = page.slice(app + APP_ELEMENT.length);
  return {
    head: `${page.slice(0, metaAt)}<meta name="${SESSION_META}" content="${session}" />\n    ${page.slice(metaAt, app)}`,
    rest: (screen) => {
      if (!screen) return `${APP_ELEMENT}${after}`;
      const { html, ...data } = screen;
      const block = `<script type="application/json" id="${SCREEN_DATA_ID}">${jsonForScript(data)}</script>`;
      return `<div id="app">${html}</div>${block}${after}`;
    },
  };
}
