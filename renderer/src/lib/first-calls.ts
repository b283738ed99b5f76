/** The calls the first screen needs: the Overview's report, the app's facts and the source it shows. */
import type { AppInfo, HugetuneApi, SourceState } from '../../../shared/api';
import type { Report } from '../../../shared/host/report';

export interface FirstCalls {
  report: Promise<Report>;
  info: Promise<AppInfo>;
  source: Promise<SourceState>;
}

export function startFirstCalls(api: HugetuneApi): FirstCalls {
  const calls = {
    report: api.call('host.report', {}),
    info: api.call('app.info', {}),
    source: api.call('source.get', {}),
  };
  calls.report.catch(() => {}); // its error is shown by the view that reads it
  return calls;
}
