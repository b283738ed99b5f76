/**
 * The page's start: connect, ask for the first screen in one call, set the theme, and show the server's
 * rendering of that screen as soon as both it and the page's #app element are there. A page the server sent
 * with that screen already in #app (opened from the printed URL) asks for nothing and shows what it holds.
 *
 * It runs from a small script inlined at the top of index.html (./start.ts, built into the page with its CSP
 * hash by electron/build/inline-start.ts), so the call leaves while the browser is still fetching the
 * stylesheet and the boot script, not after they have loaded and run: on a cold load that ordering is most of
 * the wait for data. The boot script (../boot.ts) takes over what this began; should the inline script not
 * have run, it starts the page itself with this same code. That is how the page opened from web mode's printed
 * URL starts: it comes with its screen and no inline script, and is painted before any script has run.
 */
import type { HugetuneApi } from '../../../shared/api';
import { connectApi, servedSession } from './bridge';
import { keepEarlyInput, type EarlyInput } from './early-input';
import { readServedScreen, startFirstCalls, type FirstCalls } from './first-calls';
import { applyTheme, osMedia, resolveTheme, storedChoice } from './theme-choice';

export interface PageStart {
  api: HugetuneApi;
  first: FirstCalls;
  /**
   * The app's element once the page is parsed, keeping what is done on the first screen until the app has
   * mounted; null on a page without one.
   */
  page: Promise<{ target: HTMLElement; early: EarlyInput } | null>;
  /** Settles once the server's screen has been painted, or at once when there is none to show. */
  shown: Promise<void>;
}

declare global {
  interface Window {
    hugetuneStart?: PageStart;
  }
}

/**
 * After the frame that draws the page as it is now has been painted; or after `HIDDEN_MS` in a tab that draws
 * no frames (opened in the background), so what waits for the paint is not held until the tab is shown.
 */
const HIDDEN_MS = 250;
const painted = (): Promise<void> =>
  new Promise((ok) => {
    requestAnimationFrame(() => setTimeout(ok, 0));
    setTimeout(ok, HIDDEN_MS);
  });

/**
 * Once the parser is done with the document. 'interactive' comes before deferred and module scripts run, so
 * the screen can be up before the boot script has even been evaluated.
 */
function parsed(doc: Document): Promise<void> {
  if (doc.readyState !== 'loading') return Promise.resolve();
  return new Promise((ok) => {
    const check = (): void => {
      if (doc.readyState === 'loading') return;
      doc.removeEventListener('readystatechange', check);
      ok();
    };
    doc.addEventListener('readystatechange', check);
  });
}

export function startPage(doc: Document = document): PageStart {
  const { api, keep } = connectApi();
  // Served with its first screen (opened from the printed URL), the page holds its data. Nothing is done with
  // it before that screen is painted: reading its data block and storing the token take the main thread for
  // milliseconds, which would otherwise come between the parser reaching the screen and its first frame.
  const served = servedSession(doc) !== null;
  const ready = parsed(doc);
  const up = served ? ready.then(painted) : null;
  const first = startFirstCalls(api, up ? up.then(() => readServedScreen(doc)) : null);
  // The theme before the parser reaches the body, whose screen may be painted before the page is all parsed:
  // no screen is ever drawn in the other one. After the call has left, which need not wait for the storage
  // read (the stylesheet and scripts were asked for as the page's first bytes came in). A page that came with
  // its screen came in its theme too (../../../electron/server/served-page.ts): the same one is set once that
  // screen is painted, ahead of which the storage read would otherwise come.
  const theme = (): void => applyTheme(resolveTheme(storedChoice(), osMedia()?.matches ?? false));
  if (up) void up.then(theme);
  else theme();
  // The token leaves the address bar, and the tab keeps it and its session, once the page is parsed (and its
  // screen up, for a served page): not before the first call has left, which need not wait on the browser
  // process for storage.
  void (up ?? ready).then(keep);
  const page = ready.then(() => {
    const target = doc.getElementById('app');
    // The first screen's controls are there before the app is: what is done with them then is done again
    // once the app has mounted, not lost.
    return target ? { target, early: keepEarlyInput(target) } : null;
  });
  const shown = Promise.all([first.html, page]).then(([html, p]) => {
    if (!p) return;
    // The screen came in the page: it was up with the page's first paint.
    if (served && p.target.firstChild) return;
    // Once the app has mounted (it does not wait forever), its own screen stands.
    if (!html || p.target.firstChild) return;
    // HTML the server rendered from escaped data with the app's own components: nothing in it runs, and the
    // page's CSP blocks any inline script but this one.
    p.target.innerHTML = html;
    return painted();
  });
  return { api, first, page, shown };
}
