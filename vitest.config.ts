import { svelte } from '@sveltejs/vite-plugin-svelte';
import { resolve } from 'node:path';
import { defineConfig } from 'vitest/config';

const electronMock = resolve(import.meta.dirname, 'tests/mocks/electron.ts');

export default defineConfig({
  test: {
    reporters: ['default', './tests/summary-reporter.ts'],
    projects: [
      {
        // The handlers render the first screen with the window's components, compiled for the server here.
        plugins: [svelte()],
        test: {
          name: 'unit',
          environment: 'node',
          include: ['tests/unit/**/*.test.ts'],
          // Many unit tests start the CLI or the capture script: under a second each here, but files run in
          // parallel and a loaded 2-core machine can be many times slower. Vitest's 5 s default made them
          // fail on time alone; a stuck test still fails, after 30 s.
          testTimeout: 30_000,
          hookTimeout: 30_000,
          // No test may load the real electron module: it would try to download its runtime.
          alias: { electron: electronMock },
        },
      },
      {
        plugins: [svelte()],
        resolve: { conditions: ['browser'] },
        test: {
          name: 'renderer',
          environment: 'jsdom',
          include: ['tests/renderer/**/*.test.ts'],
          setupFiles: ['tests/renderer/setup.ts'],
          // The first mount compiles and loads the whole app (about a second here).
          testTimeout: 30_000,
        },
      },
      // Changes kernel settings (and restores them): only when asked for, as root.
      ...(process.env.HUGETUNE_LIVE === '1'
        ? [
            {
              test: { name: 'live', environment: 'node', include: ['tests/live/**/*.test.ts'], fileParallelism: false },
            },
          ]
        : []),
      {
        test: {
          name: 'e2e',
          environment: 'node',
          include: ['tests/e2e/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          // A page waits on a server round trip; on a loaded 2-core machine that can take seconds, not vitest's 1 s.
          expect: { poll: { timeout: 15_000 } },
          // One Chromium at a time on a 2-core machine.
          fileParallelism: false,
        },
      },
    ],
  },
});
