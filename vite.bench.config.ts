/** Builds the benchmarks into out/bench so they run on plain Node with the same code the app ships. */
import { builtinModules } from 'node:module';
import { resolve } from 'node:path';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';

export default defineConfig({
  // The handlers render the first screen with the window's components (renderer/src/first-screen.ts).
  plugins: [svelte({ configFile: resolve(import.meta.dirname, 'svelte.config.js') })],
  build: {
    ssr: true,
    target: 'node20',
    outDir: 'out/bench',
    emptyOutDir: true,
    minify: false,
    rollupOptions: {
      input: {
        bench: resolve(import.meta.dirname, 'tests/bench/bench.ts'),
        inspect: resolve(import.meta.dirname, 'tests/bench/inspect-cost.ts'),
        'monitor-bench': resolve(import.meta.dirname, 'tests/bench/monitor-bench.ts'),
        'ui-load': resolve(import.meta.dirname, 'tests/bench/ui-load.ts'),
      },
      external: [...builtinModules, ...builtinModules.map((m) => `node:${m}`), '@huggingface/gguf', 'playwright-core'],
      output: { format: 'esm', entryFileNames: '[name].js' },
    },
  },
});
