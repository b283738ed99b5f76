/**
 * Connects and starts the first calls as this module is evaluated. main.ts imports it before Svelte and the
 * views, so the answers travel while the rest of the script is evaluated and the shell is built.
 */
import type { HugetuneApi } from '../../shared/api';
import { connectApi } from './lib/bridge';
import { startFirstCalls, type FirstCalls } from './lib/first-calls';

export const api: HugetuneApi | null = document.getElementById('app') ? connectApi() : null;
export const first: FirstCalls | null = api ? startFirstCalls(api) : null;
