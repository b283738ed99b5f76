/**
 * The stylesheet follows the OS on a page no script has themed (electron/build/system-dark.ts): the dark tokens,
 * written once in app.css, apply under `prefers-color-scheme: dark` to an <html> without data-theme.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UNTHEMED_DARK, withSystemDark } from '../../electron/build/system-dark';

const CSS = readFileSync(join(import.meta.dirname, '..', '..', 'renderer', 'src', 'app.css'), 'utf8');

/** The declarations of the first block that follows `head`, one per line, trimmed. */
function declarations(css: string, head: string): string[] {
  const at = css.indexOf(head);
  const open = css.indexOf('{', at + head.length - 1);
  return css
    .slice(open + 1, css.indexOf('}', open))
    .split(';')
    .map((d) => d.trim())
    .filter(Boolean);
}

describe('the stylesheet on a page no script has themed', () => {
  it("repeats app.css's dark block, every declaration of it, for a dark OS", () => {
    const out = withSystemDark(CSS);
    expect(out.startsWith(CSS)).toBe(true);
    const dark = declarations(CSS, ":root[data-theme='dark'] {");
    expect(dark.length).toBeGreaterThan(30);
    expect(dark).toContain('color-scheme: dark');
    expect(declarations(out.slice(CSS.length), UNTHEMED_DARK)).toEqual(dark);
    // Only for a page without a theme: once a script has set one, the data-theme blocks decide.
    expect(out.slice(CSS.length)).toContain(':root:not([data-theme])');
  });

  it('fails the build rather than ship a page that ignores a dark OS', () => {
    expect(() => withSystemDark(':root { --bg: #fff; }')).toThrow(/no :root\[data-theme='dark'\] block/);
    expect(() => withSystemDark(":root[data-theme='dark'] { a { color: red; } }")).toThrow(/block of declarations/);
  });
});
