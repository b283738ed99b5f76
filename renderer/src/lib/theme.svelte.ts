/**
 * Light or dark: follows the OS (prefers-color-scheme) until the user picks one, and remembers the pick.
 * The resolved theme is written to <html data-theme>, which app.css keys its colour tokens on; charts read
 * their colours from the same tokens (`themeColor`) and redraw when `theme.resolved` changes.
 */
export type ThemeChoice = 'system' | 'light' | 'dark';

const KEY = 'hugetune.theme';
const QUERY = '(prefers-color-scheme: dark)';

function stored(): ThemeChoice {
  try {
    const v = globalThis.localStorage?.getItem(KEY);
    return v === 'light' || v === 'dark' ? v : 'system';
  } catch {
    return 'system';
  }
}

const media =
  typeof window !== 'undefined' && typeof window.matchMedia === 'function' ? window.matchMedia(QUERY) : null;

export const theme = $state<{ choice: ThemeChoice; osDark: boolean; resolved: 'light' | 'dark' }>({
  choice: stored(),
  osDark: media?.matches ?? false,
  resolved: 'light',
});

function apply(): void {
  theme.resolved = theme.choice === 'system' ? (theme.osDark ? 'dark' : 'light') : theme.choice;
  if (typeof document !== 'undefined') document.documentElement.dataset['theme'] = theme.resolved;
}

media?.addEventListener('change', (e) => {
  theme.osDark = e.matches;
  apply();
});
apply();

export function chooseTheme(choice: ThemeChoice): void {
  theme.choice = choice;
  try {
    if (choice === 'system') globalThis.localStorage?.removeItem(KEY);
    else globalThis.localStorage?.setItem(KEY, choice);
  } catch {
    // Storage can be off (private windows): the pick still holds for this page.
  }
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
