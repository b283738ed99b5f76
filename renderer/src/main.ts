/** The app, loaded and mounted by the boot script (./boot.ts) once the server's first screen is on screen. */
import { flushSync, mount } from 'svelte';
import type { HugetuneApi } from '../../shared/api';
import App from './App.svelte';
import type { FirstCalls } from './lib/first-calls';

/**
 * Mounting replaces the first screen with the same one, now live, in one task: no frame shows in between.
 * The mount's effects (element bindings among them) are run before this returns, so whatever is done on the
 * new screen right away (the boot script replays early input) finds every handler wired.
 */
export function start(target: HTMLElement, api: HugetuneApi, first: FirstCalls): void {
  target.replaceChildren();
  mount(App, { target, props: { api, first } });
  flushSync();
}
