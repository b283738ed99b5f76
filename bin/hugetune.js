#!/usr/bin/env node
// The built CLI lives in out/ (made by `npm run build`, which `npm install` runs through `prepare`).
import { existsSync } from 'node:fs';

const entry = new URL('../out/cli/hugetune.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('hugetune: not built yet: run `npm run build` in the project directory\n');
  process.exit(1);
}
await import(entry.href);
