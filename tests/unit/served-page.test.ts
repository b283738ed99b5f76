/**
 * The page web mode sends for the printed URL: its first screen in it, the session made for it in <head>, no
 * script before the screen, the picked theme (electron/server/served-page.ts), and the data block's JSON safe
 * whatever strings the data holds.
 */
import { JSDOM } from 'jsdom';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dispatch, type FirstScreen } from '../../shared/api';
import { ActiveSource } from '../../electron/host/active-source';
import { createHandlers } from '../../electron/host/handlers';
import { inlineScript } from '../../electron/build/inline-start';
import { servedPage } from '../../electron/server/served-page';
import { jsonForScript, pickedThemeIn, SCREEN_DATA_ID, SESSION_META, THEME_COOKIE } from '../../shared/served-screen';
import { fixtureFiles, VM_TUNED } from '../helpers';

/** The page's source with a start script inline in <head>, as the build makes it (electron/build/inline-start). */
const PAGE = inlineScript(
  readFileSync(join(import.meta.dirname, '..', '..', 'renderer', 'index.html'), 'utf8'),
  'window.started = true;',
);
const SESSION = '0d9c7a52-3c3e-4f0e-9a57-2f1f0e0b6f11';

async function screen(): Promise<FirstScreen> {
  const handlers = createHandlers(new ActiveSource(fixtureFiles(VM_TUNED)), 'web');
  return ((await dispatch(handlers, 'app.firstScreen', {})) as { ok: true; value: FirstScreen }).value;
}

/** The page as a browser parses it, scripts not run. */
const parse = (html: string): Document => new JSDOM(html).window.document;

describe('the page served with its first screen', () => {
  it('has the session in <head>, no script before the screen, the screen in #app and the rest in a data block', async () => {
    const s = await screen();
    const page = servedPage(PAGE, SESSION)!;
    const doc = parse(page.head + page.rest(s));
    const meta = doc.querySelector(`meta[name="${SESSION_META}"]`)!;
    expect(meta.getAttribute('content')).toBe(SESSION);
    expect(meta.parentElement).toBe(doc.head);
    // The inline start script is gone; the module script, which starts the page once the screen is up, stays.
    expect(PAGE).toContain('window.started = true;');
    expect(page.head).not.toContain('window.started');
    expect([...doc.querySelectorAll('script')].map((e) => e.getAttribute('type')).sort()).toEqual([
      'application/json',
      'module',
    ]);
    // No theme picked: the page has none, and its stylesheet follows the OS.
    expect(doc.documentElement.hasAttribute('data-theme')).toBe(false);
    const rendered = parse(`<div id="app">${s.html}</div>`).getElementById('app')!.innerHTML;
    expect(doc.getElementById('app')!.innerHTML).toBe(rendered);
    expect(rendered).toContain('data-testid="card-memory"');
    const block = doc.getElementById(SCREEN_DATA_ID)!;
    expect(block.getAttribute('type')).toBe('application/json');
    const { html: _html, ...data } = s;
    expect(JSON.parse(block.textContent)).toEqual(data);
    // The head ends where #app begins: it is sent first, alone.
    expect(page.head.endsWith('<body>\n    ')).toBe(true);
    expect(page.head).not.toContain('<div id="app"');
  });

  it('without a screen (it could not be made) is the plain page less its start script, whose module script asks for it', () => {
    const page = servedPage(PAGE, SESSION)!;
    const doc = parse(page.head + page.rest(null));
    expect(doc.getElementById('app')!.childNodes).toHaveLength(0);
    expect(doc.getElementById(SCREEN_DATA_ID)).toBeNull();
    const plain = parse(PAGE);
    plain.head.querySelector('script:not([src])')!.remove();
    const served = doc.head.cloneNode(true) as HTMLElement;
    served.querySelector(`meta[name="${SESSION_META}"]`)!.remove();
    expect(served.outerHTML.replace(/\s+/g, ' ')).toBe(plain.head.outerHTML.replace(/\s+/g, ' '));
    expect(doc.body.outerHTML).toBe(plain.body.outerHTML);
  });

  it('is in the theme the person picked, from the cookie the app keeps', () => {
    for (const theme of ['light', 'dark'] as const) {
      const page = servedPage(PAGE, SESSION, theme)!;
      expect(parse(page.head + page.rest(null)).documentElement.getAttribute('data-theme')).toBe(theme);
    }
    expect(() => servedPage(PAGE, SESSION, '"><script>' as 'dark')).toThrow(/not a theme/);
    expect(pickedThemeIn(`${THEME_COOKIE}=dark`)).toBe('dark');
    expect(pickedThemeIn(`other=1; ${THEME_COOKIE}=light; more=2`)).toBe('light');
    expect(pickedThemeIn(`x${THEME_COOKIE}=dark`)).toBeNull();
    expect(pickedThemeIn(`${THEME_COOKIE}=system`)).toBeNull();
    expect(pickedThemeIn(`${THEME_COOKIE}="><script>`)).toBeNull();
    expect(pickedThemeIn(undefined)).toBeNull();
    expect(pickedThemeIn('')).toBeNull();
  });

  it('keeps data that holds markup inside its block: a label cannot end the element or open a comment', async () => {
    const s = await screen();
    const hostile = '</script><script>alert(1)</script><!-- <SCRIPT';
    const bad = { ...s, source: { ...s.source, current: { ...s.source.current, label: hostile } } };
    const page = servedPage(PAGE, SESSION)!;
    const html = page.head + page.rest(bad);
    const doc = parse(html);
    const block = doc.getElementById(SCREEN_DATA_ID)!;
    expect((JSON.parse(block.textContent) as FirstScreen).source.current.label).toBe(hostile);
    // One data block, and no script but the page's module script.
    expect(doc.querySelectorAll('script[type="application/json"]')).toHaveLength(1);
    expect(doc.querySelectorAll('script')).toHaveLength(2);
    expect(jsonForScript({ a: '<' })).toBe('{"a":"\\u003c"}');
  });

  it('refuses a session id that could break out of its attribute, and a page with no #app', () => {
    expect(() => servedPage(PAGE, '"><script>')).toThrow(/not a session id/);
    expect(servedPage(PAGE.replace('<div id="app"></div>', ''), SESSION)).toBeNull();
    expect(servedPage('<div id="app"></div><head></head>', SESSION)).toBeNull();
  });
});
