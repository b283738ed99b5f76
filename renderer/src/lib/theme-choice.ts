/**
 * Which theme the page starts in: the user's remembered pick, else the OS's. Plain code with no Svelte, so
 * the boot script can set it before it shows the first screen (no flash of the other theme) and the theme
 * store (theme.svelte.ts) starts from the same answer.
 */
import { THEME_COOKIE } from '../../../shared/served-screen';

export type ThemeChoice = 'system' | 'light' | 'dark';

export const THEME_KEY = 'hugetune.theme';
export const DARK_QUERY = '(prefers-color-scheme: dark)';

export function storedChoice(): ThemeChoice {
  try {
    const v = globalThis.localStorage?.getItem(THEME_KEY);
    return v === 'light' || v === 'dark' ? v : 'system';
  } catch {
    return 'system';
  }
}

export function resolveTheme(choice: ThemeChoice, osDark: boolean): 'light' | 'dark' {
  return choice === 'system' ? (osDark ? 'dark' : 'light') : choice;
}

export function osMedia(): MediaQueryList | null {
  return typeof window !== 'undefined' && typeof window.matchMedia === 'function'
    ? window.matchMedia(DARK_QUERY)
    : null;
}

/** Writes the theme to <html data-theme>, which app.css keys its colour tokens on. */
export function applyTheme(resolved: 'light' | 'dark'): void {
  if (typeof document !== 'undefined') document.documentElement.dataset['theme'] = resolved;
}

/**
 * Keeps the pick where web mode's server reads it too (THEME_COOKIE): the page it serves with its first screen
 * is then in the picked theme from its first paint. Following the OS, there is no cookie.
 */
export function keepPickCookie(choice: ThemeChoice): void {
  try {
    document.cookie =
      choice === 'system'
        ? `${THEME_COOKIE}=; Path=/; Max-Age=0; SameSite=Strict`
        : `${THEME_COOKIE}=${choice}; Path=/; Max-Age=31536000; SameSite=Strict`;
  } catch {
    // A page whose scheme keeps no cookies (the desktop window): it is never served by web mode.
  }
}
