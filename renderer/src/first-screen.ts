/**
 * The first screen as HTML, rendered on the server side of the API (`app.firstScreen`) by the same Svelte
 * components the window mounts, from the same data. The page shows it as soon as the one call returns, so
 * the Overview's figures do not wait for the app's script to download, compile and render; the app then
 * mounts over it with that data and the screen looks the same (tests/e2e/first-screen.test.ts holds that).
 */
import { render } from 'svelte/server';
import type { FirstScreen, HugetuneApi } from '../../shared/api';
import App from './App.svelte';

/** Nothing on the first screen calls the API while it renders; anything that tried would be a bug. */
const inert: HugetuneApi = {
  call: (method) => Promise.reject(new Error(`${method} called while rendering the first screen`)),
  subscribe: () => () => {},
};

export function renderFirstScreen(data: Omit<FirstScreen, 'html'>): string {
  return render(App, { props: { api: inert, initial: data } }).body;
}
