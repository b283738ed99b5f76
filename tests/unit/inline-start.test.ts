/**
 * The page's start script goes inline, allowed by its hash and nothing looser: the hash is of the exact text
 * the page carries, in the script-src of the page's own policy tag (which both front ends repeat as a header).
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inlineScript, scriptHash } from '../../electron/build/inline-start';
import { stylesheetsFirst } from '../../electron/build/stylesheet-first';
import { currentPageCsp, dropMetaCsp, metaCsp, pageCsp } from '../../electron/page-csp';
import { webCsp } from '../../electron/server/server';

const PAGE = `<!doctype html><html><head><meta charset="UTF-8" />
    <meta
      http-equiv="Content-Security-Policy"
      content="default-src 'self'; script-src 'self'; style-src 'self'"
    />
    <title>t</title></head><body><div id="app"></div></body></html>`;

/** Every inline script of a page, as the browser hashes it. */
const inlineScripts = (html: string): string[] =>
  [...html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);

describe('the inline start script', () => {
  it("is allowed by the SHA-256 of its exact text, in the page's script-src only", () => {
    const code = 'window.x=`a"b`;';
    const page = inlineScript(PAGE, code);
    const [text] = inlineScripts(page);
    expect(text).toBe(code);
    const sha = createHash('sha256').update(code).digest('base64');
    expect(scriptHash(code)).toBe(`'sha256-${sha}'`);
    expect(metaCsp(page)).toBe(`default-src 'self'; script-src 'self' 'sha256-${sha}'; style-src 'self'`);
    // After the policy tag, so the policy is in force when it runs.
    expect(page.indexOf('<script>')).toBeGreaterThan(page.indexOf('Content-Security-Policy'));
  });
  it('refuses text that would end the script early or that a page cannot carry, and a page without a policy', () => {
    expect(() => inlineScript(PAGE, 'a("</script>")')).toThrow(/<\/script/);
    expect(() => inlineScript(PAGE, 'a("<!--")')).toThrow(/<!--/);
    // The parser turns CR into LF (and the bytes of "…" depend on the page's encoding) before hashing.
    for (const code of ['a();\r\nb()', 'a("…")', 'a("\0")'])
      expect(() => inlineScript(PAGE, code)).toThrow(/printable ASCII/);
    expect(() => inlineScript('<html><head></head></html>', 'a()')).toThrow(/no Content-Security-Policy tag/);
    expect(() => inlineScript(PAGE.replace("script-src 'self'; ", ''), 'a()')).toThrow(/no script-src/);
  });
  it("gives web mode the page's own policy, with the hash, and forbids framing", () => {
    const dir = mkdtempSync(join(tmpdir(), 'hugetune-renderer-'));
    try {
      writeFileSync(join(dir, 'index.html'), inlineScript(PAGE, 'a()'));
      expect(webCsp(dir)).toBe(`${pageCsp(dir)}; frame-ancestors 'none'`);
      expect(webCsp(dir)).toContain(scriptHash('a()'));
      // Rebuilt while a server runs: the policy follows the page now served.
      const current = currentPageCsp(dir);
      expect(current()).toContain(scriptHash('a()'));
      writeFileSync(join(dir, 'index.html'), inlineScript(PAGE, 'rebuilt()'));
      expect(current()).toContain(scriptHash('rebuilt()'));
      expect(current()).not.toContain(scriptHash('a()'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('goes without its policy tag where the policy is a header, leaving every other tag', () => {
    const page = inlineScript(PAGE, 'a()');
    const served = dropMetaCsp(page);
    expect(metaCsp(served)).toBeNull();
    expect(served).toContain('<meta charset="UTF-8" />');
    expect(served).toContain(`<script>a()</script>`);
    expect(served.length).toBeLessThan(page.length);
    expect(dropMetaCsp(served)).toBe(served);
  });
});

describe('the stylesheets', () => {
  it('come before the module script, in their order, the rest of the page as it was', () => {
    const built = `<head>
    <title>t</title>
    <script type="module" crossorigin src="./assets/index-1.js"></script>
    <link rel="stylesheet" crossorigin href="./assets/a.css">
    <link rel="icon" href="./favicon.svg">
    <link rel="stylesheet" crossorigin href="./assets/b.css">
  </head>`;
    expect(stylesheetsFirst(built)).toBe(`<head>
    <title>t</title>
    <link rel="stylesheet" crossorigin href="./assets/a.css">
    <link rel="stylesheet" crossorigin href="./assets/b.css">
    <script type="module" crossorigin src="./assets/index-1.js"></script>
    <link rel="icon" href="./favicon.svg">
  </head>`);
    // Nothing to move, or no module script: the page as it is.
    expect(stylesheetsFirst(stylesheetsFirst(built))).toBe(stylesheetsFirst(built));
    expect(stylesheetsFirst(PAGE)).toBe(PAGE);
  });
});
