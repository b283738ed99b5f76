/** Builds the benchmarks into out/bench so they run on plain Node with the same code the app ships. */
import { builtinModules } from 'node:module';
import { resolve } from 'node:path';
import { defineConfig } from 'vite';

export default defineConfig({
  build: {
    ssr: true,
    target: 'node20',
    outDir: 'out/bench',
    emptyOutDir: true,
    minify: false,
    rollupOptions: {
      input: {
        bench: resolve(import.meta.dirname, 'tests/bench/bench.ts'),
        'monitor-bench': resolve(import.meta.dirname, 'tests/bench/monitor-bench.ts'),
      },
      external: [...builtinModules, ...builtinModules.map((m) => `node:${m}`), '@huggingface/gguf', 'playwright-core'],
      output: { format: 'esm', entryFileNames: '[name].js' },
    },
  },
});
