/** Builds the `hugetune` command into out/cli: one file for the cold path, node built-ins left external. */
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { resolve } from 'node:path';
import { defineConfig } from 'vite';

const pkg = JSON.parse(readFileSync(resolve(import.meta.dirname, 'package.json'), 'utf8')) as { version: string };

export default defineConfig({
  define: { __APP_VERSION__: JSON.stringify(pkg.version) },
  // An SSR build leaves packages in node_modules external; valibot is bundled (and tree-shaken) like our code.
  ssr: { noExternal: ['valibot'] },
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
