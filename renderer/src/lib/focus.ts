/**
 * Where keyboard focus goes after an action. When the control a person pressed is removed, hidden or disabled,
 * the browser drops focus to <body> and the next Tab starts again from the top of the page; a screen reader
 * says nothing about what the action did. So every action that changes what is on screen moves focus, by one
 * rule:
 *
 * - it opens another view (or shows another machine): focus goes to the view's level-one heading, so the
 *   view is announced by name and Tab goes on into it;
 * - it opens a confirmation: focus goes into it, on the choice that changes nothing (Cancel) where the other
 *   one changes the machine, else on its first control; Cancel puts it back on the control that opened it;
 * - it fails with an error banner: focus goes to the banner (role="alert", tabindex="-1"), which is read out;
 * - its control is disabled or replaced while it runs: focus goes to what it produced, the result or status
 *   it wrote (tabindex="-1"), so that is what is read next; the controls follow it in Tab order.
 *
 * Focus moves once the page shows the outcome (after Svelte's update), and an action that took a while moves
 * it only if it is still where the action left it (on <body>, or inside the action's own region, `within`):
 * a person who has gone elsewhere meanwhile is not pulled back.
 *
 * Targets that are not controls get tabindex="-1" in the markup, only where this module focuses them. The
 * heading shows no focus ring (app.css): it is not a control, and the view's top is where the eye goes anyway;
 * banners and results keep the ring, as they can be anywhere on the page.
 */
import { tick } from 'svelte';

type Found = HTMLElement | null | undefined;

/** What a confirmation's first control can be: one that can be pressed or typed in now. */
const CONTROL =
  'button:not([disabled]), input:not([disabled]):not([type="hidden"]), select:not([disabled]), textarea:not([disabled]), a[href], [tabindex]:not([tabindex="-1"])';

/** The first control inside `el`, or null. */
export function firstControl(el: Element | null | undefined): HTMLElement | null {
  return el?.querySelector<HTMLElement>(CONTROL) ?? null;
}

/** The level-one heading of the view on show (App.svelte draws one for every view). */
export function viewHeading(): HTMLElement | null {
  return document.querySelector<HTMLElement>('main h1');
}

/** Whether focus is where an action left it: dropped to <body>, or inside the action's region. */
function unmoved(within: Element | null | undefined): boolean {
  const at = document.activeElement;
  return at === null || at === document.body || (within?.contains(at) ?? false);
}

/**
 * Moves focus to `target()` once the page is updated. With `within`, only if focus is still inside that
 * region or was dropped to <body> (a `within` giving null: only if dropped). Resolves to whether focus moved.
 */
export async function moveFocus(
  target: () => Found,
  opts: { within?: () => Element | null | undefined } = {},
): Promise<boolean> {
  await tick();
  const el = target();
  if (!el || !el.isConnected) return false;
  if (opts.within && !unmoved(opts.within())) return false;
  el.focus();
  return document.activeElement === el;
}

/** After an action that opened another view: focus on its heading. */
export function focusView(): Promise<boolean> {
  return moveFocus(viewHeading);
}
