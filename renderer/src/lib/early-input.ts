/**
 * What a person does on the server's first screen before the app has mounted over it. That screen's buttons,
 * selects and file inputs are there but not yet wired, so clicks, select changes and picked files (a snapshot
 * dropped or chosen before the app was up) are kept, in order, and done again
 * on the same controls of the app's own DOM once they are there: the app draws the same screen
 * (tests/e2e/first-screen.test.ts holds it), though parts of it (the source bar) only once its first calls
 * have settled. A replayed click still counts as the person's (the browser's user activation lasts seconds),
 * so "Open snapshot…" still opens the file dialog.
 */
type Act =
  | { kind: 'click'; key: string }
  | { kind: 'change'; key: string; value: string }
  | { kind: 'files'; key: string; files: FileList };

/** How long the replay waits for a control the app has not drawn yet, then does what it has found. */
const WAIT_MS = 1000;

/** What takes a click: buttons, and a menu's summary (its details open natively, on the old DOM only). */
const CLICKABLE = 'button, summary';

/** A control's name that holds across the two renderings: its test id, its view, else its text. */
function keyOf(e: Element): string {
  return (
    e.getAttribute('data-testid') ?? e.getAttribute('data-view') ?? `${e.localName}:${(e.textContent ?? '').trim()}`
  );
}

const SELECTOR: Record<Act['kind'], string> = { click: CLICKABLE, change: 'select', files: 'input[type=file]' };

function find(root: HTMLElement, act: Act): Element | undefined {
  return [...root.querySelectorAll(SELECTOR[act.kind])].find((e) => keyOf(e) === act.key);
}

export interface EarlyInput {
  /** Stops listening and does what was kept on `root`'s new content, once the controls it needs are drawn. */
  replay(): void;
}

export function keepEarlyInput(root: HTMLElement): EarlyInput {
  const acts: Act[] = [];
  const onClick = (e: MouseEvent): void => {
    const button = e.target instanceof Element ? e.target.closest(CLICKABLE) : null;
    if (button && root.contains(button)) acts.push({ kind: 'click', key: keyOf(button) });
  };
  const onChange = (e: Event): void => {
    const t = e.target;
    if (t instanceof HTMLSelectElement) acts.push({ kind: 'change', key: keyOf(t), value: t.value });
    else if (t instanceof HTMLInputElement && t.type === 'file' && t.files && t.files.length > 0)
      acts.push({ kind: 'files', key: keyOf(t), files: t.files });
  };
  root.addEventListener('click', onClick);
  root.addEventListener('change', onChange);

  const run = (): void => {
    // Every control is found before any act is done: an act (a sidebar pick) changes what follows it.
    const found = acts.map((act) => ({ act, el: find(root, act) }));
    for (const { act, el } of found) {
      if (act.kind === 'click' && el instanceof HTMLElement) el.click();
      else if (act.kind === 'change' && el instanceof HTMLSelectElement) {
        el.value = act.value;
        el.dispatchEvent(new Event('change', { bubbles: true }));
      } else if (act.kind === 'files' && el instanceof HTMLInputElement) {
        // A FileList moves from one input to another as it is; the app reads it from its own input.
        el.files = act.files;
        el.dispatchEvent(new Event('change', { bubbles: true }));
      }
    }
  };

  return {
    replay() {
      root.removeEventListener('click', onClick);
      root.removeEventListener('change', onChange);
      if (acts.length === 0) return;
      const ready = (): boolean => acts.every((a) => find(root, a) !== undefined);
      if (ready()) {
        run();
        return;
      }
      const watch = new MutationObserver(() => {
        if (!ready()) return;
        done();
      });
      const timer = setTimeout(() => done(), WAIT_MS);
      const done = (): void => {
        watch.disconnect();
        clearTimeout(timer);
        run();
      };
      watch.observe(root, { childList: true, subtree: true });
    },
  };
}
