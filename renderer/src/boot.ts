/**
 * The first script the page runs, on its own: index.html loads it as an async module ahead of the app (see
 * `firstLoad` in electron.vite.config.ts). It connects, asks for the first screen in one call, and shows the
 * server's rendering of it as soon as that arrives, while the app's own script is still downloading and
 * compiling. main.ts imports this same module (same URL, so it runs once) and mounts the app over that screen
 * with the same data.
 */
import type { HugetuneApi } from '../../shared/api';
import { connectApi } from './lib/bridge';
import { startFirstCalls, type FirstCalls } from './lib/first-calls';
import { applyTheme, osMedia, resolveTheme, storedChoice } from './lib/theme-choice';

const target = document.getElementById('app');
export const api: HugetuneApi | null = target ? connectApi() : null;
export const first: FirstCalls | null = api ? startFirstCalls(api) : null;

// The theme before anything is shown, so the first screen is never painted in the other one.
applyTheme(resolveTheme(storedChoice(), osMedia()?.matches ?? false));

/** After the frame that draws `target` has been painted. */
const painted = (): Promise<void> => new Promise((ok) => requestAnimationFrame(() => setTimeout(ok, 0)));

/** Resolves once the server's first screen is on screen, or at once when there is none to show. */
export const shown: Promise<void> =
  target && first
    ? first.html.then((html) => {
        // The app does not wait for this forever: once it has mounted, its own screen stands.
        if (!html || target.firstChild) return;
        // HTML the server rendered from escaped data with the app's own components: no script in it runs,
        // and the page's CSP allows none.
        target.innerHTML = html;
        return painted();
      })
    : Promise.resolve();
