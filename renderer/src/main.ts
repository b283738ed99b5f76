// The boot module has already run on its own (index.html loads it first); this takes what it started.
import type { HugetuneApi } from '../../shared/api';
import { api, first, shown } from './boot';
import type { FirstCalls } from './lib/first-calls';
import { mount } from 'svelte';
import App from './App.svelte';
import './app.css';

/**
 * How long the app waits for the server's first screen before it mounts its own: the first screen only
 * saves time, and a slow answer must not leave the page blank when the app could show its loading state.
 */
const FIRST_SCREEN_WAIT_MS = 1500;

const target = document.getElementById('app');
if (target && api && first) start(target, api, first);

function start(target: HTMLElement, api: HugetuneApi, first: FirstCalls): void {
  // Mounted once the first screen is painted, not before: the app's render would otherwise hold up that
  // paint. Mounting replaces that screen with the same one, now live, in one task (no frame in between).
  void Promise.race([shown, new Promise((ok) => setTimeout(ok, FIRST_SCREEN_WAIT_MS))]).then(() => {
    target.replaceChildren();
    mount(App, { target, props: { api, first } });
  });
}
