/**
 * Puts the page's start script (renderer/src/start.ts, bundled and minified) inline in index.html, right after
 * the page's Content-Security-Policy tag, and allows exactly that script by adding its SHA-256 to the tag's
 * script-src. The policy stays strict (no 'unsafe-inline'); the Electron protocol handler and web mode both
 * read their policy from that tag (electron/page-csp.ts), so the hash is written in one place.
 */
import { createHash } from 'node:crypto';
import { rolldown } from 'rolldown';
import type { Plugin } from 'vite';

const CSP_TAG = /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]*)"\s*\/?>/i;

/** The hash source CSP matches an inline script's text against (its exact characters, UTF-8). */
export function scriptHash(code: string): string {
  return `'sha256-${createHash('sha256').update(code, 'utf8').digest('base64')}'`;
}

/** The page with `code` inline after its CSP tag and the code's hash in that tag's script-src. */
export function inlineScript(html: string, code: string): string {
  // Text a parser would end the script at, or read as markup, cannot go inline as it is; nor can characters
  // the parser rewrites before the browser hashes the script (CR, NUL), or any outside ASCII, whose bytes
  // depend on the page's encoding being known by then.
  if (/<\/script|<!--/i.test(code)) throw new Error('the start script contains "</script" or "<!--"');
  if (/[^\n\t\x20-\x7e]/.test(code)) throw new Error('the start script has a character other than printable ASCII');
  const tag = CSP_TAG.exec(html);
  if (!tag) throw new Error('index.html has no Content-Security-Policy tag to allow its start script in');
  const policy = tag[1]!;
  if (!/(^|;)\s*script-src\s/.test(policy)) throw new Error('the page CSP has no script-src directive');
  const allowed = policy.replace(/((?:^|;)\s*script-src\s[^;]*)/, `$1 ${scriptHash(code)}`);
  const at = tag.index + tag[0].length;
  return `${html.slice(0, tag.index)}${tag[0].replace(policy, allowed)}\n    <script>${code}</script>${html.slice(at)}`;
}

async function bundle(entry: string): Promise<string> {
  const build = await rolldown({ input: entry, platform: 'browser', logLevel: 'warn' });
  try {
    const { output } = await build.generate({ format: 'iife', minify: true });
    // Outside ASCII only in string and pattern literals (the minifier writes "…" as it is): escaped there.
    return output[0].code
      .trim()
      .replace(/[^\n\t\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  } finally {
    await build.close();
  }
}

export function inlineStart(entry: string): Plugin {
  return {
    name: 'hugetune-inline-start',
    // After Vite's own changes to the page, so what is hashed is what is served.
    transformIndexHtml: { order: 'post', handler: async (html) => inlineScript(html, await bundle(entry)) },
  };
}
