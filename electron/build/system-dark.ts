/**
 * Dark for a page no script has themed yet. app.css keys its dark colour tokens on <html data-theme="dark">,
 * which the page's scripts set from the user's pick or the OS's preference. The page web mode serves with its
 * first screen in it runs no script before that screen is painted, so the stylesheet itself must follow the
 * OS there: this repeats the dark block for `prefers-color-scheme: dark` on an <html> without data-theme. The
 * tokens stay written once, in app.css.
 */
import type { Plugin } from 'vite';

const DARK_SELECTOR = ":root[data-theme='dark']";
export const UNTHEMED_DARK = '@media (prefers-color-scheme: dark) {\n  :root:not([data-theme]) {';

/** `css` with its dark block repeated for an unthemed page on a dark OS; throws if it has no such block. */
export function withSystemDark(css: string): string {
  const at = css.indexOf(`${DARK_SELECTOR} {`);
  const open = css.indexOf('{', at);
  const close = css.indexOf('}', open);
  // The block is declarations only: the first closing brace ends it.
  if (at < 0 || close < 0 || css.slice(open + 1, close).includes('{'))
    throw new Error(`the stylesheet has no ${DARK_SELECTOR} block of declarations to follow the OS with`);
  return `${css}\n${UNTHEMED_DARK}${css.slice(open + 1, close)}}\n}\n`;
}

export function systemDarkPlugin(stylesheet: RegExp): Plugin {
  return {
    name: 'hugetune-system-dark',
    enforce: 'pre',
    transform: (code, id) => (stylesheet.test(id.replace(/\?.*$/, '')) ? withSystemDark(code) : undefined),
  };
}
