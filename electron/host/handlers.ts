/** The one handler table behind every front end. */
import type { FrontEnd, Handlers } from '../../shared/api';
import type { HostFiles } from '../../shared/host/files';
import { readHost } from '../../shared/host/read/index';
import { buildReport } from '../../shared/host/report';
import { APP_VERSION } from './version';

export const SAMPLE_INTERVAL_MS = 2000;

export function createHandlers(files: HostFiles, frontEnd: FrontEnd): Handlers {
  return {
    'app.info': () => ({
      name: 'hugetune',
      version: APP_VERSION,
      frontEnd,
      source: { ...files.source },
      sampleIntervalMs: SAMPLE_INTERVAL_MS,
    }),
    'host.report': () => buildReport(readHost(files)),
  };
}
