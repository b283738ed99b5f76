/**
 * The page's only script tag, and small: it connects, asks for the first screen in one call, and shows the
 * server's rendering of it as soon as that arrives. The app itself (./main) is imported once that screen is
 * up, so its download and compilation never hold up the call or the paint; it then mounts over the screen
 * with the same data.
 */
import { connectApi } from './lib/bridge';
import { keepEarlyInput } from './lib/early-input';
import { startFirstCalls } from './lib/first-calls';
import { applyTheme, osMedia, resolveTheme, storedChoice } from './lib/theme-choice';
import './app.css';

/**
 * How long the app waits for the server's first screen before it loads and mounts on its own: the first
 * screen only saves time, and a slow answer must not leave the page blank when the app could show its
 * loading state.
 */
const FIRST_SCREEN_WAIT_MS = 1500;

/** After the frame that draws the page as it is now has been painted. */
const painted = (): Promise<void> => new Promise((ok) => requestAnimationFrame(() => setTimeout(ok, 0)));

const target = document.getElementById('app');
if (target) {
  const api = connectApi();
  const first = startFirstCalls(api);
  // The theme before anything is shown, so the first screen is never painted in the other one.
  applyTheme(resolveTheme(storedChoice(), osMedia()?.matches ?? false));
  const shown = first.html.then((html) => {
    // Once the app has mounted (it does not wait forever), its own screen stands.
    if (!html || target.firstChild) return;
    // HTML the server rendered from escaped data with the app's own components: nothing in it runs, and
    // the page's CSP would block any inline script.
    target.innerHTML = html;
    return painted();
  });
  // The first screen's controls are there before the app is: what is done with them then is done again
  // once the app has mounted, not lost.
  const early = keepEarlyInput(target);
  const deadline = new Promise<void>((ok) => setTimeout(ok, FIRST_SCREEN_WAIT_MS));
  void Promise.race([shown, deadline])
    .then(() => import('./main'))
    .then(
      (app) => {
        app.start(target, api, first);
        early.replay();
      },
      (e: unknown) => {
        // The app's script could not be loaded: say so above whatever is shown.
        const banner = document.createElement('div');
        banner.className = 'banner error';
        banner.setAttribute('role', 'alert');
        banner.textContent = `Could not load the app: ${e instanceof Error ? e.message : String(e)}. Reload the page.`;
        target.prepend(banner);
      },
    );
}
