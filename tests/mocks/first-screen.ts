/** Fake APIs answer `app.firstScreen` the way the handlers do, from their own answers to the other calls. */
import { ApiError, type ApiResults, type HugetuneApi, type Method } from '../../shared/api';
import type { Envelope } from '../../shared/envelope';
import type { Report } from '../../shared/host/report';

/**
 * A fake API's `call`, with `app.firstScreen` made of its app.info, source.get and host.report (a report
 * that fails inside the answer, as an error envelope) and no pre-rendered HTML. Every other method goes to
 * `call` as it is, so a test that counts host.report calls counts the first screen's too.
 */
export function answeringFirstScreen(call: HugetuneApi['call']): HugetuneApi['call'] {
  const answer = async (): Promise<ApiResults['app.firstScreen']> => {
    const [info, source] = await Promise.all([call('app.info', {}), call('source.get', {})]);
    const report = await call('host.report', {}).then(
      (value): Envelope<Report> => ({ ok: true, value }),
      (e: unknown): Envelope<Report> => ({
        ok: false,
        error: {
          code: e instanceof ApiError ? e.code : 'internal',
          message: e instanceof Error ? e.message : String(e),
        },
      }),
    );
    return { info, source, report, html: '' };
  };
  return (<M extends Method>(method: M, args: Parameters<HugetuneApi['call']>[1]) =>
    method === 'app.firstScreen' ? answer() : call(method, args as never)) as HugetuneApi['call'];
}
