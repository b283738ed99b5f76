import { svelte } from '@sveltejs/vite-plugin-svelte';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import { inlineStart } from './electron/build/inline-start';
import { stylesheetsFirstPlugin } from './electron/build/stylesheet-first';
import { systemDarkPlugin } from './electron/build/system-dark';

const pkg = JSON.parse(readFileSync(resolve(import.meta.dirname, 'package.json'), 'utf8')) as { version: string };
const define = { __APP_VERSION__: JSON.stringify(pkg.version) };

export default defineConfig({
  main: {
    define,
    // The first screen is rendered in the main process with the window's own components (first-screen.ts).
    plugins: [svelte({ configFile: resolve(import.meta.dirname, 'svelte.config.js') })],
    build: {
      outDir: 'out/main',
      rollupOptions: { input: { index: resolve(import.meta.dirname, 'electron/main/index.ts') } },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      rollupOptions: {
        input: { index: resolve(import.meta.dirname, 'electron/preload/index.ts') },
        // A sandboxed preload must be CommonJS.
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(import.meta.dirname, 'renderer'),
    define,
    plugins: [
      svelte({ configFile: resolve(import.meta.dirname, 'svelte.config.js') }),
      inlineStart(resolve(import.meta.dirname, 'renderer/src/start.ts')),
      stylesheetsFirstPlugin(),
      systemDarkPlugin(/\/renderer\/src\/app\.css$/),
    ],
    build: {
      outDir: resolve(import.meta.dirname, 'out/renderer'),
      minify: true,
      // One stylesheet, linked from the page: the first screen is shown before the app's script (which
      // would otherwise bring its components' styles) has loaded.
      cssCodeSplit: false,
      rollupOptions: { input: resolve(import.meta.dirname, 'renderer/index.html') },
    },
  },
});
