/**
 * The page's module script, and small: it takes over the start that the script inlined in the page began
 * (./lib/page-start.ts: the first-screen call, the theme, the server's rendering of that screen), or makes
 * that start itself on a page that has no such script (web mode serves the printed URL's page, which carries
 * its screen, without it), and imports the app itself (./main) once that screen is up, so the app's download
 * and compilation never hold up the call or the paint; the app then mounts over the screen with the same data.
 */
import { startPage } from './lib/page-start';
import './app.css';

/**
 * How long the app waits for the server's first screen before it loads and mounts on its own: the first
 * screen only saves time, and a slow answer must not leave the page blank when the app could show its
 * loading state.
 */
const FIRST_SCREEN_WAIT_MS = 1500;

const start = (window.hugetuneStart ??= startPage());
void start.page.then(async (page) => {
  if (!page) return;
  const deadline = new Promise<void>((ok) => setTimeout(ok, FIRST_SCREEN_WAIT_MS));
  await Promise.race([start.shown, deadline]);
  const app = await import('./main').catch((e: unknown) => {
    // The app's script could not be loaded: say so above whatever is shown.
    const banner = document.createElement('div');
    banner.className = 'banner error';
    banner.setAttribute('role', 'alert');
    banner.textContent = `Could not load the app: ${e instanceof Error ? e.message : String(e)}. Reload the page.`;
    page.target.prepend(banner);
    return null;
  });
  if (!app) return;
  app.start(page.target, start.api, start.first);
  page.early.replay();
});
