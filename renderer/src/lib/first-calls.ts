/**
 * What the first screen needs, asked for in one call (`app.firstScreen`): the Overview's report, the app's
 * facts, the source it shows, and that screen rendered as HTML by the server.
 */
import type { AppInfo, HugetuneApi, SourceState } from '../../../shared/api';
import type { Report } from '../../../shared/host/report';
import { unwrapPrintable } from './bridge';

export interface FirstCalls {
  report: Promise<Report>;
  info: Promise<AppInfo>;
  source: Promise<SourceState>;
  /** The server's rendering of the first screen; empty when it has none. */
  html: Promise<string>;
}

export function startFirstCalls(api: HugetuneApi): FirstCalls {
  const screen = api.call('app.firstScreen', {});
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
