/**
 * The page's Content-Security-Policy, as its `<meta http-equiv>` tag declares it. The tag in
 * renderer/index.html is the one place the policy is written (the build adds the start script's hash to it:
 * electron/build/inline-start.ts); the Electron protocol handler and web mode repeat it as a response header,
 * which also covers what a meta tag cannot (responses that are not the page, and the time before the tag is
 * parsed).
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const META_TAG = /<meta\b[^>]*>/gi;
const isCspTag = (tag: string): boolean => /http-equiv\s*=\s*["']?content-security-policy["']?/i.test(tag);

export function metaCsp(html: string): string | null {
  for (const tag of html.match(META_TAG) ?? []) {
    if (!isCspTag(tag)) continue;
    const m = /\bcontent\s*=\s*"([^"]*)"/i.exec(tag);
    if (m?.[1]?.trim()) return m[1].trim().replace(/\s+/g, ' ');
  }
  return null;
}

/**
 * The page without its policy tag, for a server that sends the same policy as a header: Chromium holds back the
 * requests its preload scanner finds (the stylesheet, the scripts) until the parser has reached a policy tag
 * and applied it, which is only once the page's renderer is running; without the tag they leave as soon as the
 * first bytes of the page arrive.
 */
export function dropMetaCsp(html: string): string {
  return html.replace(META_TAG, (tag) => (isCspTag(tag) ? '' : tag));
}

/** When the page's policy cannot be read, nothing loads rather than everything. */
export const FALLBACK_CSP = "default-src 'none'";

/** The policy of the built page in `rendererDir` (its index.html), or the fallback. */
export function pageCsp(rendererDir: string): string {
  try {
    return metaCsp(readFileSync(join(rendererDir, 'index.html'), 'utf8')) ?? FALLBACK_CSP;
  } catch {
    return FALLBACK_CSP;
  }
}

/**
 * The policy of the page in `rendererDir` as it is now: read again when its index.html changes (a rebuild
 * while a server runs brings a new start-script hash, and the header must allow the page actually served).
 */
export function currentPageCsp(rendererDir: string): () => string {
  const file = join(rendererDir, 'index.html');
  let seen: { mtimeMs: number; size: number; csp: string } | null = null;
  return () => {
    let st;
    try {
      st = statSync(file);
    } catch {
      return FALLBACK_CSP;
    }
    if (seen?.mtimeMs !== st.mtimeMs || seen.size !== st.size)
      seen = { mtimeMs: st.mtimeMs, size: st.size, csp: pageCsp(rendererDir) };
    return seen.csp;
  };
}
