/**
 * What the first screen needs, asked for in one call (`app.firstScreen`): the Overview's report, the app's
 * facts, the source it shows, and that screen rendered as HTML by the server. A page the server sent with its
 * first screen in it (../../../shared/served-screen) takes all of that from the page and calls nothing.
 */
import type { AppInfo, FirstScreen, HugetuneApi, SourceState } from '../../../shared/api';
import type { Report } from '../../../shared/host/report';
import { SCREEN_DATA_ID, type ServedScreen } from '../../../shared/served-screen';
import { unwrapPrintable } from './bridge';

export interface FirstCalls {
  report: Promise<Report>;
  info: Promise<AppInfo>;
  source: Promise<SourceState>;
  /** The server's rendering of the first screen to show; empty when it has none, or it is in the page already. */
  html: Promise<string>;
}

/** The data block of a page served with its first screen, or null when it is missing or not what the server writes. */
export function readServedScreen(doc: Document): ServedScreen | null {
  const text = doc.getElementById(SCREEN_DATA_ID)?.textContent;
  if (!text) return null;
  try {
    const v = JSON.parse(text) as Partial<ServedScreen> | null;
    return v && typeof v === 'object' && v.info && v.source && v.report ? (v as ServedScreen) : null;
  } catch {
    return null;
  }
}

/**
 * `served`: for a page sent with its first screen, that screen once the page is parsed (null if its data block
 * turns out unreadable, and the screen is then asked for after all); null for a plain page, which asks now.
 */
export function startFirstCalls(api: HugetuneApi, served: Promise<ServedScreen | null> | null = null): FirstCalls {
  const ask = (): Promise<FirstScreen> => api.call('app.firstScreen', {});
  const screen = served ? served.then((s) => (s ? { ...s, html: '' } : ask())) : ask();
  const calls: FirstCalls = {
    // A report that could not be read fails here as host.report would, with the same code and message.
    report: screen.then((s) => unwrapPrintable(s.report)),
    info: screen.then((s) => s.info),
    source: screen.then((s) => s.source),
    html: screen.then(
      (s) => s.html,
      () => '',
    ),
  };
  calls.report.catch(() => {}); // its error is shown by the view that reads it
  return calls;
}
