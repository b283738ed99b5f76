/** Builds the `hugetune` command into out/cli: one file for the cold path, node built-ins left external. */
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { resolve } from 'node:path';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';

const pkg = JSON.parse(readFileSync(resolve(import.meta.dirname, 'package.json'), 'utf8')) as { version: string };

export default defineConfig({
  define: { __APP_VERSION__: JSON.stringify(pkg.version) },
  // The first screen is rendered here with the window's own components (renderer/src/first-screen.ts).
  plugins: [svelte({ configFile: resolve(import.meta.dirname, 'svelte.config.js') })],
  // An SSR build leaves packages in node_modules external; valibot and Svelte's server runtime are bundled
  // (and tree-shaken) like our code, as the installed command has no node_modules of its own.
  ssr: { noExternal: ['valibot', 'svelte', 'esm-env', 'clsx'] },
  build: {
    ssr: true,
    target: 'node20',
    outDir: 'out/cli',
    emptyOutDir: true,
    minify: false,
    sourcemap: false,
    rollupOptions: {
      input: { hugetune: resolve(import.meta.dirname, 'electron/cli/index.ts') },
      external: [...builtinModules, ...builtinModules.map((m) => `node:${m}`), 'electron', 'systeminformation'],
      output: { format: 'esm', entryFileNames: '[name].js', chunkFileNames: '[name]-[hash].js' },
    },
  },
});
