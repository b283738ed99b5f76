/**
 * The script inlined at the top of index.html (electron/build/inline-start.ts puts it there, with its hash in
 * the page's CSP): it starts the page while the rest of it is still loading. See ./lib/page-start.ts.
 */
import { startPage } from './lib/page-start';

window.hugetuneStart ??= startPage();
