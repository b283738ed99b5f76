/**
 * Light or dark: follows the OS (prefers-color-scheme) until the user picks one, and remembers the pick.
 * The resolved theme is written to <html data-theme>, which app.css keys its colour tokens on; charts read
 * their colours from the same tokens (`themeColor`) and redraw when `theme.resolved` changes.
 */
import {
  applyTheme,
  keepPickCookie,
  osMedia,
  resolveTheme,
  storedChoice,
  THEME_KEY,
  type ThemeChoice,
} from './theme-choice';

export type { ThemeChoice };

const media = osMedia();

export const theme = $state<{ choice: ThemeChoice; osDark: boolean; resolved: 'light' | 'dark' }>({
  choice: storedChoice(),
  osDark: media?.matches ?? false,
  resolved: 'light',
});

function apply(): void {
  theme.resolved = resolveTheme(theme.choice, theme.osDark);
  applyTheme(theme.resolved);
}

media?.addEventListener('change', (e) => {
  theme.osDark = e.matches;
  apply();
});
apply();
// The cookie follows this page's own storage (a pick made before the cookie was, or changed on another port).
keepPickCookie(theme.choice);

export function chooseTheme(choice: ThemeChoice): void {
  theme.choice = choice;
  try {
    if (choice === 'system') globalThis.localStorage?.removeItem(THEME_KEY);
    else globalThis.localStorage?.setItem(THEME_KEY, choice);
  } catch {
    // Storage can be off (private windows): the pick still holds for this page.
  }
  keepPickCookie(choice);
  apply();
}

/** A colour token's current value (e.g. `--chart-1`), for canvases that cannot use CSS variables directly. */
export function themeColor(token: string, fallback = '#777777'): string {
  if (typeof document === 'undefined') return fallback;
  const v = getComputedStyle(document.documentElement).getPropertyValue(token).trim();
  return v || fallback;
}

/** The series palette, in order: series k always gets colour k, in both themes. */
export function chartPalette(): string[] {
  return [1, 2, 3, 4, 5, 6, 7, 8].map((k) => themeColor(`--chart-${k}`));
}
